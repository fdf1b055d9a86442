"""The README's "Use the API" examples, run as written against a live server.

A server (``manage.py runserver``) and a background worker (``manage.py db_worker``) run
on a database of their own with the demo data, as after ``make run``; a token of the demo
manager comes from ``create_api_token``. The curl block runs in bash (its ``export`` line
is replaced by the real address and key), the Python block with this Python.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split("\n## Use the API\n", 1)[1].split("\n## ", 1)[0]


def block(language: str) -> str:
    (found,) = re.findall(rf"```{language}\n(.*?)```", section(), flags=re.S)
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    work = tmp_path_factory.mktemp("readme")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
        "JOB_FILES_DIR": str(work / "job-files"),
        "TASKS_BACKEND": "",
    }

    def manage(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    manage("migrate", "--noinput", "--verbosity", "0")
    manage("load_demo")
    token = manage("create_api_token", "manager", "--name", "README").strip()
    port = free_port()
    processes = [
        subprocess.Popen(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for args in (
            ["runserver", "--noreload", f"127.0.0.1:{port}"],
            ["db_worker", "--no-reload", "--interval", "0.2"],
        )
    ]
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("the server did not start")
                time.sleep(0.2)
        yield {"API": f"{base}/api/v1", "TOKEN": token, "env": env, "work": work}
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def run(live, command: list[str]) -> subprocess.CompletedProcess:
    env = {**live["env"], "API": live["API"], "TOKEN": live["TOKEN"]}
    return subprocess.run(
        command,
        cwd=live["work"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_curl_examples_run(live):
    (live["work"] / "articles.jsonl").write_text(
        "\n".join(
            json.dumps({"text": text, "title": title}, ensure_ascii=False)
            for title, text in (("Первый", "Текст из скрипта."), ("Второй", "Ещё один текст."))
        ),
        encoding="utf-8",
    )
    script = "\n".join(line for line in block("sh").splitlines() if not line.startswith("export "))

    result = run(live, ["bash", "-euo", "pipefail", "-c", script])

    assert result.returncode == 0, result.stderr
    outputs = [json.loads(part) for part in result.stdout.replace("}{", "}\n{").splitlines()]
    projects, todo, imported, annotations = outputs
    assert [p["slug"] for p in projects["results"]] == ["demo"]
    assert todo["count"] == 5
    assert imported["summary"] == "2 documents added, 0 skipped as duplicate, 0 rejected"
    assert set(annotations) == {"count", "next", "previous", "results"}


def test_the_python_example_runs(live):
    (live["work"] / "example.py").write_text(block("python"), encoding="utf-8")

    result = run(live, [sys.executable, "example.py"])

    assert result.returncode == 0, result.stderr
    quote, sentence = result.stdout.splitlines()
    assert quote.startswith("Путин")
    assert "alpha" in sentence
    exported = (live["work"] / "demo.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(exported) >= 5
    assert any('"from a script"' in line for line in exported)
