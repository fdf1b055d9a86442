"""Importing documents: folders of .txt files with a metadata file, .jsonl, .csv and uploads.

An import runs in two steps. Reading decodes every file (UTF-8, or a detected
encoding), normalises the texts and validates each record without touching the
database. Sentences are split next, still outside any transaction (so a long import does not
hold the database's write lock while razdel runs). Writing then happens in one
transaction: sources are found or created, texts already stored (same ``text_sha256``)
are skipped as duplicates, and the new documents and their sentences are bulk-inserted.
Bad input raises ``ImportFailed`` with a one-line message naming the file (and line)
before anything is written, unless ``skip_bad`` is set, in which case bad records are
skipped and listed.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import sys
import unicodedata
import zipfile
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path, PurePath

from charset_normalizer import from_bytes
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, connection, transaction
from tqdm import tqdm

from annotator.errors import Rejected
from annotator.models import (
    Document,
    Project,
    ProjectDocument,
    Sentence,
    Source,
    text_sha256,
)
from annotator.text.sentences import sentence_spans_many

METADATA_FILE = "metadata.csv"
OPTIONAL_FIELDS = ("title", "source", "source_kind", "author", "published_on", "url", "language")
MAX_LENGTHS = {"title": 500, "source": 200, "author": 200, "url": 500, "language": 20}
SOURCE_KINDS = tuple(Source.Kind.values)
DEFAULT_LANGUAGE = "ru"

# A repeated run of paragraphs is reported when it holds at least this many
# characters: a headline printed twice is common and harmless, a repeated body is not.
MIN_REPEAT_CHARS = 200

# Only imports that last longer than this (seconds) show a progress bar.
PROGRESS_DELAY = 1.0
WRITE_CHUNK = 500
SENTENCE_BATCH = 1000  # rows per INSERT where executemany is not one prepared statement
SPLIT_CHUNK = 2000  # documents split at a time (on every core), between progress reports

# ``on_progress(done, total, phase)``: how far an import got (a job's progress bar).
OnProgress = Callable[[int, int | None, str], None]

# Encodings tried when a file is not UTF-8: Russian texts come in these.
CANDIDATE_ENCODINGS = [
    "cp1251",
    "koi8_r",
    "cp866",
    "iso8859_5",
    "mac_cyrillic",
    "cp1252",
    "utf_16",
    "utf_32",
]
BINARY_SIGNATURES = (
    b"%PDF-",
    b"PK\x03\x04",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"\xd0\xcf\x11\xe0",
    b"\x7fELF",
)
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
TRUE_WORDS = {"1", "yes", "true", "y", "on"}
FALSE_WORDS = {"", "0", "no", "false", "n", "off"}


class ImportFailed(Rejected):
    """Bad input; ``str(exc)`` is a one-line message naming the file (and line)."""


@dataclass
class ImportReport:
    added: list[Document] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    repeats: list[str] = field(default_factory=list)
    encodings: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        added = len(self.added)
        return (
            f"{added} document{'' if added == 1 else 's'} added, "
            f"{len(self.duplicates)} skipped as duplicate, {len(self.rejected)} rejected"
        )

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


@dataclass
class Record:
    """One document read from the input, validated, not yet stored."""

    where: str
    text: str
    title: str = ""
    source: str = ""
    source_kind: str = ""
    author: str = ""
    published_on: date | None = None
    url: str = ""
    language: str = ""
    remove_repeats: bool = False
    sentences: list[tuple[int, int]] = field(default_factory=list)


# ---------------------------------------------------------------- text


def normalize_text(text: str) -> str:
    """Unicode NFC, ``\\r\\n`` and ``\\r`` to ``\\n``, trailing spaces of every line
    stripped, and no blank lines at the start or end."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def decode_bytes(name: str, data: bytes) -> tuple[str, str]:
    """The text of a file and the encoding it was read with.

    UTF-8 (with or without a BOM) and UTF-16/32 with a BOM are read directly;
    anything else is detected with charset-normalizer among ``CANDIDATE_ENCODINGS``.
    """
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), codecs.lookup(encoding).name
            except UnicodeDecodeError:
                break
    if b"\x00" in data or data.startswith(BINARY_SIGNATURES):
        raise ImportFailed(f"{name}: binary file, not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data, cp_isolation=CANDIDATE_ENCODINGS).best()
    if best is None:
        raise ImportFailed(f"{name}: binary file or unknown text encoding, not readable")
    text = str(best)
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f")
    if controls > len(text) // 100:
        raise ImportFailed(f"{name}: binary file, not text")
    return text, codecs.lookup(best.encoding).name


@dataclass(frozen=True)
class Repeat:
    """A run of paragraphs immediately repeated: 1-based line numbers of both copies."""

    first: tuple[int, int]
    second: tuple[int, int]
    cut: tuple[int, int]  # the character range that removing the second copy deletes

    def describe(self) -> str:
        if self.first[0] == self.first[1]:
            return f"line {self.first[0]} repeats as line {self.second[0]}"
        return (
            f"lines {self.first[0]}-{self.first[1]} repeat as "
            f"lines {self.second[0]}-{self.second[1]}"
        )


def _paragraphs(text: str) -> list[tuple[str, int, int, int]]:
    """Non-blank lines as (line, line number, start offset, end offset)."""
    paragraphs = []
    offset = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            paragraphs.append((line, number, offset, offset + len(line)))
        offset += len(line) + 1
    return paragraphs


def find_repeats(text: str) -> list[Repeat]:
    """Runs of paragraphs (non-blank lines) followed at once by an exact copy of
    themselves, holding at least ``MIN_REPEAT_CHARS`` characters."""
    paragraphs = _paragraphs(text)
    ids: dict[str, int] = {}
    keys = [ids.setdefault(line, len(ids)) for line, *_ in paragraphs]
    positions: dict[int, list[int]] = {}
    for index, key in enumerate(keys):
        positions.setdefault(key, []).append(index)
    lengths = [0]
    for line, *_ in paragraphs:
        lengths.append(lengths[-1] + len(line))

    repeats = []
    i = 0
    while i < len(keys):
        found = None
        later = positions[keys[i]]
        for j in later[bisect_right(later, i) :]:
            size = j - i
            if j + size > len(keys):
                break
            if lengths[j] - lengths[i] >= MIN_REPEAT_CHARS and keys[i:j] == keys[j : j + size]:
                found = j
                break
        if found is None:
            i += 1
            continue
        size = found - i
        last = found + size - 1
        repeats.append(
            Repeat(
                first=(paragraphs[i][1], paragraphs[found - 1][1]),
                second=(paragraphs[found][1], paragraphs[last][1]),
                cut=(paragraphs[found - 1][3], paragraphs[last][3]),
            )
        )
        i = last + 1
    return repeats


def remove_repeats(text: str) -> tuple[str, list[Repeat]]:
    """The text with the repeated copies found by ``find_repeats`` removed, until
    none is left (a run printed three times loses two copies)."""
    removed: list[Repeat] = []
    while repeats := find_repeats(text):
        for repeat in reversed(repeats):
            start, end = repeat.cut
            text = text[:start] + text[end:]
        removed += repeats
    return text, removed


# ---------------------------------------------------------------- records


def _clean_fields(where: str, values: Mapping[str, object]) -> dict[str, object]:
    """Validate the optional fields of one record; empty values count as absent."""
    cleaned: dict[str, object] = {}
    for name in OPTIONAL_FIELDS:
        value = values.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise ImportFailed(f"{where}: '{name}' must be text, not {type(value).__name__}")
        value = unicodedata.normalize("NFC", " ".join(value.split()))
        if not value:
            continue
        limit = MAX_LENGTHS.get(name)
        if limit and len(value) > limit:
            raise ImportFailed(f"{where}: {name} is longer than {limit} characters")
        cleaned[name] = value

    kind = cleaned.get("source_kind")
    if kind is not None:
        kind = str(kind).lower()
        if kind not in SOURCE_KINDS:
            raise ImportFailed(
                f"{where}: unknown source kind '{cleaned['source_kind']}' "
                f"(use one of: {', '.join(SOURCE_KINDS)})"
            )
        cleaned["source_kind"] = kind
    if "published_on" in cleaned:
        try:
            cleaned["published_on"] = date.fromisoformat(str(cleaned["published_on"]))
        except ValueError:
            raise ImportFailed(
                f"{where}: bad published_on '{cleaned['published_on']}' (use YYYY-MM-DD)"
            ) from None
    if "url" in cleaned:
        try:
            URLValidator()(cleaned["url"])
        except ValidationError:
            raise ImportFailed(f"{where}: bad url '{cleaned['url']}'") from None
    return cleaned


def _flag(where: str, name: str, value: str) -> bool:
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImportFailed(f"{where}: bad {name} '{value}' (use yes or no)")


def _csv_rows(name: str, text: str, *, required: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each non-empty row of a CSV text with a header row.

    The delimiter (comma, semicolon or tab) is the one the header row uses most.
    """
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count) if first_line.strip() else ","
    if not first_line.count(delimiter):
        delimiter = ","
    csv.field_size_limit(2**31 - 1)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [column.strip().lower() for column in next(reader, [])]
    except csv.Error as exc:
        raise ImportFailed(f"{name} line 1: bad CSV ({exc})") from None
    if required not in header:
        found = ", ".join(column for column in header if column) or "none"
        raise ImportFailed(f"{name}: missing '{required}' column (found: {found})")
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ImportFailed(f"{name} line {line}: bad CSV ({exc})") from None
        if any(cell.strip() for cell in row):
            yield line, dict(zip(header, row, strict=False))
        line = reader.line_num + 1


def _record(
    where: str, text: object, values: Mapping[str, object], *, fields_where: str | None = None
) -> Record:
    """A validated record; field problems are reported at ``fields_where`` if given."""
    if not isinstance(text, str):
        raise ImportFailed(f"{where}: 'text' must be text, not {type(text).__name__}")
    if "\x00" in text:
        raise ImportFailed(f"{where}: text contains NUL characters")
    text = normalize_text(text)
    if not text.strip():
        raise ImportFailed(f"{where}: empty text")
    return Record(where=where, text=text, **_clean_fields(fields_where or where, values))


def _read_jsonl(name: str, text: str) -> Iterator[Record | ImportFailed]:
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{name} line {number}"
        try:
            values = json.loads(line)
        except json.JSONDecodeError as exc:
            yield ImportFailed(f"{where}: bad JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(values, dict):
            yield ImportFailed(f"{where}: expected a JSON object with a 'text' key")
            continue
        if "text" not in values:
            yield ImportFailed(f"{where}: missing 'text' key")
            continue
        try:
            yield _record(where, values["text"], values)
        except ImportFailed as exc:
            yield exc


def _read_json(name: str, text: str) -> Iterator[Record | ImportFailed]:
    """A JSON list of objects with the keys of a .jsonl line (``item N`` counts from 1)."""
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFailed(
            f"{name}: bad JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    if not isinstance(items, list):
        raise ImportFailed(f"{name}: expected a JSON list of objects with a 'text' key")
    for number, values in enumerate(items, start=1):
        where = f"{name} item {number}"
        if not isinstance(values, dict):
            yield ImportFailed(f"{where}: expected a JSON object with a 'text' key")
        elif "text" not in values:
            yield ImportFailed(f"{where}: missing 'text' key")
        else:
            try:
                yield _record(where, values["text"], values)
            except ImportFailed as exc:
                yield exc


def _read_csv(name: str, text: str) -> Iterator[Record | ImportFailed]:
    for number, row in _csv_rows(name, text, required="text"):
        try:
            yield _record(f"{name} line {number}", row["text"], row)
        except ImportFailed as exc:
            yield exc


def _read_metadata(name: str, text: str, files: Iterable[str]) -> dict[str, tuple[str, dict]]:
    """``metadata.csv`` of a folder: file name -> (where, row), checked against the files."""
    present = set(files)
    rows: dict[str, tuple[str, dict]] = {}
    for number, row in _csv_rows(name, text, required="file"):
        where = f"{name} line {number}"
        filename = row["file"].strip()
        if filename not in present:
            raise ImportFailed(f"{where}: no file '{filename}' in the folder")
        if filename in rows:
            raise ImportFailed(f"{where}: '{filename}' is listed twice")
        rows[filename] = (where, row)
    return rows


class _Reader:
    """Turns inputs into records, collecting encodings and (with skip_bad) rejections."""

    def __init__(
        self,
        report: ImportReport,
        *,
        skip_bad: bool,
        progress: bool,
        on_progress: OnProgress | None = None,
    ) -> None:
        self.report = report
        self.skip_bad = skip_bad
        self.on_progress = on_progress
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
        self.report.rejected.append(str(error))

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
                if self.on_progress is not None:
                    self.on_progress(len(self.records), None, "Reading")

    def file(self, name: str, load: Callable[[], bytes]) -> None:
        """One file, by its extension; a whole-file problem rejects the file."""
        suffix = PurePath(name).suffix.lower()
        try:
            if suffix not in {".txt", ".jsonl", ".json", ".csv"}:
                raise ImportFailed(
                    f"{name}: unsupported file type "
                    "(use .txt, .jsonl, .json, .csv, a .zip of .txt files or a folder)"
                )
            text = self.decode(name, load())
            if suffix == ".txt":
                self.add([_record(name, text, {})])
            elif suffix == ".jsonl":
                self.add(_read_jsonl(name, text))
            elif suffix == ".json":
                self.add(_read_json(name, text))
            else:
                self.add(_read_csv(name, text))
        except ImportFailed as exc:
            self.reject(exc)

    def folder(self, name: str, files: dict[str, Callable[[], bytes]]) -> None:
        """``.txt`` files (by name) and an optional ``metadata.csv`` describing them."""
        texts = sorted(f for f in files if f.lower().endswith(".txt"))
        try:
            if not texts:
                raise ImportFailed(f"{name}: no .txt files in this folder")
            metadata: dict[str, tuple[str, dict]] = {}
            if METADATA_FILE in files:
                meta_name = f"{name}/{METADATA_FILE}"
                meta_text = self.decode(meta_name, files[METADATA_FILE]())
                metadata = _read_metadata(meta_name, meta_text, texts)
        except ImportFailed as exc:
            self.reject(exc)
            return
        for filename in texts:
            where = f"{name}/{filename}"
            try:
                text = self.decode(where, files[filename]())
                meta_where, row = metadata.get(filename, (where, {}))
                record = _record(where, text, row, fields_where=meta_where)
                record.remove_repeats = _flag(
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
            self.reject(ImportFailed(f"{name}: no such file or folder"))
        elif path.suffix.lower() == ".zip":
            try:
                self.zip(name, _read_file(path))
            except ImportFailed as exc:
                self.reject(exc)
        else:
            self.file(name, partial(_read_file, path))

    def zip(self, name: str, data: bytes) -> None:
        """A .zip of .txt files, optionally with a metadata.csv (matched by file name)."""
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            members = [
                info
                for info in archive.infolist()
                if not info.is_dir()
                and not PurePath(info.filename).name.startswith(".")
                and not info.filename.startswith("__MACOSX/")
            ]
        except zipfile.BadZipFile:
            self.reject(ImportFailed(f"{name}: not a valid .zip file"))
            return
        limit = settings.IMPORT_UPLOAD_MAX_BYTES
        if sum(info.file_size for info in members) > limit:
            self.reject(ImportFailed(f"{name}: unpacks to more than {limit // 2**20} MB"))
            return
        files: dict[str, Callable[[], bytes]] = {}
        for info in members:
            base = PurePath(info.filename).name
            if base in files:
                self.reject(ImportFailed(f"{name}: two files named '{base}'"))
                return
            files[base] = partial(_read_member, archive, info, f"{name}/{base}")
        self.folder(name, files)


def _read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ImportFailed(f"{path}: cannot read ({exc.strerror})") from None


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> bytes:
    try:
        return archive.read(info)
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError) as exc:
        raise ImportFailed(f"{where}: cannot unpack ({exc})") from None


# ---------------------------------------------------------------- writing


def _resolve_sources(records: list[Record]) -> dict[str, Source]:
    """Find or create every named source (names match case-insensitively)."""
    by_name = {source.name.casefold(): source for source in Source.objects.all()}
    for record in records:
        key = record.source.casefold()
        if key not in by_name:
            by_name[key] = Source.objects.create(
                name=record.source, kind=record.source_kind or Source.Kind.OTHER
            )
    return by_name


def _existing_documents(hashes: list[str]) -> dict[str, Document]:
    found: dict[str, Document] = {}
    for start in range(0, len(hashes), WRITE_CHUNK):
        chunk = hashes[start : start + WRITE_CHUNK]
        for document in Document.objects.filter(text_sha256__in=chunk).only(
            "id", "title", "text_sha256"
        ):
            found[document.text_sha256] = document
    return found


def _insert_sentences(rows: list[tuple[int, int, int, int]]) -> None:
    """Store sentence rows (document id, index, start, end) with a written-out INSERT:
    building tens of thousands of model instances for ``bulk_create`` cost an import
    more than the database's own work (no signals are lost: bulk_create sends none)."""
    meta = Sentence._meta
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(meta.get_field(name).column) for name in ("document", "index", "start", "end")
    )
    insert = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES "
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":  # one prepared statement, run row by row in C
            cursor.executemany(insert + "(%s, %s, %s, %s)", rows)
            return
        for start in range(0, len(rows), SENTENCE_BATCH):
            batch = rows[start : start + SENTENCE_BATCH]
            cursor.execute(
                insert + ", ".join(["(%s, %s, %s, %s)"] * len(batch)),
                [value for row in batch for value in row],
            )


def _insert(
    documents: list[Document],
    sentences: list[list[tuple[int, int]]],
    *,
    progress: bool,
    on_progress: OnProgress | None = None,
) -> None:
    """bulk_create documents, then store their sentences (bulk_create skips Document.save,
    which would split them again)."""
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
            _insert_sentences(
                [
                    (document.pk, index, begin, end)
                    for document, spans in zip(
                        chunk, sentences[start : start + WRITE_CHUNK], strict=True
                    )
                    for index, (begin, end) in enumerate(spans)
                ]
            )
            bar.update(len(chunk))
            if on_progress is not None:
                on_progress(start + len(chunk), len(documents), "Saving")


def _write(
    records: list[Record],
    report: ImportReport,
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
    sentences: list[list[tuple[int, int]]] = []
    for record, sha in zip(records, hashes, strict=True):
        if sha in existing:
            document = existing[sha]
            title = f" «{document.title}»" if document.title else ""
            report.duplicates.append(f"{record.where}: same text as document {document.pk}{title}")
            continue
        if sha in first_seen:
            report.duplicates.append(f"{record.where}: same text as {first_seen[sha].where}")
            continue
        first_seen[sha] = record
        new.append(
            Document(
                source=sources[record.source.casefold()],
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
        sentences.append(record.sentences)
    if on_progress is not None:
        on_progress(0, len(new), "Saving")
    _insert(new, sentences, progress=progress, on_progress=on_progress)
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
) -> ImportReport:
    """Check sources and repeats of the records read and split their sentences, then
    write them in one transaction."""
    report = reader.report
    on_progress = reader.on_progress
    default = " ".join((default_source or "").split())
    records = []
    for record in reader.records:
        record.source = record.source or default
        if not record.source:
            reader.reject(
                ImportFailed(
                    f"{record.where}: no source (name one in the input or give a default "
                    "source with --source)"
                )
            )
            continue
        if len(record.source) > MAX_LENGTHS["source"]:
            reader.reject(ImportFailed(f"{record.where}: source is longer than 200 characters"))
            continue
        removing = remove_all_repeats or record.remove_repeats
        if removing:
            record.text, repeats = remove_repeats(record.text)
        else:
            repeats = find_repeats(record.text)
        for repeat in repeats:
            outcome = "removed" if removing else "kept"
            report.repeats.append(f"{record.where}: {repeat.describe()} ({outcome})")
        records.append(record)
    for start in range(0, len(records), SPLIT_CHUNK):
        if on_progress is not None:
            on_progress(start, len(records), "Splitting sentences")
        batch = records[start : start + SPLIT_CHUNK]
        for record, spans in zip(
            batch, sentence_spans_many([record.text for record in batch]), strict=True
        ):
            record.sentences = spans
    try:
        with transaction.atomic():
            _write(records, report, project=project, progress=progress, on_progress=on_progress)
    except IntegrityError as exc:
        detail = " ".join(str(exc).split())
        raise ImportFailed(
            f"import stopped, nothing written: the database refused a row ({detail})"
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
    on_progress: OnProgress | None = None,
) -> ImportReport:
    """Import folders of .txt files (with an optional metadata.csv), .txt, .jsonl, .json,
    .csv and .zip files. Nothing is written when a record is bad, unless ``skip_bad``.
    ``on_progress(done, total, phase)`` is told how far it got."""
    reader = _Reader(ImportReport(), skip_bad=skip_bad, progress=progress, on_progress=on_progress)
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
    on_progress: OnProgress | None = None,
) -> ImportReport:
    """Import one uploaded file: .txt, .jsonl, .json (a list of objects), .csv, or a .zip
    of .txt files."""
    name = PurePath(filename.replace("\\", "/")).name or "upload"
    reader = _Reader(ImportReport(), skip_bad=skip_bad, progress=False, on_progress=on_progress)
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
