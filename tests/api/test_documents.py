"""Documents through the API: the caller's queue, one document with its sentences, and
bulk import with the importer's fields, checks and messages (JSON list or JSON Lines)."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from annotator.accounts.tokens import api_token_create
from annotator.datasets.imports.documents import import_upload
from annotator.models import Document, Job, Membership, Sentence
from tests.support import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(db):
    return factories.ProjectFactory(slug="newsroom")


def client_of(project, role) -> tuple[Client, object]:
    user = factories.MembershipFactory(project=project, role=role).user
    return Client(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user, name='t')[1]}"), user


@pytest.fixture
def manager(project):
    return client_of(project, Membership.Role.MANAGER)[0]


def documents_url(project) -> str:
    return reverse("api-documents", args=[project.slug])


RECORDS = [
    {"text": "Первый текст.\r\nВторая строка.  ", "title": "Визит", "source": "ТАСС",
     "source_kind": "agency", "published_on": "2024-11-26", "url": "https://tass.ru/1"},
    {"text": "Второй текст без метаданных.", "source": "Коммерсантъ"},
]  # fmt: skip


def test_a_json_list_is_imported_into_the_project(project, manager):
    response = manager.post(
        documents_url(project), json.dumps(RECORDS, ensure_ascii=False), "application/json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["summary"] == "2 documents added, 0 skipped as duplicate, 0 rejected"
    assert [d["imported_from"] for d in body["added"]] == [
        "request.json item 1",
        "request.json item 2",
    ]
    first = Document.objects.get(title="Визит")
    assert first.text == "Первый текст.\nВторая строка."  # normalised as on import
    assert (first.source.name, first.source.kind) == ("ТАСС", "agency")
    assert body["added"][0]["text_sha256"] == first.text_sha256
    assert project.documents.count() == 2
    assert Sentence.objects.filter(document=first).count() == 2


def test_json_lines_are_read_as_import_documents_reads_a_jsonl_file(project, manager, tmp_path):
    lines = "\n".join(json.dumps(r, ensure_ascii=False) for r in RECORDS)
    response = manager.post(documents_url(project), lines.encode(), "application/jsonl")
    assert response.status_code == 201
    assert [d["imported_from"] for d in response.json()["added"]] == [
        "request.jsonl line 1",
        "request.jsonl line 2",
    ]


def test_a_text_already_stored_is_matched_by_its_hash(project, manager):
    stored = factories.DocumentFactory(text="Второй текст без метаданных.", title="Старый")
    response = manager.post(
        documents_url(project), json.dumps(RECORDS, ensure_ascii=False), "application/json"
    )
    body = response.json()
    assert body["duplicates"] == [
        f"request.json item 2: same text as document {stored.pk} «Старый»"
    ]
    assert stored in project.documents.all()  # a duplicate still joins the project


BAD = [
    ([{"title": "без текста"}], "request.json item 1: missing 'text' key"),
    ([{"text": "x", "source": "A", "source_kind": "газета"}],
     "request.json item 1: unknown source kind 'газета' (use one of: news_site, agency, "
     "telegram, vk, blog, other)"),
    ([{"text": "x", "source": "A", "published_on": "12.11.2025"}],
     "request.json item 1: bad published_on '12.11.2025' (use YYYY-MM-DD)"),
    ([{"text": "Текст без источника."}],
     "request.json item 1: no source (name one in the input or give the default_source "
     "parameter)"),
    ({"text": "not a list"}, "request.json: expected a JSON list of objects with a 'text' key"),
    ("[{]", "request.json: bad JSON (Expecting property name enclosed in double quotes at "
     "line 1 column 3)"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "reason"), BAD)
def test_bad_input_is_refused_with_the_importers_message_and_nothing_written(
    project, manager, body, reason
):
    raw = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)

    response = manager.post(documents_url(project), raw.encode(), "application/json")

    assert response.status_code == 400
    assert response.json() == {"detail": reason, "errors": {"non_field_errors": [reason]}}
    assert not Document.objects.exists()
    # The same message as import_documents gives for the same records in a file.
    if isinstance(body, list):
        from annotator.datasets.imports.documents import ImportFailed

        with pytest.raises(ImportFailed) as failed:
            import_upload("request.json", raw.encode(), started_from="api")
        assert str(failed.value) == reason


def test_options_are_query_parameters(project, manager):
    body = json.dumps([{"text": "Без источника."}, {"title": "плохая"}], ensure_ascii=False)
    response = manager.post(
        documents_url(project) + "?default_source=Архив&skip_bad=1", body, "application/json"
    )
    assert response.status_code == 201
    assert response.json()["rejected"] == ["request.json item 2: missing 'text' key"]
    assert Document.objects.get().source.name == "Архив"
    bad = manager.post(documents_url(project) + "?skip_bad=maybe", body, "application/json")
    assert bad.json()["errors"] == {"skip_bad": ["'maybe' is not true or false."]}


def test_a_large_body_is_imported_by_a_job(project, manager, settings):
    settings.JOB_IMPORT_BYTES = 100
    body = json.dumps(RECORDS * 3, ensure_ascii=False)

    response = manager.post(documents_url(project), body, "application/json")

    assert response.status_code == 202
    job = response.json()
    assert (job["kind"], job["state"], job["project"]) == ("import_documents", "done", "newsroom")
    assert job["result"]["summary"] == "2 documents added, 4 skipped as duplicate, 0 rejected"
    polled = manager.get(reverse("api-job", args=[job["id"]])).json()
    assert polled["state"] == "done" and polled["download"] is None


def test_a_bulk_load_starts_a_profile_recount(project, manager, settings):
    settings.JOB_RECOUNT_DOCUMENTS = 2
    manager.post(
        documents_url(project), json.dumps(RECORDS, ensure_ascii=False), "application/json"
    )
    job = Job.objects.get()
    assert (job.kind, job.state, job.result) == ("rebuild_profiles", "done", {"recounted": 2})


def test_the_list_is_the_callers_queue_with_filters(project):
    annotator, user = client_of(project, Membership.Role.ANNOTATOR)
    tass = factories.SourceFactory(name="ТАСС")
    mine = factories.DocumentFactory(source=tass, title="Мой")
    other = factories.DocumentFactory(title="Чужой")
    for document in (mine, other):
        factories.ProjectDocumentFactory(project=project, document=document)
    factories.AnnotationFactory(project=project, document=mine, annotator=user)

    listed = annotator.get(documents_url(project)).json()
    started = annotator.get(documents_url(project), {"status": "started"}).json()
    by_source = annotator.get(documents_url(project), {"source": "тасс"}).json()
    bad = annotator.get(documents_url(project), {"status": "finished"})

    assert listed["count"] == 2
    assert set(listed["results"][0]) == {
        "id", "title", "source", "source_kind", "author", "published_on", "url", "language",
        "text_sha256", "created_at", "updated_at",
    }  # fmt: skip
    assert [d["title"] for d in started["results"]] == ["Мой"]
    assert [d["title"] for d in by_source["results"]] == ["Мой"]
    assert bad.json()["errors"] == {"status": ["'finished' is not one of: todo, started, done."]}


def test_a_document_comes_with_its_text_and_sentences(project):
    annotator, _ = client_of(project, Membership.Role.ANNOTATOR)
    document = factories.DocumentFactory(text="Первое предложение. Второе.\nТретье.")
    factories.ProjectDocumentFactory(project=project, document=document)

    body = annotator.get(reverse("api-document", args=[project.slug, document.pk])).json()

    assert body["text"] == document.text
    assert body["sentences"] == [
        {"index": 0, "start": 0, "end": 19},
        {"index": 1, "start": 20, "end": 27},
        {"index": 2, "start": 28, "end": 35},
    ]
    assigned_elsewhere = factories.DocumentFactory()
    factories.ProjectDocumentFactory(project=project, document=assigned_elsewhere)
    factories.AssignmentFactory(project=project, document=assigned_elsewhere)
    hidden = annotator.get(reverse("api-document", args=[project.slug, assigned_elsewhere.pk]))
    assert hidden.status_code == 404  # assigned to someone else: as on the pages


def test_a_managers_token_may_send_an_import_larger_than_a_form(project, manager, settings):
    """Bodies over DATA_UPLOAD_MAX_MEMORY_SIZE are refused unread unless their sender may
    import: signed-in staff, or (here) the owner of an API token who manages a project."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    records = [{"text": f"Текст номер {n}. " * 20, "source": "ТАСС"} for n in range(5)]
    body = json.dumps(records, ensure_ascii=False)
    assert len(body.encode()) > 1000
    annotator = client_of(project, Membership.Role.ANNOTATOR)[0]

    refused = annotator.post(documents_url(project), body, "application/json")
    anonymous = Client().post(documents_url(project), body, "application/json")
    accepted = manager.post(documents_url(project), body, "application/json")

    for response in (refused, anonymous):
        assert response.status_code == 413
        assert response.json() == {
            "detail": "The request body is too large: the limit is 1000\xa0bytes.",
            "errors": {},
        }
    assert accepted.status_code == 201, accepted.content
    assert Document.objects.count() == 5


def test_a_body_over_the_import_limit_is_refused_as_json(project, manager, settings):
    settings.IMPORT_UPLOAD_MAX_BYTES = 1000
    body = json.dumps([{"text": "Длинный текст. " * 100, "source": "ТАСС"}], ensure_ascii=False)

    response = manager.post(documents_url(project), body, "application/json")

    assert response.status_code == 413
    assert response.json()["detail"].startswith("The request body is too large (")
    assert not Document.objects.exists()
