"""Production mode: settings from the environment, deploy checks, security headers."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "annotate.example.org",
}


def test_check_deploy_is_clean_in_production_mode():
    result = manage("check", "--deploy", "--fail-level", "DEBUG", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_is_clean_on_postgresql_too():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "DEBUG",
        DATABASE_URL="postgres://annotator:secret@db.example.org:5432/annotator",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_mode_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION, "DJANGO_SECRET_KEY": ""}
    result = manage("check", **env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stderr


def test_debug_mode_without_a_secret_key_still_starts():
    result = manage("check", DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_pages_carry_csp_clickjacking_and_nosniff_headers(client):
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self' 'nonce-" in csp
    assert "style-src 'self';" in csp or csp.endswith("style-src 'self'")
    assert "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_pages_have_no_inline_scripts_or_styles(client):
    """Every <script> is external or carries the nonce; no style attributes or blocks."""
    response = client.get("/accounts/login/")
    html = response.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert "<style" not in html
    assert " style=" not in html
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or f'nonce="{nonce}"' in tag, tag


@pytest.mark.django_db
def test_the_sqlite_database_is_set_up_for_concurrent_writers():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite settings")
    options = connection.settings_dict["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5
    with connection.cursor() as cursor:
        assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


SYNCHRONOUS = (
    "from django.db import connection; cursor = connection.cursor(); "
    "print(cursor.execute('PRAGMA synchronous').fetchone()[0])"
)


@pytest.mark.parametrize(("value", "level"), [(None, "1"), ("NORMAL", "1"), ("full", "2")])
def test_sqlite_synchronous_is_normal_unless_set_to_full(tmp_path, value, level):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    if value is not None:
        env["SQLITE_SYNCHRONOUS"] = value
    result = manage("shell", "--no-imports", "-c", SYNCHRONOUS, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == level  # 1 is NORMAL, 2 is FULL


def test_an_unknown_sqlite_synchronous_refuses_to_start():
    result = manage("check", SQLITE_SYNCHRONOUS="OFF")
    assert result.returncode != 0
    assert "SQLITE_SYNCHRONOUS must be NORMAL or FULL, not 'OFF'." in result.stderr


@pytest.mark.parametrize(
    ("env", "backend"), [({"DJANGO_DEBUG": "1"}, "DummyCache"), (PRODUCTION, "LocMemCache")]
)
def test_template_fragments_are_kept_in_production_and_not_while_developing(env, backend):
    # In DEBUG (`make run`) a template being edited shows at once; in production the
    # document page's fixed parts are kept between requests.
    code = (
        "from django.core.cache import caches; print(type(caches['template_fragments']).__name__)"
    )
    result = manage("shell", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == backend
