"""The task the queue runs: ``run_job(job_id)`` claims the job and runs its kind's work."""

from __future__ import annotations

import logging

from django.tasks import task

from annotator.errors import Rejected
from annotator.jobs.records import job_claim, job_fail, job_finish
from annotator.jobs.work import WORK
from annotator.models import Job

logger = logging.getLogger(__name__)


@task
def run_job(job_id: int) -> str:
    """Run the job if it is still queued; returns its final state.

    A refusal (``Rejected``: bad input found while working) fails the job with its
    message; any other error fails it too and is raised again, so that the task's own
    record keeps the traceback.
    """
    job = job_claim(job_id)
    if job is None:
        return "skipped"
    try:
        result, file, name = WORK[job.kind](job)
    except Rejected as exc:
        job_fail(job, str(exc))
        return Job.State.FAILED
    except Exception as exc:
        job_fail(job, f"{type(exc).__name__}: {exc}")
        logger.exception("Job %s failed", job.pk)
        raise
    job_finish(job, result=result, file=file, name=name)
    return Job.State.DONE
