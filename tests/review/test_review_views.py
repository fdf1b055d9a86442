"""The review screen and its gold writes over HTTP."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from annotator.models import Annotation, GoldAnnotation, Membership, ProjectDocument, Sentence
from tests.support import factories
from tests.support.labelling import member


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


def test_review_screen_shows_every_annotator_by_sentence(project, doc, client):
    response = client.get(url(project, doc["document"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<th scope="col">anna</th><th scope="col">boris</th>' in html
    assert '<tr id="s-0" class="status-agree">' in html
    assert '<tr id="s-1" class="status-disagree">' in html
    assert '<tr id="s-2" class="status-unlabelled">' in html
    assert html.count('name="annotation"') == 4  # an Accept button per span
    assert '<td class="num" data-figure="alpha">0.667</td>' in html
    assert 'style="' not in html
    # The text with every annotator's spans: colour class by label, style class by annotator.
    fact = factories.project_label(project, "fact")
    assert f'<mark class="ann lab-{fact.pk} by-0" data-id="{doc["spans"]["anna", 0].pk}">' in html
    assert f'<mark class="ann lab-{fact.pk} by-1" data-id="{doc["spans"]["boris", 0].pk}">' in html
    assert 'data-disagree="1"' in html
    # The "Set gold" choice starts at what most annotators said, and at nothing where
    # nobody labelled the sentence; "no label" is a choice.
    assert '<option value="">—</option><option value="fact" selected>' in html
    assert '<select name="label" id="set-2" required><option value="" selected>—</option>' in html
    assert html.count('<option value="no label">No label</option>') == 4 + 1  # and "add"


def test_only_reviewers_and_managers_review(project, doc, client):
    client.force_login(doc["anna"])
    assert client.get(url(project, doc["document"])).status_code == 403
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
    assert page.count('name="annotation"') == 3  # the accepted one is marked "in gold"
    assert '<small class="in-gold">in gold</small>' in page


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


# Constant in the number of annotators and spans (the per-document figures read the
# spans again through the same code as the project figures). 21: one more since the page
# lists conflicting gold (one query of gold positions; more only where gold overlaps).
REVIEW_PAGE_QUERIES = 21


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
    client.post(
        url(project, doc["document"], "review_accept"), {"annotation": doc["spans"]["anna", 1].pk}
    )
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
    assert 'Contradicting labels (<a href="#s-1">sentence 2</a>)' in page
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
    assert '<option value="no label" selected>No label</option>' in page
    assert "<small>no label</small>" in page
    # Without replace (the "add your own" form by default), the reviewer is asked.
    response = client.post(add, {"label": "fact", "start": s.start, "end": s.end})
    assert messages_of(response)[-1].startswith("The gold standard has “no label” on most of")
    assert list(GoldAnnotation.objects.values_list("label", flat=True)) == [None]
