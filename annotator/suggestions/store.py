"""Trained models on disk: ``SUGGESTER_DIR/<project slug>/model-v<N>.joblib`` with
``model-v<N>.json`` beside it (the evaluation, the seed, the lexicon version and every
training sentence with its coder and label) and ``model-v<N>.summary.json`` (the same
without the sentences: what the Suggestions page reads). Versions only grow; the newest
is used.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from django.conf import settings

VERSION = re.compile(r"^model-v(\d+)\.joblib$")


def project_dir(slug: str) -> Path:
    return Path(settings.SUGGESTER_DIR) / slug


def versions(slug: str) -> list[int]:
    folder = project_dir(slug)
    if not folder.is_dir():
        return []
    return sorted(int(m[1]) for p in folder.iterdir() if (m := VERSION.match(p.name)))


def save(slug: str, model: Any, record: dict[str, Any]) -> tuple[int, Path]:
    import joblib

    folder = project_dir(slug)
    folder.mkdir(parents=True, exist_ok=True)
    version = (versions(slug) or [0])[-1] + 1
    path = folder / f"model-v{version}.joblib"
    record = {"version": version, **record}
    (folder / f"model-v{version}.json").write_text(
        json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    summary = {key: value for key, value in record.items() if key != "training"}
    (folder / f"model-v{version}.summary.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    joblib.dump(model, path)
    return version, path


def load_latest(slug: str) -> tuple[int, Any] | None:
    import joblib

    found = versions(slug)
    if not found:
        return None
    return found[-1], joblib.load(project_dir(slug) / f"model-v{found[-1]}.joblib")


def summaries(slug: str) -> list[dict[str, Any]]:
    """Every version's summary (see the module docstring), oldest first; a version
    trained before summaries were written is read from its full record."""
    folder = project_dir(slug)
    result = []
    for version in versions(slug):
        path = folder / f"model-v{version}.summary.json"
        if not path.exists():
            path = folder / f"model-v{version}.json"
        record = json.loads(path.read_text(encoding="utf-8"))
        record.pop("training", None)
        result.append(record)
    return result
