"""Adjudication: gold writes, majority acceptance, reviewed marks; annotators' work untouched."""

import pytest
from django.utils import timezone

from annotator.models import Annotation, GoldAnnotation, ProjectDocument, Sentence
from annotator.review.selectors import SentenceVotes, document_votes
from annotator.review.services import (
    GoldRejected,
    document_mark_reviewed,
    gold_accept,
    gold_accept_majority,
    gold_create,
    gold_delete,
    gold_update,
)
from tests.support import factories


def annotations_snapshot():
    return list(
        Annotation.objects.order_by("id").values_list(
            "id", "annotator_id", "label_id", "start", "end", "quote", "note", "updated_at"
        )
    )


@pytest.fixture
def setup(project):
    document = factories.DocumentFactory()
    factories.ProjectDocumentFactory(project=project, document=document)
    users = [factories.UserFactory(username=name) for name in ("anna", "boris", "carl")]
    reviewer = factories.UserFactory(username="rita")
    sentences = list(Sentence.objects.filter(document=document).order_by("index"))

    def label(user, index, name):
        s = sentences[index]
        return factories.AnnotationFactory(
            project=project,
            document=document,
            annotator=user,
            label=factories.project_label(project, name),
            start=s.start,
            end=s.end,
        )

    anna, boris, carl = users
    # Sentence 0: all fact. Sentence 1: opinion x2, speculation. Sentence 2: anna only.
    for user in users:
        label(user, 0, "fact")
    label(anna, 1, "opinion")
    label(boris, 1, "opinion")
    label(carl, 1, "speculation")
    spec = label(anna, 2, "speculation")
    return {
        "document": document,
        "sentences": sentences,
        "reviewer": reviewer,
        "users": users,
        "spec": spec,
    }


def test_document_votes_by_sentence(project, setup):
    votes = document_votes(project, setup["document"])
    assert [name for _, name in votes.annotators] == ["anna", "boris", "carl"]
    fact, opinion, speculation = (
        factories.project_label(project, name).pk for name in ("fact", "opinion", "speculation")
    )
    assert votes.sentences[0].labels == [fact, fact, fact]
    assert votes.sentences[1].labels == [opinion, opinion, speculation]
    assert votes.sentences[2].labels == [speculation, None, None]
    assert [s.status for s in votes.sentences] == ["agree", "disagree", "disagree", "unlabelled"]


def test_majority_rule():
    def sentence(labels):
        return SentenceVotes(0, 0, 1, labels, None, False)

    assert sentence([1, 1, 2]).majority(2) == 1
    assert sentence([1, 1, 2]).majority(3) is None
    assert sentence([1, 1, 2, 2]).majority(2) is None  # a tie is no majority
    assert sentence([1, 1, None, None, None]).majority(2) is None  # most gave no label
    assert sentence([None, None]).majority(2) is None
    assert sentence([]).majority(2) is None
    assert sentence([1]).status == "single"


def test_suggestion_is_gold_else_the_majority_and_a_tie_suggests_nothing():
    assert SentenceVotes(0, 0, 1, [1, 2], 3, True).suggestion() == 3
    assert SentenceVotes(0, 0, 1, [1, 1, 2], None, False).suggestion() == 1
    assert SentenceVotes(0, 0, 1, [1, 2], None, False).suggestion() is None


def test_accept_one_annotators_span(project, setup):
    before = annotations_snapshot()
    gold = gold_accept(annotation=setup["spec"], reviewer=setup["reviewer"])
    # The span is the whole sentence; gold follows the boundary convention (no final
    # full stop).
    spec = setup["spec"]
    assert (gold.start, gold.end, gold.label.name) == (spec.start, spec.end - 1, "speculation")
    assert setup["document"].text[spec.end - 1] == "."
    assert gold.accepted_from == setup["spec"]
    assert gold.reviewer == setup["reviewer"]
    assert gold.quote == setup["document"].text[gold.start : gold.end]
    assert annotations_snapshot() == before


def test_accepting_the_same_span_twice_is_refused(project, setup):
    gold_accept(annotation=setup["spec"], reviewer=setup["reviewer"])
    with pytest.raises(
        GoldRejected, match="^The gold standard already has “Speculation” on this passage.$"
    ):
        gold_accept(annotation=setup["spec"], reviewer=setup["reviewer"])
    assert GoldAnnotation.objects.count() == 1


def test_accept_majority_where_k_agree(project, setup):
    before = annotations_snapshot()
    created = gold_accept_majority(
        project=project, document=setup["document"], reviewer=setup["reviewer"], min_agree=2
    )
    sentences = setup["sentences"]
    # Each sentence without its final full stop: the boundary convention.
    assert [(g.start, g.end, g.label.name) for g in created] == [
        (sentences[0].start, sentences[0].end - 1, "fact"),
        (sentences[1].start, sentences[1].end - 1, "opinion"),
    ]
    assert annotations_snapshot() == before
    # Again: the sentences already have gold, nothing is added.
    again = gold_accept_majority(
        project=project, document=setup["document"], reviewer=setup["reviewer"], min_agree=2
    )
    assert again == []
    assert GoldAnnotation.objects.count() == 2


def test_accept_majority_with_higher_k_and_existing_gold(project, setup):
    sentences = setup["sentences"]
    gold_create(
        project=project,
        document=setup["document"],
        reviewer=setup["reviewer"],
        label=factories.project_label(project, "speculation"),
        start=sentences[0].start,
        end=sentences[0].start + 3,
    )
    created = gold_accept_majority(
        project=project, document=setup["document"], reviewer=setup["reviewer"], min_agree=3
    )
    # Sentence 0 (3 agree) is touched by the reviewer's gold; sentence 1 has only 2.
    assert created == []


def test_accept_majority_needs_two(project, setup):
    with pytest.raises(GoldRejected, match="^At least 2 annotators must agree for a majority.$"):
        gold_accept_majority(
            project=project, document=setup["document"], reviewer=setup["reviewer"], min_agree=1
        )
    assert not GoldAnnotation.objects.exists()


def test_add_own_and_edit_boundaries(project, setup):
    document = setup["document"]
    gold = gold_create(
        project=project,
        document=document,
        reviewer=setup["reviewer"],
        label=factories.project_label(project, "opinion"),
        start=0,
        end=6,
        quote=document.text[0:6],
    )
    other = factories.UserFactory(username="olga")
    gold_update(gold=gold, reviewer=other, start=2, end=9)  # «втра в » snaps to whole words
    gold.refresh_from_db()
    assert (gold.start, gold.end, gold.quote) == (0, 8, "Завтра в")
    assert gold.reviewer == other
    gold_update(gold=gold, reviewer=other, label=factories.project_label(project, "fact"))
    gold.refresh_from_db()
    assert gold.label.name == "fact"


@pytest.mark.parametrize(
    ("start", "end", "quote", "note", "message"),
    [
        (5, 5, None, "", "The selection is empty."),
        (0, 10_000, None, "", "Offsets 0–10000 are outside the text"),
        (0, 4, "nope", "", "The quoted text does not match the document at these offsets"),
        (0, 4, None, "a\x00b", r"^The note contains a NUL character \(U\+0000\); remove it\.$"),
        (0, 4, None, "x" * 5001, r"^The note is too long \(at most 5000 characters\)\.$"),
    ],
)
def test_bad_spans_are_refused_and_nothing_written(
    project, setup, start, end, quote, note, message
):
    with pytest.raises(GoldRejected, match=message):
        gold_create(
            project=project,
            document=setup["document"],
            reviewer=setup["reviewer"],
            label=factories.project_label(project, "fact"),
            start=start,
            end=end,
            quote=quote,
            note=note,
        )
    assert not GoldAnnotation.objects.exists()


def test_bad_edit_leaves_gold_as_it_was(project, setup):
    gold = gold_accept(annotation=setup["spec"], reviewer=setup["reviewer"])
    with pytest.raises(GoldRejected, match="^The selection is empty.$"):
        gold_update(gold=gold, reviewer=setup["reviewer"], start=gold.end, end=gold.end)
    stored = GoldAnnotation.objects.get()
    assert (stored.start, stored.end) == (gold.start, gold.end)


def test_label_or_document_from_elsewhere_is_refused(project, setup):
    other = factories.ProjectFactory()
    with pytest.raises(GoldRejected, match="^This label belongs to another project.$"):
        gold_create(
            project=project,
            document=setup["document"],
            reviewer=setup["reviewer"],
            label=factories.project_label(other, "fact"),
            start=0,
            end=3,
        )
    stray = factories.DocumentFactory()
    with pytest.raises(GoldRejected, match="^This document is not part of the project.$"):
        gold_create(
            project=project,
            document=stray,
            reviewer=setup["reviewer"],
            label=factories.project_label(project, "fact"),
            start=0,
            end=3,
        )
    assert not GoldAnnotation.objects.exists()


def test_delete_gold_keeps_the_annotation(project, setup):
    gold = gold_accept(annotation=setup["spec"], reviewer=setup["reviewer"])
    gold_delete(gold=gold)
    assert not GoldAnnotation.objects.exists()
    assert Annotation.objects.filter(pk=setup["spec"].pk).exists()


def test_mark_reviewed_and_back(project, setup):
    document = setup["document"]
    before = timezone.now()
    document_mark_reviewed(project=project, document=document, reviewer=setup["reviewer"])
    link = ProjectDocument.objects.get(project=project, document=document)
    assert link.reviewed_by == setup["reviewer"]
    assert link.reviewed_at >= before
    document_mark_reviewed(
        project=project, document=document, reviewer=setup["reviewer"], reviewed=False
    )
    link.refresh_from_db()
    assert (link.reviewed_at, link.reviewed_by) == (None, None)
    with pytest.raises(GoldRejected, match="^This document is not part of the project.$"):
        document_mark_reviewed(
            project=project, document=factories.DocumentFactory(), reviewer=setup["reviewer"]
        )


def test_done_without_spans_counts_as_no_label(project, setup):
    dora = factories.UserFactory(username="dora")
    factories.DocumentProgressFactory(
        project=project, document=setup["document"], annotator=dora, done_at=timezone.now()
    )
    votes = document_votes(project, setup["document"])
    assert [name for _, name in votes.annotators] == ["anna", "boris", "carl", "dora"]
    assert votes.sentences[0].labels[-1] is None
    # fact x3 and one "no label": still a majority of 3.
    assert votes.sentences[0].majority(3) == votes.sentences[0].labels[0]


def test_suggestion_is_gold_else_most_given_label():
    assert SentenceVotes(0, 0, 1, [2, 3, 3, None], None, False).suggestion() == 3
    assert SentenceVotes(0, 0, 1, [2, 3], 5, True).suggestion() == 5
    assert SentenceVotes(0, 0, 1, [None], None, False).suggestion() is None
