"""Export benchmark: a synthetic project exported as jsonl, timed, with peak memory.

    python bench/export_bench.py [--documents 50000] [--annotations 1000000] [--format jsonl]

The project is built once in a scratch SQLite database under bench/work/ (set
DATABASE_URL to use another database) from the seed texts, then exported with
``export_to_path`` in a fresh process whose peak resident memory is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"
SLUG = "export-bench"


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    import django

    django.setup()


def populate(documents: int, annotations: int) -> None:
    """Build the synthetic project with bulk inserts (sentences included)."""
    setup_django()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from annotator.models import (
        Annotation,
        Document,
        Label,
        Project,
        ProjectDocument,
        Sentence,
        Source,
        sentence_spans,
        text_sha256,
    )

    call_command("migrate", verbosity=0)
    if Project.objects.filter(slug=SLUG).exists():
        project = Project.objects.get(slug=SLUG)
        if Annotation.objects.filter(project=project).count() == annotations and (
            project.documents.count() == documents
        ):
            return
        raise SystemExit(f"{SLUG} exists with other sizes: remove {WORK} first.")
    rng = random.Random(8)
    seeds = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    # Every text is a seed plus a one-sentence line: split each seed once.
    seed_sentences = [list(sentence_spans(seed)) for seed in seeds]
    now = timezone.now()
    with transaction.atomic():
        project = Project.objects.create(name="Export benchmark", slug=SLUG)
        labels = list(Label.objects.filter(project=project))
        users = get_user_model().objects.bulk_create(
            [get_user_model()(username=f"bench{i}") for i in range(20)]
        )
        sources = Source.objects.bulk_create([Source(name=f"Bench source {i}") for i in range(10)])
        per_document = annotations // documents
        for first in range(0, documents, 1000):
            batch = []
            for i in range(first, min(first + 1000, documents)):
                text = f"{seeds[i % len(seeds)]}\nДокумент 😀 {i}."
                batch.append(
                    Document(
                        source=sources[i % len(sources)],
                        title=f"Документ {i}",
                        text=text,
                        text_sha256=text_sha256(text),
                    )
                )
            batch = Document.objects.bulk_create(batch)
            ProjectDocument.objects.bulk_create(
                [ProjectDocument(project=project, document=d) for d in batch]
            )
            sentences = []
            for i, document in enumerate(batch, first):
                seed = seeds[i % len(seeds)]
                spans = [*seed_sentences[i % len(seeds)], (len(seed) + 1, len(document.text))]
                sentences += [
                    Sentence(document=document, index=n, start=start, end=end)
                    for n, (start, end) in enumerate(spans)
                ]
            Sentence.objects.bulk_create(sentences, batch_size=5000)
            spans = []
            for document in batch:
                length = len(document.text)
                for n in range(per_document):
                    start = rng.randrange(0, length - 200)
                    end = start + rng.randrange(5, 200)
                    spans.append(
                        Annotation(
                            project=project,
                            document=document,
                            annotator=users[n % len(users)],
                            label=labels[n % len(labels)],
                            start=start,
                            end=end,
                            quote=document.text[start:end],
                            created_at=now,
                            updated_at=now,
                        )
                    )
            Annotation.objects.bulk_create(spans, batch_size=5000)
            print(f"  {first + len(batch)} documents", file=sys.stderr, flush=True)


def run(fmt: str, out: Path) -> dict:
    setup_django()
    from annotator.datasets.export.files import export_to_path
    from annotator.datasets.export.plan import ExportFilters
    from annotator.models import Project

    project = Project.objects.get(slug=SLUG)
    started = time.perf_counter()
    export_to_path(project=project, fmt=fmt, path=out, filters=ExportFilters(), progress=True)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"format": fmt, "seconds": round(seconds, 1), "peak_rss_mb": round(peak_mb)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=50_000)
    parser.add_argument("--annotations", type=int, default=1_000_000)
    parser.add_argument("--format", default="jsonl", dest="fmt")
    parser.add_argument("--step", choices=["populate", "run"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    database = WORK / f"export-{args.documents}-{args.annotations}.sqlite3"
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{database}")
    if args.step == "populate":
        populate(args.documents, args.annotations)
        return
    out = WORK / f"export.{args.fmt}"
    if args.step == "run":
        print(json.dumps(run(args.fmt, out)))
        return
    command = [sys.executable, __file__, *sys.argv[1:]]
    started = time.perf_counter()
    subprocess.run([*command, "--step", "populate"], check=True)
    print(f"data ready in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    result = subprocess.run(
        [*command, "--step", "run"], check=True, stdout=subprocess.PIPE, text=True
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    figures |= {"documents": args.documents, "annotations": args.annotations}
    figures["output_mb"] = round(out.stat().st_size / 2**20)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
