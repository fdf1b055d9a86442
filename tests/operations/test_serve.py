"""``make serve``: gunicorn in production mode, static files by whitenoise."""

import os
import runpy
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, **headers) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def server(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("make serve is tried once, on SQLite (it does not use the test database)")
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "GUNICORN_WORKERS": "1",
    }
    process = subprocess.Popen(
        ["make", "-o", ".venv/.installed", "serve", "HOST=127.0.0.1", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if fetch(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"make serve did not come up:\n{process.stdout.read().decode()}")
            time.sleep(0.2)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_make_serve_runs_gunicorn_with_whitenoise_in_production_mode(server):
    status, headers, body = fetch(f"{server}/healthz")
    assert (status, body) == (200, b'{"status": "ok", "database": "ok"}')
    assert "gunicorn" in headers["Server"]

    status, headers, body = fetch(f"{server}/static/annotator/app.css")
    assert status == 200
    assert b".topbar" in body
    assert headers["Content-Type"].startswith("text/css")

    status, headers, body = fetch(f"{server}/accounts/login/", **{"X-Forwarded-Proto": "https"})
    assert status == 200
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "/static/annotator/app." in body.decode()
    cookie = headers["Set-Cookie"]
    assert cookie.startswith("csrftoken=")
    assert "; HttpOnly" in cookie and "; Secure" in cookie

    status, _, body = fetch(f"{server}/no-such-page/")
    assert status == 404
    assert b"URLconf" not in body  # no debug page in production mode


def test_make_serve_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(
        ["make", "-o", ".venv/.installed", "serve"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "set DJANGO_SECRET_KEY first" in result.stderr


def test_gunicorn_conf_runs_a_threaded_worker_per_core_unless_told(monkeypatch):
    monkeypatch.delenv("GUNICORN_WORKERS", raising=False)
    monkeypatch.delenv("GUNICORN_THREADS", raising=False)
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert conf["worker_class"] == "gthread"
    assert conf["workers"] == max(2, os.cpu_count() or 1)
    assert conf["threads"] == 2
    monkeypatch.setenv("GUNICORN_WORKERS", "5")
    monkeypatch.setenv("GUNICORN_THREADS", "3")
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert (conf["workers"], conf["threads"]) == (5, 3)


def test_gunicorn_conf_has_no_control_socket_shared_by_instances(monkeypatch, tmp_path):
    monkeypatch.delenv("GUNICORN_CONTROL_SOCKET", raising=False)
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert conf["control_socket_disable"] is True
    monkeypatch.setenv("GUNICORN_CONTROL_SOCKET", str(tmp_path / "one.ctl"))
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert (conf["control_socket_disable"], conf["control_socket"]) == (
        False,
        str(tmp_path / "one.ctl"),
    )
