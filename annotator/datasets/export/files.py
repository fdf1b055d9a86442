"""Where an export goes: a file (``export_to_path``) or a streamed HTTP download
(``export_response``). Picks the writer of a format, its file suffix and content type.

Offsets in every format are Unicode code points into the exported ``text``, except
doccano's, which are UTF-16 code units as doccano counts them.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from annotator.datasets.export.bundle import write_bundle
from annotator.datasets.export.formats.conll import conll_chunks
from annotator.datasets.export.formats.csv import csv_chunks
from annotator.datasets.export.formats.doccano import doccano_chunks
from annotator.datasets.export.formats.jsonl import jsonl_chunks
from annotator.datasets.export.formats.label_studio import (
    label_studio_chunks,
    label_studio_config,
)
from annotator.datasets.export.formats.sentences import (
    sentences_csv_chunks,
    write_sentences_parquet,
)
from annotator.datasets.export.plan import ExportError, ExportFilters, ExportPlan
from annotator.models import Project

FORMATS = ("jsonl", "doccano", "label-studio", "csv", "sentences", "conll", "bundle")

TEXT_WRITERS: dict[str, Callable[..., Iterator[str]]] = {
    "jsonl": jsonl_chunks,
    "doccano": doccano_chunks,
    "label-studio": label_studio_chunks,
    "csv": csv_chunks,
    "sentences.csv": sentences_csv_chunks,
    "conll": conll_chunks,
}
FILE_WRITERS: dict[str, Callable[..., None]] = {
    "sentences.parquet": write_sentences_parquet,
    "bundle": write_bundle,
}
SUFFIXES = {
    "jsonl": ".jsonl",
    "doccano": ".jsonl",
    "label-studio": ".json",
    "csv": ".csv",
    "sentences.csv": ".csv",
    "sentences.parquet": ".parquet",
    "conll": ".conll",
    "bundle": ".zip",
}
CONTENT_TYPES = {
    ".jsonl": "application/jsonl; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".conll": "text/plain; charset=utf-8",
    ".parquet": "application/vnd.apache.parquet",
    ".zip": "application/zip",
}


def _writer_key(fmt: str, filename: str) -> str:
    if fmt not in FORMATS:
        raise ExportError(f'Unknown format "{fmt}"; choose one of: {", ".join(FORMATS)}.')
    if fmt == "sentences":
        return "sentences.parquet" if filename.endswith(".parquet") else "sentences.csv"
    return fmt


def _text_chunks(key: str, plan: ExportPlan, progress, bom: bool) -> Iterator[str]:
    writer = TEXT_WRITERS[key]
    if key in {"csv", "sentences.csv"}:
        return writer(plan, progress, bom=bom)
    return writer(plan, progress)


def resolve_out_path(path: Path | str) -> Path:
    """A bare file name goes to ``settings.EXPORT_DIR``; other paths are used as given."""
    path = Path(path)
    if path.parent == Path("."):
        return Path(settings.EXPORT_DIR) / path
    return path


def label_studio_config_path(path: Path) -> Path:
    """Where the labeling config goes beside a Label Studio export."""
    return path.with_name(path.stem + ".label_config.xml")


def _replace_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """Write to a hidden temporary file beside ``path`` and rename it on success."""
    part = path.with_name(f".{path.name}.part")
    try:
        write(part)
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)


def export_to_path(
    *,
    project: Project,
    fmt: str,
    path: Path,
    filters: ExportFilters,
    progress: bool = False,
    bom: bool = False,
    raw: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Export ``project`` as ``fmt`` to ``path``; returns the path written.

    Nothing is left at ``path`` if the export fails. ``bom`` starts CSV files with a
    UTF-8 byte order mark (for spreadsheets); ``raw`` leaves CSV cells that look like
    formulas as they are (for pipelines); ``progress`` shows a bar on stderr;
    ``on_progress(done, total)`` is told how many documents are written (a job's bar).
    """
    path = resolve_out_path(path)
    key = _writer_key(fmt, path.name)
    plan = ExportPlan(project, filters, raw=raw)
    path.parent.mkdir(parents=True, exist_ok=True)
    bar: Any = None  # a tqdm bar, or a _Counter telling on_progress
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=plan.document_count(), unit="doc", desc=fmt, file=sys.stderr)
    elif on_progress is not None:
        bar = _Counter(on_progress, plan.document_count())

    def write(part: Path) -> None:
        if key in FILE_WRITERS:
            FILE_WRITERS[key](plan, part, bar)
            return
        with open(part, "w", encoding="utf-8", newline="") as out:
            for chunk in _text_chunks(key, plan, bar, bom):
                out.write(chunk)

    try:
        _replace_atomically(path, write)
        if fmt == "label-studio":
            config = label_studio_config(project)
            _replace_atomically(
                label_studio_config_path(path),
                lambda part: part.write_text(config, encoding="utf-8"),
            )
    finally:
        if bar is not None:
            bar.close()
    return path


class _Counter:
    """Counts written documents for ``on_progress``, as a tqdm bar would show them."""

    def __init__(self, on_progress: Callable[[int, int], None], total: int) -> None:
        self.on_progress, self.total, self.n = on_progress, total, 0
        on_progress(0, total)

    def update(self, n: int = 1) -> None:
        self.n += n
        self.on_progress(self.n, self.total)

    def close(self) -> None:
        pass


def default_filename(project: Project, fmt: str, *, parquet: bool = True) -> str:
    key = _writer_key(fmt, ".parquet" if parquet else ".csv")
    return f"{project.slug}-{fmt}-{timezone.now():%Y-%m-%d}{SUFFIXES[key]}"


def _encoded(chunks: Iterable[str], size: int = 1 << 16) -> Iterator[bytes]:
    """UTF-8 bytes in pieces of about ``size`` characters."""
    pending: list[str] = []
    length = 0
    for chunk in chunks:
        pending.append(chunk)
        length += len(chunk)
        if length >= size:
            yield "".join(pending).encode("utf-8")
            pending, length = [], 0
    if pending:
        yield "".join(pending).encode("utf-8")


def export_response(
    *,
    project: Project,
    fmt: str,
    filters: ExportFilters,
    bom: bool = False,
    raw: bool = False,
    filename: str | None = None,
) -> StreamingHttpResponse:
    """A streamed download of the export; ``filename``'s suffix picks Parquet or CSV
    for ``sentences`` (Parquet by default).

    Text formats are written while they are sent; Parquet and zip files are written
    to a temporary file first, which is removed once it is open.
    """
    filename = filename or default_filename(project, fmt)
    key = _writer_key(fmt, filename)
    plan = ExportPlan(project, filters, raw=raw)  # raises ExportError before anything is sent
    content_type = CONTENT_TYPES[SUFFIXES[key]]
    if key in FILE_WRITERS:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "export"
            FILE_WRITERS[key](plan, path, None)
            handle = open(path, "rb")  # noqa: SIM115 (FileResponse closes it)
        return FileResponse(
            handle, as_attachment=True, filename=filename, content_type=content_type
        )
    response = StreamingHttpResponse(
        _encoded(_text_chunks(key, plan, None, bom)), content_type=content_type
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
