"""The workspace's pages and htmx endpoints over HTTP: access, errors, query counts."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from annotator.models import (
    Annotation,
    AnnotationEvent,
    DocumentProgress,
    Label,
    Membership,
)
from annotator.workspace import selectors
from tests.support import factories

pytestmark = pytest.mark.django_db

TEXT = "Смайл 😀 и Токаев считает иначе.\n\nВторая <b>строка</b> тут. Третье предложение!"


@pytest.fixture
def ws():
    project = factories.ProjectFactory(slug="kz")
    analyst = factories.MembershipFactory(project=project).user
    colleague = factories.MembershipFactory(project=project).user
    reviewer = factories.MembershipFactory(project=project, role=Membership.Role.REVIEWER).user
    outsider = factories.UserFactory()
    document = factories.DocumentFactory(text=TEXT, title="Первая")
    other = factories.DocumentFactory(title="Вторая")
    for doc in (document, other):
        factories.ProjectDocumentFactory(project=project, document=doc)

    class Workspace:
        pass

    w = Workspace()
    w.project, w.document, w.other = project, document, other
    w.analyst, w.colleague, w.reviewer, w.outsider = analyst, colleague, reviewer, outsider
    w.labels = {label.name: label for label in Label.objects.filter(project=project)}
    return w


def login(client, user):
    client.force_login(user)
    return client


def save_url(w, document=None):
    return reverse("annotation_create", args=[w.project.slug, (document or w.document).pk])


def post_span(client, w, phrase=None, *, start=None, end=None, label="fact", **extra):
    if phrase is not None:
        start = TEXT.index(phrase)
        end = start + len(phrase)
    data = {"label": w.labels[label].pk, "start": start, "end": end, "quote": TEXT[start:end]}
    data.update(extra)
    return client.post(save_url(w), data, headers={"HX-Request": "true"})


def annotate(w, user, phrase, label="fact"):
    start = TEXT.index(phrase)
    return factories.AnnotationFactory(
        project=w.project,
        document=w.document,
        annotator=user,
        label=w.labels[label],
        start=start,
        end=start + len(phrase),
    )


# ---- saving a selection


def test_save_snaps_and_answers_with_the_changed_fragments(client, ws):
    login(client, ws.analyst)
    later = annotate(ws, ws.analyst, "иначе")
    start = TEXT.index("Токаев")
    response = post_span(client, ws, start=start + 2, end=start + 9)  # "каев сч"
    assert response.status_code == 200
    annotation = Annotation.objects.get(quote="Токаев считает")
    assert (annotation.start, annotation.end) == (start, start + len("Токаев считает"))
    body = response.content.decode()
    assert '<span class="line" id="line-0" data-start="0" hx-swap-oob="true" data-redrawn>' in body
    assert "line-2" not in body  # only the line that changed
    assert f'hx-swap-oob="beforebegin:#ann-{later.pk}"' in body
    assert f'<li id="ann-{annotation.pk}" class="item"' in body
    assert "Undo adding «Токаев считает»" in body
    assert "Saved «Токаев считает» as Fact." in body
    trigger = json.loads(response.headers["HX-Trigger-After-Settle"])
    # Nothing is chosen after a save: a stray Del or label key must not touch the new span.
    assert trigger == {"annotationsChanged": {"selected": None}}
    event = AnnotationEvent.objects.get()
    assert (event.action, event.actor) == ("create", ws.analyst)


def test_save_of_the_last_span_appends_to_the_list(client, ws):
    login(client, ws.analyst)
    response = post_span(client, ws, "Третье предложение")
    assert 'hx-swap-oob="beforeend:#ann-list"' in response.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"label": ""}, "Choose a label."),
        ({"label": "999999"}, "Unknown label &#x27;999999&#x27;."),
        ({"label": "fact"}, "Unknown label &#x27;fact&#x27;."),
        ({"start": "x"}, "Offsets must be whole numbers."),
        ({"end": ""}, "Offsets must be whole numbers."),
        (
            {"start": 0, "end": 999, "quote": TEXT},
            f"Offsets 0–999 are outside the text (0–{len(TEXT)}).",
        ),
        ({"start": -1}, "Offsets -1–16 are outside the text"),
        ({"start": 10, "end": 10, "quote": ""}, "The selection is empty."),
        ({"quote": "Путин"}, "The quoted text does not match the document at these offsets"),
        (
            {"start": 30, "end": 33, "quote": TEXT[30:33]},
            "The selection holds no words, only spaces",
        ),
        ({"version": "0" * 64}, "This document changed after the page was loaded: reload it."),
        ({"note": "x" * 5001}, "The note is too long (at most 5000 characters)."),
    ],
)
def test_bad_saves_are_refused_with_a_clear_message_and_write_nothing(client, ws, data, message):
    login(client, ws.analyst)
    values = {"label": ws.labels["fact"].pk, "start": 10, "end": 16, "quote": "Токаев", **data}
    response = client.post(save_url(ws), values, headers={"HX-Request": "true"})
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert 'id="status" class="status error"' in body and 'hx-swap-oob="true"' in body
    assert not Annotation.objects.exists()
    assert not AnnotationEvent.objects.exists()


def test_save_needs_the_quote_and_refuses_labels_of_other_projects(client, ws):
    login(client, ws.analyst)
    data = {"label": ws.labels["fact"].pk, "start": 10, "end": 16}
    response = client.post(save_url(ws), data)
    assert response.status_code == 400
    assert "The selected text (quote) is missing." in response.content.decode()
    foreign = factories.project_label(factories.ProjectFactory())
    response = client.post(save_url(ws), {**data, "label": foreign.pk, "quote": "Токаев"})
    assert "This label belongs to another project." in response.content.decode()
    assert not Annotation.objects.exists()


def test_duplicate_is_refused_but_overlap_and_other_labels_are_kept(client, ws):
    login(client, ws.analyst)
    assert post_span(client, ws, "Токаев").status_code == 200
    response = post_span(client, ws, "Токаев")
    assert response.status_code == 400
    assert "You already have this label on exactly this passage." in response.content.decode()
    assert post_span(client, ws, "Токаев", label="opinion").status_code == 200
    assert post_span(client, ws, "Токаев считает").status_code == 200
    assert Annotation.objects.count() == 3


def test_two_analysts_saving_at_once_each_keep_their_work(client, ws):
    from django.test import Client

    first, second = login(client, ws.analyst), login(Client(), ws.colleague)
    for phrase in ("Смайл", "Токаев", "иначе", "Вторая"):
        assert post_span(first, ws, phrase).status_code == 200
        assert post_span(second, ws, phrase, label="opinion").status_code == 200
    assert Annotation.objects.filter(annotator=ws.analyst, label__name="fact").count() == 4
    assert Annotation.objects.filter(annotator=ws.colleague, label__name="opinion").count() == 4


# ---- changing, deleting, undoing


def test_change_label_and_note(client, ws):
    login(client, ws.analyst)
    annotation = annotate(ws, ws.analyst, "Токаев")
    url = reverse("annotation_update", args=[ws.project.slug, annotation.pk])
    response = client.post(url, {"label": ws.labels["opinion"].pk}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert f'class="ann lab-{ws.labels["opinion"].pk} by-0" data-id="{annotation.pk}"' in body
    assert (
        f'<li id="ann-{annotation.pk}" class="item"' in body
        and "Changed «Токаев» to Opinion." in body
    )
    response = client.post(url, {"note": "Проверить <i>источник</i>"})
    body = response.content.decode()
    assert "Note saved." in body and "line-0" not in body
    assert "Проверить &lt;i&gt;источник&lt;/i&gt;" in body
    annotation.refresh_from_db()
    assert (annotation.label.name, annotation.note) == ("opinion", "Проверить <i>источник</i>")
    assert AnnotationEvent.objects.filter(action="update").count() == 2


def test_change_refuses_nothing_and_foreign_labels(client, ws):
    login(client, ws.analyst)
    annotation = annotate(ws, ws.analyst, "Токаев")
    url = reverse("annotation_update", args=[ws.project.slug, annotation.pk])
    assert "Nothing to change." in client.post(url, {}).content.decode()
    foreign = factories.project_label(factories.ProjectFactory())
    response = client.post(url, {"label": foreign.pk})
    assert response.status_code == 400
    assert "This label belongs to another project." in response.content.decode()
    annotation.refresh_from_db()
    assert annotation.label.name == "fact"
    assert not AnnotationEvent.objects.exists()


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("x" * 5001, "The note is too long (at most 5000 characters)."),
        ("a\x00b", "The note contains a NUL character (U+0000); remove it."),
    ],
)
def test_change_refuses_a_bad_note(client, ws, note, message):
    login(client, ws.analyst)
    annotation = annotate(ws, ws.analyst, "Токаев")
    url = reverse("annotation_update", args=[ws.project.slug, annotation.pk])
    response = client.post(url, {"note": note})
    assert response.status_code == 400
    assert message in response.content.decode()
    annotation.refresh_from_db()
    assert annotation.note == ""
    assert not AnnotationEvent.objects.exists()


def test_delete_answers_with_removal_and_undo(client, ws):
    login(client, ws.analyst)
    annotation = annotate(ws, ws.analyst, "Токаев")
    url = reverse("annotation_delete", args=[ws.project.slug, annotation.pk])
    body = client.post(url, headers={"HX-Request": "true"}).content.decode()
    assert f'<li id="ann-{annotation.pk}" hx-swap-oob="delete">' in body
    assert "Undo deleting «Токаев»" in body
    assert f'data-id="{annotation.pk}"' not in body
    assert not Annotation.objects.exists()


def undo(client, w):
    return client.post(reverse("annotation_undo", args=[w.project.slug, w.document.pk]))


def test_undo_walks_back_through_the_users_changes(client, ws):
    login(client, ws.analyst)
    post_span(client, ws, "Токаев")
    annotation = Annotation.objects.get()
    url = reverse("annotation_update", args=[ws.project.slug, annotation.pk])
    client.post(url, {"label": ws.labels["speculation"].pk})
    client.post(reverse("annotation_delete", args=[ws.project.slug, annotation.pk]))

    body = undo(client, ws).content.decode()  # brings it back, same id
    assert "Restored «Токаев»." in body and "Undo changing «Токаев»" in body
    restored = Annotation.objects.get()
    assert (restored.pk, restored.label.name) == (annotation.pk, "speculation")
    assert 'hx-swap-oob="beforeend:#ann-list"' in body

    body = undo(client, ws).content.decode()  # puts the old label back
    assert "Put back «Токаев» as Fact." in body and "Undo adding «Токаев»" in body
    assert Annotation.objects.get().label.name == "fact"

    body = undo(client, ws).content.decode()  # removes the annotation it created
    assert f'<li id="ann-{annotation.pk}" hx-swap-oob="delete">' in body
    assert "Nothing to undo" in body
    assert not Annotation.objects.exists()

    response = undo(client, ws)
    assert response.status_code == 400 and "Nothing to undo." in response.content.decode()
    undos = AnnotationEvent.objects.filter(after__has_key="undo_of")
    assert [e.action for e in undos.order_by("id")] == ["restore", "update", "delete"]


def test_undo_never_touches_someone_elses_work(client, ws):
    login(client, ws.colleague)
    post_span(client, ws, "Токаев")
    login(client, ws.analyst)
    response = undo(client, ws)
    assert response.status_code == 400
    assert Annotation.objects.filter(annotator=ws.colleague).count() == 1


# ---- who sees what


def urls_for(w, annotation):
    slug, doc = w.project.slug, w.document.pk
    return {
        "get": [
            reverse("project", args=[slug]),
            reverse("document", args=[slug, doc]),
            reverse("document_next", args=[slug, doc]),
            reverse("document_previous", args=[slug, doc]),
            reverse("label_css", args=[slug]),
        ],
        "post": [
            (save_url(w), {"label": w.labels["fact"].pk, "start": 0, "end": 5, "quote": "Смайл"}),
            (
                reverse("annotation_update", args=[slug, annotation.pk]),
                {"label": w.labels["opinion"].pk, "note": "x"},
            ),
            (reverse("annotation_delete", args=[slug, annotation.pk]), {}),
            (reverse("annotation_undo", args=[slug, doc]), {}),
            (reverse("document_done", args=[slug, doc]), {"done": "1"}),
        ],
    }


def state():
    return (
        list(Annotation.objects.values_list("id", "label_id", "note", "start", "end")),
        AnnotationEvent.objects.count(),
        list(DocumentProgress.objects.values_list("done_at", flat=True)),
    )


def test_anonymous_is_sent_to_the_login_page(client, ws):
    annotation = annotate(ws, ws.analyst, "Токаев")
    before = state()
    urls = urls_for(ws, annotation)
    for url in urls["get"] + [url for url, _ in urls["post"]]:
        response = client.post(url) if url in dict(urls["post"]) else client.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/"), url
    assert client.get(reverse("home")).status_code == 302
    assert client.get(reverse("login")).status_code == 200
    assert state() == before


def test_outsider_gets_404_everywhere_and_nothing_changes(client, ws):
    annotation = annotate(ws, ws.analyst, "Токаев")
    login(client, ws.outsider)
    before = state()
    urls = urls_for(ws, annotation)
    for url in urls["get"]:
        assert client.get(url).status_code == 404, url
    for url, data in urls["post"]:
        assert client.post(url, data).status_code == 404, url
    assert state() == before


def test_colleague_cannot_read_change_or_delete_anothers_annotation(client, ws):
    annotation = annotate(ws, ws.analyst, "Токаев")
    login(client, ws.colleague)
    before = state()
    _, update, delete, *_ = urls_for(ws, annotation)["post"]
    for url, data in (update, delete):
        assert client.post(url, data).status_code == 404
    assert state() == before
    page = client.get(reverse("document", args=[ws.project.slug, ws.document.pk]))
    assert f'data-id="{annotation.pk}"' not in page.content.decode()


def test_unassigned_documents_are_out_of_reach(client, ws):
    factories.AssignmentFactory(project=ws.project, document=ws.other, annotator=ws.analyst)
    annotation = annotate(ws, ws.analyst, "Токаев")  # made before the assignment rule applied
    login(client, ws.analyst)
    before = state()
    urls = urls_for(ws, annotation)
    for url in urls["get"][1:4]:
        assert client.get(url).status_code == 404, url
    for url, data in urls["post"]:
        assert client.post(url, data).status_code == 404, url
    assert state() == before
    queue = client.get(reverse("project", args=[ws.project.slug])).content.decode()
    assert "Вторая" in queue and "Первая" not in queue
    # Reviewers see every document of the project; other annotators without
    # assignments see none of the assigned ones.
    login(client, ws.reviewer)
    assert (
        client.get(reverse("document", args=[ws.project.slug, ws.document.pk])).status_code == 200
    )
    login(client, ws.colleague)
    assert client.get(reverse("document", args=[ws.project.slug, ws.other.pk])).status_code == 404


def test_annotation_is_blind_unless_the_project_lets_reviewers_see_all(client, ws):
    mine = annotate(ws, ws.analyst, "Токаев")
    theirs = annotate(ws, ws.colleague, "иначе", "opinion")
    url = reverse("document", args=[ws.project.slug, ws.document.pk])
    login(client, ws.analyst)
    body = client.get(url + "?view=all").content.decode()
    assert f'data-id="{mine.pk}"' in body and f'data-id="{theirs.pk}"' not in body
    assert "Show everyone" not in body
    login(client, ws.reviewer)
    body = client.get(url + "?view=all").content.decode()
    assert 'data-id="' not in body and "Show everyone" not in body
    ws.project.show_all_annotations = True
    ws.project.save()
    assert "Show everyone's annotations" in client.get(url).content.decode()
    body = client.get(url + "?view=all").content.decode()
    assert f'data-id="{mine.pk}"' in body and f'data-id="{theirs.pk}"' in body
    names = sorted([ws.analyst.username, ws.colleague.username])
    for style, name in enumerate(names):
        assert f'<mark class="ann by-{style} legend-sample">{name}</mark>' in body
    # Reviewers' own side list still holds only their own annotations.
    assert 'id="ann-count">0<' in body


def test_everyones_view_is_read_only_unless_the_reviewer_chooses_to_annotate(client, ws):
    # A reviewer looking at everyone's annotations: a stray selection and key must not add
    # an annotation (it would count as one more annotator in agreement).
    ws.project.show_all_annotations = True
    ws.project.save()
    login(client, ws.reviewer)
    own = annotate(ws, ws.reviewer, "иначе")
    read_only = (
        "Everyone&#x27;s annotations are shown read-only: choose “Annotate here too” to add "
        "or change your own."
    )
    response = post_span(client, ws, "Токаев", view="all")
    assert response.status_code == 400
    assert read_only in response.content.decode()
    changes = [
        (reverse("annotation_update", args=[ws.project.slug, own.pk]), {"note": "x"}),
        (reverse("annotation_delete", args=[ws.project.slug, own.pk]), {}),
        (reverse("annotation_undo", args=[ws.project.slug, ws.document.pk]), {}),
    ]
    for url, data in changes:
        response = client.post(url, {**data, "view": "all"}, headers={"HX-Request": "true"})
        assert response.status_code == 400
        assert read_only in response.content.decode()
    assert list(Annotation.objects.values_list("pk", "note")) == [(own.pk, "")]
    assert not AnnotationEvent.objects.exists()
    # Chosen explicitly, annotating in everyone's view works; so does one's own view.
    assert post_span(client, ws, "Токаев", view="all", annotate="1").status_code == 200
    assert post_span(client, ws, "Смайл").status_code == 200
    assert Annotation.objects.filter(annotator=ws.reviewer).count() == 3


def test_everyones_view_offers_the_switch_to_annotate(client, ws):
    ws.project.show_all_annotations = True
    ws.project.save()
    login(client, ws.reviewer)
    url = reverse("document", args=[ws.project.slug, ws.document.pk])
    body = client.get(url + "?view=all").content.decode()
    assert 'data-view="all"' in body and 'data-annotate=""' in body
    assert "read-only." in body and "?view=all&amp;annotate=1" in body
    body = client.get(url + "?view=all&annotate=1").content.decode()
    assert 'data-annotate="1"' in body and "Stop annotating" in body


def test_sentence_mode_stores_the_sentence_without_its_final_full_stop(client, ws):
    # Sentence mode posts the sentence's bounds; the boundary convention applies as to
    # any selection.
    login(client, ws.analyst)
    sentence = ws.document.sentences.get(index=0)
    assert TEXT[sentence.start : sentence.end] == "Смайл 😀 и Токаев считает иначе."
    response = post_span(client, ws, start=sentence.start, end=sentence.end)
    assert response.status_code == 200
    assert Annotation.objects.get().quote == "Смайл 😀 и Токаев считает иначе"


# ---- pages


def test_document_page_renders_read_only_without_script(client, ws):
    annotate(ws, ws.analyst, "Токаев считает")
    login(client, ws.analyst)
    response = client.get(reverse("document", args=[ws.project.slug, ws.document.pk]))
    body = response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert "Вторая &lt;b&gt;строка&lt;/b&gt; тут." in body and "<b>строка" not in body
    assert 'class="ann lab-' in body and ">Токаев считает</mark>" in body
    assert "<q>Токаев считает</q>" in body
    assert "<kbd>1</kbd>" in body and "A checkable claim" in body
    assert "style=" not in body and "<style" not in body
    progress = DocumentProgress.objects.get(annotator=ws.analyst)
    assert progress.last_opened_at is not None and progress.done_at is None


def test_guidelines_are_rendered_and_cleaned(client, ws):
    ws.project.guidelines = "**Факт** — проверяемо.\n\n<script>alert(1)</script>"
    ws.project.save()
    login(client, ws.analyst)
    body = client.get(reverse("document", args=[ws.project.slug, ws.document.pk])).content.decode()
    assert "<strong>Факт</strong> — проверяемо." in body
    assert "alert(1)" not in body


def test_the_cached_label_bar_and_help_follow_the_labels_and_guidelines(client, ws):
    login(client, ws.analyst)
    url = reverse("document", args=[ws.project.slug, ws.document.pk])
    assert 'data-title="Fact"' in client.get(url).text
    Label.objects.filter(pk=ws.labels["fact"].pk).update(title="Факт", description="Проверяемо.")
    ws.project.guidelines = "Новые правила."
    ws.project.save()
    body = client.get(url).text
    assert 'data-title="Факт"' in body and 'data-title="Fact"' not in body
    assert "Проверяемо." in body and "Новые правила." in body
    other = reverse("document", args=[ws.project.slug, ws.other.pk])
    assert 'data-title="Факт"' in client.get(other).text


def test_label_stylesheet(client, ws):
    Label.objects.filter(pk=ws.labels["opinion"].pk).update(color="red;}b{")
    login(client, ws.analyst)
    response = client.get(reverse("label_css", args=[ws.project.slug]) + "?v=1")
    css = response.content.decode()
    assert response["Content-Type"] == "text/css; charset=utf-8"
    assert "immutable" in response["Cache-Control"]
    assert f".lab-{ws.labels['fact'].pk} {{ --label: #2e7d32; }}" in css
    assert "red" not in css and css.count("--label") == 2


def test_mark_done_and_back(client, ws):
    login(client, ws.analyst)
    url = reverse("document_done", args=[ws.project.slug, ws.document.pk])
    body = client.post(url, {"done": "1"}, headers={"HX-Request": "true"}).content.decode()
    assert "✓ Done · reopen" in body and "Marked done." in body
    assert DocumentProgress.objects.get().done_at is not None
    response = client.post(url, {"done": "0"})
    assert response.status_code == 302
    assert DocumentProgress.objects.get().done_at is None


def test_previous_and_next_follow_the_queue(client, ws):
    login(client, ws.analyst)
    slug = ws.project.slug
    first, second = sorted([ws.document, ws.other], key=lambda d: (d.source.name, d.pk))
    response = client.get(reverse("document_next", args=[slug, first.pk]))
    assert response.url == reverse("document", args=[slug, second.pk])
    response = client.get(reverse("document_previous", args=[slug, second.pk]))
    assert response.url == reverse("document", args=[slug, first.pk])
    response = client.get(reverse("document_previous", args=[slug, first.pk]), follow=True)
    assert "This is the first document in your queue." in response.content.decode()


def test_next_past_the_end_goes_to_the_first_document_not_done(client, ws):
    login(client, ws.analyst)
    slug = ws.project.slug
    first, second = sorted([ws.document, ws.other], key=lambda d: (d.source.name, d.pk))
    last_next = reverse("document_next", args=[slug, second.pk])
    response = client.get(last_next, follow=True)
    assert response.redirect_chain == [(reverse("document", args=[slug, first.pk]), 302)]
    assert "That was the last document in your queue. Here is the first one you have not" in (
        response.content.decode()
    )
    done = reverse("document_done", args=[slug, first.pk])
    client.post(done, {"done": "1"})
    response = client.get(last_next, follow=True)
    assert response.redirect_chain == [(reverse("document", args=[slug, second.pk]), 302)]
    assert "This is the last document in your queue, and the only one not marked done." in (
        response.content.decode()
    )
    client.post(reverse("document_done", args=[slug, second.pk]), {"done": "1"})
    response = client.get(last_next, follow=True)
    assert response.redirect_chain == [(reverse("project", args=[slug]), 302)]
    assert "Every document in your queue is marked done." in response.content.decode()


def test_progress_shows_documents_done_of_the_queue(client, ws):
    """On the queue, the document page and the project cards; an annotator's queue is
    their assignments when the project has any."""
    slug = ws.project.slug
    third = factories.DocumentFactory(title="Третья")
    factories.ProjectDocumentFactory(project=ws.project, document=third)
    login(client, ws.analyst)
    client.post(reverse("document_done", args=[slug, ws.document.pk]), {"done": "1"})
    pages = [
        reverse("project", args=[slug]),
        reverse("document", args=[slug, ws.other.pk]),
        reverse("home"),
    ]
    for url in pages:
        assert "1 of 3 done" in client.get(url).content.decode(), url
    # Assigned two documents, one of them done; the done one outside them does not count.
    factories.AssignmentFactory(project=ws.project, document=ws.other, annotator=ws.analyst)
    factories.AssignmentFactory(project=ws.project, document=third, annotator=ws.analyst)
    factories.AssignmentFactory(project=ws.project, document=ws.document, annotator=ws.colleague)
    client.post(reverse("document_done", args=[slug, third.pk]), {"done": "1"})
    for url in pages:
        assert "1 of 2 done" in client.get(url).content.decode(), url
    # Marking done updates the figure on the page.
    response = client.post(
        reverse("document_done", args=[slug, ws.other.pk]),
        {"done": "1"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert 'id="queue-progress" class="queue-progress" hx-swap-oob="true"' in body
    assert "2 of 2 done" in body
    login(client, ws.reviewer)
    assert "0 of 3 done" in client.get(pages[0]).content.decode()


def test_project_cards_count_as_the_queue_does_in_a_fixed_number_of_queries(ws):
    """``member_projects`` (every card at once) gives each project's ``queue_progress``."""
    assigned = factories.ProjectFactory(name="С назначениями")
    plain = factories.ProjectFactory(name="Без назначений")
    for project in (assigned, plain):
        factories.MembershipFactory(project=project, user=ws.analyst)
        for n in range(3):
            document = factories.DocumentFactory(title=f"{project.name} {n}")
            factories.ProjectDocumentFactory(project=project, document=document)
            if n < 2:
                factories.DocumentProgressFactory(
                    project=project,
                    document=document,
                    annotator=ws.analyst,
                    done_at=timezone.now(),
                )
            if project is assigned and n > 0:
                factories.AssignmentFactory(
                    project=project, document=document, annotator=ws.analyst
                )
    factories.DocumentProgressFactory(
        project=plain, document=ws.document, annotator=ws.analyst, done_at=timezone.now()
    )  # not one of the project's documents
    with CaptureQueriesContext(connection) as queries:
        cards = selectors.member_projects(ws.analyst)
    assert len(queries) == 5
    assert [(p.name, progress) for p, _, progress in cards] == [
        (m.project.name, selectors.queue_progress(m.project, m))
        for m in Membership.objects.filter(user=ws.analyst).order_by("project__name")
    ]
    figures = {p.name: tuple(progress) for p, _, progress in cards}
    assert figures["Без назначений"] == (2, 3)
    assert figures["С назначениями"] == (1, 2)


def rows(body):
    return body.split("<tbody>")[1].split("</tbody>")[0]


def test_queue_shows_progress_filters_and_continue_link(client, ws):
    annotate(ws, ws.analyst, "Токаев")
    annotate(ws, ws.analyst, "иначе")
    login(client, ws.analyst)
    client.get(reverse("document", args=[ws.project.slug, ws.document.pk]))
    url = reverse("project", args=[ws.project.slug])
    body = client.get(url).content.decode()
    assert "Continue where you left off: <strong>Первая</strong>" in body
    assert (
        '<td class="num col-count">2</td>' in body
        and "In progress" in body
        and "Not started" in body
    )
    started = rows(client.get(url + "?status=started").content.decode())
    assert "Первая" in started and "Вторая" not in started
    todo = rows(client.get(url + "?status=todo").content.decode())
    assert "Вторая" in todo and "Первая" not in todo
    by_source = rows(client.get(f"{url}?source={ws.other.source_id}").content.decode())
    assert "Вторая" in by_source and "Первая" not in by_source
    DocumentProgress.objects.filter(document=ws.document).update(done_at="2025-01-01T00:00Z")
    body = client.get(url + "?status=done").content.decode()
    assert "Первая" in rows(body) and "Вторая" not in rows(body)
    assert "Continue where" not in body


def test_queue_is_paginated_in_a_fixed_number_of_queries(client, ws, django_assert_num_queries):
    source = factories.SourceFactory()
    for n in range(60):
        document = factories.DocumentFactory(source=source, title=f"Док {n:02}")
        factories.ProjectDocumentFactory(project=ws.project, document=document)
        factories.AnnotationFactory(project=ws.project, document=document, annotator=ws.analyst)
    login(client, ws.analyst)
    url = reverse("project", args=[ws.project.slug])
    with django_assert_num_queries(11):
        body = client.get(url).content.decode()
    assert "62 documents" in body and "Page 1 of 2" in body
    with django_assert_num_queries(11):
        body = client.get(url + "?page=2&status=started").content.decode()
    assert "Page 2 of 2" in body


def test_queue_count_follows_assignments_and_filters(client, ws):
    """The count is taken apart from the page's rows: it must apply the same rules."""
    third = factories.DocumentFactory(title="Третья", source=ws.other.source)
    factories.ProjectDocumentFactory(project=ws.project, document=third)
    factories.AssignmentFactory(project=ws.project, document=ws.document, annotator=ws.analyst)
    factories.AssignmentFactory(project=ws.project, document=third, annotator=ws.analyst)
    factories.AssignmentFactory(project=ws.project, document=ws.other, annotator=ws.colleague)
    annotate(ws, ws.analyst, "Токаев")
    login(client, ws.analyst)
    url = reverse("project", args=[ws.project.slug])
    body = client.get(url).content.decode()
    assert "2 documents</caption>" in body and "Вторая" not in rows(body)
    body = client.get(url + "?status=todo").content.decode()
    assert "1 document matching" in body and "Третья" in rows(body)
    body = client.get(f"{url}?source={ws.other.source_id}").content.decode()
    assert "1 document matching" in body and "Третья" in rows(body)
    login(client, ws.reviewer)
    assert "3 documents</caption>" in client.get(url).content.decode()


def test_password_change_page_is_styled(client, ws):
    login(client, ws.analyst)
    body = client.get(reverse("password_change")).content.decode()
    assert "annotator/app.css" in body and "Change password" in body
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "annotate",
            "new_password1": "Zx9!long-pass",
            "new_password2": "Zx9!long-pass",
        },
        follow=True,
    )
    assert "Your new password is in use." in response.content.decode()


# ---- query counts


def many_annotations(w, n):
    spans = []
    words = [(i, i + 1) for i in range(0, len(TEXT) - 1)]
    labels = list(w.labels.values())
    for i in range(n):
        start, end = words[i % len(words)]
        spans.append(
            Annotation(
                project=w.project,
                document=w.document,
                annotator=w.analyst,
                label=labels[i % 3],
                start=start,
                end=min(end + i // len(words), len(TEXT)),
                quote="",
            )
        )
    for span in spans:
        span.quote = TEXT[span.start : span.end]
    Annotation.objects.bulk_create(spans, ignore_conflicts=True)


@pytest.mark.parametrize("n", [3, 300])
def test_document_page_queries_do_not_grow_with_annotations(
    client, ws, n, django_assert_num_queries
):
    many_annotations(ws, n)
    login(client, ws.analyst)
    url = reverse("document", args=[ws.project.slug, ws.document.pk])
    # Session, user, one statement for the membership, the document, the user's progress
    # and whether anyone commented (the discussion's threads are read only then: nobody
    # has), labels, annotations with their holders, sentences (the first view only), the
    # undo target, the holder field's choices (one statement: the document's suggested
    # holders, the project's used ones), the members to mention, and the record that the
    # document was opened (the first view only).
    with django_assert_num_queries(10):
        response = client.get(url)
    assert response.content.decode().count('class="item"') == Annotation.objects.count()
    # The text's lines and sentences are kept per document version after the first view,
    # and a view of the document opened last writes nothing.
    with django_assert_num_queries(8):
        again = client.get(url)
    assert again.content.decode().count('class="item"') == Annotation.objects.count()


def test_a_view_writes_only_when_the_analyst_opens_another_document(client, ws):
    login(client, ws.analyst)
    first = reverse("document", args=[ws.project.slug, ws.document.pk])
    second = reverse("document", args=[ws.project.slug, ws.other.pk])
    queue = reverse("project", args=[ws.project.slug])

    def writes(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        # Writes by their verb: PostgreSQL's reads may start with "(" (a UNION of SELECTs).
        verbs = ("INSERT", "UPDATE", "DELETE", "REPLACE")
        return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(verbs)]

    assert len(writes(first)) == 1
    assert writes(first) == []
    assert "Continue where you left off: <strong>Первая</strong>" in client.get(queue).text
    assert len(writes(second)) == 1
    assert writes(second) == []
    assert "Continue where you left off: <strong>Вторая</strong>" in client.get(queue).text
    assert len(writes(first)) == 1
    assert "Continue where you left off: <strong>Первая</strong>" in client.get(queue).text


@pytest.mark.parametrize(("n", "phrase", "queries"), [(3, "Третье", 12), (300, "Смайл", 11)])
def test_save_queries_do_not_grow_with_annotations(
    client, ws, n, phrase, queries, django_assert_num_queries
):
    many_annotations(ws, n)
    login(client, ws.analyst)
    # Session, user, membership with document (one query), labels, the write (in a test
    # the service's atomic block is a SAVEPOINT and its RELEASE; no inner savepoint), the
    # audit event,
    # one UPDATE marking the document's profile tallies stale, the annotations of the
    # redrawn lines (their sentences come from the cached layout).
    # A span that is the last of its lines needs one more query to find its place in the
    # side list.
    with django_assert_num_queries(queries):
        response = post_span(client, ws, phrase, label="speculation")
    assert response.status_code == 200
