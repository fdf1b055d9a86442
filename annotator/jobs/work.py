"""What each kind of job does, in the worker: an import, an export, a profile recount.

Each is the same service the immediate path calls (one home per rule), told to report
its progress to the job. Each returns ``(result, file, download name)``; a refusal
(``Rejected``) fails the job with its message. Parameters are JSON (they wait in the
database for a worker), built by ``annotator.jobs.services``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext

from annotator.datasets.export.files import export_to_path
from annotator.datasets.export.plan import ExportFilters
from annotator.datasets.imports.documents import import_upload
from annotator.errors import Rejected
from annotator.jobs.records import Progress, job_dir
from annotator.models import Job
from annotator.reports.tallies import tallies_invalidate, tallies_refresh

Outcome = tuple[dict, Path | None, str]


def filters_to_json(filters: ExportFilters) -> dict:
    return {
        "sources": list(filters.sources),
        "annotators": list(filters.annotators),
        "since": filters.since.isoformat() if filters.since else None,
        "gold_only": filters.gold_only,
        "document_ids": list(filters.document_ids) if filters.document_ids is not None else None,
    }


def filters_from_json(values: dict) -> ExportFilters:
    since = values.get("since")
    return ExportFilters(
        sources=values.get("sources") or (),
        annotators=values.get("annotators") or (),
        since=date.fromisoformat(since) if since else None,
        gold_only=bool(values.get("gold_only")),
        document_ids=values.get("document_ids"),
    )


def recount(job: Job, progress: Progress, *, everything: bool = False) -> int:
    """Recount the job's project's profiles (all documents, or the stale ones)."""
    if job.project is None:
        return 0
    if everything:
        tallies_invalidate(job.project)
    return tallies_refresh(
        job.project, progress=lambda done, total: progress(done, total, "Recounting profiles")
    )


def import_documents(job: Job) -> Outcome:
    """Import the uploaded file (or request body) into the job's project, then recount
    the project's profiles so that the Sources page does not do it on its first view."""
    progress = Progress(job)
    parameters = job.parameters
    data = (Path(settings.JOB_FILES_DIR) / job.input_file).read_bytes()
    report = import_upload(
        parameters["filename"],
        data,
        project=job.project,
        default_source=parameters.get("default_source") or None,
        skip_bad=bool(parameters.get("skip_bad")),
        remove_repeats=bool(parameters.get("remove_repeats")),
        on_progress=progress,
        started_from=parameters.get("started_from") or "upload",
    )
    result = report.to_dict()
    if report.added:
        result["recounted"] = recount(job, progress)
    return result, None, ""


def export_dataset(job: Job) -> Outcome:
    """Write the export to the job's results folder, for download until it expires."""
    parameters = job.parameters
    if job.project is None:
        raise Rejected(gettext("The project of this export was deleted."))
    path = job_dir(job, "results") / Path(parameters["filename"]).name
    path.parent.mkdir(parents=True, exist_ok=True)
    progress = Progress(job)
    export_to_path(
        project=job.project,
        fmt=parameters["format"],
        path=path,
        filters=filters_from_json(parameters.get("filters") or {}),
        bom=bool(parameters.get("bom")),
        raw=bool(parameters.get("raw")),
        on_progress=lambda done, total: progress(done, total, "Writing"),
    )
    result = {
        "format": parameters["format"],
        "filename": path.name,
        "bytes": path.stat().st_size,
    }
    return result, path, path.name


def rebuild_profiles(job: Job) -> Outcome:
    recounted = recount(job, Progress(job), everything=bool(job.parameters.get("all")))
    return {"recounted": recounted}, None, ""


WORK: dict[str, Callable[[Job], Outcome]] = {
    Job.Kind.IMPORT_DOCUMENTS: import_documents,
    Job.Kind.EXPORT_DATASET: export_dataset,
    Job.Kind.REBUILD_PROFILES: rebuild_profiles,
}
