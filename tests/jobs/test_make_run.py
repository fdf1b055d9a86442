"""``make run``: the development server with one background worker beside it, stopped
with the server."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(process: subprocess.Popen, word: str) -> list[psutil.Process]:
    found = []
    for child in psutil.Process(process.pid).children(recursive=True):
        try:
            if word in child.cmdline():
                found.append(child)
        except psutil.Error:
            pass
    return found


def test_make_run_starts_a_worker_and_stops_it_with_the_server(tmp_path):
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "JOB_FILES_DIR": str(tmp_path / "job-files"),
    }
    process = subprocess.Popen(
        ["make", "-o", ".venv/.installed", "run", "HOST=127.0.0.1", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"make run did not come up:\n{process.stdout.read().decode()}")
                time.sleep(0.3)
        (worker,) = children(process, "db_worker")
        servers = children(process, "runserver")
        assert servers

        for server in servers:  # the server stops (as it does on Ctrl+C)...
            server.send_signal(signal.SIGINT)
        process.wait(timeout=60)

        worker.wait(timeout=10)  # ...and the worker with it
        assert not worker.is_running()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
