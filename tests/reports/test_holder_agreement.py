"""Agreement on holders: holder-kind alpha and exact-holder agreement among annotators
who marked the same passage (hand-worked numbers), in the report and the command."""

import io
import json

import pytest
from django.core.management import call_command

from annotator.models import Sentence
from annotator.reports.agreement import project_agreement
from annotator.stats.holders import holder_agreement
from tests.support import factories
from tests.support.labelling import member

TOKAYEV = ("attributed", "Касым-Жомарт Токаев")
# Kinds per passage: [0 author, 3 attributed, 0 unclear], [1, 0, 1], [2, 0, 0]; n = 7.
# Do = 2/7 (the one author/unclear passage), De = 2·(3·3 + 3·1 + 3·1)/(7·6) = 5/7,
# alpha = 1 − (2/7)/(5/7) = 0.6. Pairs: 3 on the first passage (one exact, the case and
# spacing differ), 1 on the second, none on the third (both author): 1 of 4.
PASSAGES = [
    [TOKAYEV, ("attributed", "касым-жомарт  токаев"), ("attributed", "Токаев")],
    [("author", ""), ("unclear", "эксперты")],
    [("author", ""), ("author", "")],
    [("attributed", "Путин")],  # one annotator: not compared
]


def test_holder_kind_alpha_and_exact_holder_agreement():
    figures = holder_agreement(PASSAGES)
    assert figures.kind_alpha == pytest.approx(0.6)
    assert (figures.items, figures.values) == (3, 7)
    assert (figures.exact_pairs, figures.pairs, figures.exact) == (1, 4, 0.25)


def test_no_shared_passage_has_no_figures():
    figures = holder_agreement([[TOKAYEV]])
    assert (figures.kind_alpha, figures.exact, figures.items) == (None, None, 0)


@pytest.mark.django_db
def test_the_agreement_report_reads_each_annotators_holder_per_sentence(project):
    anna, boris, vera = (member(project, name) for name in ("anna", "boris", "vera"))
    document = factories.DocumentFactory(
        text="Токаев считает, что нужен консорциум. Эксперты против. Визит прошёл. Путин рад."
    )
    factories.ProjectDocumentFactory(project=project, document=document)
    label = factories.project_label(project, "opinion")
    sentences = list(Sentence.objects.filter(document=document).order_by("index"))
    coders = [anna, boris, vera]
    for sentence, passage in zip(sentences, PASSAGES, strict=True):
        for annotator, (kind, holder) in zip(coders, passage, strict=False):
            factories.AnnotationFactory(
                project=project,
                document=document,
                annotator=annotator,
                label=label,
                start=sentence.start,
                end=sentence.end - 1,  # inside the sentence: the longest overlap decides
                holder_kind=kind,
                holder=holder,
            )
    report = project_agreement(project)
    assert report.holders is not None
    assert report.holders.kind_alpha == pytest.approx(0.6)
    assert (report.holders.exact_pairs, report.holders.pairs) == (1, 4)
    out = io.StringIO()
    call_command("agreement", "--project", project.slug, "--format", "json", stdout=out)
    holders = json.loads(out.getvalue())["holders"]
    assert holders["exact"] == 0.25 and holders["items"] == 3
    out = io.StringIO()
    call_command("agreement", "--project", project.slug, stdout=out)
    assert "Exact holder agreement            25.0%" in out.getvalue()
