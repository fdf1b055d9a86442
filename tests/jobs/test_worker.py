"""The real queue: jobs wait in the database and ``manage.py db_worker`` runs them in a
process of its own, as ``make run`` and a deployment do. A worker killed in the middle of
a job leaves the job marked failed and nothing of its work written; a new worker runs
the jobs queued after it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.tasks import task_backends

from annotator.jobs.records import LOST, jobs_mark_lost
from annotator.jobs.services import job_start_import
from annotator.models import Document, Job, Sentence
from tests.support import factories

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = 4000


def database_url() -> str:
    """The test database, for a process of its own."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    host = quote(db["HOST"] or "", safe="")
    auth = f"{quote(db['USER'] or '')}:{quote(db['PASSWORD'] or '')}@"
    return f"postgres://{auth}{host}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def database_queue():
    """The database queue (settings.TASKS) instead of the tests' immediate one."""
    from django_tasks_db import DatabaseBackend

    task_backends["default"] = DatabaseBackend("default", settings.TASKS["default"])


def start_worker(*options: str) -> subprocess.Popen:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TASKS_"))},
        "DATABASE_URL": database_url(),
        "JOB_FILES_DIR": str(settings.JOB_FILES_DIR),
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"]
        + ["--interval", "0.05", *options],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def big_import() -> bytes:
    text = "Текст номер {}. Второе предложение о визите. Третье: «мнение» автора." + (
        " Ещё одно предложение." * 20
    )
    return "\n".join(
        json.dumps({"text": text.format(i), "source": "ТАСС"}, ensure_ascii=False)
        for i in range(DOCUMENTS)
    ).encode()


def wait_for(condition, process: subprocess.Popen, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if process.poll() is not None or Job.objects.filter(state=Job.State.FAILED).exists():
            pytest.fail(f"the worker stopped:\n{process.stdout.read().decode()}")
        time.sleep(0.01)
    process.kill()
    jobs = list(Job.objects.values("state", "phase", "done", "total", "error"))
    pytest.fail(f"timed out waiting for the worker: {jobs}\n{process.stdout.read().decode()}")


@pytest.mark.django_db(transaction=True)
def test_a_job_killed_with_its_worker_is_failed_and_a_new_worker_runs_the_next(database_queue):
    # Suggestions off: the import would otherwise queue a holders job per document, which
    # the batch worker below would run too (4,000 natasha runs, not this test's subject).
    project = factories.ProjectFactory(suggestions_enabled=False)
    user = factories.UserFactory()
    data = big_import()
    first = job_start_import(started_by=user, filename="big.jsonl", data=data, project=project)
    assert first.state == Job.State.QUEUED

    worker = start_worker()
    try:
        # Mid-job: reading done, sentences being split (the writing comes after).
        wait_for(
            lambda: Job.objects.filter(
                pk=first.pk, state=Job.State.RUNNING, phase="Splitting sentences"
            ).exists(),
            worker,
        )
        worker.send_signal(signal.SIGKILL)
    finally:
        worker.kill()
        worker.wait()

    first.refresh_from_db()
    assert first.state == Job.State.RUNNING  # as the dead worker left it
    assert first.worker.endswith(f":{worker.pid}")
    assert jobs_mark_lost() == 1
    first.refresh_from_db()
    assert (first.state, first.error) == (Job.State.FAILED, LOST)
    assert Document.objects.count() == 0 and Sentence.objects.count() == 0

    second = job_start_import(started_by=user, filename="big.jsonl", data=data, project=project)
    worker = start_worker("--batch")  # runs what is queued, then stops
    try:
        assert worker.wait(timeout=300) == 0, worker.stdout.read().decode()
    finally:
        worker.kill()

    second.refresh_from_db()
    first.refresh_from_db()
    assert second.state == Job.State.DONE, second.error
    assert (
        second.result["summary"]
        == f"{DOCUMENTS} documents added, 0 skipped as duplicate, 0 rejected"
    )
    assert first.state == Job.State.FAILED  # not run again
    assert Document.objects.count() == DOCUMENTS
    assert project.documents.count() == DOCUMENTS
