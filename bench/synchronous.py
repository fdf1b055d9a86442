"""What SQLITE_SYNCHRONOUS=FULL costs a save: sequential saves with NORMAL, then FULL.

    python -m bench.synchronous                       # 2,000 saves per mode, 2 rounds
    python -m bench.synchronous --saves 500 --rounds 1 --folder /srv/annotator

Each run is a fresh process on a fresh SQLite file in ``--folder`` (default: bench/work/,
on the disk the database would live on; a tmpfs would hide the cost of fsync). The saves
go through the real endpoint with Django's test client (session, CSRF middleware,
checks, the save's transaction, the answer's fragments), one after the other, so each
one pays its own commit. Prints the milliseconds per save (median, p95) and the saves
per second of each mode; NORMAL and FULL take turns, to share the machine's noise.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS_PER_LINE = 10


def run(saves: int) -> dict:
    """In a process whose settings name the database and the mode: the saves' timings."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from tests.support import factories

    setup_test_environment()  # the test client's host name is allowed
    call_command("migrate", verbosity=0)
    words = [f"слово{i:04d}" for i in range(saves)]
    lines = [" ".join(words[i : i + WORDS_PER_LINE]) for i in range(0, saves, WORDS_PER_LINE)]
    project = factories.ProjectFactory(slug="sync")
    document = factories.DocumentFactory(text="\n".join(lines))
    factories.ProjectDocumentFactory(project=project, document=document)
    user = factories.MembershipFactory(project=project).user
    label = factories.project_label(project).pk
    client = Client()
    client.force_login(user)
    url = f"/p/sync/d/{document.pk}/annotations/"
    seconds = []
    for index, word in enumerate(words):
        start = document.text.index(word, index * len(word))
        began = time.perf_counter()
        response = client.post(
            url,
            {"label": label, "start": start, "end": start + len(word), "quote": word},
            headers={"HX-Request": "true"},
        )
        seconds.append(time.perf_counter() - began)
        assert response.status_code == 200, response.content[:300]
    with connection.cursor() as cursor:
        level = cursor.execute("PRAGMA synchronous").fetchone()[0]
    return {"synchronous": level, "seconds": seconds}


def measure(mode: str, saves: int, folder: Path) -> dict:
    database = folder / f"synchronous-{mode.lower()}.sqlite3"
    for path in folder.glob(f"{database.name}*"):
        path.unlink()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
        "DATABASE_URL": f"sqlite:///{database}",
        "SQLITE_SYNCHRONOUS": mode,
    }
    result = subprocess.run(
        [sys.executable, "-m", "bench.synchronous", "--child", "--saves", str(saves)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    for path in folder.glob(f"{database.name}*"):
        path.unlink()
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["synchronous"] == {"NORMAL": 1, "FULL": 2}[mode]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--folder", type=Path, default=ROOT / "bench" / "work")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run(args.saves)))
        return
    args.folder.mkdir(parents=True, exist_ok=True)
    seconds: dict[str, list[float]] = {"NORMAL": [], "FULL": []}
    for _ in range(args.rounds):
        for mode in seconds:
            seconds[mode] += measure(mode, args.saves, args.folder)["seconds"]
    print(f"{args.rounds} x {args.saves} sequential saves per mode, folder {args.folder}")
    for mode, values in seconds.items():
        ms = sorted(s * 1000 for s in values)
        p95 = statistics.quantiles(ms, n=100, method="inclusive")[94]
        print(
            f"{mode:6}  median {statistics.median(ms):6.2f} ms  p95 {p95:6.2f} ms  "
            f"{len(ms) / sum(values):6.1f} saves/s"
        )


if __name__ == "__main__":
    main()
