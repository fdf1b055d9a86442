"""``manage.py profiles``: the Sources page's figures as a table or as JSON (a contract)."""

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command

from annotator.models import Story
from annotator.stats.bootstrap import cluster_bootstrap
from tests.support import factories
from tests.support.labelling import label_sentence, member

DAY = datetime.date(2024, 1, 10)


def labelled(project, source, labels, *, annotators=()):
    """A document whose first sentences carry ``labels``: gold, or each annotator's."""
    document = factories.DocumentFactory(source=source, published_on=DAY)
    factories.ProjectDocumentFactory(project=project, document=document)
    for index, label in enumerate(labels):
        for annotator in annotators or [None]:
            label_sentence(project, document, index, label, annotator=annotator)
    return document


@pytest.fixture
def corpus(project):
    anna, boris = member(project, "anna"), member(project, "boris")
    tass = factories.SourceFactory(name="TASS")
    ria = factories.SourceFactory(name="RIA")
    # TASS: three gold documents, (fact, opinion) sentences (2, 1), (1, 2), (3, 0).
    visit = labelled(project, tass, ["fact", "fact", "opinion"])
    labelled(project, tass, ["opinion", "opinion", "fact"])
    labelled(project, tass, ["fact", "fact", "fact"])
    # RIA: one document both annotators labelled the same way; no gold.
    labelled(project, ria, ["speculation", "opinion"], annotators=[anna, boris])
    story = Story.objects.create(name="Визит")
    story.documents.add(visit)
    return story


def profiles(*args) -> str:
    out = io.StringIO()
    call_command("profiles", *args, stdout=out)
    return out.getvalue()


SOURCE_KEYS = {
    # The contract's keys ...
    *("source", "documents", "sentences", "basis", "shares"),
    # ... and the ones added to them.
    *("labelled_documents", "gold_documents", "interval_documents", "characters"),
    *("tied_sentences", "tied_characters", "basis_text"),
    # whose voice (annotator.reports.voices)
    *("voice", "voice_spans", "voice_by_label", "vague_holder_share"),
    *("distancing_share", "distancing_sentences", "quoted"),
}


def test_json_has_the_contracts_keys_and_the_pages_figures(project, corpus):
    data = json.loads(profiles("--project", project.slug, "--format", "json"))
    assert set(data) == {"project", "sources", "story", "labels", "filters"}
    assert (data["project"], data["story"]) == (project.slug, None)
    assert data["labels"] == ["fact", "opinion", "speculation"]
    ria, tass = data["sources"]
    assert set(tass) == SOURCE_KEYS
    assert set(tass["shares"]) == {"by_sentences", "by_characters"}
    for measure in tass["shares"].values():
        assert set(measure) == {"fact", "opinion", "speculation"}
        assert all(set(figure) == {"share", "low", "high"} for figure in measure.values())
    assert (tass["source"], tass["documents"], tass["sentences"], tass["basis"]) == (
        "TASS",
        3,
        9,
        "gold",
    )
    low, high = cluster_bootstrap([[2, 1], [1, 2], [3, 0]])[1]
    assert tass["shares"]["by_sentences"]["opinion"] == {
        "share": round(3 / 9, 6),
        "low": round(low, 6),
        "high": round(high, 6),
    }
    # One document: the shares, no intervals. Two annotators, the document counted once.
    assert (ria["source"], ria["documents"], ria["sentences"], ria["basis"]) == (
        "RIA",
        1,
        2,
        "annotators",
    )
    assert ria["shares"]["by_sentences"]["opinion"] == {"share": 0.5, "low": None, "high": None}


def test_story_limits_the_figures_to_its_documents(project, corpus):
    data = json.loads(profiles("--project", project.slug, "--story", "Визит", "--format", "json"))
    assert data["story"] == "Визит"
    (tass,) = data["sources"]
    assert (tass["source"], tass["documents"], tass["sentences"]) == ("TASS", 1, 3)


def test_table(project, corpus):
    table = profiles("--project", project.slug)
    assert table.startswith(f"Source profiles in project {project.slug}\n\nBy sentences\n")
    assert "TASS    3/3        9          gold" in table
    assert "50.0% (too few documents for an interval)" in table
    assert "\nBy characters\n" in table


def test_unknown_project_or_story(project, corpus):
    with pytest.raises(CommandError, match="^No project with the slug 'nope'.$"):
        profiles("--project", "nope")
    with pytest.raises(CommandError, match="^No story named 'Другой'.$"):
        profiles("--project", project.slug, "--story", "Другой")
