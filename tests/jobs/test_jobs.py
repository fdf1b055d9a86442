"""Background jobs: imports, exports and recounts run as jobs, with progress and results
recorded; failures leave nothing written; the Jobs page and its files.

Jobs run at once here (the immediate backend, see tests/conftest.py); the real database
queue and worker are tried in test_worker.py.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.tasks import task_backends
from django.urls import reverse
from django.utils import timezone

from annotator.datasets.export.files import export_to_path
from annotator.datasets.export.plan import ExportFilters
from annotator.jobs import records
from annotator.jobs.records import LOST, jobs_cleanup
from annotator.jobs.services import job_start_export, job_start_import, job_start_recount
from annotator.models import Document, Job, Membership, ProjectDocument, Sentence
from annotator.workspace.annotations import annotation_create
from tests.support import factories

pytestmark = pytest.mark.django_db

FORMATS = ("jsonl", "doccano", "label-studio", "csv", "sentences", "conll", "bundle")


def jsonl(*texts: str, source: str = "ТАСС") -> bytes:
    lines = [json.dumps({"text": text, "source": source}, ensure_ascii=False) for text in texts]
    return "\n".join(lines).encode()


@pytest.fixture
def reviewer(project):
    return factories.MembershipFactory(project=project, role=Membership.Role.REVIEWER).user


def test_tests_run_jobs_with_the_immediate_backend():
    assert type(task_backends["default"]).__name__ == "ImmediateBackend"


def test_an_import_job_imports_records_progress_and_recounts_profiles(project, reviewer):
    data = jsonl("Первый текст. Второе предложение.", "Второй текст.")

    job = job_start_import(started_by=reviewer, filename="news.jsonl", data=data, project=project)

    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.error
    assert job.result["summary"] == "2 documents added, 0 skipped as duplicate, 0 rejected"
    assert [d["imported_from"] for d in job.result["added"]] == [
        "news.jsonl line 1",
        "news.jsonl line 2",
    ]
    assert job.result["recounted"] == 2
    assert (job.done, job.total) == (2, 2)
    assert job.started_at and job.finished_at and not job.error
    assert Document.objects.count() == 2
    assert Sentence.objects.count() == 3
    # Profiles were recounted by the job, not left to the Sources page's first view.
    for item in ProjectDocument.objects.filter(project=project):
        assert item.profiled_version == item.labels_version
    assert not records.job_dir(job, "inputs").exists(), "the uploaded input is removed"


def test_a_failed_import_job_shows_its_one_line_error_and_writes_nothing(project, reviewer):
    data = jsonl("Хороший текст.") + b'\n{"text": "no closing brace"'

    job = job_start_import(started_by=reviewer, filename="bad.jsonl", data=data, project=project)

    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    assert job.error == "bad.jsonl line 2: bad JSON (Expecting ',' delimiter at column 28)"
    assert "\n" not in job.error
    assert Document.objects.count() == 0
    assert ProjectDocument.objects.count() == 0
    assert not records.job_dir(job, "inputs").exists()


def test_an_import_that_fails_while_writing_leaves_nothing_half_written(
    project, reviewer, monkeypatch
):
    """The job's writes are one transaction: a failure after the documents went in takes
    them back out with it."""
    from annotator.datasets.imports import documents as importer

    def broken(rows):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer, "sentences_insert", broken)
    job_start_import(started_by=reviewer, filename="a.jsonl", data=jsonl("Текст."), project=project)
    job = Job.objects.get()
    assert (job.state, job.error) == (Job.State.FAILED, "RuntimeError: disk full")
    assert Document.objects.count() == 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_export_job_writes_the_same_file_as_the_command(project, reviewer, fmt, tmp_path):
    document = factories.DocumentFactory()
    factories.ProjectDocumentFactory(project=project, document=document)
    annotation_create(
        project=project,
        document=document,
        annotator=reviewer,
        label=factories.project_label(project),
        start=0,
        end=6,
    )
    name = f"{project.slug}.{'parquet' if fmt == 'sentences' else 'out'}"

    job = job_start_export(
        started_by=reviewer, project=project, fmt=fmt, filters=ExportFilters(), filename=name
    )

    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.error
    assert (job.done, job.total) == (1, 1)
    assert job.result_name == name
    assert job.expires_at == job.finished_at + timedelta(hours=24)
    path = records.job_file(job)
    assert path is not None and path.name == name
    expected = export_to_path(
        project=project, fmt=fmt, path=tmp_path / name, filters=ExportFilters()
    )
    if fmt in {"jsonl", "doccano", "label-studio", "csv", "conll"}:
        assert path.read_bytes() == expected.read_bytes()
    else:  # zip and Parquet files carry write times: compare their size
        assert abs(path.stat().st_size - expected.stat().st_size) < 64


def test_an_export_job_with_bad_filters_fails_with_the_reason(project, reviewer):
    job = job_start_export(
        started_by=reviewer,
        project=project,
        fmt="jsonl",
        filters=ExportFilters(sources=["Нет такого"]),
        filename="x.jsonl",
    )
    job.refresh_from_db()
    assert (job.state, job.error) == (Job.State.FAILED, 'Unknown source: "Нет такого".')
    assert not records.job_dir(job, "results").exists()


def test_a_recount_job_recounts_every_document(project, reviewer):
    factories.ProjectDocumentFactory(project=project)
    job = job_start_recount(started_by=reviewer, project=project, everything=True)
    job.refresh_from_db()
    assert (job.state, job.result) == (Job.State.DONE, {"recounted": 1})


# The Jobs page -----------------------------------------------------------------


def export_job(project, user) -> Job:
    factories.ProjectDocumentFactory(project=project)
    job = job_start_export(
        started_by=user, project=project, fmt="jsonl", filters=ExportFilters(), filename="d.jsonl"
    )
    job.refresh_from_db()
    return job


def test_the_jobs_page_lists_ones_own_jobs_only(client, project, reviewer):
    own = export_job(project, reviewer)
    other = job_start_recount(started_by=factories.UserFactory(), project=project)
    client.force_login(reviewer)

    page = client.get(reverse("jobs")).content.decode()

    assert f"Dataset export #{own.pk}" in page
    assert f"#{other.pk}" not in page
    assert client.get(reverse("job", args=[other.pk])).status_code == 404
    assert client.get(reverse("job_download", args=[other.pk])).status_code == 404


def test_a_finished_jobs_page_offers_its_file_and_stops_polling(client, project, reviewer):
    job = export_job(project, reviewer)
    client.force_login(reviewer)

    page = client.get(reverse("job", args=[job.pk])).content.decode()
    fragment = client.get(reverse("job_progress", args=[job.pk])).content.decode()

    assert 'href="{}"'.format(reverse("job_download", args=[job.pk])) in page
    assert "hx-trigger" not in page and "hx-trigger" not in fragment
    assert fragment.strip().startswith('<section id="job-progress"')
    response = client.get(reverse("job_download", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="d.jsonl"'
    assert b"".join(response.streaming_content) == records.job_file(job).read_bytes()


def test_a_running_jobs_progress_bar_polls_itself(client, project, reviewer):
    job = Job.objects.create(
        kind=Job.Kind.REBUILD_PROFILES,
        started_by=reviewer,
        project=project,
        state=Job.State.RUNNING,
        worker=records.worker_name(),  # this test's own process: alive
        done=3,
        total=10,
        phase="Recounting profiles",
    )
    client.force_login(reviewer)

    fragment = client.get(reverse("job_progress", args=[job.pk])).content.decode()

    url = reverse("job_progress", args=[job.pk])
    assert f'hx-get="{url}" hx-trigger="every 1s" hx-swap="outerHTML"' in fragment
    assert '<progress max="10" value="3">30%</progress>' in fragment
    assert "Recounting profiles" in fragment


def test_an_expired_file_is_removed_on_access_and_by_the_cleanup(client, project, reviewer):
    job = export_job(project, reviewer)
    path = records.job_file(job)
    Job.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    client.force_login(reviewer)

    response = client.get(reverse("job_download", args=[job.pk]))

    assert response.status_code == 404
    assert "The file was removed after its time was up" in response.content.decode()
    assert not path.exists()
    assert Job.objects.get(pk=job.pk).result_file == ""

    second = export_job(project, reviewer)
    Job.objects.filter(pk=second.pk).update(expires_at=timezone.now())
    assert jobs_cleanup() == 1
    assert not records.job_dir(second, "results").exists()


def test_an_export_of_a_project_one_no_longer_reviews_is_not_found(client, project, reviewer):
    job = export_job(project, reviewer)
    Membership.objects.filter(user=reviewer).update(role=Membership.Role.ANNOTATOR)
    client.force_login(reviewer)
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 404


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_job_whose_worker_died_is_marked_failed(client, project, reviewer):
    job = Job.objects.create(
        kind=Job.Kind.IMPORT_DOCUMENTS,
        started_by=reviewer,
        state=Job.State.RUNNING,
        worker=f"{records.socket.gethostname()}:{dead_pid()}",
    )
    client.force_login(reviewer)

    page = client.get(reverse("job", args=[job.pk])).content.decode()

    job.refresh_from_db()
    assert (job.state, job.error) == (Job.State.FAILED, LOST)
    assert LOST in page


def test_a_job_of_another_machine_is_lost_when_it_stops_reporting(settings, reviewer):
    settings.JOB_LOST_SECONDS = 60
    now = timezone.now()
    job = Job(state=Job.State.RUNNING, worker="elsewhere:42", heartbeat_at=now)
    assert records.worker_alive(job, now=now + timedelta(seconds=59))
    assert not records.worker_alive(job, now=now + timedelta(seconds=61))


def test_a_large_admin_upload_is_imported_by_a_job(manager_client, manager, settings, project):
    settings.JOB_IMPORT_BYTES = 10
    upload = SimpleUploadedFile("big.jsonl", jsonl("Большой текст номер один."))

    response = manager_client.post(
        reverse("admin:annotator_document_import"),
        {"upload": upload, "project": project.pk, "default_source": ""},
    )

    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("job", args=[job.pk])
    assert (job.kind, job.state, job.started_by) == ("import_documents", "done", manager)
    assert job.parameters["filename"] == "big.jsonl"
    assert project.documents.count() == 1


def test_a_small_admin_upload_stays_immediate(manager_client, project):
    upload = SimpleUploadedFile("small.jsonl", jsonl("Маленький текст."))
    response = manager_client.post(
        reverse("admin:annotator_document_import"),
        {"upload": upload, "project": project.pk, "default_source": ""},
    )
    assert response.status_code == 200
    assert "1 document added" in response.content.decode()
    assert not Job.objects.exists()


def test_a_large_export_from_the_export_page_runs_as_a_job(client, project, reviewer, settings):
    settings.JOB_EXPORT_DOCUMENTS = 1
    factories.ProjectDocumentFactory.create_batch(2, project=project)
    client.force_login(reviewer)

    response = client.get(reverse("export_dataset", args=[project.slug]), {"format": "csv"})

    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("job", args=[job.pk])
    assert (job.kind, job.state, job.parameters["format"]) == ("export_dataset", "done", "csv")
    assert re.fullmatch(rf"{project.slug}-csv-\d{{4}}-\d\d-\d\d\.csv", job.result_name)


def test_cleanup_jobs_removes_expired_files_and_fails_lost_jobs(project, reviewer):
    from io import StringIO

    from django.core.management import call_command

    expired = export_job(project, reviewer)
    Job.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    lost = Job.objects.create(
        kind=Job.Kind.REBUILD_PROFILES,
        started_by=reviewer,
        state=Job.State.RUNNING,
        worker=f"{records.socket.gethostname()}:{dead_pid()}",
    )
    out = StringIO()

    call_command("cleanup_jobs", stdout=out)

    assert out.getvalue().strip() == "1 expired file(s) removed, 1 lost job(s) marked failed"
    assert not records.job_dir(expired, "results").exists()
    assert Job.objects.get(pk=lost.pk).state == Job.State.FAILED
