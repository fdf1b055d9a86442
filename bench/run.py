"""The benchmark: build a corpus in a scratch database, serve it with gunicorn, measure.

    python -m bench.run --size full            # make bench
    python -m bench.run --size quick           # make bench-quick (CI)
    python -m bench.run --size full --db postgres

Prints a table and writes bench/results.json. Never touches the user's database:
it refuses to run unless DATABASE_URL points at its own scratch database.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import random
import runpy
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from bench.commands import manage, total_figure

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"
RESULTS = ROOT / "bench" / "results.json"
PASSWORD = "bench-password-1"


@dataclass(frozen=True)
class Size:
    import_docs: int
    total_docs: int
    annotations: int
    agreement_annotations: int
    saves: int
    page_requests: int
    large_page_requests: int
    clients: int = 8
    time_cap: float = 120.0
    suggester_sentences: int = 10_000


SIZES = {
    "full": Size(
        import_docs=10_000,
        total_docs=50_000,
        annotations=1_000_000,
        agreement_annotations=100_000,
        saves=6_000,
        page_requests=400,
        large_page_requests=40,
    ),
    "quick": Size(
        import_docs=300,
        total_docs=600,
        annotations=12_000,
        agreement_annotations=3_000,
        saves=400,
        page_requests=40,
        large_page_requests=4,
        time_cap=30.0,
        suggester_sentences=1_000,
    ),
}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(database_url: str) -> dict[str, str]:
    """Production settings (DEBUG off) on plain HTTP over loopback."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_HSTS_SECONDS": "0",
        # The API's clients save as fast as they can: no rate limit in the way.
        "API_RATE": "1000000/minute",
    }


class PeakMemory:
    """Samples the proportional set size (PSS) of a process tree; keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.25) -> None:
        self.pid, self.interval = pid, interval
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        try:
            root = psutil.Process(self.pid)
            total = 0
            for process in [root, *root.children(recursive=True)]:
                try:
                    info = process.memory_full_info()
                    total += getattr(info, "pss", info.rss)
                except psutil.Error:
                    pass
            return total
        except psutil.Error:
            return 0

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_bytes = max(self.peak_bytes, self._sample())
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_bytes = max(self.peak_bytes, self._sample())

    @property
    def peak_mb(self) -> float:
        return round(self.peak_bytes / 2**20, 1)


def run_measured(env: dict[str, str], *args: str) -> tuple[float, float]:
    """Run a management command; (seconds, peak memory MB) of its process."""
    began = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL
    )
    with PeakMemory(process.pid, interval=0.1) as memory:
        code = process.wait()
    if code:
        raise SystemExit(f"manage.py {' '.join(args)} failed with exit code {code}")
    return time.perf_counter() - began, memory.peak_mb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--database-url",
        help="PostgreSQL scratch database (for --db postgres); it is emptied first.",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="Measure again on the corpus the last run built (skips building it).",
    )
    parser.add_argument("--workers", type=int, help="default: gunicorn.conf.py's")
    parser.add_argument("--threads", type=int, help="default: gunicorn.conf.py's")
    parser.add_argument(
        "--only",
        help="Measure only these HTTP figures (comma-separated names, e.g. review_page_large);"
        " results.json is left as it is.",
    )
    parser.add_argument("--requests", type=int, help="with --only: requests per figure")
    parser.add_argument(
        "--alone",
        choices=sorted(ALONE),
        help="Run one scenario that needs no corpus and no server; its figures go to "
        "bench/results-<name>.json.",
    )
    args = parser.parse_args(argv)
    only = set(filter(None, (args.only or "").split(",")))
    size = SIZES[args.size]
    if args.alone:
        return run_alone(args.alone, args.size, size)
    # One folder per size and database, so that `make bench-quick` leaves a full corpus.
    work = WORK / f"{args.size}-{args.db}"
    if not args.reuse:
        shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)

    if args.db == "sqlite":
        database_url = f"sqlite:///{work / 'bench.sqlite3'}"
    else:
        if not args.database_url:
            parser.error("--db postgres needs --database-url (make bench DB=postgres starts one)")
        database_url = args.database_url
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from bench import scenario

    env = server_env(database_url)
    log(f"scratch database: {database_url}")
    figures: list[dict] = []
    saved = work / f"corpus-{args.db}.json"
    if args.reuse:
        if not saved.exists():
            parser.error("--reuse: no corpus from an earlier run (run without --reuse first)")
        stored = json.loads(saved.read_text())
        build_figures = stored.pop("build_figures", [])
        # The build's own figures (import, profile counting) come from the run that built it.
        figures = [{**f, "from_build_run": True} for f in build_figures]
        corpus = scenario.Corpus(**stored)
        manage(env, "migrate", "--noinput", "-v0")
        # The save measurement's documents (a corpus built by an older benchmark has fewer).
        corpus.save_documents = scenario.save_documents(size, corpus)
        corpus.review_document = scenario.review_document(corpus)
    else:
        if args.db == "postgres":
            scenario.empty_postgres()
        manage(env, "migrate", "--noinput", "-v0")
        corpus = scenario.build(size, env, figures, work, log=log)
        build_figures = list(figures)
    saved.write_text(json.dumps({**dataclasses.asdict(corpus), "build_figures": build_figures}))
    manage(env, "collectstatic", "--noinput", "-v0")

    # The server runs as `make serve` runs it: gunicorn.conf.py, unless told otherwise.
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    args.workers, args.threads = args.workers or conf["workers"], args.threads or conf["threads"]
    port = free_port()
    log(f"gunicorn on 127.0.0.1:{port} ({args.workers} workers × {args.threads} threads)")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "project.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--worker-class",
            "gthread",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        scenario.wait_for(port)
        with PeakMemory(server.pid) as memory:
            scenario.measure_http(
                size, port, corpus, figures, log=log, only=only, requests=args.requests
            )
        server_peak = memory.peak_mb
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            log("gunicorn did not stop within 15 s (a request still running): killed")
            server.kill()
            server.wait()

    if only:
        for figure in figures:
            if not figure.get("from_build_run") and figure["name"] in only:
                print(json.dumps(figure, ensure_ascii=False))
        return 0

    seconds, peak = run_measured(
        env,
        "export_dataset",
        "--project",
        corpus.project_slug,
        "--format",
        "jsonl",
        "--out",
        str(work / "export.jsonl") if args.db == "sqlite" else "/tmp/bench-export.jsonl",
    )
    figures.append(total_figure("export_jsonl", seconds, corpus.annotations, peak_memory_mb=peak))
    log(f"export_jsonl: {seconds:.1f} s, peak {peak} MB")

    seconds, peak = run_measured(
        env, "agreement", "--project", corpus.agreement_slug, "--format", "json"
    )
    figures.append(
        total_figure("agreement", seconds, corpus.agreement_annotations, peak_memory_mb=peak)
    )
    log(f"agreement: {seconds:.1f} s")

    for name, scenario_figures in ALONE.items():
        figures += scenario_figures(size)
        log(f"{name}: done")

    results = {
        "size": args.size,
        "database": args.db,
        "corpus": corpus.describe(),
        "server": {
            "workers": args.workers,
            "threads": args.threads,
            "peak_memory_mb": server_peak,
            "memory_measure": "sum of PSS over gunicorn master and workers",
        },
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "figures": figures,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print_table(results)
    errors = sum(f.get("errors", 0) for f in figures)
    if errors:
        log(f"{errors} requests failed: see the errors column")
        return 1
    return 0


def _suggester(size: Size) -> list[dict]:
    from bench import suggester_bench

    return suggester_bench.figures(size.suggester_sentences, log=log)


# Scenarios that need neither the corpus nor the server: run after the others by `make
# bench`, or alone with --only NAME.
ALONE = {"suggester": _suggester}


def run_alone(name: str, size_name: str, size: Size) -> int:
    results = {
        "size": size_name,
        "database": "none",
        "corpus": {"documents": 0, "annotations": 0},
        "server": {"peak_memory_mb": "—"},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "figures": ALONE[name](size),
    }
    path = RESULTS.with_name(f"results-{name}.json")
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print_table(results)
    return 0


def print_table(results: dict) -> None:
    print()
    print(
        f"Benchmark ({results['size']}, {results['database']}): "
        f"{results['corpus']['documents']} documents, "
        f"{results['corpus']['annotations']} annotations; "
        f"server peak memory {results['server']['peak_memory_mb']} MB"
    )
    header = f"{'name':<22}{'unit':>5}{'n':>9}{'p50':>10}{'p95':>10}{'p99':>10}{'total':>10}"
    print(header)
    print("-" * len(header))
    for f in results["figures"]:
        cells = [f.get(k, "") for k in ("p50", "p95", "p99", "total")]
        print(
            f"{f['name']:<22}{f['unit']:>5}{f['n']:>9}"
            + "".join(f"{c!s:>10}" for c in cells)
            + (f"  ({f['rate']} /s)" if "rate" in f else "")
            + (f"  peak {f['peak_memory_mb']} MB" if "peak_memory_mb" in f else "")
            + (f"  {f['html_bytes'] / 1e6:.2f} MB HTML" if f.get("html_bytes") else "")
            + (f"  errors {f['errors']}" if f.get("errors") else "")
        )


if __name__ == "__main__":
    random.seed(1)
    raise SystemExit(main())
