"""``manage.py suggest``: the shared contract's output, storage, and refusals."""

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from annotator.models import Suggestion, SuggestionDecision
from tests.suggestions.test_cues import OPINION, SPECULATION
from tests.support import factories

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
KEYS = [
    "document",
    "start",
    "end",
    "quote",
    "label",
    "score",
    "agent",
    "holder_kind",
    "holder",
    "cue_start",
    "cue_end",
]


def suggest(*args):
    out = StringIO()
    call_command("suggest", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_every_sentence_gets_its_top_label_and_the_seed_cues_are_found(project, seed_document):
    rows = suggest("--project", project.slug)
    sentences = list(seed_document.sentences.order_by("index").values_list("start", "end"))
    assert [(r["start"], r["end"]) for r in rows] == sentences
    assert all(list(r) == KEYS for r in rows)
    assert all(r["agent"] == "cues" and r["document"] == seed_document.id for r in rows)
    by_quote = {r["quote"]: r for r in rows}
    speculation, opinion = by_quote[SPECULATION], by_quote[OPINION]
    assert speculation["label"] == "speculation" and speculation["score"] > 0.8
    assert opinion["label"] == "opinion"
    assert OPINION[opinion["cue_start"] - opinion["start"] : opinion["cue_end"] - opinion["start"]]
    assert (opinion["holder_kind"], opinion["holder"]) == (None, None)
    assert Suggestion.objects.filter(document=seed_document, agent="cues").count() == len(rows)


def test_a_rerun_replaces_undecided_suggestions_and_keeps_decided_ones(project, seed_document):
    suggest("--project", project.slug, "--document", str(seed_document.id))
    decided = Suggestion.objects.filter(document=seed_document).order_by("start").first()
    SuggestionDecision.objects.create(
        suggestion=decided, annotator=factories.UserFactory(), verdict="rejected"
    )
    rows = suggest("--project", project.slug, "--agent", "cues")
    stored = Suggestion.objects.filter(document=seed_document)
    assert stored.count() == len(rows)
    assert stored.filter(pk=decided.pk).exists()


def test_table_format_prints_one_line_per_sentence(project, seed_document):
    out = StringIO()
    call_command("suggest", "--project", project.slug, "--format", "table", stdout=out)
    assert len(out.getvalue().splitlines()) == seed_document.sentences.count()


def test_refusals_write_nothing(project, seed_document):
    other = factories.DocumentFactory()
    refusal = rf"Not in project {project.slug}: document {other.id}\."
    with pytest.raises(CommandError, match=refusal):
        suggest("--project", project.slug, "--document", str(other.id))
    with pytest.raises(CommandError, match="No trained model for project .*: run train_suggester"):
        suggest("--project", project.slug, "--agent", "model")
    with pytest.raises(CommandError, match="No project with slug 'nope'"):
        suggest("--project", "nope")
    assert not Suggestion.objects.exists()


def test_the_web_process_never_loads_the_suggesters_libraries():
    code = (
        "import sys, django, os\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'project.settings')\n"
        "django.setup()\n"
        "import annotator.urls, project.urls, annotator.admin\n"
        "import annotator.suggestions.services\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'sklearn', 'pymorphy3', 'scipy', 'joblib', 'natasha'}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        check=True,
    )
    assert done.stdout.strip() == "[]"
