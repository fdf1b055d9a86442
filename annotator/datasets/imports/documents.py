"""Importing documents: folders of .txt files with a metadata file, .jsonl, .json, .csv
and uploads (and the API's request bodies).

An import runs in two steps. Reading decodes every file (``decode``), turns it into
validated records (``document_formats``) and looks for repeated paragraphs
(``repeats``) without touching the database. The texts then go to the sentence splitter's
helper processes (``annotator.text.sentences``), which split them while the documents
are inserted: with the search index to fill, inserting the texts costs about as much as
splitting them, so the import's write lock is held hardly longer than the inserts need.
Writing happens in one transaction:
sources are found or created, texts already stored (same ``text_sha256``) are skipped
as duplicates, and the new documents and their sentences are bulk-inserted. Bad input
raises ``ImportFailed`` with a line naming the file (and line) for each bad record,
in file order, before anything is written, unless ``skip_bad`` is set, in which case
bad records are skipped and listed (in file order too).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path, PurePath

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext, gettext_lazy, ngettext
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
    read_json,
    read_jsonl,
    read_metadata,
    record_of,
)
from annotator.datasets.imports.repeats import find_repeats, remove_repeats
from annotator.datasets.imports.report import ImportFailed, ImportReport
from annotator.fastpath.statements import sentences_insert
from annotator.models import (
    Document,
    Project,
    ProjectDocument,
    Source,
    text_sha256,
)
from annotator.suggestions.tasks import holders_enqueue
from annotator.text.sentences import Splitting

DEFAULT_LANGUAGE = "ru"

# A failed import lists at most this many bad records (and says how many more there are).
MAX_REPORTED = 20

# Where a record without a source can take one from, by the way the import was started.
NO_SOURCE = {
    "command": gettext_lazy(
        "%(where)s: no source (name one in the input or give a default source with --source)"
    ),
    "upload": gettext_lazy(
        "%(where)s: no source (name one in the input or fill in «Default source»)"
    ),
    "api": gettext_lazy(
        "%(where)s: no source (name one in the input or give the default_source parameter)"
    ),
}

# Only imports that last longer than this (seconds) show a progress bar.
PROGRESS_DELAY = 1.0
WRITE_CHUNK = 500

# ``on_progress(done, total, phase)``: how far an import got (a job's progress bar).
OnProgress = Callable[[int, int | None, str], None]


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

    def to_dict(self) -> dict:
        """The report as JSON (the API's answer, a job's result)."""
        return {
            "summary": self.summary(),
            "added": [
                {
                    "id": document.pk,
                    "title": document.title,
                    "text_sha256": document.text_sha256,
                    "imported_from": document.imported_from,
                }
                for document in self.added
            ],
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "repeats": self.repeats,
            "encodings": self.encodings,
        }


# ---------------------------------------------------------------- reading


class _Reader:
    """Turns inputs into records, collecting encodings and the problems met, each with
    its place in the input (``seen``: records and problems read so far)."""

    def __init__(
        self,
        report: DocumentImportReport,
        *,
        skip_bad: bool,
        progress: bool,
        on_progress: OnProgress | None = None,
    ) -> None:
        self.report = report
        self.skip_bad = skip_bad
        self.on_progress = on_progress
        self.records: list[Record] = []
        self.problems: list[tuple[int, str]] = []
        self.seen = 0
        self.bar = tqdm(
            desc="Reading",
            unit=" documents",
            file=sys.stderr,
            disable=not progress,
            delay=PROGRESS_DELAY,
        )

    def reject(self, error: ImportFailed, *, order: int | None = None) -> None:
        """Note a problem (at ``order``, or as the next thing read); reading goes on so
        that every bad record is reported, not only the first."""
        if order is None:
            self.seen += 1
            order = self.seen
        self.problems.extend((order, message) for message in error.errors)

    def settle(self) -> None:
        """Problems in file order: listed in the report with ``skip_bad``, else raised."""
        messages = [message for _, message in sorted(self.problems, key=lambda p: p[0])]
        if self.skip_bad or not messages:
            for message in messages:
                self.report.error(message)
            return
        if len(messages) > MAX_REPORTED:
            more = len(messages) - MAX_REPORTED
            messages = [*messages[:MAX_REPORTED], f"{more} more bad records not listed."]
        raise ImportFailed("\n".join(messages))

    def decode(self, name: str, data: bytes) -> str:
        text, encoding = decode_bytes(name, data)
        self.report.encodings[name] = encoding
        return text

    def add(self, items: Iterable[Record | ImportFailed]) -> None:
        for item in items:
            if isinstance(item, ImportFailed):
                self.reject(item)
            else:
                self.seen += 1
                item.order = self.seen
                self.records.append(item)
                self.bar.update()
                if self.on_progress is not None:
                    self.on_progress(len(self.records), None, "Reading")

    def file(self, name: str, load: Callable[[], bytes]) -> None:
        """One file, by its extension; a whole-file problem rejects the file."""
        suffix = PurePath(name).suffix.lower()
        try:
            if suffix not in {".txt", ".jsonl", ".json", ".csv"}:
                raise ImportFailed(
                    gettext(
                        "%(name)s: unsupported file type "
                        "(use .txt, .jsonl, .json, .csv, a .zip of .txt files or a folder)"
                    )
                    % {"name": name}
                )
            text = self.decode(name, load())
            if suffix == ".txt":
                self.add([record_of(name, text, {})])
            elif suffix == ".jsonl":
                self.add(read_jsonl(name, text))
            elif suffix == ".json":
                self.add(read_json(name, text))
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


def _insert(
    documents: list[Document],
    positions: list[int],
    splitting: Splitting,
    *,
    progress: bool,
    on_progress: OnProgress | None = None,
) -> None:
    """bulk_create documents, then store their sentences (``splitting``'s spans of the
    records at ``positions``) with the written-out INSERT of ``annotator.fastpath``.
    Helpers split while the documents go in (bulk_create skips Document.save, which
    would split them again)."""
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
            if on_progress is not None:
                on_progress(start + len(chunk), 2 * len(documents), "Saving")
        spans = splitting.result()
        for start in range(0, len(documents), WRITE_CHUNK):
            chunk = documents[start : start + WRITE_CHUNK]
            sentences_insert(
                [
                    (document.pk, index, begin, end)
                    for document, position in zip(
                        chunk, positions[start : start + WRITE_CHUNK], strict=True
                    )
                    for index, (begin, end) in enumerate(spans[position])
                ]
            )
            bar.update(len(chunk))  # a document is saved when its sentences are
            if on_progress is not None:
                on_progress(len(documents) + start + len(chunk), 2 * len(documents), "Saving")


def _write(
    records: list[Record],
    splitting: Splitting,
    report: DocumentImportReport,
    *,
    project: Project | None,
    progress: bool,
    on_progress: OnProgress | None = None,
) -> None:
    sources = _resolve_sources(records)
    hashes = [text_sha256(record.text) for record in records]
    existing = _existing_documents(hashes)
    first_seen: dict[str, Record] = {}
    new: list[Document] = []
    positions: list[int] = []  # each new document's record
    for position, (record, sha) in enumerate(zip(records, hashes, strict=True)):
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
        positions.append(position)
    if on_progress is not None:
        on_progress(0, 2 * len(new), "Saving")
    _insert(new, positions, splitting, progress=progress, on_progress=on_progress)
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
    started_from: str,
) -> DocumentImportReport:
    """Check sources and repeats of the records read, hand their texts to the sentence
    splitters, then write them in one transaction.

    ``started_from`` is a ``NO_SOURCE`` key: how the user can give a default source.
    """
    report = reader.report
    on_progress = reader.on_progress
    default = " ".join((default_source or "").split())
    records = []
    for record in reader.records:
        record.source = record.source or default
        if not record.source:
            message = str(NO_SOURCE[started_from]) % {"where": record.where}
            reader.reject(ImportFailed(message), order=record.order)
            continue
        if len(record.source) > MAX_LENGTHS["source"]:
            reader.reject(
                ImportFailed(
                    gettext("%(where)s: source is longer than 200 characters")
                    % {"where": record.where}
                ),
                order=record.order,
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
    reader.settle()
    if on_progress is not None:
        on_progress(0, None, "Splitting sentences")
    splitting = Splitting([record.text for record in records])
    try:
        with transaction.atomic():
            _write(
                records,
                splitting,
                report,
                project=project,
                progress=progress,
                on_progress=on_progress,
            )
    except IntegrityError as exc:
        detail = " ".join(str(exc).split())
        raise ImportFailed(
            gettext("import stopped, nothing written: the database refused a row (%(detail)s)")
            % {"detail": detail}
        ) from exc
    if project is not None and report.added:
        # After the commit: the worker must see the documents and their sentences.
        added = [document.pk for document in report.added]
        transaction.on_commit(lambda: holders_enqueue(project=project, document_ids=added))
    return report


def import_paths(
    paths: list[Path],
    *,
    project: Project | None = None,
    default_source: str | None = None,
    skip_bad: bool = False,
    progress: bool = False,
    remove_repeats: bool = False,
    on_progress: OnProgress | None = None,
) -> DocumentImportReport:
    """Import folders of .txt files (with an optional metadata.csv), .txt, .jsonl, .json,
    .csv and .zip files. Nothing is written when a record is bad, unless ``skip_bad``.
    ``on_progress(done, total, phase)`` is told how far it got."""
    reader = _Reader(
        DocumentImportReport(), skip_bad=skip_bad, progress=progress, on_progress=on_progress
    )
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
        started_from="command",
    )


def import_upload(
    filename: str,
    data: bytes,
    *,
    project: Project | None = None,
    default_source: str | None = None,
    skip_bad: bool = False,
    remove_repeats: bool = False,
    on_progress: OnProgress | None = None,
    started_from: str = "upload",
) -> DocumentImportReport:
    """Import one uploaded file: .txt, .jsonl, .json (a list of objects), .csv, or a .zip
    of .txt files. ``started_from`` ("upload" or "api") names the way to give a default
    source in the error of a record without one."""
    name = PurePath(filename.replace("\\", "/")).name or "upload"
    reader = _Reader(
        DocumentImportReport(), skip_bad=skip_bad, progress=False, on_progress=on_progress
    )
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
        started_from=started_from,
    )
