"""Starting a job: the one write views, the admin and the API make on jobs."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import transaction

from annotator.datasets.export.plan import ExportFilters
from annotator.jobs.records import job_dir, jobs_cleanup
from annotator.jobs.tasks import run_job
from annotator.jobs.work import filters_to_json
from annotator.models import Job, Project


def job_start(
    *,
    kind: str,
    started_by,
    project: Project | None = None,
    parameters: dict | None = None,
    input_name: str = "",
    input_data: bytes | None = None,
) -> Job:
    """Queue a job (and its input file, if any) for a worker; returns it at once.

    The job row and its task row (the queue lives in the same database) are written in
    one transaction, so a worker never picks up a job that was rolled back.
    """
    jobs_cleanup()
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind, started_by=started_by, project=project, parameters=parameters or {}
        )
        if input_data is not None:
            folder = job_dir(job, "inputs")
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / (Path(input_name).name or "input")
            path.write_bytes(input_data)
            job.input_file = str(path.relative_to(settings.JOB_FILES_DIR))
            job.save(update_fields=["input_file"])
        result = run_job.enqueue(job.pk)
        Job.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


def job_start_import(
    *,
    started_by,
    filename: str,
    data: bytes,
    project: Project | None = None,
    default_source: str | None = None,
    skip_bad: bool = False,
    remove_repeats: bool = False,
    started_from: str = "upload",
) -> Job:
    """Import ``data`` (an upload or a request body named ``filename``) in the background;
    ``started_from`` as ``import_upload`` takes it."""
    return job_start(
        kind=Job.Kind.IMPORT_DOCUMENTS,
        started_by=started_by,
        project=project,
        parameters={
            "filename": filename,
            "default_source": default_source or "",
            "skip_bad": skip_bad,
            "remove_repeats": remove_repeats,
            "started_from": started_from,
            "bytes": len(data),
        },
        input_name=filename,
        input_data=data,
    )


def job_start_export(
    *,
    started_by,
    project: Project,
    fmt: str,
    filters: ExportFilters,
    filename: str,
    bom: bool = False,
    raw: bool = False,
) -> Job:
    """Write a dataset export in the background, kept for download ``JOB_FILES_HOURS``."""
    return job_start(
        kind=Job.Kind.EXPORT_DATASET,
        started_by=started_by,
        project=project,
        parameters={
            "format": fmt,
            "filename": filename,
            "filters": filters_to_json(filters),
            "bom": bom,
            "raw": raw,
        },
    )


def job_start_recount(*, started_by, project: Project, everything: bool = False) -> Job:
    """Recount a project's source profiles in the background (after a bulk load)."""
    return job_start(
        kind=Job.Kind.REBUILD_PROFILES,
        started_by=started_by,
        project=project,
        parameters={"all": everything},
    )


def import_in_background(size: int) -> bool:
    """Whether an import of ``size`` bytes runs as a job rather than in the request."""
    return size > settings.JOB_IMPORT_BYTES
