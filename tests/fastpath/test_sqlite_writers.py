"""SQLite write transactions wait in a queue (annotator/sqlite3/base.py), not in SQLite's sleeps."""

import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, transaction

from annotator.models import Source

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the queue is SQLite's"),
]


def lock_path() -> Path:
    return Path(f"{connection.settings_dict['NAME']}-writers.lock")


def test_the_database_uses_the_queued_backend_and_its_lock_file():
    from django.db import connections

    assert type(connections["default"]).__module__ == "annotator.fastpath.sqlite3.base"
    with transaction.atomic():
        Source.objects.create(name="Очередь")
        assert connection.writers.held
    assert not connection.writers.held
    assert lock_path().exists()


def test_a_second_writer_waits_for_the_first_to_commit():
    inside, release = threading.Event(), threading.Event()
    order: list[str] = []
    errors: list[BaseException] = []

    def first():
        try:
            with transaction.atomic():
                Source.objects.create(name="Первый")
                order.append("first began")
                inside.set()
                release.wait(5)
                order.append("first commits")
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connection.close()

    def second():
        try:
            inside.wait(5)
            with transaction.atomic():
                order.append("second began")
                Source.objects.create(name="Второй")
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    inside.wait(5)
    time.sleep(0.2)  # the second writer is waiting by now
    assert order == ["first began"]
    release.set()
    for thread in threads:
        thread.join(10)
    assert errors == []
    assert order == ["first began", "first commits", "second began"]
    assert Source.objects.filter(name__in=["Первый", "Второй"]).count() == 2


def test_a_rolled_back_or_closed_transaction_leaves_the_queue():
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        Source.objects.create(name="Откат")
        raise ZeroDivisionError
    assert not connection.writers.held
    done = []
    thread = threading.Thread(target=lambda: (Source.objects.create(name="После"), done.append(1)))
    thread.start()
    thread.join(5)
    assert done == [1]

    with transaction.atomic():  # a connection closed mid-transaction, as on an error
        Source.objects.create(name="Закрыто")
        queue = connection.writers
        assert queue.held
        connection.close()
        assert not queue.held
    assert not Source.objects.filter(name="Закрыто").exists()


HOLD_LOCK = textwrap.dedent(
    """
    import fcntl, sys, time
    with open(sys.argv[1], "a+b") as file:
        fcntl.flock(file, fcntl.LOCK_EX)
        print("held", flush=True)
        time.sleep(float(sys.argv[2]))
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="flock is POSIX")
def test_another_process_holding_the_queue_is_waited_for_then_the_busy_timeout_applies():
    with transaction.atomic():
        Source.objects.create(name="Файл")  # makes the lock file
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(lock_path()), "0.5"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    began = time.monotonic()
    with transaction.atomic():
        Source.objects.create(name="Ждал")
    waited = time.monotonic() - began
    holder.wait(5)
    assert waited >= 0.3

    # Held for longer than the busy timeout: the writer stops waiting for the queue and
    # goes on (SQLite's own lock is free, so the write succeeds).
    connection.writers.timeout = 0.3
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(lock_path()), "3"], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "held"
    began = time.monotonic()
    with transaction.atomic():
        Source.objects.create(name="Не ждал")
    assert 0.25 <= time.monotonic() - began < 2
    holder.kill()
    holder.wait()
    assert Source.objects.filter(name__in=["Ждал", "Не ждал"]).count() == 2


def test_a_checkpoint_thread_copies_the_log_into_the_database_file(tmp_path):
    from annotator.fastpath.sqlite3.base import Checkpointer

    database = tmp_path / "checkpointed.sqlite3"
    writer = sqlite3.connect(database, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")  # only the thread copies pages back
    writer.execute("CREATE TABLE passage (text TEXT)")
    size_before = database.stat().st_size
    writer.executemany("INSERT INTO passage VALUES (?)", [("«тихая дипломатия» " * 50,)] * 400)
    assert database.stat().st_size == size_before  # the rows are only in the log so far

    def checkpoint_threads() -> int:
        return sum(t.name == "sqlite-checkpoint" for t in threading.enumerate())

    before = checkpoint_threads()
    Checkpointer.ensure(str(database), 0.05)
    Checkpointer.ensure(str(database), 0.05)
    assert checkpoint_threads() == before + 1  # one thread per database file
    deadline = time.monotonic() + 5
    while database.stat().st_size == size_before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert database.stat().st_size > size_before + 300 * 1000
    writer.close()


def test_server_connections_check_point_in_the_background_not_in_commits():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone()[0] == 10000
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    from annotator.fastpath.sqlite3.base import Checkpointer

    running = Checkpointer._running[os.path.realpath(connection.settings_dict["NAME"])]
    assert running.thread.is_alive() and running.seconds == 1


# The child only writes to a pipe and leaves: no lock of another thread is needed.
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded")
def test_a_forked_process_starts_its_own_checkpointer():
    """A worker forked from a master that had a checkpoint thread does not count on it."""
    from annotator.fastpath.sqlite3.base import Checkpointer

    Checkpointer._running["/nowhere/else.sqlite3"] = Checkpointer("/nowhere/else.sqlite3", 60)
    try:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: reports what it sees, then leaves at once
            os.write(write, str(len(Checkpointer._running)).encode())
            os._exit(0)
        os.close(write)
        os.waitpid(pid, 0)
        assert os.read(read, 20) == b"0"
        assert "/nowhere/else.sqlite3" in Checkpointer._running
    finally:
        Checkpointer._running.pop("/nowhere/else.sqlite3", None)


def test_each_connection_has_the_page_cache_the_settings_give(settings):
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        assert cursor.fetchone()[0] == -settings.SQLITE_CACHE_KB == -4000
