"""``enqueue_many`` writes the rows the database backend's own ``enqueue`` writes."""

from __future__ import annotations

import pytest
from django.tasks.signals import task_enqueued
from django_tasks_db.models import DBTaskResult

from annotator.queue import enqueue_many
from annotator.suggestions.tasks import suggest_holders_document

pytestmark = pytest.mark.django_db

COMPARED = ("status", "priority", "task_path", "queue_name", "run_after", "backend_name")


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_rows_are_those_enqueue_writes_and_ready_for_a_worker(database_queue):
    one = suggest_holders_document.enqueue(7, 1).db_result
    assert enqueue_many(suggest_holders_document, [(7, 2), (7, 3)]) == 2
    rows = list(DBTaskResult.objects.exclude(pk=one.pk).order_by("args_kwargs"))
    assert [row.args_kwargs for row in rows] == [
        {"args": [7, 2], "kwargs": {}},
        {"args": [7, 3], "kwargs": {}},
    ]
    assert one.args_kwargs == {"args": [7, 1], "kwargs": {}}
    for row in rows:
        assert [getattr(row, f) for f in COMPARED] == [getattr(one, f) for f in COMPARED]
        assert row.pk != one.pk and row.enqueued_at is not None
    assert DBTaskResult.objects.ready().count() == 3
    # What the worker runs: the task and its arguments, read back from the row.
    result = rows[0].task_result
    assert result.task.name == suggest_holders_document.name and result.args == [7, 2]


def test_one_insert_for_many_calls_and_the_signal_for_each(
    database_queue, django_assert_num_queries
):
    seen = []

    def receiver(sender, task_result, **kwargs):
        seen.append(task_result.args)

    task_enqueued.connect(receiver)
    try:
        with django_assert_num_queries(1):
            assert enqueue_many(suggest_holders_document, [(1, n) for n in range(300)]) == 300
    finally:
        task_enqueued.disconnect(receiver)
    assert len(seen) == 300 and seen[0] == [1, 0]
    assert DBTaskResult.objects.count() == 300


def test_other_backends_get_their_own_enqueue(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    assert enqueue_many(suggest_holders_document, [(1, 2), (1, 3)]) == 2
    results = suggest_holders_document.get_backend().results
    assert [job.args for job in results] == [[1, 2], [1, 3]]
    assert not DBTaskResult.objects.exists()
