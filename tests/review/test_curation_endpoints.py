"""The curation screen's writes as the page sends them (htmx): each answers with only the
changed lines, gold list entries, undo button and status line, or 400 and the reason."""

import re

import pytest
from django.urls import reverse

from annotator.models import Annotation, AnnotationEvent, GoldAnnotation, Membership, Sentence
from annotator.text.snapping import snap
from tests.support import factories
from tests.support.labelling import label_sentence, member

HTMX = {"HTTP_HX_REQUEST": "true"}
TEXT = (
    "Первая строка, про визит президента.\n"
    "Вторая строка: Токаев считает, что нужен консорциум. Это мнение.\n"
    "\n"
    "Третья строка без разметки.\n"
    "Четвёртая строка в конце."
)


@pytest.fixture
def doc(project, client):
    reviewer = member(project, "rita", Membership.Role.REVIEWER)
    anna, boris = member(project, "anna"), member(project, "boris")
    document = factories.DocumentFactory(title="Visit", text=TEXT)
    factories.ProjectDocumentFactory(project=project, document=document)
    sentences = list(Sentence.objects.filter(document=document).order_by("index"))
    spans = {
        (user.username, index): label_sentence(project, document, index, label, annotator=user)
        for user, index, label in [
            (anna, 1, "opinion"),
            (boris, 1, "opinion"),
            (anna, 2, "opinion"),
            (boris, 2, "speculation"),
        ]
    }
    client.force_login(reviewer)
    return {"document": document, "sentences": sentences, "spans": spans, "reviewer": reviewer}


def url(project, document, name, *args):
    return reverse(name, args=[project.slug, document.pk, *args])


def lines_of(html: str) -> list[str]:
    return re.findall(r'<span class="line" id="(line-\d+)"[^>]*hx-swap-oob="true"', html)


def status_of(html: str) -> str:
    return re.search(r'<div id="status"[^>]*>(.*?)</div>', html).group(1)


# The queries of each answer are constant whatever the size of the document: session, user,
# membership, the document's link, labels; the write (with its savepoints and audit event);
# the sentences for the layout (cached on a server, read here as each test starts cold);
# the coders, the spans and gold of the changed lines, the gold after them, the undo target.
def test_accept_an_annotators_span_answers_with_the_changed_line(
    project, doc, client, django_assert_num_queries
):
    span = doc["spans"]["boris", 2]
    with django_assert_num_queries(23):
        response = client.post(
            url(project, doc["document"], "review_accept"), {"annotation": span.pk}, **HTMX
        )
    assert response.status_code == 200
    html = response.content.decode()
    gold = GoldAnnotation.objects.get()
    assert (gold.start, gold.end, gold.accepted_from) == (
        *snap(doc["document"].text, span.start, span.end),
        span,
    )
    assert lines_of(html) == ["line-1"]  # the second line only
    assert f'<mark class="ann lab-{gold.label_id} by-gold" data-id="{gold.pk}">' in html
    assert '<div hx-swap-oob="beforeend:#gold-list"><li id="gold-' in html
    assert "<small>from boris</small>" in html
    assert status_of(html) == "Accepted boris&#x27;s speculation span as gold."
    assert 'Undo <span class="undo-what">adding gold «' in html
    assert response["HX-Trigger-After-Settle"] == f'{{"goldChanged": {{"selected": {gold.pk}}}}}'


def test_accept_with_another_label_puts_that_label_on_the_same_passage(project, doc, client):
    span = doc["spans"]["anna", 2]
    response = client.post(
        url(project, doc["document"], "review_accept"),
        {"annotation": span.pk, "label": "fact"},
        **HTMX,
    )
    assert status_of(response.content.decode()) == ("Added gold fact on anna&#x27;s opinion span.")
    gold = GoldAnnotation.objects.get()
    # The annotator's passage under the boundary convention (no final full stop).
    assert (gold.label.name, gold.start, gold.end) == (
        "fact",
        *snap(doc["document"].text, span.start, span.end),
    )
    response = client.post(
        url(project, doc["document"], "review_accept"),
        {"annotation": span.pk, "label": "gossip"},
        **HTMX,
    )
    assert response.status_code == 400
    assert status_of(response.content.decode()) == "Unknown label &#x27;gossip&#x27;."
    assert GoldAnnotation.objects.count() == 1


def test_a_selection_becomes_gold_snapped_to_whole_words(
    project, doc, client, django_assert_num_queries
):
    text = doc["document"].text
    start = text.index("Токаев считает")
    # Half words at both ends, as a mouse selects them.
    data = {
        "label": "opinion",
        "start": start + 2,
        "end": start + 12,
        "quote": text[start + 2 : start + 12],
    }
    with django_assert_num_queries(20):
        response = client.post(url(project, doc["document"], "review_gold_add"), data, **HTMX)
    gold = GoldAnnotation.objects.get()
    assert gold.quote == "Токаев считает"
    assert (gold.start, gold.end, gold.reviewer) == (start, start + 14, doc["reviewer"])
    html = response.content.decode()
    assert status_of(html) == "Added gold “Opinion” on «Токаев считает»."
    assert lines_of(html) == ["line-1"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"label": "opinion", "start": "0", "end": "1", "quote": "Х"}, "The quoted text does not"),
        ({"label": "opinion", "start": "13", "end": "15", "quote": ", "}, "The selection holds no"),
        ({"label": "gossip", "start": "0", "end": "6", "quote": "Первая"}, "Label: Select a valid"),
        ({"label": "fact", "start": "0", "end": "99999", "quote": "x"}, "Offsets 0–99999 are"),
    ],
)
def test_a_refused_selection_says_why_and_writes_nothing(project, doc, client, data, message):
    response = client.post(url(project, doc["document"], "review_gold_add"), data, **HTMX)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="status error"' in html
    assert status_of(html).startswith(message)
    assert not GoldAnnotation.objects.exists()
    assert not AnnotationEvent.objects.filter(gold=True).exists()


def test_a_selection_inside_a_word_takes_the_word(project, doc, client):
    data = {"label": "fact", "start": "4", "end": "5", "quote": TEXT[4:5]}
    response = client.post(url(project, doc["document"], "review_gold_add"), data, **HTMX)
    assert response.status_code == 200
    assert GoldAnnotation.objects.get().quote == "Первая"


def test_accept_a_sentences_majority(project, doc, client, django_assert_num_queries):
    with django_assert_num_queries(28):
        response = client.post(
            url(project, doc["document"], "review_majority"), {"sentence": "1"}, **HTMX
        )
    assert status_of(response.content.decode()) == (
        "Accepted the majority label “Opinion” for sentence 2."
    )
    gold = GoldAnnotation.objects.get()
    sentence = doc["sentences"][1]
    assert (gold.label.name, gold.start, gold.end) == (
        "opinion",
        *snap(doc["document"].text, sentence.start, sentence.end),
    )
    # Sentence 3: one opinion, one speculation; sentence 2 has gold now.
    for index, reason in [
        ("2", "Sentence 3 has no majority label (at least 2 annotators agreeing)"),
        ("1", "The gold standard already has “Opinion” on this passage."),
        ("9", "This document has no sentence 10."),
        ("x", "Choose a sentence."),
    ]:
        response = client.post(
            url(project, doc["document"], "review_majority"), {"sentence": index}, **HTMX
        )
        assert response.status_code == 400
        assert status_of(response.content.decode()).startswith(reason.replace("'", "&#x27;"))
    assert GoldAnnotation.objects.count() == 1


def test_accept_the_whole_documents_majority_redraws_each_block_of_lines(project, doc, client):
    response = client.post(
        url(project, doc["document"], "review_majority"), {"min_agree": "2"}, **HTMX
    )
    html = response.content.decode()
    assert status_of(html) == "Accepted the majority label for 1 sentence(s) as gold."
    assert lines_of(html) == ["line-1"]


def test_change_a_gold_spans_label(project, doc, client, django_assert_num_queries):
    s = doc["sentences"][0]
    gold = factories.GoldAnnotationFactory(
        project=project,
        document=doc["document"],
        label=factories.project_label(project, "fact"),
        start=s.start,
        end=s.end,
    )
    with django_assert_num_queries(21):
        response = client.post(
            url(project, doc["document"], "review_gold_edit", gold.pk),
            {"label": "speculation", "start": s.start, "end": s.end},
            **HTMX,
        )
    html = response.content.decode()
    gold.refresh_from_db()
    assert (gold.label.name, gold.reviewer) == ("speculation", doc["reviewer"])
    # The entry is redrawn: out, then back in its place.
    assert f'<li id="gold-{gold.pk}" hx-swap-oob="delete"></li>' in html
    assert (
        f'<li id="gold-{gold.pk}" class="item" data-id="{gold.pk}" data-label="{gold.label_id}"'
        in html
    )
    assert lines_of(html) == ["line-0"]


def test_remove_then_undo_then_undo_again(project, doc, client, django_assert_num_queries):
    span = doc["spans"]["anna", 1]
    client.post(url(project, doc["document"], "review_accept"), {"annotation": span.pk}, **HTMX)
    gold = GoldAnnotation.objects.get()
    with django_assert_num_queries(15):
        response = client.post(url(project, doc["document"], "review_gold_delete", gold.pk), **HTMX)
    html = response.content.decode()
    assert f'<li id="gold-{gold.pk}" hx-swap-oob="delete"></li>' in html
    assert "by-gold" not in html
    assert status_of(html).startswith("Removed gold “opinion” on «")
    assert not GoldAnnotation.objects.exists()

    with django_assert_num_queries(26):
        response = client.post(url(project, doc["document"], "review_undo"), **HTMX)
    html = response.content.decode()
    assert status_of(html).startswith("Restored gold «")
    restored = GoldAnnotation.objects.get()
    assert (restored.pk, restored.accepted_from) == (gold.pk, span)
    assert f'<li id="gold-{gold.pk}" class="item"' in html
    assert 'Undo <span class="undo-what">adding gold «' in html  # next: the accept

    response = client.post(url(project, doc["document"], "review_undo"), **HTMX)
    assert status_of(response.content.decode()).startswith("Removed gold «")
    assert not GoldAnnotation.objects.exists()
    response = client.post(url(project, doc["document"], "review_undo"), **HTMX)
    assert response.status_code == 400
    assert status_of(response.content.decode()) == "Nothing to undo."
    assert Annotation.objects.count() == 4


def test_without_javascript_undo_redirects_with_a_message(project, doc, client):
    client.post(url(project, doc["document"], "review_majority"), {"min_agree": "2"})
    response = client.post(url(project, doc["document"], "review_undo"))
    assert response.status_code == 302
    assert not GoldAnnotation.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "Undid accepting the majority" not in page  # one span: said as a removal
    assert "Removed gold «" in page


def test_mark_reviewed_answers_with_the_button(project, doc, client):
    response = client.post(
        url(project, doc["document"], "review_reviewed"), {"reviewed": "1"}, **HTMX
    )
    html = response.content.decode()
    assert '<div id="reviewed-box" hx-swap-oob="true">' in html
    assert "✓ Reviewed · reopen" in html
    assert status_of(html) == "Marked reviewed."


def test_annotators_cannot_curate(project, doc, client):
    client.force_login(doc["spans"]["anna", 1].annotator)
    for name, args, data in [
        ("review_accept", [], {"annotation": doc["spans"]["boris", 1].pk}),
        ("review_majority", [], {"sentence": "1"}),
        ("review_gold_add", [], {"label": "fact", "start": "0", "end": "6", "quote": "Первая"}),
        ("review_undo", [], {}),
    ]:
        response = client.post(url(project, doc["document"], name, *args), data, **HTMX)
        assert response.status_code == 403
    assert not GoldAnnotation.objects.exists()


def test_a_conflict_is_refused_then_replaced_and_the_page_loses_the_old_gold(project, doc, client):
    """Another label over most of a sentence with gold: 400, the reason and the offer to
    replace (``data-conflict``, r); with ``replace=1`` the old gold leaves the list."""
    sentence = doc["sentences"][1]
    add = url(project, doc["document"], "review_gold_add")
    text = doc["document"].text
    data = {
        "start": sentence.start,
        "end": sentence.end,
        "quote": text[sentence.start : sentence.end],
    }
    client.post(add, {**data, "label": "fact"}, **HTMX)
    old = GoldAnnotation.objects.get()
    response = client.post(add, {**data, "label": "opinion"}, **HTMX)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-conflict="1"' in html
    assert status_of(html).startswith("The gold standard has “Fact” on most of sentence 2")
    assert status_of(html).endswith("Press r to replace it.")
    assert list(GoldAnnotation.objects.values_list("pk", "label__name")) == [(old.pk, "fact")]
    response = client.post(add, {**data, "label": "opinion", "replace": "1"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<li id="gold-{old.pk}" hx-swap-oob="delete"></li>' in html
    new = GoldAnnotation.objects.get()
    assert new.label.name == "opinion"
    assert f'<li id="gold-{new.pk}"' in html
