"""Gold's audit trail and undo: every gold write is recorded (an ``AnnotationEvent`` with
``gold`` set); undo walks the reviewer's own actions back one at a time (an accept-majority
as a whole), all or nothing, and says what it changed for the curation screen to redraw."""

import pytest

from annotator.models import Annotation, AnnotationEvent, GoldAnnotation, Sentence
from annotator.review.services import (
    GoldRejected,
    gold_accept,
    gold_accept_majority,
    gold_accept_sentence,
    gold_delete,
    gold_update,
)
from annotator.review.undo import gold_undo
from annotator.text.snapping import snap
from tests.support import factories
from tests.support.labelling import label_sentence


@pytest.fixture
def setup(project):
    document = factories.DocumentFactory()
    factories.ProjectDocumentFactory(project=project, document=document)
    anna, boris = (factories.UserFactory(username=name) for name in ("anna", "boris"))
    sentences = list(Sentence.objects.filter(document=document).order_by("index"))
    spans = [
        label_sentence(project, document, index, name, annotator=user)
        for user, index, name in [
            (anna, 0, "fact"),
            (boris, 0, "fact"),
            (anna, 1, "opinion"),
            (boris, 1, "opinion"),
            (anna, 2, "fact"),
            (boris, 2, "opinion"),
        ]
    ]
    return {
        "document": document,
        "sentences": sentences,
        "spans": spans,
        "rita": factories.UserFactory(username="rita"),
        "olga": factories.UserFactory(username="olga"),
    }


def gold_rows():
    return list(
        GoldAnnotation.objects.order_by("id").values_list("id", "label__name", "start", "end")
    )


def undo(project, setup, who="rita"):
    return gold_undo(project=project, document=setup["document"], reviewer=setup[who])


def test_every_gold_write_is_recorded_with_who_and_the_values(project, setup):
    rita, document = setup["rita"], setup["document"]
    gold = gold_accept(annotation=setup["spans"][0], reviewer=rita)
    pk = gold.pk
    gold_update(gold=gold, reviewer=rita, label=factories.project_label(project, "opinion"))
    gold_delete(gold=gold, reviewer=rita)
    events = list(AnnotationEvent.objects.filter(gold=True).order_by("id"))
    assert [(e.action, e.annotation_id, e.actor, e.document) for e in events] == [
        ("create", pk, rita, document),
        ("update", pk, rita, document),
        ("delete", pk, rita, document),
    ]
    assert events[0].before is None
    assert events[0].after["accepted_from"] == setup["spans"][0].pk
    assert (events[1].before["label"], events[1].after["label"]) == ("fact", "opinion")
    assert events[2].before["quote"] == gold.quote and events[2].after is None
    assert str(events[2]) == f"Deleted gold span {pk}"


def test_undo_goes_back_one_action_at_a_time(project, setup):
    rita = setup["rita"]
    gold = gold_accept(annotation=setup["spans"][2], reviewer=rita)
    original = gold_rows()
    gold_update(gold=gold, reviewer=rita, start=gold.start + 1)
    gold_delete(gold=gold, reviewer=rita)
    gold.pk = original[0][0]
    assert gold_rows() == []

    outcome = undo(project, setup)  # the removal
    assert gold_rows() == [(gold.pk, "opinion", gold.start, gold.end)]
    assert outcome.added == [gold.pk]
    assert outcome.message == f"Restored gold «{gold.quote}»."
    assert GoldAnnotation.objects.get().accepted_from == setup["spans"][2]

    outcome = undo(project, setup)  # the change of boundaries
    assert gold_rows() == original
    assert outcome.ranges == [(gold.start, gold.end), (original[0][2], original[0][3])]
    assert outcome.changed == [gold.pk]

    outcome = undo(project, setup)  # the accept
    assert gold_rows() == []
    assert outcome.removed == [gold.pk]
    with pytest.raises(GoldRejected, match="^Nothing to undo.$"):
        undo(project, setup)
    # Each undo is recorded, marked with the event it reverts.
    undos = AnnotationEvent.objects.filter(gold=True, after__undo_of__isnull=False).order_by("id")
    assert [e.action for e in undos] == ["restore", "update", "delete"]
    assert Annotation.objects.count() == 6


def test_accept_majority_is_undone_as_one_action(project, setup):
    created = gold_accept_majority(
        project=project, document=setup["document"], reviewer=setup["rita"], min_agree=2
    )
    assert len(created) == 2
    outcome = undo(project, setup)
    assert outcome.message == "Took back 2 gold spans."
    assert sorted(outcome.removed) == sorted(g.pk for g in created)
    assert gold_rows() == []


def test_undo_reverts_only_the_reviewers_own_actions(project, setup):
    gold_accept(annotation=setup["spans"][0], reviewer=setup["rita"])
    olgas = gold_accept(annotation=setup["spans"][2], reviewer=setup["olga"])
    undo(project, setup, "rita")
    assert [row[0] for row in gold_rows()] == [olgas.pk]
    with pytest.raises(GoldRejected, match="^Nothing to undo.$"):
        undo(project, setup, "rita")


def test_undo_that_cannot_be_done_changes_nothing(project, setup):
    rita, olga = setup["rita"], setup["olga"]
    created = gold_accept_majority(
        project=project, document=setup["document"], reviewer=rita, min_agree=2
    )
    # Someone else removed one of the two spans: undoing the batch is refused whole.
    gold_delete(gold=created[1], reviewer=olga)
    before = gold_rows()
    events = AnnotationEvent.objects.filter(gold=True).count()
    with pytest.raises(GoldRejected, match="^Cannot undo. That gold span no longer exists.$"):
        undo(project, setup)
    assert gold_rows() == before
    assert AnnotationEvent.objects.filter(gold=True).count() == events


def test_undoing_a_removal_is_refused_when_the_same_gold_is_back(project, setup):
    rita = setup["rita"]
    gold = gold_accept(annotation=setup["spans"][0], reviewer=rita)
    gold_delete(gold=gold, reviewer=rita)
    gold_accept(annotation=setup["spans"][1], reviewer=setup["olga"])  # the same passage
    with pytest.raises(
        GoldRejected,
        match="^Cannot undo. The gold standard already has “Fact” on this passage.$",
    ):
        undo(project, setup)
    assert GoldAnnotation.objects.count() == 1


def test_accept_one_sentences_majority(project, setup):
    sentences, rita = setup["sentences"], setup["rita"]
    gold = gold_accept_sentence(project=project, document=setup["document"], reviewer=rita, index=1)
    # The sentence under the boundary convention (no final full stop).
    assert (gold.label.name, gold.start, gold.end) == (
        "opinion",
        *snap(setup["document"].text, sentences[1].start, sentences[1].end),
    )
    assert AnnotationEvent.objects.filter(gold=True).get().action == "create"
    for index, message in [
        (1, "^The gold standard already has “Opinion” on this passage.$"),
        (2, r"^Sentence 3 has no majority label \(at least 2 annotators agreeing\)"),
        (3, r"^Sentence 4 has no majority label"),  # nobody labelled it
        (40, "^This document has no sentence 41.$"),
    ]:
        with pytest.raises(GoldRejected, match=message):
            gold_accept_sentence(
                project=project, document=setup["document"], reviewer=rita, index=index
            )
    assert GoldAnnotation.objects.count() == 1


def test_a_coder_without_a_label_on_the_sentence_still_votes(project, setup):
    """Only the sentence's spans are read, but every coder of the document has a vote."""
    document, rita = setup["document"], setup["rita"]
    carl, dave = factories.UserFactory(username="carl"), factories.UserFactory(username="dave")
    for user, index in [(setup["spans"][0].annotator, 3), (carl, 3), (dave, 0)]:
        label_sentence(project, document, index, "fact", annotator=user)
    # anna and carl: fact; boris and dave: no label. A tie is no majority.
    with pytest.raises(GoldRejected, match="^Sentence 4 has no majority label"):
        gold_accept_sentence(project=project, document=document, reviewer=rita, index=3)
    assert not GoldAnnotation.objects.exists()
