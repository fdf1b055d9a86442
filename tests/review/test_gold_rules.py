"""Gold is consistent by construction: one boundary convention, one label per passage, no
duplicates, "no label" as a decision; conflicts stored before the rules are listed."""

import json
from pathlib import Path

import pytest

from annotator.models import AnnotationEvent, GoldAnnotation, Sentence
from annotator.review.selectors import document_votes, gold_conflicts
from annotator.review.services import (
    GoldConflict,
    GoldRejected,
    gold_accept,
    gold_accept_majority,
    gold_create,
    gold_delete,
    gold_update,
)
from annotator.text.snapping import snap
from tests.support import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def doc(project):
    document = factories.DocumentFactory()
    factories.ProjectDocumentFactory(project=project, document=document)
    sentences = list(Sentence.objects.filter(document=document).order_by("index"))
    return {
        "project": project,
        "document": document,
        "sentences": sentences,
        "reviewer": factories.UserFactory(username="rita"),
    }


def label(project, name):
    return factories.project_label(project, name)


def add(doc, name, start, end, **extra):
    return gold_create(
        project=doc["project"],
        document=doc["document"],
        reviewer=doc["reviewer"],
        label=label(doc["project"], name) if name else None,
        start=start,
        end=end,
        **extra,
    )


def sentence_span(doc, index):
    s = doc["sentences"][index]
    return s.start, s.end


def stored():
    return sorted(
        (g.label.name if g.label else None, g.start, g.end) for g in GoldAnnotation.objects.all()
    )


def test_every_gold_path_stores_the_same_boundaries(project, doc):
    # The reviewer's selection of the sentence with its full stop, the majority over the
    # sentence, and an annotator's span of it: one passage, stored once.
    start, end = sentence_span(doc, 1)
    text = doc["document"].text
    assert text[end - 1] == "."
    gold = add(doc, "opinion", start, end)
    assert (gold.start, gold.end) == snap(text, start, end) == (start, end - 1)
    annotators = [factories.UserFactory() for _ in range(2)]
    for user in annotators:
        span = factories.AnnotationFactory(
            project=project,
            document=doc["document"],
            annotator=user,
            label=label(project, "opinion"),
            start=start,
            end=end,
        )
    with pytest.raises(GoldRejected, match="^The gold standard already has “Opinion” on this"):
        gold_accept(annotation=span, reviewer=doc["reviewer"])
    assert (
        gold_accept_majority(
            project=project, document=doc["document"], reviewer=doc["reviewer"], min_agree=2
        )
        == []
    )  # the sentence has gold already
    assert stored() == [("opinion", start, end - 1)]


def test_a_duplicate_differing_by_one_full_stop_is_refused_and_nothing_written(project, doc):
    start, end = sentence_span(doc, 1)
    # Gold stored before the convention, with the full stop.
    factories.GoldAnnotationFactory(
        project=project,
        document=doc["document"],
        label=label(project, "fact"),
        start=start,
        end=end,
    )
    events = AnnotationEvent.objects.count()
    with pytest.raises(GoldRejected) as refused:
        add(doc, "fact", start, end - 1)
    assert str(refused.value) == "The gold standard already has “Fact” on this passage."
    assert not isinstance(refused.value, GoldConflict)  # nothing to replace: it is there
    with pytest.raises(GoldRejected):
        add(doc, "fact", start, end - 1, replace=True)
    assert stored() == [("fact", start, end)]
    assert AnnotationEvent.objects.count() == events


def test_another_label_over_most_of_a_sentence_asks_to_replace(project, doc):
    start, end = sentence_span(doc, 1)
    speculation = add(doc, "speculation", start, end)
    events = AnnotationEvent.objects.count()
    # The case: Opinion beside Speculation, one character apart.
    with pytest.raises(GoldConflict) as refused:
        add(doc, "opinion", start, end - 2)
    assert str(refused.value) == (
        "The gold standard has “Speculation” on most of sentence 2 («Токаев считает, что "
        "необходим международный консорциум»). Replace it to make this passage “Opinion”."
    )
    assert refused.value.conflicting == [speculation]
    assert stored() == [("speculation", start, end - 1)]
    assert AnnotationEvent.objects.count() == events


def test_replace_deletes_the_conflicting_gold_in_the_same_change(project, doc):
    start, end = sentence_span(doc, 1)
    speculation = add(doc, "speculation", start, end)
    opinion = add(doc, "opinion", start + 7, end, replace=True)  # «считает, что … консорциум»
    assert stored() == [("opinion", start + 7, end - 1)]
    events = list(AnnotationEvent.objects.filter(gold=True).order_by("id"))
    assert [(e.action, e.annotation_id) for e in events] == [
        ("create", speculation.pk),
        ("delete", speculation.pk),
        ("create", opinion.pk),
    ]
    assert events[-1].after["replaced"] == [events[1].pk]


def test_a_long_span_and_a_short_one_inside_it_may_both_be_gold(project, doc):
    # A paragraph of speculation with an opinion on two words: the words label no sentence.
    add(doc, "speculation", 0, doc["sentences"][2].end)
    text = doc["document"].text
    words = text.index("Токаев считает")
    add(doc, "opinion", words, words + len("Токаев считает"))
    assert len(stored()) == 2
    # Over most of the sentence it would contend for it.
    start, end = sentence_span(doc, 1)
    with pytest.raises(GoldConflict, match="on most of sentence 2"):
        add(doc, "opinion", start, end)


def test_two_labels_on_the_same_few_words_conflict(project, doc):
    text = doc["document"].text
    words = text.index("Токаев")
    add(doc, "fact", words, words + len("Токаев"))
    with pytest.raises(GoldConflict) as refused:
        add(doc, "opinion", words, words + len("Токаев"))
    assert str(refused.value) == (
        "The gold standard has “Fact” on most of this passage («Токаев»). Replace it to make "
        "this passage “Opinion”."
    )


def test_no_label_is_a_gold_decision_under_the_same_rules(project, doc):
    start, end = sentence_span(doc, 1)
    add(doc, "fact", start, end)
    with pytest.raises(GoldConflict) as refused:
        add(doc, None, start, end)
    assert str(refused.value).endswith("Replace it to make this passage “no label”.")
    decision = add(doc, None, start, end, replace=True)
    assert decision.label is None and decision.label_name == "no label"
    assert stored() == [(None, start, end - 1)]
    with pytest.raises(GoldRejected, match="^The gold standard already has “no label” on this"):
        add(doc, None, start, end)
    sentence = document_votes(project, doc["document"]).sentences[1]
    assert (sentence.gold, sentence.gold_no_label, sentence.gold_touched) == (None, True, True)
    assert sentence.suggestion() is None  # not the annotators' majority: gold decided


def test_no_label_inside_a_long_gold_span_is_the_most_specific(project, doc):
    # Stored before the rules (the service would ask to replace the speculation).
    end = doc["sentences"][2].end
    factories.GoldAnnotationFactory(
        project=project, document=doc["document"], label=label(project, "speculation"), end=end
    )
    start, s_end = sentence_span(doc, 1)
    quote = doc["document"].text[start:s_end]
    GoldAnnotation.objects.create(
        project=project, document=doc["document"], label=None, start=start, end=s_end, quote=quote
    )
    speculation = label(project, "speculation").pk
    sentences = document_votes(project, doc["document"]).sentences
    assert [(s.gold, s.gold_no_label) for s in sentences[:3]] == [
        (speculation, False),
        (None, True),
        (speculation, False),
    ]


def test_changing_gold_follows_the_same_rules(project, doc):
    one, two = sentence_span(doc, 1), sentence_span(doc, 2)
    fact = add(doc, "fact", *one)
    opinion = add(doc, "opinion", *two)
    with pytest.raises(
        GoldConflict, match="^The gold standard has “Opinion” on most of sentence 3"
    ):
        gold_update(gold=fact, reviewer=doc["reviewer"], start=two[0], end=two[1])
    fact.refresh_from_db()
    assert (fact.start, fact.label.name) == (one[0], "fact")
    gold_update(gold=fact, reviewer=doc["reviewer"], start=two[0], end=two[1], replace=True)
    assert stored() == [("fact", two[0], two[1] - 1)]
    assert not GoldAnnotation.objects.filter(pk=opinion.pk).exists()
    gold_update(gold=fact, reviewer=doc["reviewer"], no_label=True)
    assert stored() == [(None, two[0], two[1] - 1)]


def test_conflicts_stored_before_the_rules_are_listed_until_resolved(project, doc):
    one, two = sentence_span(doc, 1), sentence_span(doc, 2)
    document = doc["document"]

    def gold(name, start, end):
        return factories.GoldAnnotationFactory(
            project=project, document=document, label=label(project, name), start=start, end=end
        )

    opinion = gold("opinion", one[0], one[1] - 1)
    speculation = gold("speculation", one[0], one[1])
    fact, fact_stop = gold("fact", two[0], two[1] - 1), gold("fact", two[0], two[1])
    gold("fact", 0, 6)  # alone: no conflict
    rows = gold_conflicts(project)
    assert [(r.kind, r.first, r.second, r.sentence) for r in rows] == [
        ("labels", opinion, speculation, 1),
        ("duplicate", fact, fact_stop, None),
    ]
    assert [r.kind for r in gold_conflicts(project, document)] == ["labels", "duplicate"]
    assert gold_conflicts(project, factories.DocumentFactory()) == []
    gold_delete(gold=speculation, reviewer=doc["reviewer"])
    gold_delete(gold=fact_stop, reviewer=doc["reviewer"])
    assert gold_conflicts(project) == []


SNAP_CASES = json.loads(
    (Path(__file__).parents[1] / "support" / "snap_cases.json").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("case", SNAP_CASES, ids=[case["why"] for case in SNAP_CASES])
def test_gold_boundaries_follow_the_shared_snap_cases(project, case):
    # The same cases the workspace's snapping (Python and JavaScript) is tested on.
    document = factories.DocumentFactory(text=case["text"])
    factories.ProjectDocumentFactory(project=project, document=document)
    fields = {
        "project": project,
        "document": document,
        "reviewer": factories.UserFactory(),
        "label": label(project, "fact"),
        "start": case["start"],
        "end": case["end"],
    }
    if not case["quote"]:
        with pytest.raises(GoldRejected, match="^The selection holds no words"):
            gold_create(**fields)
        assert not GoldAnnotation.objects.exists()
    else:
        assert gold_create(**fields).quote == case["quote"]
