import csv
import io
import json

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from annotator.models import Annotation, Assignment, Document, ProjectDocument, Sentence
from tests.support import export_data, factories

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:annotator_document_changelist")
FROZEN = "This document has annotations; its text can no longer change."


def change_url(document):
    return reverse("admin:annotator_document_change", args=[document.pk])


def form_data(document, **changes):
    """The change form as a browser sends it: every textarea line ends in \\r\\n."""
    data = {
        "source": document.source_id,
        "title": document.title,
        "author": document.author,
        "published_on": "",
        "url": document.url,
        "language": document.language,
        "text": document.text.replace("\r\n", "\n").replace("\n", "\r\n"),
        "imported_from": document.imported_from,
    }
    return {**data, **changes}


@pytest.fixture
def annotated():
    document = factories.DocumentFactory(text="Первое предложение.\nВторое предложение.")
    factories.AnnotationFactory(document=document)
    return document


def test_text_of_an_annotated_document_is_shown_read_only(manager_client, annotated):
    form = manager_client.get(change_url(annotated)).context["adminform"].form
    assert form.fields["text"].widget.attrs["readonly"] is True
    assert form.fields["text"].help_text.startswith("Read-only: this document has annotations")
    fresh = factories.DocumentFactory()
    form = manager_client.get(change_url(fresh)).context["adminform"].form
    assert "readonly" not in form.fields["text"].widget.attrs


def test_forged_text_change_is_refused_with_a_form_error(manager_client, annotated):
    before = list(Sentence.objects.filter(document=annotated).values_list("start", "end"))
    response = manager_client.post(
        change_url(annotated), form_data(annotated, text="Подменённый текст.", title="Новое")
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"text": [FROZEN]}
    annotated.refresh_from_db()
    assert annotated.text == "Первое предложение.\nВторое предложение."
    assert annotated.title != "Новое"
    assert list(annotated.sentences.values_list("start", "end")) == before


def test_saving_an_annotated_document_keeps_its_exact_text(manager_client, annotated):
    response = manager_client.post(change_url(annotated), form_data(annotated, title="Новое"))
    assert response.status_code == 302
    annotated.refresh_from_db()
    assert annotated.title == "Новое"
    assert annotated.text == "Первое предложение.\nВторое предложение."


def test_text_of_an_unannotated_document_can_change(manager_client):
    document = factories.DocumentFactory(text="Одно.")
    response = manager_client.post(
        change_url(document), form_data(document, text="  Одно.\r\nДва. Три.\r\n")
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.text == "  Одно.\nДва. Три."  # normalised as on import
    spans = [document.text[s.start : s.end] for s in document.sentences.all()]
    assert spans == ["Одно.", "Два.", "Три."]


def test_a_text_stored_with_crlf_keeps_crlf(manager_client):
    document = factories.DocumentFactory(text="Одно.\r\nДва.")
    response = manager_client.post(change_url(document), form_data(document, title="T"))
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.text == "Одно.\r\nДва."


def test_an_empty_text_is_refused_once(manager_client):
    document = factories.DocumentFactory()
    response = manager_client.post(change_url(document), form_data(document, text=""))
    assert response.context["adminform"].form.errors == {"text": ["The document text is empty."]}


def test_a_new_document_gets_the_importers_normalised_text(manager_client):
    source = factories.SourceFactory()
    response = manager_client.post(
        reverse("admin:annotator_document_add"),
        {"source": source.pk, "title": "Новый", "language": "ru", "text": "Текст.  \r\nЕщё.\r\n"},
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.text == "Текст.\nЕщё."
    assert document.sentences.count() == 2


def test_a_second_document_with_the_same_text_is_refused(manager_client):
    first = factories.DocumentFactory(title="Оригинал", text="Тот же текст.")
    source = factories.SourceFactory()
    response = manager_client.post(
        reverse("admin:annotator_document_add"),
        {"source": source.pk, "title": "Копия", "language": "ru", "text": "Тот же текст."},
    )
    assert response.context["adminform"].form.errors == {
        "__all__": [
            f"Document {first.pk} «Оригинал» from {first.source} already has exactly this text."
        ]
    }
    assert Document.objects.count() == 1


def test_document_links_to_the_annotation_workspace(manager_client):
    link = factories.ProjectDocumentFactory(project__name="Выборы")
    url = f"/p/{link.project.slug}/d/{link.document.pk}/"
    anchor = f'<a href="{url}">Выборы</a>'
    assert anchor in manager_client.get(change_url(link.document)).content.decode()
    assert anchor in manager_client.get(CHANGELIST).content.decode()


def test_filter_annotated_or_not_and_annotation_counts(manager_client, annotated):
    factories.AnnotationFactory(document=annotated, start=7, end=18)
    fresh = factories.DocumentFactory()
    rows = manager_client.get(CHANGELIST).context["cl"].result_list
    assert {d.pk: d.annotation_count for d in rows} == {annotated.pk: 2, fresh.pk: 0}
    yes = manager_client.get(CHANGELIST, {"annotated": "yes"}).context["cl"].result_list
    no = manager_client.get(CHANGELIST, {"annotated": "no"}).context["cl"].result_list
    assert [d.pk for d in yes] == [annotated.pk]
    assert [d.pk for d in no] == [fresh.pk]


def test_filter_by_project_and_source(manager_client):
    link = factories.ProjectDocumentFactory()
    other = factories.DocumentFactory()
    by_project = manager_client.get(CHANGELIST, {"projects__id__exact": link.project.pk})
    assert [d.pk for d in by_project.context["cl"].result_list] == [link.document.pk]
    by_source = manager_client.get(CHANGELIST, {"source__id__exact": other.source.pk})
    assert [d.pk for d in by_source.context["cl"].result_list] == [other.pk]


# Actions ------------------------------------------------------------------------------


@pytest.fixture
def campaign():
    project = factories.ProjectFactory(name="Выборы")
    documents = [factories.ProjectDocumentFactory(project=project).document for _ in range(3)]
    anna, boris = (
        factories.MembershipFactory(project=project, user__username=name).user
        for name in ("anna", "boris")
    )
    return project, documents, anna, boris


def action(name, documents, **extra):
    return {"action": name, "_selected_action": [str(d.pk) for d in documents], **extra}


def test_assign_page_offers_the_projects_annotators(manager_client, campaign):
    project, documents, anna, boris = campaign
    factories.MembershipFactory(project=project, user__username="vera", role="reviewer")
    response = manager_client.post(CHANGELIST, action("assign", documents, index="0"))
    form = response.context["form"]
    assert form.fields["project"].initial == project
    assert list(form.fields["annotators"].queryset) == [anna, boris]
    assert not Assignment.objects.exists()


def test_assign_round_robin_each_document_gets_n_annotators(manager_client, campaign):
    project, documents, anna, boris = campaign
    response = manager_client.post(
        CHANGELIST,
        action(
            "assign",
            documents,
            apply="Assign",
            project=project.pk,
            annotators=[anna.pk, boris.pk],
            per_document="1",
        ),
        follow=True,
    )
    assert (
        "3 new assignments of 3 documents to 2 annotators in «Выборы»." in response.content.decode()
    )
    pairs = sorted(Assignment.objects.values_list("document_id", "annotator__username"))
    assert pairs == [
        (documents[0].pk, "anna"),
        (documents[1].pk, "boris"),
        (documents[2].pk, "anna"),
    ]


def test_assign_across_all_matching_documents(manager_client, campaign):
    project, documents, anna, _ = campaign
    data = action("assign", documents[:1], apply="Assign", project=project.pk, annotators=[anna.pk])
    manager_client.post(CHANGELIST, {**data, "select_across": "1"})
    assert Assignment.objects.filter(annotator=anna).count() == 3


def test_assign_refuses_more_annotators_per_document_than_chosen(manager_client, campaign):
    project, documents, anna, _ = campaign
    response = manager_client.post(
        CHANGELIST,
        action(
            "assign",
            documents,
            apply="Assign",
            project=project.pk,
            annotators=[anna.pk],
            per_document="2",
        ),
    )
    assert response.context["form"].non_field_errors() == [
        "Choose at least 2 annotators to give each document 2 of them."
    ]
    assert not Assignment.objects.exists()


def test_assign_refuses_someone_who_is_not_an_annotator_there(manager_client, campaign):
    project, documents, anna, _ = campaign
    stranger = factories.UserFactory(username="gleb")
    response = manager_client.post(
        CHANGELIST,
        action("assign", documents, apply="Assign", project=project.pk, annotators=[stranger.pk]),
    )
    assert response.context["form"].errors == {
        "annotators": [f"Select a valid choice. {stranger.pk} is not one of the available choices."]
    }
    assert not Assignment.objects.exists()


def test_assign_adds_documents_to_the_chosen_project(manager_client, campaign):
    project, _, anna, boris = campaign
    loose = factories.DocumentFactory()
    page = manager_client.post(CHANGELIST, action("assign", [loose], index="0"))
    assert page.context["form"].fields["project"].initial is None
    refreshed = manager_client.post(
        CHANGELIST, action("assign", [loose], refresh="Show", project=project.pk)
    )
    assert list(refreshed.context["form"].fields["annotators"].queryset) == [anna, boris]
    response = manager_client.post(
        CHANGELIST,
        action("assign", [loose], apply="Assign", project=project.pk, annotators=[anna.pk]),
        follow=True,
    )
    assert "Added 1 document to the project." in response.content.decode()
    assert ProjectDocument.objects.filter(project=project, document=loose).exists()


def test_unassign_removes_the_chosen_annotators_assignments(manager_client, campaign):
    project, documents, anna, boris = campaign
    for document in documents:
        for user in (anna, boris):
            factories.AssignmentFactory(project=project, document=document, annotator=user)
    response = manager_client.post(
        CHANGELIST,
        action(
            "unassign", documents[:2], apply="Unassign", project=project.pk, annotators=[anna.pk]
        ),
        follow=True,
    )
    assert "Removed 2 assignments in «Выборы»" in response.content.decode()
    assert Assignment.objects.filter(annotator=anna).count() == 1
    assert Assignment.objects.filter(annotator=boris).count() == 3


def test_mark_reviewed_records_who_and_when(manager_client, manager, campaign):
    project, documents, *_ = campaign
    response = manager_client.post(
        CHANGELIST, action("mark_reviewed", documents[:2], index="0"), follow=True
    )
    assert "Marked 2 documents reviewed." in response.content.decode()
    reviewed = ProjectDocument.objects.filter(project=project, reviewed_at__isnull=False)
    assert sorted(reviewed.values_list("document_id", flat=True)) == [d.pk for d in documents[:2]]
    assert {row.reviewed_by for row in reviewed} == {manager}


def test_mark_reviewed_in_the_project_the_list_is_filtered_by(manager_client, campaign):
    project, documents, *_ = campaign
    elsewhere = factories.ProjectDocumentFactory(document=documents[0])
    response = manager_client.post(
        f"{CHANGELIST}?projects__id__exact={project.pk}",
        action("mark_reviewed", documents[:1], index="0"),
        follow=True,
    )
    assert "Marked 1 document reviewed in «Выборы»." in response.content.decode()
    elsewhere.refresh_from_db()
    assert elsewhere.reviewed_at is None


def test_assign_in_the_project_the_list_is_filtered_by(manager_client, campaign):
    project, documents, anna, boris = campaign
    factories.ProjectDocumentFactory(document=documents[0])
    page = manager_client.post(
        f"{CHANGELIST}?projects__id__exact={project.pk}", action("assign", documents, index="0")
    )
    assert page.context["form"].fields["project"].initial == project
    assert list(page.context["form"].fields["annotators"].queryset) == [anna, boris]


def test_delete_confirmation_lists_how_many_annotations_go(manager_client, annotated):
    factories.AnnotationFactory(document=annotated, start=7, end=18)
    page = manager_client.post(CHANGELIST, action("delete_selected", [annotated], index="0"))
    assert ("annotations", 2) in page.context["model_count"]
    assert "<li>Annotations: 2</li>" in page.content.decode()
    assert Annotation.objects.count() == 2
    manager_client.post(CHANGELIST, action("delete_selected", [annotated], post="yes"))
    assert not Document.objects.exists()
    assert not Annotation.objects.exists()


def test_staff_without_permissions_sees_no_actions(client, campaign):
    clerk = factories.UserFactory(username="clerk", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_document"))
    client.force_login(clerk)
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert response.context["action_form"] is None
    project, documents, anna, _ = campaign
    client.post(
        CHANGELIST,
        action("assign", documents, apply="Assign", project=project.pk, annotators=[anna.pk]),
    )
    assert not Assignment.objects.exists()


def download(response) -> bytes:
    return b"".join(response.streaming_content)


def test_export_downloads_the_selected_documents_annotations(manager_client, campaign):
    project, documents, anna, _ = campaign
    factories.AnnotationFactory(project=project, document=documents[0], annotator=anna)
    page = manager_client.post(CHANGELIST, action("export", documents[:2], index="0"))
    assert page.context["form"].fields["project"].initial == project
    response = manager_client.post(
        CHANGELIST,
        action("export", documents[:2], apply="Download", project=project.pk, format="jsonl"),
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="{project.slug}-jsonl-'
    )
    lines = [json.loads(line) for line in download(response).decode().splitlines()]
    assert [line["id"] for line in lines] == [documents[0].pk, documents[1].pk]
    spans = [(a["annotator"], a["label"], a["quote"]) for a in lines[0]["annotations"]]
    assert spans == [("anna", "fact", documents[0].text[:6])]
    assert lines[1]["annotations"] == []


def test_export_in_another_dataset_format(manager_client, campaign):
    project, documents, *_ = campaign
    response = manager_client.post(
        CHANGELIST,
        action("export", documents, apply="Download", project=project.pk, format="csv", bom="on"),
    )
    assert response["Content-Type"].startswith("text/csv")
    assert download(response).startswith("\ufeff".encode())


def test_export_csv_neutralises_formulas_unless_raw(manager_client):
    project = export_data.build_formulas()
    documents = list(project.documents.all())

    def notes(**extra):
        response = manager_client.post(
            CHANGELIST,
            action("export", documents, apply="Download", project=project.pk, **extra),
        )
        text = download(response).decode()
        return [row["note"] for row in csv.DictReader(io.StringIO(text, newline=""))]

    assert notes(format="csv") == ["'" + note for note in export_data.FORMULA_NOTES]
    assert notes(format="csv", raw="on") == list(export_data.FORMULA_NOTES)


def test_export_needs_a_format(manager_client, campaign):
    project, documents, *_ = campaign
    response = manager_client.post(
        CHANGELIST, action("export", documents, apply="Download", project=project.pk, format="pdf")
    )
    assert response.context["form"].errors == {
        "format": ["Select a valid choice. pdf is not one of the available choices."]
    }
