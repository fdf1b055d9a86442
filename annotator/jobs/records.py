"""What a job records about itself: claimed by a worker, its progress, how it ended, and
the tidying up after jobs whose worker died or whose files have expired.

The job's own writes (an import's rows, an export's file) are all-or-nothing; what a job
records about itself (state, progress, result) is written here, outside them, so that the
Jobs page sees progress while the work runs.
"""

from __future__ import annotations

import os
import shutil
import socket
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from annotator.models import Job

REPORT_SECONDS = 0.5  # progress is written at most this often
LOST = (
    "The worker stopped during this job (killed or restarted); nothing it was writing "
    "was kept. Start it again."
)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def job_dir(job: Job, kind: str) -> Path:
    """The folder of a job's ``inputs`` or ``results`` under ``settings.JOB_FILES_DIR``."""
    return Path(settings.JOB_FILES_DIR) / kind / str(job.pk)


def one_line(message: str, limit: int = 1000) -> str:
    line = " ".join(str(message).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def job_claim(job_id: int) -> Job | None:
    """Mark a queued job running in this worker; None if it is not queued any more."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(
        state=Job.State.RUNNING, worker=worker_name(), started_at=now, heartbeat_at=now
    )
    return Job.objects.get(pk=job_id) if claimed else None


class Progress:
    """``progress(done, total, phase)``: a job's progress, written at most every
    ``REPORT_SECONDS`` (and always when the phase changes or the work is complete)."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.last = 0.0
        self.phase = job.phase

    def __call__(self, done: int, total: int | None = None, phase: str | None = None) -> None:
        now = time.monotonic()
        changed = phase is not None and phase != self.phase
        complete = total is not None and done >= total
        if not (changed or complete or now - self.last >= REPORT_SECONDS):
            return
        self.last = now
        if phase is not None:
            self.phase = phase
        values: dict[str, Any] = {"done": done, "heartbeat_at": timezone.now(), "phase": self.phase}
        if total is not None:
            values["total"] = total
        Job.objects.filter(pk=self.job.pk).update(**values)
        self.job.done, self.job.total = done, values.get("total", self.job.total)


def job_finish(
    job: Job, *, result: dict | None = None, file: Path | None = None, name: str = ""
) -> None:
    """Record a job's result (and the file it wrote, kept ``JOB_FILES_HOURS``)."""
    now = timezone.now()
    values: dict = {"state": Job.State.DONE, "finished_at": now, "result": result, "phase": ""}
    if file is not None:
        values["result_file"] = str(file.relative_to(settings.JOB_FILES_DIR))
        values["result_name"] = name or file.name
        values["expires_at"] = now + timedelta(hours=settings.JOB_FILES_HOURS)
    if job.total is not None:
        values["done"] = job.total
    Job.objects.filter(pk=job.pk).update(**values)
    _remove_input(job)


def job_fail(job: Job, error: str) -> None:
    """Record a job's failure as one line; its result folder (a partial file) goes."""
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.FAILED, error=one_line(error), finished_at=timezone.now(), phase=""
    )
    shutil.rmtree(job_dir(job, "results"), ignore_errors=True)
    _remove_input(job)


def _remove_input(job: Job) -> None:
    shutil.rmtree(job_dir(job, "inputs"), ignore_errors=True)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed process its parent has not reaped yet is dead all the same
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in {"Z", "X"}


def worker_alive(job: Job, *, now=None) -> bool:
    """Whether the worker running ``job`` still runs it: a process of this machine is
    looked up; another machine's worker must have reported within ``JOB_LOST_SECONDS``."""
    host, _, pid = job.worker.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        return _process_alive(int(pid))
    now = now or timezone.now()
    heard = job.heartbeat_at or job.started_at
    return heard is not None and now - heard < timedelta(seconds=settings.JOB_LOST_SECONDS)


def jobs_mark_lost(jobs=None) -> int:
    """Mark failed the running jobs (of ``jobs``, default all) whose worker died."""
    running = (jobs if jobs is not None else Job.objects.all()).filter(state=Job.State.RUNNING)
    lost = [job for job in running if not worker_alive(job)]
    for job in lost:
        job_fail(job, LOST)
    return len(lost)


def jobs_cleanup(*, now=None) -> int:
    """Remove the files of jobs past their ``expires_at``; returns how many were removed."""
    now = now or timezone.now()
    expired = Job.objects.filter(expires_at__lte=now).exclude(result_file="")
    count = 0
    for job in expired:
        job_file_remove(job)
        count += 1
    return count


def job_file_remove(job: Job) -> None:
    shutil.rmtree(job_dir(job, "results"), ignore_errors=True)
    Job.objects.filter(pk=job.pk).update(result_file="")
    job.result_file = ""


def job_file(job: Job) -> Path | None:
    """The job's result file while it is kept (an expired one is removed on access)."""
    if not job.result_file:
        return None
    if job.expires_at is not None and job.expires_at <= timezone.now():
        job_file_remove(job)
        return None
    path = Path(settings.JOB_FILES_DIR) / job.result_file
    return path if path.is_file() else None
