"""The Jobs page: one's background jobs, each with a progress bar that updates itself
(htmx polls the bar's fragment until the job ends), its result, and its file."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from annotator.datasets.export.files import CONTENT_TYPES
from annotator.jobs.records import job_file
from annotator.jobs.selectors import job_of, jobs_of

JOBS_LISTED = 100
POLL_SECONDS = 1


@login_required
def jobs(request: HttpRequest) -> HttpResponse:
    """``jobs/jobs.html``: the user's latest jobs (context: ``jobs``)."""
    listed = list(jobs_of(request.user)[:JOBS_LISTED])
    return render(request, "jobs/jobs.html", {"jobs": listed, "poll": POLL_SECONDS})


@login_required
def job(request: HttpRequest, job_id: int) -> HttpResponse:
    """``jobs/job.html``: one job, its parameters, progress, error or result."""
    found = job_of(request.user, job_id)
    return render(request, "jobs/job.html", _context(found))


@login_required
def job_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """The progress fragment the job page polls; it stops polling once the job ended."""
    found = job_of(request.user, job_id)
    return render(request, "jobs/job.html#progress", _context(found))


@login_required
def job_download(request: HttpRequest, job_id: int) -> HttpResponseBase:
    """The job's file while it is kept; 404 once removed (see ``JOB_FILES_HOURS``)."""
    found = job_of(request.user, job_id)
    path = job_file(found)
    if path is None:
        return render(request, "jobs/job.html", _context(found), status=404)
    content_type = CONTENT_TYPES.get(path.suffix, "application/octet-stream")
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=found.result_name or path.name,
        content_type=content_type,
    )


def _context(found) -> dict:
    return {"job": found, "file": job_file(found), "poll": POLL_SECONDS}
