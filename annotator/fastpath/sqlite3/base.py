"""Django's SQLite backend with a queue in front of SQLite's write lock.

SQLite lets one writer in at a time. A writer that finds the lock taken retries on
SQLite's schedule, sleeping 1, 2, 5, 10, 15, 20, 25... ms between tries, so with a few
analysts saving at once a save that waited once or twice took 20-60 ms although the
writer ahead of it finished within a millisecond. Here each write transaction first
takes this machine's writer lock for the database file: a lock held by a thread of the
same process (a ``threading.Lock``, handed over as soon as it is released), then an
``flock`` on a file beside the database shared with the other server processes. Then
``BEGIN IMMEDIATE`` finds SQLite's lock free.

The queue only orders writers; SQLite's own locking still guarantees correctness. A
writer that cannot get the queue within the busy timeout (say a long import holds it)
goes on to ``BEGIN`` and SQLite's busy timeout applies as before; a process that does not
use this backend (the ``sqlite3`` shell) is simply not queued.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import sqlite3
import sys
import threading
import time
from typing import BinaryIO

from django.db.backends.sqlite3 import base

if sys.platform == "win32":  # not POSIX: the threads of one process are still queued
    fcntl = None
else:
    import fcntl

_process_locks: dict[str, threading.Lock] = {}
_process_locks_guard = threading.Lock()


def _process_lock(path: str) -> threading.Lock:
    with _process_locks_guard:
        return _process_locks.setdefault(path, threading.Lock())


class WriterQueue:
    """One connection's place in the queue of writers to one database file."""

    # Between tries of the cross-process lock: a writer holds it for well under a
    # millisecond, so the first tries come quickly; after 50 ms, every 2 ms.
    POLL_SECONDS, QUICK_POLLS, SLOW_POLL_SECONDS = 0.0001, 500, 0.002

    def __init__(self, database: str, timeout: float) -> None:
        self.path = f"{database}-writers.lock"
        self.timeout = timeout
        self.thread_lock = _process_lock(os.path.realpath(database))
        self.file: BinaryIO | None = None
        self.held = False

    def acquire(self) -> None:
        deadline = time.monotonic() + self.timeout
        if not self.thread_lock.acquire(timeout=self.timeout):
            return
        self.held = True
        if fcntl is None:
            return
        if self.file is None:
            self.file = open(self.path, "a+b")  # noqa: SIM115 (kept open with the connection)
        for attempt in itertools.count():
            try:
                fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return  # SQLite's busy timeout takes over
                time.sleep(
                    self.POLL_SECONDS if attempt < self.QUICK_POLLS else self.SLOW_POLL_SECONDS
                )

    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        if self.file is not None:
            fcntl.flock(self.file, fcntl.LOCK_UN)
        self.thread_lock.release()

    def close(self) -> None:
        self.release()
        if self.file is not None:
            self.file.close()
            self.file = None


class Checkpointer:
    """Copies the write-ahead log back into the database file every few seconds, in a
    thread of its own (one per process and database file).

    SQLite otherwise does it inside the COMMIT that takes the log past
    ``wal_autocheckpoint`` pages: with a save writing about 15 pages, one save in 60 paid
    for copying 4 MB and an fsync while every other writer waited for it. A PASSIVE
    checkpoint waits for nobody; a connection's own automatic checkpoint remains as a
    backstop (at the larger ``wal_autocheckpoint`` the settings give).
    """

    _running: dict[str, Checkpointer] = {}
    _guard = threading.Lock()

    def __init__(self, database: str, seconds: float) -> None:
        self.database, self.seconds = database, seconds
        self.thread = threading.Thread(target=self.run, name="sqlite-checkpoint", daemon=True)

    @classmethod
    def ensure(cls, database: str, seconds: float) -> None:
        key = os.path.realpath(database)
        with cls._guard:
            if key not in cls._running:
                cls._running[key] = checkpointer = cls(database, seconds)
                checkpointer.thread.start()

    @classmethod
    def after_fork(cls) -> None:
        """A forked process has none of its parent's threads: its first connection to a
        file starts that file's checkpointer again."""
        cls._running, cls._guard = {}, threading.Lock()

    def run(self) -> None:
        connection = sqlite3.connect(self.database, timeout=0, isolation_level=None)
        try:
            while True:
                time.sleep(self.seconds)
                # Busy or gone: the next round does it, or the writers' own checkpoint.
                with contextlib.suppress(sqlite3.Error):
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            connection.close()


os.register_at_fork(after_in_child=Checkpointer.after_fork)


# The super() calls below reach BaseDatabaseWrapper's private transaction hooks, which
# django-stubs does not declare: hence their narrow ``type: ignore[misc]``.
class DatabaseWrapper(base.DatabaseWrapper):
    writers: WriterQueue | None = None

    def get_connection_params(self):
        params = super().get_connection_params()
        self.checkpoint_seconds = params.pop("checkpoint_seconds", 0)
        return params

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        if not self.is_in_memory_db():
            database = str(conn_params["database"])
            self.writers = WriterQueue(database, conn_params.get("timeout", 5))
            if self.checkpoint_seconds:
                Checkpointer.ensure(database, self.checkpoint_seconds)
        return connection

    def _start_transaction_under_autocommit(self) -> None:
        if self.writers is None:
            return super()._start_transaction_under_autocommit()  # type: ignore[misc]
        self.writers.acquire()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self.writers.release()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]
        finally:
            # A failed COMMIT leaves the transaction open: its ROLLBACK leaves the queue.
            if not (self.connection is not None and self.connection.in_transaction):
                self._leave_queue()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]
        finally:
            self._leave_queue()

    def _leave_queue(self) -> None:
        if self.writers is not None:
            self.writers.release()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]
        finally:
            if self.writers is not None:
                self.writers.close()
                self.writers = None
