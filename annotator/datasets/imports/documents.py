"""Importing documents: folders of .txt files with a metadata file, .jsonl, .csv and uploads.

An import runs in two steps. Reading decodes every file (``decode``), turns it into
validated records (``document_formats``) and looks for repeated paragraphs
(``repeats``) without touching the database. Writing then happens in one transaction:
sources are found or created, texts already stored (same ``text_sha256``) are skipped
as duplicates, and the new documents and their sentences are bulk-inserted. Bad input
raises ``ImportFailed`` with a one-line message naming the file (and line) before
anything is written, unless ``skip_bad`` is set, in which case bad records are skipped
and listed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path, PurePath

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext, ngettext
from tqdm import tqdm

from annotator.corpus.sources import (
    SourceRejected,
    source_for_name,
    source_name_key,
    sources_by_name,
)
from annotator.datasets.imports.archive import Archive
from annotator.datasets.imports.decode import decode_bytes
from annotator.datasets.imports.document_formats import (
    MAX_LENGTHS,
    METADATA_FILE,
    Record,
    flag,
    read_csv,
    read_jsonl,
    read_metadata,
    record_of,
)
from annotator.datasets.imports.repeats import find_repeats, remove_repeats
from annotator.datasets.imports.report import ImportFailed, ImportReport
from annotator.models import (
    Document,
    Project,
    ProjectDocument,
    Sentence,
    Source,
    sentence_spans,
    text_sha256,
)

DEFAULT_LANGUAGE = "ru"

# Only imports that last longer than this (seconds) show a progress bar.
PROGRESS_DELAY = 1.0
WRITE_CHUNK = 500


@dataclass
class DocumentImportReport(ImportReport):
    """What a document import did; ``errors`` are the bad records skipped (``skip_bad``)."""

    added: list[Document] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    repeats: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> list[str]:
        """The bad records skipped, each named by file (and line)."""
        return self.errors

    def summary(self) -> str:
        added = len(self.added)
        return ngettext(
            "%(added)d document added, %(duplicates)d skipped as duplicate, %(rejected)d rejected",
            "%(added)d documents added, %(duplicates)d skipped as duplicate, %(rejected)d rejected",
            added,
        ) % {"added": added, "duplicates": len(self.duplicates), "rejected": self.error_count}


# ---------------------------------------------------------------- reading


class _Reader:
    """Turns inputs into records, collecting encodings and (with skip_bad) rejections."""

    def __init__(self, report: DocumentImportReport, *, skip_bad: bool, progress: bool) -> None:
        self.report = report
        self.skip_bad = skip_bad
        self.records: list[Record] = []
        self.bar = tqdm(
            desc="Reading",
            unit=" documents",
            file=sys.stderr,
            disable=not progress,
            delay=PROGRESS_DELAY,
        )

    def reject(self, error: ImportFailed) -> None:
        if not self.skip_bad:
            raise error
        self.report.error(str(error))

    def decode(self, name: str, data: bytes) -> str:
        text, encoding = decode_bytes(name, data)
        self.report.encodings[name] = encoding
        return text

    def add(self, items: Iterable[Record | ImportFailed]) -> None:
        for item in items:
            if isinstance(item, ImportFailed):
                self.reject(item)
            else:
                self.records.append(item)
                self.bar.update()

    def file(self, name: str, load: Callable[[], bytes]) -> None:
        """One file, by its extension; a whole-file problem rejects the file."""
        suffix = PurePath(name).suffix.lower()
        try:
            if suffix not in {".txt", ".jsonl", ".csv"}:
                raise ImportFailed(
                    gettext(
                        "%(name)s: unsupported file type "
                        "(use .txt, .jsonl, .csv, a .zip of .txt files or a folder)"
                    )
                    % {"name": name}
                )
            text = self.decode(name, load())
            if suffix == ".txt":
                self.add([record_of(name, text, {})])
            elif suffix == ".jsonl":
                self.add(read_jsonl(name, text))
            else:
                self.add(read_csv(name, text))
        except ImportFailed as exc:
            self.reject(exc)

    def folder(self, name: str, files: dict[str, Callable[[], bytes]]) -> None:
        """``.txt`` files (by name) and an optional ``metadata.csv`` describing them."""
        texts = sorted(f for f in files if f.lower().endswith(".txt"))
        try:
            if not texts:
                raise ImportFailed(
                    gettext("%(name)s: no .txt files in this folder") % {"name": name}
                )
            metadata: dict[str, tuple[str, dict]] = {}
            if METADATA_FILE in files:
                meta_name = f"{name}/{METADATA_FILE}"
                meta_text = self.decode(meta_name, files[METADATA_FILE]())
                metadata = read_metadata(meta_name, meta_text, texts)
        except ImportFailed as exc:
            self.reject(exc)
            return
        for filename in texts:
            where = f"{name}/{filename}"
            try:
                text = self.decode(where, files[filename]())
                meta_where, row = metadata.get(filename, (where, {}))
                record = record_of(where, text, row, fields_where=meta_where)
                record.remove_repeats = flag(
                    meta_where, "remove_repeats", row.get("remove_repeats") or ""
                )
                self.add([record])
            except ImportFailed as exc:
                self.reject(exc)

    def path(self, path: Path) -> None:
        name = str(path)
        if path.is_dir():
            self.folder(
                name,
                {
                    child.name: partial(_read_file, child)
                    for child in path.iterdir()
                    if child.is_file() and not child.name.startswith(".")
                },
            )
        elif not path.is_file():
            self.reject(ImportFailed(gettext("%(name)s: no such file or folder") % {"name": name}))
        elif path.suffix.lower() == ".zip":
            self.zip(name, path)
        else:
            self.file(name, partial(_read_file, path))

    def zip(self, name: str, source: bytes | Path) -> None:
        """A .zip of .txt files, optionally with a metadata.csv (matched by file name).

        Members are read lazily, each through the archive's bounded stream.
        """
        try:
            archive = Archive(name, source, budget=settings.IMPORT_UPLOAD_MAX_BYTES)
        except ImportFailed as exc:
            self.reject(exc)
            return
        files: dict[str, Callable[[], bytes]] = {}
        for info in archive.members:
            base = PurePath(info.filename).name
            if base in files:
                self.reject(
                    ImportFailed(
                        gettext("%(name)s: two files named '%(base)s'")
                        % {"name": name, "base": base}
                    )
                )
                return
            files[base] = partial(archive.read, info, f"{name}/{base}")
        self.folder(name, files)


def _read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ImportFailed(
            gettext("%(path)s: cannot read (%(reason)s)") % {"path": path, "reason": exc.strerror}
        ) from None


# ---------------------------------------------------------------- writing


def _resolve_sources(records: list[Record]) -> dict[str, Source]:
    """Find or create every named source, under ``source_name_key`` of its name."""
    known = sources_by_name()
    for record in records:
        try:
            source_for_name(
                record.source, known=known, kind=record.source_kind or Source.Kind.OTHER
            )
        except SourceRejected as exc:
            raise ImportFailed(
                gettext("%(where)s: source: %(reason)s") % {"where": record.where, "reason": exc}
            ) from exc
    return known


def _existing_documents(hashes: list[str]) -> dict[str, Document]:
    found: dict[str, Document] = {}
    for start in range(0, len(hashes), WRITE_CHUNK):
        chunk = hashes[start : start + WRITE_CHUNK]
        for document in Document.objects.filter(text_sha256__in=chunk).only(
            "id", "title", "text_sha256"
        ):
            found[document.text_sha256] = document
    return found


def _insert(documents: list[Document], *, progress: bool) -> None:
    """bulk_create documents and their sentences (bulk_create skips Document.save)."""
    with tqdm(
        total=len(documents),
        desc="Saving",
        unit=" documents",
        file=sys.stderr,
        disable=not progress,
        delay=PROGRESS_DELAY,
    ) as bar:
        for start in range(0, len(documents), WRITE_CHUNK):
            chunk = Document.objects.bulk_create(documents[start : start + WRITE_CHUNK])
            if any(document.pk is None for document in chunk):
                ids = dict(
                    Document.objects.filter(
                        text_sha256__in=[document.text_sha256 for document in chunk]
                    ).values_list("text_sha256", "id")
                )
                for document in chunk:
                    document.pk = ids[document.text_sha256]
            Sentence.objects.bulk_create(
                [
                    Sentence(document_id=document.pk, index=index, start=begin, end=end)
                    for document in chunk
                    for index, (begin, end) in enumerate(sentence_spans(document.text))
                ],
                batch_size=5000,
            )
            bar.update(len(chunk))


def _write(
    records: list[Record], report: DocumentImportReport, *, project: Project | None, progress: bool
) -> None:
    sources = _resolve_sources(records)
    hashes = [text_sha256(record.text) for record in records]
    existing = _existing_documents(hashes)
    first_seen: dict[str, Record] = {}
    new: list[Document] = []
    for record, sha in zip(records, hashes, strict=True):
        if sha in existing:
            document = existing[sha]
            title = f" «{document.title}»" if document.title else ""
            report.duplicates.append(
                gettext("%(where)s: same text as document %(id)s%(title)s")
                % {"where": record.where, "id": document.pk, "title": title}
            )
            continue
        if sha in first_seen:
            report.duplicates.append(
                gettext("%(where)s: same text as %(first)s")
                % {"where": record.where, "first": first_seen[sha].where}
            )
            continue
        first_seen[sha] = record
        new.append(
            Document(
                source=sources[source_name_key(record.source)],
                title=record.title,
                author=record.author,
                published_on=record.published_on,
                url=record.url,
                text=record.text,
                text_sha256=sha,
                language=record.language or DEFAULT_LANGUAGE,
                imported_from=record.where[:500],
            )
        )
    _insert(new, progress=progress)
    report.added = new
    if project is not None:
        ids = {document.pk for document in new} | {d.pk for d in existing.values()}
        ProjectDocument.objects.bulk_create(
            [ProjectDocument(project=project, document_id=pk) for pk in sorted(ids)],
            ignore_conflicts=True,
            batch_size=WRITE_CHUNK,
        )


def _finish(
    reader: _Reader,
    *,
    project: Project | None,
    default_source: str | None,
    remove_all_repeats: bool,
    progress: bool,
) -> DocumentImportReport:
    """Check sources and repeats of the records read, then write them in one transaction."""
    report = reader.report
    default = " ".join((default_source or "").split())
    records = []
    for record in reader.records:
        record.source = record.source or default
        if not record.source:
            reader.reject(
                ImportFailed(
                    gettext(
                        "%(where)s: no source (name one in the input or give a default "
                        "source with --source)"
                    )
                    % {"where": record.where}
                )
            )
            continue
        if len(record.source) > MAX_LENGTHS["source"]:
            reader.reject(
                ImportFailed(
                    gettext("%(where)s: source is longer than 200 characters")
                    % {"where": record.where}
                )
            )
            continue
        removing = remove_all_repeats or record.remove_repeats
        if removing:
            record.text, repeats = remove_repeats(record.text)
        else:
            repeats = find_repeats(record.text)
        for repeat in repeats:
            outcome = gettext("removed") if removing else gettext("kept")
            report.repeats.append(f"{record.where}: {repeat.describe()} ({outcome})")
        records.append(record)
    try:
        with transaction.atomic():
            _write(records, report, project=project, progress=progress)
    except IntegrityError as exc:
        detail = " ".join(str(exc).split())
        raise ImportFailed(
            gettext("import stopped, nothing written: the database refused a row (%(detail)s)")
            % {"detail": detail}
        ) from exc
    return report


def import_paths(
    paths: list[Path],
    *,
    project: Project | None = None,
    default_source: str | None = None,
    skip_bad: bool = False,
    progress: bool = False,
    remove_repeats: bool = False,
) -> DocumentImportReport:
    """Import folders of .txt files (with an optional metadata.csv), .txt, .jsonl,
    .csv and .zip files. Nothing is written when a record is bad, unless ``skip_bad``."""
    reader = _Reader(DocumentImportReport(), skip_bad=skip_bad, progress=progress)
    try:
        for path in paths:
            reader.path(Path(path))
    finally:
        reader.bar.close()
    return _finish(
        reader,
        project=project,
        default_source=default_source,
        remove_all_repeats=remove_repeats,
        progress=progress,
    )


def import_upload(
    filename: str,
    data: bytes,
    *,
    project: Project | None = None,
    default_source: str | None = None,
    skip_bad: bool = False,
    remove_repeats: bool = False,
) -> DocumentImportReport:
    """Import one uploaded file: .txt, .jsonl, .csv, or a .zip of .txt files."""
    name = PurePath(filename.replace("\\", "/")).name or "upload"
    reader = _Reader(DocumentImportReport(), skip_bad=skip_bad, progress=False)
    if name.lower().endswith(".zip"):
        reader.zip(name, data)
    else:
        reader.file(name, lambda: data)
    reader.bar.close()
    return _finish(
        reader,
        project=project,
        default_source=default_source,
        remove_all_repeats=remove_repeats,
        progress=False,
    )
