"""What the server's master loads before it forks its workers (gunicorn's preload_app)."""

from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import gc, json, sys
import project.wsgi
from annotator.text import sentences
print(json.dumps({
    "frozen": gc.get_freeze_count(),
    "urls": "project.urls" in sys.modules,
    "api": "annotator.api.urls" in sys.modules,
    "helpers": sentences._helpers_allowed,
    "connections": [c.connection is not None for c in __import__("django.db").db.connections.all()],
}))
"""


def test_the_wsgi_module_loads_the_urls_freezes_them_and_splits_in_process():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "project.settings"}
    run = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["urls"] and seen["api"]
    assert seen["frozen"] > 10_000
    assert seen["helpers"] is False
    assert not any(seen["connections"]), "the master must not hold a database connection"


def test_gunicorn_preloads_the_app_and_closes_connections_before_forking(monkeypatch):
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert conf["preload_app"] is True
    closed = []
    monkeypatch.setattr("django.db.connections.close_all", lambda: closed.append(True))
    conf["pre_fork"](None, None)
    assert closed == [True]
