"""Make docs/screenshots/sources.png: the Sources page of the demo project, labelled (the
story comparison, sources-story.png, is made by tests/browser/test_story_comparison.py).

    .venv/bin/python docs/screenshots/make_sources.py

Builds a throwaway SQLite database (the demo project and accounts from ``load_demo``),
has analyst1 and analyst2 label every seed sentence with a simple keyword rule (analyst2
differs on every fourth sentence), lets the manager adjudicate one document, serves the
site on a free local port and photographs the pages with Debian's chromium.
"""

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "screenshots" / "sources.png"
CHROMIUM = next(p for p in ("/usr/lib/chromium/chromium", "/usr/bin/chromium") if Path(p).exists())

SPECULATION = re.compile(r"может|возможно|предполож|вероятно|якобы|видимо|скорее|похоже", re.I)
OPINION = re.compile(r"считает|мнени|важн|значим|уверен|полага|должн|необходим|!", re.I)
SHIFT = {"fact": "opinion", "opinion": "speculation", "speculation": "fact"}


def keyword_label(sentence: str) -> str:
    if SPECULATION.search(sentence):
        return "speculation"
    if OPINION.search(sentence):
        return "opinion"
    return "fact"


def label_demo() -> None:
    from django.contrib.auth import get_user_model

    from annotator.models import Label, Project
    from annotator.review.services import document_mark_reviewed, gold_accept_majority
    from annotator.workspace.annotations import annotation_create

    users = get_user_model().objects
    project = Project.objects.get(slug="demo")
    labels = {label.name: label for label in Label.objects.filter(project=project)}
    analysts = [users.get(username="analyst1"), users.get(username="analyst2")]
    documents = list(project.documents.order_by("id"))
    for document in documents:
        for sentence in document.sentences.order_by("index"):
            name = keyword_label(document.text[sentence.start : sentence.end])
            for analyst in analysts:
                chosen = name
                if analyst.username == "analyst2" and sentence.index % 4 == 3:
                    chosen = SHIFT[name]
                annotation_create(
                    project=project,
                    document=document,
                    annotator=analyst,
                    label=labels[chosen],
                    start=sentence.start,
                    end=sentence.end,
                )
    manager = users.get(username="manager")
    gold_accept_majority(project=project, document=documents[1], reviewer=manager, min_agree=2)
    document_mark_reviewed(project=project, document=documents[1], reviewer=manager)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int) -> None:
    for _ in range(100):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit("The server did not start.")


def main() -> None:
    workdir = tempfile.mkdtemp(prefix="sources-shot-")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir}/db.sqlite3",
        "DJANGO_DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "project.settings",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0)
    label_demo()

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(port)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--disable-gpu"])
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            base = f"http://127.0.0.1:{port}"
            page.goto(f"{base}/accounts/login/")
            page.get_by_label("Username").fill("manager")
            page.get_by_label("Password").fill("annotate")
            page.get_by_role("button", name="Log in").click()
            page.goto(f"{base}/sources/?project=demo")
            OUT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(OUT), full_page=True)
            browser.close()
    finally:
        server.terminate()
        server.wait()
    print(f"Wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
