import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from annotator.models import Document, ProjectDocument, Source
from tests.support import factories

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:annotator_document_import")


def jsonl(*records) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()


def upload(client, name, data, **fields):
    return client.post(IMPORT, {"upload": SimpleUploadedFile(name, data), **fields})


def nothing_written():
    return not Document.objects.exists() and not Source.objects.exists()


def test_documents_changelist_links_to_the_import_page(manager_client):
    content = manager_client.get(reverse("admin:annotator_document_changelist")).content.decode()
    assert f'<a href="{IMPORT}" class="addlink">Import documents</a>' in content


def test_jsonl_upload_into_a_project_shows_the_summary(manager_client, project):
    data = jsonl(
        {"text": "Первый текст.", "title": "Один", "source": "ТАСС"},
        {"text": "Второй текст.", "title": "Два"},
    )
    response = upload(
        manager_client, "batch.jsonl", data, project=project.pk, default_source="Архив"
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert (
        '<p class="import-summary">2 documents added, 0 skipped as duplicate, 0 rejected</p>'
        in (content)
    )
    assert list(Document.objects.order_by("id").values_list("title", "source__name")) == [
        ("Один", "ТАСС"),
        ("Два", "Архив"),
    ]
    assert ProjectDocument.objects.filter(project=project).count() == 2
    document = Document.objects.get(title="Один")
    change = reverse("admin:annotator_document_change", args=[document.pk])
    assert f'<a href="{change}">Один</a> (ТАСС)' in content


def test_duplicates_and_encodings_are_reported(manager_client):
    factories.DocumentFactory(text="Уже есть.")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("old.txt", "Старый текст.".encode("cp1251"))
        archive.writestr("again.txt", "Уже есть.")
    response = upload(manager_client, "corpus.zip", buffer.getvalue(), default_source="Архив")
    content = response.content.decode()
    assert "1 document added, 1 skipped as duplicate, 0 rejected" in content
    assert "<li>Read as cp1251: corpus.zip/old.txt</li>" in content
    assert "<li>Duplicate skipped: corpus.zip/again.txt: same text as document" in content


def test_bad_upload_shows_the_importers_error_and_writes_nothing(manager_client, project):
    data = jsonl({"text": "Хороший.", "source": "ТАСС"}) + b'{"text": "oops"\n'
    response = upload(manager_client, "data.jsonl", data, project=project.pk)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["upload"]
    assert errors["upload"][0].startswith("data.jsonl line 2: bad JSON (")
    assert nothing_written()
    assert not ProjectDocument.objects.exists()


def test_skip_bad_imports_the_good_records_and_lists_the_bad(manager_client):
    data = jsonl({"text": "Хороший.", "source": "ТАСС"}) + b'{"title": "no text"}\n'
    response = upload(manager_client, "data.jsonl", data, skip_bad="on")
    content = response.content.decode()
    assert "1 document added, 0 skipped as duplicate, 1 rejected" in content
    assert "<li>Rejected: data.jsonl line 2: missing &#x27;text&#x27; key</li>" in content
    assert Document.objects.count() == 1


def test_upload_without_a_source_names_the_field_to_fill_in(manager_client):
    response = upload(manager_client, "a.txt", "Текст без источника.".encode())
    assert response.context["form"].errors["upload"] == [
        "a.txt: no source (name one in the input or fill in «Default source»)"
    ]
    assert "--source" not in response.content.decode()
    assert nothing_written()


# Three bad records: no source (found after reading), bad JSON, no text; one good record.
THREE_BAD = (
    jsonl({"text": "Без источника."}, {"text": "Хороший.", "source": "ТАСС"})
    + b'{"text": "oops"\n'
    + jsonl({"title": "no text", "source": "ТАСС"})
)
THREE_BAD_MESSAGES = [
    "data.jsonl line 1: no source (name one in the input or fill in «Default source»)",
    "data.jsonl line 3: bad JSON (Expecting ',' delimiter at column 16)",
    "data.jsonl line 4: missing 'text' key",
]


def test_a_failed_upload_lists_every_bad_record_in_file_order(manager_client):
    response = upload(manager_client, "data.jsonl", THREE_BAD)
    assert response.context["form"].errors["upload"] == THREE_BAD_MESSAGES
    assert nothing_written()


def test_skipped_records_are_listed_in_file_order(manager_client):
    response = upload(manager_client, "data.jsonl", THREE_BAD, skip_bad="on")
    content = response.content.decode()
    assert "1 document added, 0 skipped as duplicate, 3 rejected" in content
    listed = content.split('<ul class="import-rejected errorlist">')[1].split("</ul>")[0]
    assert listed.replace("&#x27;", "'") == "".join(
        f"<li>Rejected: {message}</li>" for message in THREE_BAD_MESSAGES
    )


def test_a_file_over_the_limit_is_refused_before_it_is_read(manager_client, settings):
    settings.IMPORT_UPLOAD_MAX_BYTES = 1024
    response = upload(manager_client, "big.jsonl", b" " * 2048, default_source="ТАСС")
    assert response.status_code == 413
    assert "the limit is 1.0\xa0KB. Nothing was saved." in response.content.decode()
    assert nothing_written()


def test_the_import_form_also_checks_the_file_size(settings):
    from annotator.admin.forms import ImportForm

    settings.IMPORT_UPLOAD_MAX_BYTES = 1024
    form = ImportForm(data={}, files={"upload": SimpleUploadedFile("big.jsonl", b" " * 2048)})
    assert form.errors == {
        "upload": [
            "big.jsonl is 2.0\xa0KB; uploads are limited to 1.0\xa0KB (IMPORT_UPLOAD_MAX_BYTES)."
        ]
    }


def test_an_empty_form_asks_for_the_file(manager_client):
    response = manager_client.post(IMPORT, {})
    assert response.context["form"].errors == {"upload": ["This field is required."]}


def test_import_needs_the_add_permission(client, annotator_user):
    clerk = factories.UserFactory(username="clerk", is_staff=True)
    client.force_login(clerk)
    assert client.get(IMPORT).status_code == 403
    client.force_login(annotator_user)
    response = client.post(IMPORT, {"upload": SimpleUploadedFile("a.txt", b"x")})
    assert response.status_code == 302
    assert nothing_written()
