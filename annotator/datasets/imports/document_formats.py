"""The document formats: one text a record, as .txt, .jsonl, .json (a list of objects, as
the API takes them), .csv or a folder's metadata.csv.

A reader turns a decoded file into records, each validated (its optional fields
checked against what ``Document`` and ``Source`` store) and its text normalised;
a bad record comes out as an ``ImportFailed`` naming its file and line, in its
place, so the importer decides whether it stops the import or is skipped.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext

from annotator.datasets.imports.decode import normalize_text
from annotator.datasets.imports.report import ImportFailed
from annotator.models import Source

METADATA_FILE = "metadata.csv"
OPTIONAL_FIELDS = ("title", "source", "source_kind", "author", "published_on", "url", "language")
MAX_LENGTHS = {"title": 500, "source": 200, "author": 200, "url": 500, "language": 20}
SOURCE_KINDS = tuple(Source.Kind.values)
TRUE_WORDS = {"1", "yes", "true", "y", "on"}
FALSE_WORDS = {"", "0", "no", "false", "n", "off"}


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
    order: int = 0  # place in the input, for listing problems in file order


def clean_fields(where: str, values: Mapping[str, object]) -> dict[str, Any]:
    """Validate the optional fields of one record; empty values count as absent."""
    cleaned: dict[str, Any] = {}
    for name in OPTIONAL_FIELDS:
        value = values.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise ImportFailed(
                gettext("%(where)s: '%(name)s' must be text, not %(type)s")
                % {"where": where, "name": name, "type": type(value).__name__}
            )
        value = unicodedata.normalize("NFC", " ".join(value.split()))
        if not value:
            continue
        limit = MAX_LENGTHS.get(name)
        if limit and len(value) > limit:
            raise ImportFailed(
                gettext("%(where)s: %(name)s is longer than %(limit)s characters")
                % {"where": where, "name": name, "limit": limit}
            )
        cleaned[name] = value

    kind = cleaned.get("source_kind")
    if kind is not None:
        kind = str(kind).lower()
        if kind not in SOURCE_KINDS:
            raise ImportFailed(
                gettext("%(where)s: unknown source kind '%(source_kind)s' (use one of: %(kinds)s)")
                % {
                    "where": where,
                    "source_kind": cleaned["source_kind"],
                    "kinds": ", ".join(SOURCE_KINDS),
                }
            )
        cleaned["source_kind"] = kind
    if "published_on" in cleaned:
        try:
            cleaned["published_on"] = date.fromisoformat(str(cleaned["published_on"]))
        except ValueError:
            raise ImportFailed(
                gettext("%(where)s: bad published_on '%(published_on)s' (use YYYY-MM-DD)")
                % {"where": where, "published_on": cleaned["published_on"]}
            ) from None
    if "url" in cleaned:
        try:
            URLValidator()(cleaned["url"])
        except ValidationError:
            raise ImportFailed(
                gettext("%(where)s: bad url '%(url)s'") % {"where": where, "url": cleaned["url"]}
            ) from None
    return cleaned


def flag(where: str, name: str, value: str) -> bool:
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImportFailed(
        gettext("%(where)s: bad %(name)s '%(value)s' (use yes or no)")
        % {"where": where, "name": name, "value": value}
    )


def csv_rows(name: str, text: str, *, required: str) -> Iterator[tuple[int, dict[str, str]]]:
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
        raise ImportFailed(
            gettext("%(name)s line 1: bad CSV (%(exc)s)") % {"name": name, "exc": exc}
        ) from None
    if required not in header:
        found = ", ".join(column for column in header if column) or "none"
        raise ImportFailed(
            gettext("%(name)s: missing '%(required)s' column (found: %(found)s)")
            % {"name": name, "required": required, "found": found}
        )
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ImportFailed(
                gettext("%(name)s line %(line)s: bad CSV (%(exc)s)")
                % {"name": name, "line": line, "exc": exc}
            ) from None
        if any(cell.strip() for cell in row):
            yield line, dict(zip(header, row, strict=False))
        line = reader.line_num + 1


def record_of(
    where: str, text: object, values: Mapping[str, object], *, fields_where: str | None = None
) -> Record:
    """A validated record; field problems are reported at ``fields_where`` if given."""
    if not isinstance(text, str):
        raise ImportFailed(
            gettext("%(where)s: 'text' must be text, not %(type)s")
            % {"where": where, "type": type(text).__name__}
        )
    if "\x00" in text:
        raise ImportFailed(gettext("%(where)s: text contains NUL characters") % {"where": where})
    text = normalize_text(text)
    if not text.strip():
        raise ImportFailed(gettext("%(where)s: empty text") % {"where": where})
    return Record(where=where, text=text, **clean_fields(fields_where or where, values))


def _object_record(where: str, values: object) -> Record | ImportFailed:
    """The record of one JSON object (a .jsonl line, an item of a .json list)."""
    if not isinstance(values, dict):
        return ImportFailed(
            gettext("%(where)s: expected a JSON object with a 'text' key") % {"where": where}
        )
    if "text" not in values:
        return ImportFailed(gettext("%(where)s: missing 'text' key") % {"where": where})
    try:
        return record_of(where, values["text"], values)
    except ImportFailed as exc:
        return exc


def read_jsonl(name: str, text: str) -> Iterator[Record | ImportFailed]:
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{name} line {number}"
        try:
            values = json.loads(line)
        except json.JSONDecodeError as exc:
            yield ImportFailed(
                gettext("%(where)s: bad JSON (%(msg)s at column %(colno)s)")
                % {"where": where, "msg": exc.msg, "colno": exc.colno}
            )
            continue
        yield _object_record(where, values)


def read_json(name: str, text: str) -> Iterator[Record | ImportFailed]:
    """A JSON list of objects with the keys of a .jsonl line (``item N`` counts from 1)."""
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFailed(
            gettext("%(name)s: bad JSON (%(msg)s at line %(line)s column %(colno)s)")
            % {"name": name, "msg": exc.msg, "line": exc.lineno, "colno": exc.colno}
        ) from None
    if not isinstance(items, list):
        raise ImportFailed(
            gettext("%(name)s: expected a JSON list of objects with a 'text' key") % {"name": name}
        )
    for number, values in enumerate(items, start=1):
        yield _object_record(f"{name} item {number}", values)


def read_csv(name: str, text: str) -> Iterator[Record | ImportFailed]:
    for number, row in csv_rows(name, text, required="text"):
        try:
            yield record_of(f"{name} line {number}", row["text"], row)
        except ImportFailed as exc:
            yield exc


def read_metadata(name: str, text: str, files: Iterable[str]) -> dict[str, tuple[str, dict]]:
    """``metadata.csv`` of a folder: file name -> (where, row), checked against the files."""
    present = set(files)
    rows: dict[str, tuple[str, dict]] = {}
    for number, row in csv_rows(name, text, required="file"):
        where = f"{name} line {number}"
        filename = row["file"].strip()
        if filename not in present:
            raise ImportFailed(
                gettext("%(where)s: no file '%(filename)s' in the folder")
                % {"where": where, "filename": filename}
            )
        if filename in rows:
            raise ImportFailed(
                gettext("%(where)s: '%(filename)s' is listed twice")
                % {"where": where, "filename": filename}
            )
        rows[filename] = (where, row)
    return rows
