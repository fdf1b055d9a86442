"""The export marks the labels accepted from suggestions (agent and score) in jsonl, csv
and the sentences table; labels given by hand are marked not suggested."""

import csv
import json

import pytest
from django.core.management import call_command

from annotator.models import Label, Suggestion
from annotator.suggestions.decisions import suggestions_accept
from annotator.suggestions.selectors import shown_suggestions
from tests.support import factories

pytestmark = pytest.mark.django_db

TEXT = "Токаев считает, что проект важен. Завод открыли в мае."


@pytest.fixture
def exported(tmp_path):
    project = factories.ProjectFactory(slug="flags")
    anna = factories.UserFactory(username="anna")
    document = factories.DocumentFactory(text=TEXT)
    factories.ProjectDocumentFactory(project=project, document=document)
    labels = {label.name: label for label in Label.objects.filter(project=project)}
    first = TEXT.index(".") + 1
    Suggestion.objects.create(
        project=project,
        document=document,
        start=0,
        end=first,
        quote=TEXT[:first],
        label=labels["opinion"],
        score=0.91,
        agent="cues",
    )
    suggestions_accept(
        project=project,
        document=document,
        annotator=anna,
        suggestions=shown_suggestions(project, document, anna),
        labels={label.pk: label for label in labels.values()},
    )
    second = TEXT.index("Завод")
    factories.AnnotationFactory(
        project=project,
        document=document,
        annotator=anna,
        label=labels["fact"],
        start=second,
        end=len(TEXT) - 1,
    )

    def export(fmt, name):
        out = tmp_path / name
        call_command(
            "export_dataset", "--project=flags", f"--format={fmt}", f"--out={out}", verbosity=0
        )
        return out

    return export


def test_jsonl_marks_suggested_annotations(exported):
    line = json.loads(exported("jsonl", "out.jsonl").read_text(encoding="utf-8"))
    flags = [
        (a["label"], a["suggested"], a["suggestion_agent"], a["suggestion_score"])
        for a in line["annotations"]
    ]
    assert flags == [("opinion", True, "cues", 0.91), ("fact", False, None, None)]


def test_csv_marks_suggested_annotations(exported):
    with exported("csv", "out.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    flags = [
        (r["label"], r["suggested"], r["suggestion_agent"], r["suggestion_score"]) for r in rows
    ]
    assert flags == [("opinion", "true", "cues", "0.91"), ("fact", "false", "", "")]


def test_sentences_mark_suggested_labels(exported):
    with exported("sentences", "out.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    flags = [
        (
            r["label_anna"],
            r["suggested_anna"],
            r["suggested"],
            r["suggestion_agent"],
            r["suggestion_score"],
        )
        for r in rows
    ]
    assert flags == [
        ("opinion", "True", "True", "cues", "0.91"),
        ("fact", "False", "False", "", ""),
    ]
