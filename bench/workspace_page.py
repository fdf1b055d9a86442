"""Time the document page and the save endpoint on a large document, in-process.

    .venv/bin/python bench/workspace_page.py [--chars 200000] [--annotations 5000] [-n 20]

Builds a scratch SQLite database in a temporary folder (never the project's), a document
of --chars characters made from the seed texts with --annotations annotations, then
requests the page (and posts saves) through Django's test client with a logged-in
session, and prints the median and 95th percentile of wall and CPU time. The HTTP
server is not involved: these are the view's own times (middleware, queries, rendering).

PROFILE=page or PROFILE=save prints a cProfile report instead (SORT=tottime, LINES=80).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=200_000)
    parser.add_argument("--annotations", type=int, default=5000)
    parser.add_argument("-n", type=int, default=20, help="page requests to time")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="workspace-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    settings.ALLOWED_HOSTS = ["testserver"]
    setup_test_environment()
    call_command("migrate", verbosity=0)

    from django.contrib.auth import get_user_model

    from annotator.models import Annotation, Document, Label, Membership, Project, Source

    seeds = [
        path.read_text(encoding="utf-8").replace("\r\n", "\n")
        for path in sorted((ROOT / "seeds").glob("*.txt"))
    ]
    text = ""
    while len(text) < args.chars:
        text += "\n\n".join(seeds) + "\n\n"
    text = text[: args.chars]
    user = get_user_model().objects.create_user("bench", password="bench")
    project = Project.objects.create(name="Bench", slug="bench")
    Membership.objects.create(project=project, user=user)
    source = Source.objects.create(name="Bench source")
    began = time.perf_counter()
    document = Document.objects.create(source=source, title="Large", text=text)
    split = time.perf_counter() - began
    print(f"document: {len(text):,} characters, sentences split in {split:.2f}s")
    project.documents.add(document)
    labels = list(Label.objects.filter(project=project))
    rng = random.Random(1)
    spans = set()
    while len(spans) < args.annotations:
        start = rng.randrange(len(text) - 400)
        spans.add((start, start + rng.randrange(3, 400), rng.randrange(len(labels))))
    Annotation.objects.bulk_create(
        Annotation(
            project=project,
            document=document,
            annotator=user,
            label=labels[label],
            start=start,
            end=end,
            quote=text[start:end],
        )
        for start, end, label in spans
    )

    client = Client()
    client.force_login(user)
    url = reverse("document", args=[project.slug, document.pk])
    client.get(url)  # warm up
    if os.environ.get("PROFILE"):
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        if os.environ["PROFILE"] == "page":
            client.get(url)
        else:
            save = reverse("annotation_create", args=[project.slug, document.pk])
            for start in range(0, len(text) - 40, len(text) // 30):
                start = text.rfind(" ", 0, start) + 1
                data = {"label": labels[0].pk, "start": start, "end": start + 20}
                client.post(save, {**data, "quote": text[start : start + 20]})
        profiler.disable()
        stats = pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "cumulative"))
        stats.print_stats(int(os.environ.get("LINES", "35")))
        return
    times, cpu = [], []
    for _ in range(args.n):
        began, began_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
        assert response.status_code == 200
    size = len(response.content)
    print(
        f"document page, {args.annotations:,} annotations: p50 {statistics.median(times):.0f} ms,"
        f" p95 {percentile(times, 0.95):.0f} ms over {args.n} requests ({size / 1e6:.1f} MB HTML);"
        f" CPU p50 {statistics.median(cpu):.0f} ms"
    )

    css = reverse("label_css", args=[project.slug])
    cpu = []
    for _ in range(50):
        began_cpu = time.process_time()
        client.get(css)
        cpu.append((time.process_time() - began_cpu) * 1000)
    print(f"for scale, the label stylesheet (4 queries): CPU p50 {statistics.median(cpu):.1f} ms")

    save = reverse("annotation_create", args=[project.slug, document.pk])
    times, cpu = [], []
    offsets = [m for m in range(0, len(text) - 40, 997) if text[m : m + 1].isalpha()]
    for start in offsets[: max(args.n * 5, 50)]:
        start = text.rfind(" ", 0, start) + 1  # a word start, so nothing needs snapping
        end = start + 30
        data = {"label": labels[0].pk, "start": start, "end": end, "quote": text[start:end]}
        began, began_cpu = time.perf_counter(), time.process_time()
        response = client.post(save, data)
        times.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
        assert response.status_code == 200, response.content
    print(
        f"save on that document: p50 {statistics.median(times):.1f} ms,"
        f" p95 {percentile(times, 0.95):.1f} ms over {len(times)} saves;"
        f" CPU p50 {statistics.median(cpu):.1f} ms"
    )


if __name__ == "__main__":
    main()
