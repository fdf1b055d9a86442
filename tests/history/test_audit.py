"""The audit trail: history for managers, and restoring a deleted annotation."""

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from annotator.history import views as audit
from annotator.history.services import (
    annotation_restore,
    annotations_restore,
    event_changes,
    history_events,
)
from annotator.models import Annotation, AnnotationEvent
from annotator.workspace.annotations import (
    AnnotationRejected,
    annotation_create,
    annotation_delete,
    annotation_update,
)
from tests.support import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(project):
    document = factories.DocumentFactory(text="Смайл 😀 и Токаев считает иначе.\r\nВторая строка.")
    factories.ProjectDocumentFactory(project=project, document=document)
    manager = factories.MembershipFactory(project=project, role="manager").user
    analyst = factories.MembershipFactory(project=project, role="annotator").user
    return project, document, manager, analyst


def make(team, **overrides):
    project, document, _, analyst = team
    values = {
        "project": project,
        "document": document,
        "annotator": analyst,
        "label": factories.project_label(project, "opinion"),
        "start": 10,
        "end": 16,
        "quote": "Токаев",
        "note": "по тексту",
    }
    return annotation_create(**{**values, **overrides})


def delete_event(annotation, actor):
    annotation_delete(annotation=annotation, actor=actor)
    return AnnotationEvent.objects.filter(action="delete").order_by("-id").first()


# Restore ------------------------------------------------------------------


def test_restore_recreates_the_annotation_with_its_id_and_values(team):
    _, _, manager, analyst = team
    annotation = make(team)
    before = annotation_update(annotation=annotation, actor=analyst, note="уточнено")
    old = {
        f: getattr(before, f)
        for f in ("pk", "start", "end", "quote", "note", "label_id", "annotator_id")
    }
    event = delete_event(annotation, manager)

    restored = annotation_restore(event=event, actor=manager)

    assert {f: getattr(restored, f) for f in old} == old
    assert Annotation.objects.get().pk == old["pk"]
    record = AnnotationEvent.objects.get(action="restore")
    assert record.actor == manager
    assert record.annotation_id == old["pk"]
    assert record.after["note"] == "уточнено"
    assert record.before is None


def test_restore_refuses_twice_and_writes_nothing_more(team):
    _, _, manager, _ = team
    event = delete_event(make(team), manager)
    annotation_restore(event=event, actor=manager)
    with pytest.raises(
        AnnotationRejected, match="^This annotation exists: it has been restored already.$"
    ):
        annotation_restore(event=event, actor=manager)
    assert Annotation.objects.count() == 1
    assert AnnotationEvent.objects.filter(action="restore").count() == 1


def test_restore_refuses_an_event_that_is_not_a_deletion(team):
    _, _, manager, _ = team
    make(team)
    event = AnnotationEvent.objects.get(action="create")
    with pytest.raises(AnnotationRejected, match="^Only a deleted annotation can be restored.$"):
        annotation_restore(event=event, actor=manager)


def test_restore_refuses_when_the_document_text_changed(team):
    _, document, manager, _ = team
    event = delete_event(make(team), manager)
    document.text = "Совсем другой текст без того слова, что было раньше."
    document.save()
    with pytest.raises(
        AnnotationRejected,
        match="^The document's text no longer matches this annotation, so it cannot be restored.$",
    ):
        annotation_restore(event=event, actor=manager)
    assert not Annotation.objects.exists()
    assert not AnnotationEvent.objects.filter(action="restore").exists()


def test_restore_refuses_when_an_identical_annotation_exists(team):
    _, _, manager, _ = team
    event = delete_event(make(team), manager)
    make(team, note="заново")
    with pytest.raises(
        AnnotationRejected,
        match=r"^An identical annotation exists \(same annotator, label and passage\).$",
    ):
        annotation_restore(event=event, actor=manager)
    assert Annotation.objects.get().note == "заново"


def test_restore_refuses_an_older_deletion_of_an_annotation_deleted_again(team):
    _, _, manager, _ = team
    first = delete_event(make(team), manager)
    annotation = annotation_restore(event=first, actor=manager)
    delete_event(annotation, manager)
    with pytest.raises(AnnotationRejected, match="restore it from its latest deletion"):
        annotation_restore(event=first, actor=manager)
    assert not Annotation.objects.exists()


def test_restore_refuses_when_the_label_is_gone(team):
    project, _, manager, _ = team
    label = factories.LabelFactory(project=project, name="rumour")
    event = delete_event(make(team, label=label), manager)
    label.delete()
    with pytest.raises(
        AnnotationRejected, match="^The label “rumour” no longer exists in this project.$"
    ):
        annotation_restore(event=event, actor=manager)


def test_restore_refuses_when_the_annotator_is_gone(team):
    _, _, manager, analyst = team
    event = delete_event(make(team), manager)
    analyst.delete()
    with pytest.raises(
        AnnotationRejected, match="^The annotator of this annotation no longer exists.$"
    ):
        annotation_restore(event=event, actor=manager)


def test_annotations_restore_reports_each_refusal(team):
    _, _, manager, _ = team
    good = delete_event(make(team), manager)
    bad = AnnotationEvent.objects.get(action="create")
    restored, refused = annotations_restore(events=[good, bad], actor=manager)
    assert [a.pk for a in restored] == [good.annotation_id]
    assert refused == [(bad, "Only a deleted annotation can be restored.")]


# Reading the trail ----------------------------------------------------------


def test_event_changes_lists_before_and_after(team):
    _, _, _, analyst = team
    annotation = make(team)
    annotation_update(annotation=annotation, actor=analyst, note="новое")
    changes = {c.field: c for c in event_changes(AnnotationEvent.objects.get(action="update"))}
    assert (changes["note"].before, changes["note"].after, changes["note"].changed) == (
        "по тексту",
        "новое",
        True,
    )
    assert not changes["quote"].changed


def test_history_events_filters(team):
    project, document, manager, analyst = team
    other_doc = factories.DocumentFactory()
    factories.ProjectDocumentFactory(project=project, document=other_doc)
    kept = make(team)
    make(team, document=other_doc, start=0, end=6, quote=None)
    annotation_delete(annotation=kept, actor=manager)
    AnnotationEvent.objects.filter(action="delete").update(at=timezone.now() - dt.timedelta(days=3))
    factories.AnnotationEventFactory()  # another project's event

    def actions(**filters):
        return sorted(e.action for e in history_events(project=project, **filters))

    assert actions() == ["create", "create", "delete"]
    assert actions(action="delete") == ["delete"]
    assert actions(actor_id=manager.pk) == ["delete"]
    assert actions(annotator_id=analyst.pk) == ["create", "create", "delete"]
    assert actions(annotator_id=manager.pk) == []
    assert actions(document_id=other_doc.pk) == ["create"]
    today = timezone.now().date()
    assert actions(since=today) == ["create", "create"]
    assert actions(until=today - dt.timedelta(days=1)) == ["delete"]


# The history page -----------------------------------------------------------


def history_url(project, **query):
    return f"/p/{project.slug}/history/" + (f"?{urlencode(query)}" if query else "")


def test_history_page_shows_who_when_before_and_after(client, team):
    project, document, manager, analyst = team
    annotation = make(team)
    annotation_update(
        annotation=annotation, actor=analyst, label=factories.project_label(project, "fact")
    )
    client.force_login(manager)
    page = client.get(history_url(project)).content.decode()
    assert "3 changes" not in page and "2 changes" in page
    assert "Changed" in page and "Created" in page
    assert f"<td>{analyst.username}</td>" in page
    assert '<dd class="changed">opinion</dd>' in page
    assert '<dd class="changed">fact</dd>' in page
    assert "Токаев" in page
    assert "Restore</button>" not in page


def test_history_page_shortens_long_quotes_and_notes(client, team):
    project, document, manager, analyst = team
    document.text = "Длинная цитата. " * 180  # 2,880 characters, one line
    document.save()
    make(team, start=0, end=2800, quote=document.text[:2800], note="н" * 2000)
    client.force_login(manager)
    page = client.get(history_url(project)).content.decode()
    quote = page.split("<dt>quote</dt><dd")[1].split("</dd>")[0].split(">", 1)[1]
    note = page.split("<dt>note</dt><dd")[1].split("</dd>")[0].split(">", 1)[1]
    assert len(quote) == len(note) == 300 and quote.endswith("…") and note.endswith("…")


def test_history_page_restores_a_deletion_with_a_message(client, team):
    project, _, manager, _ = team
    event = delete_event(make(team), manager)
    client.force_login(manager)
    page = client.get(history_url(project, action="delete")).content.decode()
    restore = f"/p/{project.slug}/history/{event.pk}/restore/?action=delete"
    assert f'action="{restore}"' in page
    response = client.post(restore, follow=True)
    assert response.redirect_chain == [(history_url(project, action="delete"), 302)]
    assert "Restored “Токаев” (opinion)" in response.content.decode()
    assert Annotation.objects.count() == 1

    assert "Restore</button>" not in response.content.decode()  # it is back

    response = client.post(restore, follow=True)
    assert "This annotation exists: it has been restored already." in response.content.decode()
    assert Annotation.objects.count() == 1


def test_restore_of_another_projects_event_is_404(client, team):
    project, _, manager, _ = team
    other = factories.AnnotationFactory()
    annotation_delete(annotation=other, actor=other.annotator)
    event = AnnotationEvent.objects.get(action="delete")
    client.force_login(manager)
    assert client.post(f"/p/{project.slug}/history/{event.pk}/restore/").status_code == 404
    assert not Annotation.objects.exists()


def test_history_is_paginated_and_keeps_filters(client, team):
    project, _, manager, _ = team
    audit_page_size = audit.EVENTS_PER_PAGE
    for i in range(audit_page_size + 5):
        make(team, start=i % 40, end=i % 40 + 1 + i // 40, quote=None)
    client.force_login(manager)
    first = client.get(history_url(project, action="create")).content.decode()
    assert f"{audit_page_size + 5} changes, page 1 of 2." in first
    assert 'href="?action=create&amp;page=2" rel="next"' in first
    second = client.get(history_url(project, action="create", page=2)).content.decode()
    assert second.count('<tr class="event-create">') == 5


def test_history_ignores_bad_filters_with_a_message(client, team):
    project, _, manager, _ = team
    make(team)
    client.force_login(manager)
    response = client.get(history_url(project, since="yesterday"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Some filters were not understood and are ignored" in page
    assert "1 change." in page


def test_history_query_count_does_not_grow_with_events(client, team, django_assert_num_queries):
    project, document, manager, analyst = team
    client.force_login(manager)
    annotation_delete(annotation=make(team), actor=manager)
    with django_assert_num_queries(9) as few:
        client.get(history_url(project))
    for i in range(20):
        annotation = make(team, start=i, end=i + 2, quote=None)
        annotation_delete(annotation=annotation, actor=manager)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(history_url(project))
    assert response.content.decode().count("Restore</button>") == 21
