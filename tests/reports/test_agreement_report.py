"""Agreement read from the database, and the ``agreement`` command."""

import json
from io import StringIO

import krippendorff
import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from annotator.models import Sentence
from annotator.reports.agreement import project_agreement
from tests.support import factories
from tests.support.labelling import label_sentence


@pytest.fixture
def two_annotators(project):
    """anna and boris label doc1 differently in sentence 1; only anna coded doc2."""
    anna = factories.UserFactory(username="anna")
    boris = factories.UserFactory(username="boris")
    doc1 = factories.DocumentFactory(title="First")
    doc2 = factories.DocumentFactory(title="Second")
    for doc in (doc1, doc2):
        factories.ProjectDocumentFactory(project=project, document=doc)
    label_sentence(project, doc1, 0, "fact", annotator=anna)
    label_sentence(project, doc1, 1, "opinion", annotator=anna)
    label_sentence(project, doc1, 0, "fact", annotator=boris)
    label_sentence(project, doc1, 1, "speculation", annotator=boris)
    label_sentence(project, doc2, 0, "opinion", annotator=anna)
    return {"anna": anna, "boris": boris, "doc1": doc1, "doc2": doc2}


def test_sentence_figures_hand_worked(project, two_annotators):
    report = project_agreement(project)
    assert report.annotators == ["anna", "boris"]
    assert report.labels == ["fact", "opinion", "speculation", "none"]
    # doc1 has 4 sentences: (fact, fact), (opinion, speculation), (none, none) twice.
    # n = 8: fact 2, opinion 1, speculation 1, none 4. Disagreeing coincidences: 2.
    # De = (64 - 4 - 1 - 1 - 16) / 7 = 6, alpha = 1 - 2/6.
    s = report.sentence
    assert s.alpha == pytest.approx(1 - 2 / 6)
    assert s.observed == pytest.approx(0.75)
    assert (s.items, s.values, s.documents) == (4, 8, 1)
    (pair,) = report.pairs
    assert (pair.a, pair.b, pair.items) == ("anna", "boris", 4)
    # p_anna = (.25, .25, 0, .5), p_boris = (.25, 0, .25, .5): pe = .0625 + .25.
    assert pair.kappa == pytest.approx((0.75 - 0.3125) / (1 - 0.3125))
    per_label = {label.label: label for label in report.per_label}
    assert per_label["fact"].alpha == pytest.approx(1.0)
    assert per_label["fact"].uses == 2
    assert per_label["speculation"].uses == 1


def test_character_alpha_matches_one_item_per_character(project, two_annotators):
    doc1 = two_annotators["doc1"]
    report = project_agreement(project)
    sentences = list(Sentence.objects.filter(document=doc1).order_by("index"))
    anna = np.zeros(len(doc1.text))
    boris = np.zeros(len(doc1.text))
    anna[sentences[0].start : sentences[0].end] = boris[sentences[0].start : sentences[0].end] = 1
    anna[sentences[1].start : sentences[1].end] = 2
    boris[sentences[1].start : sentences[1].end] = 4
    expected = krippendorff.alpha(reliability_data=[anna, boris], level_of_measurement="nominal")
    assert report.character.alpha == pytest.approx(expected)
    assert report.character.items == len(doc1.text)
    assert report.character.documents == 1


def test_documents_coded_by_one_annotator_are_missing_for_the_others(project, two_annotators):
    report = project_agreement(project)
    by_title = {d.title: d for d in report.documents}
    assert by_title["Second"].annotators == 1
    assert by_title["Second"].sentences == 0
    assert by_title["Second"].alpha is None
    assert by_title["First"].sentences == 4
    assert by_title["First"].disagreements == 1


def test_marking_done_without_spans_codes_every_sentence_none(project, two_annotators):
    factories.DocumentProgressFactory(
        project=project,
        document=two_annotators["doc2"],
        annotator=two_annotators["boris"],
        done_at=timezone.now(),
    )
    report = project_agreement(project)
    by_title = {d.title: d for d in report.documents}
    assert by_title["Second"].annotators == 2
    assert by_title["Second"].sentences == 4
    assert by_title["Second"].disagreements == 1  # anna: opinion, boris: none
    assert report.sentence.items == 8


def test_disagreements_worst_first_with_labels_by_annotator(project, two_annotators):
    carl = factories.UserFactory(username="carl")
    doc1 = two_annotators["doc1"]
    label_sentence(project, doc1, 1, "opinion", annotator=carl)
    label_sentence(project, doc1, 0, "opinion", annotator=carl)
    report = project_agreement(project)
    assert [(d.sentence, round(d.agreement, 3)) for d in report.disagreements] == [
        (0, 0.333),
        (1, 0.333),
    ]
    assert report.disagreements[1].labels == {
        "anna": "opinion",
        "boris": "speculation",
        "carl": "opinion",
    }
    assert report.disagreement_total == 2


def test_per_document_filter(project, two_annotators):
    report = project_agreement(project, document_ids=[two_annotators["doc2"].pk])
    assert [d.title for d in report.documents] == ["Second"]
    assert report.sentence.items == 0
    assert report.sentence.alpha is None


def test_empty_project(project):
    report = project_agreement(project)
    assert report.annotators == []
    assert report.sentence.items == 0
    assert report.character.alpha is None
    assert report.pairs == []


def test_command_table(project, two_annotators):
    out = StringIO()
    call_command("agreement", project=project.slug, stdout=out)
    text = out.getvalue()
    assert f"Agreement in project {project.slug}" in text
    assert "Krippendorff's alpha (nominal)    0.667" in text
    assert "Observed agreement                75.0%" in text
    assert "on 4 sentences (8 labels) in 1 document\n" in text
    assert "anna × boris: kappa 0.636, observed 75.0%, on 4 sentences" in text
    assert "Sentences where annotators disagree: 1" in text


def test_command_json(project, two_annotators):
    out = StringIO()
    call_command("agreement", "--project", project.slug, "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["sentence"]["alpha"] == pytest.approx(1 - 2 / 6)
    assert data["sentence"]["items"] == 4
    assert data["pairs"][0]["kappa"] == pytest.approx(0.63636, abs=1e-5)
    assert data["per_label"][0] == {"label": "fact", "alpha": 1.0, "uses": 2, "items": 4}
    assert data["disagreements"][0]["labels"] == {"anna": "opinion", "boris": "speculation"}
    assert {d["title"] for d in data["documents"]} == {"First", "Second"}


def test_command_unknown_project(db):
    with pytest.raises(CommandError, match=r"^No project with the slug 'nope'\.$"):
        call_command("agreement", project="nope")


def test_command_rejects_unknown_format(project):
    with pytest.raises(CommandError, match="invalid choice: 'csv'"):
        call_command("agreement", "--project", project.slug, "--format", "csv")
