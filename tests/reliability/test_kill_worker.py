"""A gunicorn worker killed with SIGKILL while analysts save loses no acknowledged save.

gunicorn serves a file SQLite database on 127.0.0.1; six signed-in clients (a session
cookie each, and the CSRF token the document page sets, as browsers have) save
annotations through the real endpoint, each with a note that names the save. Mid-run a
worker is killed with SIGKILL, then another one; gunicorn starts new ones and the
clients go on. Afterwards every save that was answered 200 is in the database exactly
once (with exactly one "create" in the audit trail), and no other save is there more
than once. A save whose answer was lost with its worker may or may not be stored: it
was never acknowledged.

Bounded: at most SAVES_PER_CLIENT saves per client, and MAX_SECONDS of saving (usually
five: the kills at 1.5 and 3 s, then AFTER_SECONDS more once new workers serve).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import sqlite3
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest
from django.db import connection

from bench.client import Session
from bench.run import free_port
from tests.operations.test_settings import manage

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = 6
SAVES_PER_CLIENT = 400
KILLS_AT = (1.5, 3.0)  # seconds into the run
AFTER_SECONDS = 2.0  # of saving once gunicorn has replaced the killed workers
MAX_SECONDS = 25.0  # of saving, at the most
WORDS = 600

# The database: the test database's tables (migrated already), then this test's data.
SETUP = f"""
import json
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from annotator.models import Membership
from tests.support import factories

project = factories.ProjectFactory(slug="crash")
words = " ".join(f"слово{{i:03d}}" for i in range({WORDS}))
out = {{"label": factories.project_label(project).pk, "clients": []}}
for n in range({CLIENTS}):
    user = get_user_model().objects.create(username=f"writer{{n}}")  # no password to hash
    factories.MembershipFactory(project=project, user=user, role=Membership.Role.ANNOTATOR)
    document = factories.DocumentFactory(text=f"{{words}} конец{{n}}")
    factories.ProjectDocumentFactory(project=project, document=document)
    client = Client()
    client.force_login(user)  # a session as a login makes one, without hashing a password
    out["clients"].append([client.cookies[settings.SESSION_COOKIE_NAME].value, document.pk])
print(json.dumps(out))
"""


def word_span(index: int) -> tuple[int, int, str]:
    start = index * 9  # "словоNNN" and a space
    return start, start + 8, f"слово{index:03d}"


@dataclass
class Outcomes:
    acknowledged: list[str] = field(default_factory=list)  # 200
    lost: list[str] = field(default_factory=list)  # no answer: the worker died
    other: list[str] = field(default_factory=list)  # any other status
    stop: float = 0.0  # when the clients stop saving
    last: float = 0.0  # when the last save was acknowledged
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, token: str) -> None:
        with self.lock:
            getattr(self, kind).append(token)


@pytest.fixture
def server(tmp_path, db):
    if connection.vendor != "sqlite":
        pytest.skip("run once, on SQLite: gunicorn serves its own database file")
    database = tmp_path / "db.sqlite3"
    with (
        sqlite3.connect(connection.settings_dict["NAME"]) as tests,
        sqlite3.connect(database) as copy,
    ):
        tests.backup(copy)  # what is committed: the migrated tables, no test's rows
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_DEBUG": "1",
        "DATA_DIR": str(tmp_path),
        "HOME": str(tmp_path / "home"),  # where gunicorn would put a shared control socket
        "GUNICORN_WORKERS": "2",
        "GUNICORN_THREADS": "2",
    }
    env.pop("XDG_RUNTIME_DIR", None)
    env.pop("GUNICORN_CONTROL_SOCKET", None)
    setup = manage("shell", "--no-imports", "-c", SETUP, DATABASE_URL=env["DATABASE_URL"])
    assert setup.returncode == 0, setup.stderr
    world = json.loads(setup.stdout.strip().splitlines()[-1])
    port = free_port()
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as stderr:  # the child keeps its own copy of the file
        process = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "project.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--graceful-timeout",
                "5",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 20
        while len(workers(process.pid)) < 2 or not healthy(port):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not come up:\n{log.read_text()}")
            time.sleep(0.1)
        yield port, process.pid, database, world
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
    assert not (tmp_path / "home" / ".gunicorn").exists(), "a control socket shared per user"


def workers(master: int) -> list[int]:
    try:
        return [child.pid for child in psutil.Process(master).children()]
    except psutil.NoSuchProcess:
        return []


def healthy(port: int) -> bool:
    try:
        return Session("127.0.0.1", port, timeout=2).get("/healthz")[0] == 200
    except OSError:
        return False


def run_client(session: Session, document: int, label: int, out: Outcomes):
    username = session.username
    url = f"/p/crash/d/{document}/annotations/"
    for index in range(SAVES_PER_CLIENT):
        if time.monotonic() > out.stop:
            return
        start, end, quote = word_span(index % WORDS)
        token = f"{username}-{index}"
        body = {"label": label, "start": start, "end": end, "quote": quote, "note": token}
        try:
            status, _ = session.post(url, body, headers={"HX-Request": "true"}, retry=False)
        except (OSError, http.client.HTTPException):
            out.add("lost", token)  # the next save goes out on a new connection
            continue
        out.add("acknowledged" if status == 200 else "other", token)
        if status == 200:
            out.last = time.monotonic()


def oldest_worker(master: int) -> int:
    """The worker that has served longest: busy with saves, not still starting."""
    return min(workers(master), key=lambda pid: psutil.Process(pid).create_time())


def test_a_killed_worker_loses_no_acknowledged_save(server):
    port, master, database, world = server
    sessions = []
    for n, (key, document) in enumerate(world["clients"]):
        session = Session("127.0.0.1", port, timeout=10)
        session.cookies["sessionid"] = key
        session.username = f"writer{n}"
        status, _ = session.get(f"/p/crash/d/{document}/")  # sets the CSRF cookie
        assert status == 200 and session.cookies.get("csrftoken")
        sessions.append((session, document))
    began = time.monotonic()
    out = Outcomes(stop=began + MAX_SECONDS)
    threads = [
        threading.Thread(target=run_client, args=(session, document, world["label"], out))
        for session, document in sessions
    ]
    for thread in threads:
        thread.start()
    killed = []
    for moment in KILLS_AT:
        time.sleep(max(0.0, began + moment - time.monotonic()))
        killed.append(oldest_worker(master))
        os.kill(killed[-1], signal.SIGKILL)
    # gunicorn starts new workers; the clients go on for AFTER_SECONDS once they serve.
    deadline = time.monotonic() + 20
    while len(workers(master)) < 2 or not healthy(port):
        assert time.monotonic() < deadline, "gunicorn did not replace the killed workers"
        time.sleep(0.1)
    restarted = time.monotonic()
    out.stop = min(out.stop, restarted + AFTER_SECONDS)
    for thread in threads:
        thread.join(timeout=MAX_SECONDS)
    assert not any(thread.is_alive() for thread in threads)

    assert not set(killed) & set(workers(master))
    with contextlib.closing(sqlite3.connect(database)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        stored = dict(
            db.execute("SELECT note, count(*) FROM annotator_annotation GROUP BY note").fetchall()
        )
        creates = db.execute(
            "SELECT count(*), count(DISTINCT annotation_id) FROM annotator_annotationevent"
            " WHERE action = 'create'"
        ).fetchone()
    missing = [token for token in out.acknowledged if stored.get(token) != 1]
    assert missing == [], f"acknowledged saves not stored exactly once: {missing[:10]}"
    assert max(stored.values()) == 1
    assert set(stored) <= set(out.acknowledged) | set(out.lost)
    assert creates == (len(stored), len(stored))  # one "create" per stored annotation
    assert out.other == []
    assert len(out.acknowledged) >= 50
    assert out.last > restarted, "saves went on after the kills"
    print(
        f"{len(out.acknowledged)} saves acknowledged, {len(out.lost)} lost with their worker"
        f" ({sum(t in stored for t in out.lost)} of those stored); workers killed: {killed}"
    )
