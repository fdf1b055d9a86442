"""Many calls of one task queued at once.

An import of a thousand documents queues a thousand per-document jobs (one per document,
so that several workers share them). ``task.enqueue`` writes one row each, and those
thousand INSERTs took longer than the import's own writing (1.3 s of 2.4 s in
``api_import_docs``). On the database backend ``enqueue_many`` writes the same rows, the
ones its ``enqueue`` would write, in one ``bulk_create``; any other backend gets its
``enqueue`` called for each.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.tasks import Task
from django.tasks.signals import task_enqueued
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import normalize_json

# Rows of one INSERT (SQLite's bound-parameter limit stays far away).
BATCH = 500


def enqueue_many(task: Task, calls: Iterable[Sequence[Any]]) -> int:
    """Queue ``task(*args)`` for every ``args`` of ``calls``; returns how many."""
    calls = [tuple(args) for args in calls]
    backend = task.get_backend()
    if not isinstance(backend, DatabaseBackend):
        for args in calls:
            task.enqueue(*args)
        return len(calls)
    from django_tasks_db.models import DBTaskResult, get_date_max

    backend.validate_task(task)
    rows = DBTaskResult.objects.bulk_create(
        [
            DBTaskResult(
                id=backend._get_id(),
                args_kwargs=normalize_json({"args": list(args), "kwargs": {}}),
                priority=task.priority,
                task_path=task.module_path,
                queue_name=task.queue_name,
                # what the backend's pre_save handler (which bulk_create skips) sets
                run_after=task.run_after or get_date_max(),
                backend_name=backend.alias,
            )
            for args in calls
        ],
        batch_size=BATCH,
    )
    for row in rows:
        task_enqueued.send(type(backend), task_result=row.task_result)
    return len(rows)
