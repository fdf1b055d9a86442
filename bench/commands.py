"""What the runner and the scenarios share: running a management command, a total figure.

Apart from ``bench.run`` so that the scenarios (which ``run`` imports) need not import it back.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(env: dict[str, str], *args: str) -> float:
    """Run a management command; returns its wall time in seconds."""
    began = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)
    return time.perf_counter() - began


def total_figure(name: str, seconds: float, n: int, **extra) -> dict:
    return {"name": name, "unit": "s", "n": n, "total": round(seconds, 2), **extra}
