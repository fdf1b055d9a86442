import pytest
from django.urls import reverse

from annotator.models import Annotation, AnnotationEvent, Document
from annotator.workspace.annotations import annotation_create, annotation_update
from tests.support import factories

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:annotator_annotation_changelist")
TEXT = "Смайл 😀 и Токаев считает иначе. Возможно, всё изменится."


@pytest.fixture
def annotations(project):
    lenta = factories.DocumentFactory(source__name="Lenta.ru", text=TEXT)
    tass = factories.DocumentFactory(source__name="ТАСС", text=TEXT + " ТАСС")
    anna = factories.UserFactory(username="anna")
    boris = factories.UserFactory(username="boris")

    def create(document, user, label, quote):
        start = document.text.index(quote)
        return annotation_create(
            project=project,
            document=document,
            annotator=user,
            label=factories.project_label(project, label),
            start=start,
            end=start + len(quote),
            quote=quote,
        )

    return {
        "tokaev": create(lenta, anna, "opinion", "и Токаев считает иначе."),
        "maybe": create(lenta, boris, "speculation", "Возможно, всё изменится."),
        "tass": create(tass, anna, "fact", "Смайл"),
    }


def listed(client, **filters):
    response = client.get(CHANGELIST, filters)
    assert response.status_code == 200
    return sorted(a.quote for a in response.context["cl"].result_list)


def test_changelist_filters_by_project_source_label_annotator_and_date(
    manager_client, project, annotations
):
    other = factories.AnnotationFactory()
    tokaev, maybe, tass = annotations["tokaev"], annotations["maybe"], annotations["tass"]
    every = sorted([tokaev.quote, maybe.quote, tass.quote, other.quote])
    assert listed(manager_client) == every
    assert listed(manager_client, project__id__exact=project.pk) == sorted(
        [tokaev.quote, maybe.quote, tass.quote]
    )
    source = tass.document.source
    assert listed(manager_client, document__source__id__exact=source.pk) == [tass.quote]
    assert listed(manager_client, label="speculation") == [maybe.quote]
    boris = maybe.annotator
    assert listed(manager_client, annotator__id__exact=boris.pk) == [maybe.quote]
    day = tokaev.created_at
    on_day = {
        "created_at__year": day.year,
        "created_at__month": day.month,
        "created_at__day": day.day,
    }
    assert len(listed(manager_client, **on_day)) == 4
    assert listed(manager_client, created_at__year=day.year - 1) == []


def test_label_filter_lists_the_chosen_projects_labels(manager_client, project, annotations):
    factories.LabelFactory(name="irony")
    response = manager_client.get(CHANGELIST, {"project__id__exact": project.pk})
    label_filter = next(f for f in response.context["cl"].filter_specs if f.title == "label")
    assert [value for value, _ in label_filter.lookup_choices] == ["fact", "opinion", "speculation"]


def test_changelist_shows_the_quote(manager_client, annotations):
    content = manager_client.get(CHANGELIST).content.decode()
    assert '<span title="и Токаев считает иначе.">и Токаев считает иначе.</span>' in content


def test_change_page_lists_the_annotations_history(manager_client, annotations):
    tokaev = annotations["tokaev"]
    annotation_update(
        annotation=tokaev,
        actor=tokaev.annotator,
        label=factories.project_label(tokaev.project, "fact"),
    )
    page = manager_client.get(reverse("admin:annotator_annotation_change", args=[tokaev.pk]))
    content = page.content.decode()
    assert content.count("<td>Created</td>") == 1
    assert content.count("<td>Changed</td>") == 1
    assert "<td>opinion [8:31] «и Токаев считает иначе.»</td>" in content
    assert "<td>fact [8:31] «и Токаев считает иначе.»</td>" in content


def test_editing_an_annotation_in_the_admin_is_recorded(manager_client, manager, annotations):
    tokaev = annotations["tokaev"]
    fact = factories.project_label(tokaev.project, "fact")
    response = manager_client.post(
        reverse("admin:annotator_annotation_change", args=[tokaev.pk]),
        {"label": fact.pk, "note": "Проверено", "start": "0", "end": "1"},
    )
    assert response.status_code == 302
    tokaev.refresh_from_db()
    assert (tokaev.label, tokaev.note, tokaev.start, tokaev.end) == (fact, "Проверено", 8, 31)
    event = AnnotationEvent.objects.filter(annotation_id=tokaev.pk, action="update").get()
    assert event.actor == manager
    assert (event.before["label"], event.after["label"]) == ("opinion", "fact")


def test_a_duplicate_label_on_the_same_passage_is_a_form_error(manager_client, annotations):
    tokaev = annotations["tokaev"]
    twin = annotation_create(
        project=tokaev.project,
        document=tokaev.document,
        annotator=tokaev.annotator,
        label=factories.project_label(tokaev.project, "fact"),
        start=8,
        end=31,
    )
    response = manager_client.post(
        reverse("admin:annotator_annotation_change", args=[tokaev.pk]),
        {"label": twin.label.pk, "note": ""},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "Annotation with this Document, Annotator, Label, Start and End already exists."
    ]
    tokaev.refresh_from_db()
    assert tokaev.label.name == "opinion"


@pytest.mark.parametrize("model", ["annotation", "goldannotation"])
def test_an_over_long_note_is_a_form_error_as_in_the_workspace(manager_client, annotations, model):
    span = annotations["tokaev"] if model == "annotation" else factories.GoldAnnotationFactory()
    response = manager_client.post(
        reverse(f"admin:annotator_{model}_change", args=[span.pk]),
        {"label": span.label.pk, "note": "x" * 5001},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "note": ["The note is too long (at most 5000 characters)."]
    }
    span.refresh_from_db()
    assert span.note == ""
    assert not AnnotationEvent.objects.filter(action="update").exists()


def test_deleting_an_annotation_in_the_admin_is_recorded(manager_client, manager, annotations):
    tass = annotations["tass"]
    response = manager_client.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [str(tass.pk)], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Annotation.objects.filter(pk=tass.pk).exists()
    event = AnnotationEvent.objects.get(annotation_id=tass.pk, action="delete")
    assert event.actor == manager
    assert event.before["quote"] == "Смайл"


def test_annotations_are_not_added_in_the_admin(manager_client):
    assert manager_client.get(reverse("admin:annotator_annotation_add")).status_code == 403


def test_audit_trail_is_read_only(manager_client, annotations):
    event = AnnotationEvent.objects.first()
    change = reverse("admin:annotator_annotationevent_change", args=[event.pk])
    page = manager_client.get(change)
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert "deletelink" not in page.content.decode()
    assert manager_client.post(change, {"action": "delete"}).status_code == 403
    delete = reverse("admin:annotator_annotationevent_delete", args=[event.pk])
    assert manager_client.post(delete, {"post": "yes"}).status_code == 403
    assert manager_client.get(reverse("admin:annotator_annotationevent_add")).status_code == 403
    changelist = manager_client.get(reverse("admin:annotator_annotationevent_changelist"))
    assert changelist.context["action_form"] is None
    assert AnnotationEvent.objects.filter(pk=event.pk).exists()


def test_event_changelist_finds_an_annotations_events(manager_client, annotations):
    tokaev = annotations["tokaev"]
    url = reverse("admin:annotator_annotationevent_changelist")
    rows = manager_client.get(url, {"annotation_id": tokaev.pk}).context["cl"].result_list
    assert [event.annotation_id for event in rows] == [tokaev.pk]
    rows = manager_client.get(url, {"q": "boris"}).context["cl"].result_list
    assert [event.annotation_id for event in rows] == [annotations["maybe"].pk]


def test_a_document_with_annotations_and_history_can_still_be_deleted(manager_client, annotations):
    document = annotations["tokaev"].document
    response = manager_client.post(
        reverse("admin:annotator_document_delete", args=[document.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Document.objects.filter(pk=document.pk).exists()
    assert not AnnotationEvent.objects.filter(document_id=document.pk).exists()
