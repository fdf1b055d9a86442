"""The review screen and its gold writes over HTTP."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from annotator.models import Annotation, GoldAnnotation, Membership, ProjectDocument, Sentence
from tests.support import factories
from tests.support.labelling import label_sentence, member


@pytest.fixture
def doc(project, client):
    reviewer = member(project, "rita", Membership.Role.REVIEWER)
    anna, boris = member(project, "anna"), member(project, "boris")
    document = factories.DocumentFactory(title="Visit")
    factories.ProjectDocumentFactory(project=project, document=document)
    sentences = list(Sentence.objects.filter(document=document).order_by("index"))
    spans = {}
    for user, index, label in [
        (anna, 0, "fact"),
        (boris, 0, "fact"),
        (anna, 1, "opinion"),
        (boris, 1, "speculation"),
    ]:
        s = sentences[index]
        spans[user.username, index] = factories.AnnotationFactory(
            project=project,
            document=document,
            annotator=user,
            label=factories.project_label(project, label),
            start=s.start,
            end=s.end,
        )
    client.force_login(reviewer)
    return {
        "document": document,
        "sentences": sentences,
        "spans": spans,
        "reviewer": reviewer,
        "anna": anna,
    }


def url(project, document, name="review", *args):
    return reverse(name, args=[project.slug, document.pk, *args])


def messages_of(response):
    """The messages a write left for the next page (unread ones from earlier writes too)."""
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_curation_screen_shows_the_text_once_with_every_annotator_in_a_lane(project, doc, client):
    response = client.get(url(project, doc["document"]))
    assert response.status_code == 200
    html = response.content.decode()
    # The text once: every annotator's spans, the label as colour, the annotator as lane.
    fact = factories.project_label(project, "fact")
    assert f'<mark class="ann lab-{fact.pk} by-0" data-id="{doc["spans"]["anna", 0].pk}">' in html
    assert f'<mark class="ann lab-{fact.pk} by-1" data-id="{doc["spans"]["boris", 0].pk}">' in html
    assert html.count('<div id="doc-text"') == 1
    assert '<input type="checkbox" checked data-lane="0"> <span class="lane-sample by-0"' in html
    assert html.count("lane-toggle") == 3  # anna, boris, gold
    # Sentence agreement for the script: sentence 1 is a disagreement; the votes by sentence.
    assert 'data-disagree="1"' in html
    assert response.context["votes"] == {
        "annotators": ["anna", "boris"],
        "sentences": {
            0: [fact.pk, fact.pk, fact.pk],
            1: [
                factories.project_label(project, "opinion").pk,
                factories.project_label(project, "speculation").pk,
                None,
            ],
        },
    }
    assert '<span id="open-count" class="open-count">1 disagreement</span>' in html
    # No per-span forms: the page's forms are a fixed few (undo, reviewed, the shared
    # delete form, accept majority, add by offsets, and the header's: search, language,
    # log out).
    assert html.count("<form") == 8
    assert 'style="' not in html
    # The agreement figures read every span again: fetched when the reviewer opens them.
    assert "data-figure" not in html
    figures = client.get(url(project, doc["document"], "review_agreement"), HTTP_HX_REQUEST="true")
    assert figures.content.decode().startswith('<div class="agreement-figures">')
    assert '<td class="num" data-figure="alpha">0.667</td>' in figures.content.decode()
    page = client.get(url(project, doc["document"], "review_agreement")).content.decode()
    assert "<h1>Visit <small>agreement</small></h1>" in page
    assert '<td class="num" data-figure="alpha">0.667</td>' in page


def test_only_reviewers_and_managers_review(project, doc, client):
    client.force_login(doc["anna"])
    assert client.get(url(project, doc["document"])).status_code == 403
    assert client.get(url(project, doc["document"], "review_agreement")).status_code == 403
    response = client.post(
        url(project, doc["document"], "review_accept"),
        {"annotation": doc["spans"]["anna", 1].pk},
    )
    assert response.status_code == 403
    assert not GoldAnnotation.objects.exists()


def test_document_outside_the_project_is_404(project, doc, client):
    stray = factories.DocumentFactory()
    assert client.get(url(project, stray)).status_code == 404


def test_writes_need_post(project, doc, client):
    assert client.get(url(project, doc["document"], "review_majority")).status_code == 405


def test_accept_an_annotators_span(project, doc, client):
    span = doc["spans"]["boris", 1]
    before = list(Annotation.objects.values_list("id", "label_id", "start", "end", "updated_at"))
    response = client.post(url(project, doc["document"], "review_accept"), {"annotation": span.pk})
    assert response.status_code == 302
    assert response["Location"] == url(project, doc["document"]) + "#gold"
    gold = GoldAnnotation.objects.get()
    assert (gold.label.name, gold.start, gold.end, gold.accepted_from_id) == (
        "speculation",
        span.start,
        span.end - 1,  # the sentence's final full stop: the boundary convention
        span.pk,
    )
    assert messages_of(response) == ["Accepted boris's speculation span as gold."]
    assert list(Annotation.objects.values_list("id", "label_id", "start", "end", "updated_at")) == (
        before
    )
    page = client.get(url(project, doc["document"])).content.decode()
    assert f'<li id="gold-{gold.pk}" class="item"' in page
    assert "<small>from boris</small>" in page
    assert f'<mark class="ann lab-{gold.label_id} by-gold" data-id="{gold.pk}">' in page


def test_accept_twice_explains(project, doc, client):
    span = doc["spans"]["boris", 1]
    client.post(url(project, doc["document"], "review_accept"), {"annotation": span.pk})
    response = client.post(url(project, doc["document"], "review_accept"), {"annotation": span.pk})
    assert messages_of(response)[-1] == (
        "The gold standard already has “Speculation” on this passage."
    )
    assert GoldAnnotation.objects.count() == 1


def test_accept_span_of_another_document_is_404(project, doc, client):
    other = factories.AnnotationFactory(project=project)
    response = client.post(url(project, doc["document"], "review_accept"), {"annotation": other.pk})
    assert response.status_code == 404
    response = client.post(url(project, doc["document"], "review_accept"), {"annotation": "x"})
    assert response.status_code == 404
    assert not GoldAnnotation.objects.exists()


@pytest.mark.parametrize("value", ["²", "١٢", "-1", "9223372036854775808", ""])
def test_accept_with_a_malformed_annotation_id_is_404_not_500(project, doc, client, value):
    # "²".isdigit() is true, and int("²") raises: the id is parsed as ASCII digits only.
    response = client.post(url(project, doc["document"], "review_accept"), {"annotation": value})
    assert response.status_code == 404
    assert not GoldAnnotation.objects.exists()


def test_accept_majority(project, doc, client):
    response = client.post(url(project, doc["document"], "review_majority"), {"min_agree": "2"})
    assert messages_of(response) == ["Accepted the majority label for 1 sentence(s) as gold."]
    gold = GoldAnnotation.objects.get()
    assert (gold.label.name, gold.start) == ("fact", doc["sentences"][0].start)
    response = client.post(url(project, doc["document"], "review_majority"), {"min_agree": "2"})
    assert messages_of(response)[-1] == (
        "No sentence without gold has a majority of at least 2 annotators."
    )


def test_accept_majority_bad_k(project, doc, client):
    response = client.post(url(project, doc["document"], "review_majority"), {"min_agree": "1"})
    assert messages_of(response) == ["At least: Ensure this value is greater than or equal to 2."]
    assert not GoldAnnotation.objects.exists()


def test_set_gold_for_a_sentence_and_add_own(project, doc, client):
    s = doc["sentences"][1]
    response = client.post(
        url(project, doc["document"], "review_gold_add"),
        {"label": "opinion", "start": s.start, "end": s.end, "anchor": "s-1"},
    )
    assert response["Location"].endswith("#s-1")
    text = doc["document"].text
    assert messages_of(response) == [f"Added gold “Opinion” on «{text[s.start : s.end - 1]}»."]
    response = client.post(
        url(project, doc["document"], "review_gold_add"),
        {"label": "speculation", "start": 0, "end": 6, "quote": text[:6]},
    )
    assert [(g.label.name, g.start, g.end) for g in GoldAnnotation.objects.order_by("start")] == [
        ("speculation", 0, 6),
        ("opinion", s.start, s.end - 1),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"label": "fact", "start": "5", "end": "5"}, "The selection is empty."),
        ({"label": "fact", "start": "0", "end": "99999"}, "Offsets 0–99999 are outside the text"),
        ({"label": "fact", "start": "a", "end": "4"}, "Start: Enter a whole number."),
        (
            {"label": "gossip", "start": "0", "end": "4"},
            "Label: Select a valid choice. gossip is not one of the available choices.",
        ),
        (
            {"label": "fact", "start": "0", "end": "4", "quote": "nope"},
            "The quoted text does not match the document at these offsets",
        ),
    ],
)
def test_bad_gold_span_is_explained_and_not_written(project, doc, client, data, message):
    response = client.post(url(project, doc["document"], "review_gold_add"), data)
    assert response.status_code == 302
    (shown,) = messages_of(response)
    assert shown.startswith(message)
    assert not GoldAnnotation.objects.exists()


def test_edit_and_remove_gold(project, doc, client):
    client.post(
        url(project, doc["document"], "review_accept"), {"annotation": doc["spans"]["anna", 1].pk}
    )
    gold = GoldAnnotation.objects.get()
    response = client.post(
        url(project, doc["document"], "review_gold_edit", gold.pk),
        {"label": "fact", "start": gold.start + 1, "end": gold.end},
    )
    gold.refresh_from_db()
    # Starting one letter in, the span snaps back to the whole word.
    assert (gold.label.name, gold.start) == ("fact", doc["spans"]["anna", 1].start)
    assert messages_of(response)[-1].startswith("Changed gold span to “Fact” on «")
    response = client.post(
        url(project, doc["document"], "review_gold_edit", gold.pk),
        {"label": "fact", "start": gold.end, "end": gold.end},
    )
    assert messages_of(response)[-1] == "The selection is empty."
    client.post(url(project, doc["document"], "review_gold_delete", gold.pk))
    assert not GoldAnnotation.objects.exists()
    assert Annotation.objects.count() == 4


def test_gold_of_another_document_is_404(project, doc, client):
    gold = factories.GoldAnnotationFactory(project=project)
    response = client.post(url(project, doc["document"], "review_gold_delete", gold.pk))
    assert response.status_code == 404
    assert GoldAnnotation.objects.filter(pk=gold.pk).exists()


def test_mark_reviewed(project, doc, client):
    response = client.post(url(project, doc["document"], "review_reviewed"), {"reviewed": "1"})
    assert messages_of(response) == ["Marked reviewed."]
    link = ProjectDocument.objects.get(document=doc["document"])
    assert link.reviewed_by == doc["reviewer"]
    page = client.get(url(project, doc["document"])).content.decode()
    assert "Reviewed by rita on" in page
    agreement = client.get(reverse("agreement", args=[project.slug])).content.decode()
    assert "<td>yes</td>" in agreement
    client.post(url(project, doc["document"], "review_reviewed"), {"reviewed": "0"})
    link.refresh_from_db()
    assert link.reviewed_at is None


# Constant in the number of annotators, spans and gold spans: session, user, membership,
# the document, labels, coders, spans, gold, the undo target, and the gold positions for
# the conflict list (more only where gold overlaps).
REVIEW_PAGE_QUERIES = 10


@pytest.mark.parametrize("extra_annotators", [0, 4])
def test_review_page_queries_do_not_grow(
    project, doc, client, django_assert_num_queries, extra_annotators
):
    for i in range(extra_annotators):
        user = member(project, f"extra{i}")
        for s in doc["sentences"]:
            factories.AnnotationFactory(
                project=project, document=doc["document"], annotator=user, start=s.start, end=s.end
            )
    for index in range(extra_annotators):
        label_sentence(project, doc["document"], index, "fact")
    client.post(
        url(project, doc["document"], "review_accept"), {"annotation": doc["spans"]["anna", 1].pk}
    )
    client.get(url(project, doc["document"]))  # the layout cache is warm on a server
    with django_assert_num_queries(REVIEW_PAGE_QUERIES):
        response = client.get(url(project, doc["document"]))
    assert len(response.context["annotators"]) == 2 + extra_annotators


def conflicting_gold(project, doc):
    """Gold stored before the rules: opinion and speculation on sentence 1."""
    s = doc["sentences"][1]
    for name, end in (("opinion", s.end - 1), ("speculation", s.end)):
        factories.GoldAnnotationFactory(
            project=project,
            document=doc["document"],
            label=factories.project_label(project, name),
            start=s.start,
            end=end,
        )


def test_conflicting_gold_is_listed_on_the_review_page_until_resolved(project, doc, client):
    conflicting_gold(project, doc)
    page = client.get(url(project, doc["document"])).content.decode()
    assert "1 conflict in the gold standard" in page
    assert "Contradicting labels (sentence 2)" in page
    gold = GoldAnnotation.objects.get(label__name="speculation")
    client.post(url(project, doc["document"], "review_gold_delete", gold.pk))
    assert "in the gold standard" not in client.get(url(project, doc["document"])).content.decode()


def test_project_page_counts_conflicting_gold_for_reviewers(project, doc, client):
    conflicting_gold(project, doc)
    project_url = reverse("project", args=[project.slug])
    page = client.get(project_url).content.decode()
    review = url(project, doc["document"])
    assert f'Gold standard: <a href="{review}#gold">Visit</a> (1 conflict) to resolve.' in page
    client.force_login(doc["anna"])
    assert "Gold standard:" not in client.get(project_url).content.decode()


def test_sentence_gold_no_label_and_replace(project, doc, client):
    # The sentence form sets the sentence's gold: choosing it replaces what gold had there.
    s = doc["sentences"][1]
    add = url(project, doc["document"], "review_gold_add")
    form = {"start": s.start, "end": s.end, "anchor": "s-1", "replace": "1"}
    client.post(add, {**form, "label": "opinion"})
    response = client.post(add, {**form, "label": "no label"})
    assert messages_of(response)[-1].startswith("Added gold “no label” on «Токаев")
    assert list(GoldAnnotation.objects.values_list("label", flat=True)) == [None]
    page = client.get(url(project, doc["document"])).content.decode()
    assert '<span class="chip lab-none">no label</span>' in page
    # Without replace (the "add your own" form by default), the reviewer is asked.
    response = client.post(add, {"label": "fact", "start": s.start, "end": s.end})
    assert messages_of(response)[-1].startswith("The gold standard has “no label” on most of")
    assert list(GoldAnnotation.objects.values_list("label", flat=True)) == [None]


def test_the_curation_screens_script_speaks_the_readers_language(project, doc, client):
    """review.js says what it says in the page's language: the words come with the page."""
    english = client.get(url(project, doc["document"]), HTTP_ACCEPT_LANGUAGE="en")
    assert '"all_agree": "The annotators agree everywhere."' in english.content.decode()
    client.post(reverse("language_set"), {"language": "ru", "next": "/"})
    russian = client.get(url(project, doc["document"])).content.decode()
    assert 'id="review-messages"' in russian
    assert (
        '"all_agree": "\\u0410\\u043d\\u043d\\u043e\\u0442\\u0430\\u0442\\u043e\\u0440\\u044b'
        in russian
    )


def test_curation_messages_speak_the_reviewers_language(project, doc, client):
    """Accept, refusal, undo and the undo button's words, in Russian (issue 14)."""
    from django.utils import translation

    from annotator.models import AnnotationEvent
    from annotator.review.views import undo_description

    span = doc["spans"]["boris", 1]
    russian = {"HTTP_ACCEPT_LANGUAGE": "ru"}
    accepted = client.post(
        url(project, doc["document"], "review_accept"), {"annotation": span.pk}, **russian
    )
    assert messages_of(accepted) == ["Фрагмент boris с меткой speculation принят в эталон."]
    again = client.post(
        url(project, doc["document"], "review_accept"), {"annotation": span.pk}, **russian
    )
    assert messages_of(again)[-1] == "В эталоне на этом фрагменте уже есть “Speculation”."
    event = AnnotationEvent.objects.filter(gold=True).latest("id")
    with translation.override("ru"):
        assert undo_description(event).startswith("добавление эталона «")
    undone = client.post(url(project, doc["document"], "review_undo"), **russian)
    assert messages_of(undone)[-1].startswith("Эталон «") and "снят" in messages_of(undone)[-1]


def test_no_label_gold_is_named_in_the_reviewers_language():
    from django.utils import translation

    from annotator.review.services import label_words

    assert label_words(None) == "“no label”"
    with translation.override("ru"):
        assert label_words(None) == "“без метки”"
