"""The annotation formats: our jsonl export, doccano JSONL and Label Studio JSON.

Each reader turns a file into ``DocumentIn`` records, a text with its spans in the
shape the importer checks, whatever the format called them; a record that cannot be
read at all comes out as a ``RecordError`` in its place, so that every problem of the
file is reported, not only the first. Nothing here looks at the database.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from annotator.datasets.imports.decode import open_text
from annotator.datasets.imports.report import ImportFailed


@dataclass
class SpanIn:
    where: str
    start: Any
    end: Any
    label: Any
    quote: Any = None
    user: Any = None
    note: Any = ""
    created: Any = None
    updated: Any = None
    gold: bool = False
    holder_kind: Any = None  # None: the author's voice
    holder: Any = None
    cue_start: Any = None
    cue_end: Any = None


def _holder_of(values: Any) -> dict[str, Any]:
    """The holder fields of a span object (ours, or Label Studio's region ``meta``)."""
    if not isinstance(values, dict):
        return {}
    keys = ("holder_kind", "holder", "cue_start", "cue_end")
    return {key: values[key] for key in keys if key in values}


@dataclass
class DocumentIn:
    """One record of the file, in the shape the checks need."""

    where: str
    text: Any
    source: dict[str, Any] | None = None
    meta: dict[str, Any] = field(default_factory=dict)  # title, author, url, published, …
    spans: list[SpanIn] = field(default_factory=list)
    utf16: bool = False
    reviewed_at: Any = None
    reviewed_by: Any = None
    offsets: list[int] | None = None  # record offset → stored-text offset, if they differ


class RecordError(Exception):
    """A record that cannot be read at all."""


def _source_of(value: Any) -> dict[str, Any] | None:
    if isinstance(value, dict) and value.get("name"):
        return value
    if isinstance(value, str) and value:
        return {"name": value}
    return None


def _meta(obj: dict[str, Any]) -> dict[str, Any]:
    return {
        key: obj[key] for key in ("title", "author", "url", "published", "language") if key in obj
    }


def jsonl_record(where: str, obj: dict[str, Any]) -> DocumentIn:
    """A line of our jsonl export."""
    record = DocumentIn(
        where=where,
        text=obj.get("text"),
        source=_source_of(obj.get("source")),
        meta=_meta(obj),
        reviewed_at=obj.get("reviewed_at"),
        reviewed_by=obj.get("reviewed_by"),
    )
    for key, gold, name in (("annotations", False, "span"), ("gold", True, "gold span")):
        spans = obj.get(key) or []
        if not isinstance(spans, list):
            raise RecordError(f'{where}: "{key}" is not a list')
        for i, span in enumerate(spans, 1):
            span_where = f"{where}, {name} {i}"
            if not isinstance(span, dict) or not {"start", "end", "label"} <= span.keys():
                raise RecordError(f'{span_where}: expected an object with "start", "end", "label"')
            record.spans.append(
                SpanIn(
                    where=span_where,
                    start=span["start"],
                    end=span["end"],
                    label=span["label"],
                    quote=span.get("quote"),
                    user=span.get("reviewer" if gold else "annotator"),
                    note=span.get("note") or "",
                    created=span.get("created"),
                    updated=span.get("updated"),
                    gold=gold,
                    **_holder_of(span),
                )
            )
    return record


def doccano_record(where: str, obj: dict[str, Any]) -> DocumentIn:
    """A line of doccano's sequence-labeling JSONL (UTF-16 offsets)."""
    record = DocumentIn(
        where=where,
        text=obj.get("text"),
        source=_source_of(obj.get("source")),
        meta=_meta(obj),
        utf16=True,
    )
    labels = obj.get("label")
    if not isinstance(labels, list):
        raise RecordError(f'{where}: "label" is not a list')
    gold = obj.get("gold") is True
    # Our export's holders, parallel to "label" (doccano keeps them as metadata).
    holders = obj.get("holders")
    if holders is not None and (not isinstance(holders, list) or len(holders) != len(labels)):
        raise RecordError(f'{where}: "holders" is not a list as long as "label"')
    for i, span in enumerate(labels, 1):
        if not isinstance(span, list) or len(span) != 3:
            raise RecordError(f'{where}, span {i}: expected [start, end, "label"]')
        holder = holders[i - 1] if holders is not None else None
        if holder is not None and (not isinstance(holder, list) or len(holder) != 4):
            raise RecordError(
                f"{where}, span {i}: expected holders [kind, holder, cue_start, cue_end]"
            )
        record.spans.append(
            SpanIn(
                where=f"{where}, span {i}",
                start=span[0],
                end=span[1],
                label=span[2],
                user=obj.get("annotator"),
                gold=gold,
                **(
                    dict(
                        zip(("holder_kind", "holder", "cue_start", "cue_end"), holder, strict=True)
                    )
                    if holder
                    else {}
                ),
            )
        )
    return record


def read_jsonl(lines: Iterable[str]) -> Iterator[DocumentIn | RecordError]:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"line {number}"
        try:
            obj = json.loads(line.rstrip("\r\n"))
        except json.JSONDecodeError as exc:
            yield RecordError(f"{where}: not valid JSON ({exc.msg}, column {exc.colno})")
            continue
        try:
            if not isinstance(obj, dict):
                raise RecordError(f"{where}: expected a JSON object")
            if "annotations" in obj:
                yield jsonl_record(where, obj)
            elif "label" in obj:
                yield doccano_record(where, obj)
            else:
                raise RecordError(
                    f'{where}: neither our jsonl (no "annotations") nor doccano (no "label")'
                )
        except RecordError as exc:
            yield exc


def label_studio_record(where: str, task: Any, skipped: Counter[str]) -> DocumentIn:
    if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
        raise RecordError(f'{where}: expected a task object with "data"')
    data = task["data"]
    record = DocumentIn(where=where, text=data.get("text"), source=_source_of(data.get("source")))
    record.meta = _meta(data)
    annotations = task.get("annotations") or []
    if not isinstance(annotations, list):
        raise RecordError(f'{where}: "annotations" is not a list')
    for a, annotation in enumerate(annotations, 1):
        if not isinstance(annotation, dict) or not isinstance(annotation.get("result"), list):
            raise RecordError(f'{where}, annotation {a}: expected an object with a "result" list')
        if annotation.get("was_cancelled"):
            continue
        for r, result in enumerate(annotation["result"], 1):
            result_where = f"{where}, annotation {a}, result {r}"
            kind = result.get("type") if isinstance(result, dict) else None
            if kind != "labels":
                skipped[str(kind)] += 1
                continue
            value = result.get("value")
            if not isinstance(value, dict) or not isinstance(value.get("labels"), list):
                raise RecordError(f'{result_where}: "value" has no "labels" list')
            for label in value["labels"]:
                record.spans.append(
                    SpanIn(
                        where=result_where,
                        start=value.get("start"),
                        end=value.get("end"),
                        label=label,
                        quote=value.get("text"),
                        user=annotation.get("annotator"),
                        gold=annotation.get("ground_truth") is True,
                        **_holder_of(result.get("meta")),
                    )
                )
    return record


def read_label_studio(text: str, skipped: Counter[str]) -> Iterator[DocumentIn | RecordError]:
    try:
        tasks = json.loads(text)
    except json.JSONDecodeError as exc:
        yield RecordError(f"not valid JSON ({exc.msg}, line {exc.lineno}, column {exc.colno})")
        return
    if not isinstance(tasks, list):
        yield RecordError("a Label Studio file is a JSON list of tasks")
        return
    for number, task in enumerate(tasks, 1):
        try:
            yield label_studio_record(f"task {number}", task, skipped)
        except RecordError as exc:
            yield exc


class ReadingReport(Protocol):
    """What reading a file tells the import's report besides the records."""

    format: str
    encodings: dict[str, str]
    results_skipped: Counter[str]


def read_file(path: Path, report: ReadingReport) -> Iterator[DocumentIn | RecordError]:
    """Records of the file; its format is told by its first character.

    The file is streamed (a jsonl export can be larger than the memory wants to
    hold); a binary file or one that is not UTF-8 (or UTF-16/32 with a BOM) is one
    RecordError naming it.
    """
    try:
        handle, report.encodings[path.name] = open_text(path, path.name)
    except ImportFailed as exc:
        yield RecordError(str(exc))
        return
    with handle:
        try:
            first = ""
            while not first.strip():
                first = handle.read(1)
                if not first:
                    break
            handle.seek(0)
            if first == "[":
                report.format = "label-studio"
                yield from read_label_studio(handle.read(), report.results_skipped)
            else:
                report.format = "jsonl"
                yield from read_jsonl(handle)
        except UnicodeDecodeError:
            yield RecordError(f"{path.name}: not UTF-8 text")
