"""Importing annotations: our jsonl export, doccano JSONL and Label Studio JSON.

Documents are matched by the SHA-256 of their text; a document that is not stored yet
is imported with it when the record names its source. Every span is checked against
the text (its quote too), then stored under the one boundary convention of every span
(``text.snapping.snap``: whole words, no spaces or punctuation at the ends; the report
counts the spans this trimmed). Labels are matched by name, and the whole file is
written in one transaction: on any problem nothing is imported and every problem is
reported. Gold is stored as the file has it; conflicts it brings are listed on the review
screen (``review.selectors.gold_conflicts``).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import batched
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from annotator.datasets.imports.documents import normalize_text
from annotator.errors import Rejected
from annotator.models import (
    Annotation,
    AnnotationEvent,
    Document,
    GoldAnnotation,
    Label,
    Membership,
    Project,
    ProjectDocument,
    Source,
    SpanValidationError,
    check_span,
    text_sha256,
)
from annotator.reports.tallies import tallies_invalidate
from annotator.text.offsets import OffsetError, Utf16Offsets
from annotator.text.snapping import snap
from annotator.workspace.annotations import annotation_snapshot

CHUNK = 200
MAX_ERRORS = 100
WHERE = re.compile(r"(?:line|task) (\d+)")


class ImportFailed(Rejected):
    """The file was rejected; nothing was written. ``report.errors`` says why."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__("\n".join(report.errors))
        self.report = report


@dataclass
class ImportReport:
    format: str = ""
    records: int = 0
    documents_matched: int = 0
    documents_created: int = 0
    sources_created: int = 0
    users_created: int = 0
    annotations_created: int = 0
    gold_created: int = 0
    duplicates_skipped: int = 0
    spans_snapped: int = 0
    results_skipped: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    error_count: int = 0

    def error(self, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(message)

    def sort_errors(self) -> None:
        """Put the errors in file order (a chunk's records are checked together)."""
        self.errors.sort(key=lambda m: int(n[1]) if (n := WHERE.match(m)) else 0)

    def summary(self) -> list[str]:
        lines = [
            f"Read {self.records} records ({self.format}).",
            f"Documents: {self.documents_matched} matched, {self.documents_created} imported.",
            f"Annotations: {self.annotations_created} imported; gold spans: "
            f"{self.gold_created} imported; {self.duplicates_skipped} already present, skipped.",
        ]
        if self.spans_snapped:
            lines.append(
                f"{self.spans_snapped} spans were trimmed to whole words without spaces or "
                "punctuation at the ends (the boundary convention)."
            )
        if self.sources_created or self.users_created:
            lines.append(
                f"Created {self.sources_created} sources and {self.users_created} "
                "inactive user accounts."
            )
        for kind, count in sorted(self.results_skipped.items()):
            lines.append(f"Skipped {count} Label Studio results of type {kind!r} (not text spans).")
        return lines


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


# Readers: each turns a file into DocumentIn records (or RecordError for a bad one).


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
    for i, span in enumerate(labels, 1):
        if not isinstance(span, list) or len(span) != 3:
            raise RecordError(f'{where}, span {i}: expected [start, end, "label"]')
        record.spans.append(
            SpanIn(
                where=f"{where}, span {i}",
                start=span[0],
                end=span[1],
                label=span[2],
                user=obj.get("annotator"),
                gold=gold,
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


def read_file(path: Path, report: ImportReport) -> Iterator[DocumentIn | RecordError]:
    """Records of the file; its format is told by its first character."""
    with open(path, encoding="utf-8-sig") as handle:
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


# Checks and writes.


def align_offsets(raw: str, normalized: str) -> list[int] | None:
    """Each offset of ``raw`` (0 … len) as an offset of ``normalized``, or None.

    ``normalize_text`` only drops characters (the ``\r`` of ``\r\n``, trailing
    spaces, blank lines at either end) and turns a lone ``\r`` into ``\n``, so
    ``normalized`` is ``raw`` with characters left out: walking both texts aligns
    them. Unicode composition (NFC) changes characters; then this returns None.
    """
    offsets = []
    j = 0
    for char in raw:
        offsets.append(j)
        if j < len(normalized) and (
            char == normalized[j] or (char == "\r" and normalized[j] == "\n")
        ):
            j += 1
    offsets.append(j)
    return offsets if j == len(normalized) else None


def _is_offset(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _parse_datetime(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(value)
    parsed = datetime.fromisoformat(value)
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


class _Importer:
    def __init__(self, project: Project, annotator, create_users: bool) -> None:
        self.project = project
        self.annotator = annotator
        self.create_users = create_users
        self.report = ImportReport()
        self.labels = {label.name: label for label in Label.objects.filter(project=project)}
        self.users: dict[str, Any] = {}
        self.sources: dict[str, Source] = {}
        self.annotators: set[int] = set()
        self.seen_documents: set[int] = set()
        self.now = timezone.now()

    def error(self, message: str) -> None:
        self.report.error(message)

    def run(self, records: Iterable[DocumentIn | RecordError]) -> None:
        for chunk in batched(records, CHUNK):
            good = []
            for record in chunk:
                self.report.records += 1
                if isinstance(record, RecordError):
                    self.error(str(record))
                else:
                    good.append(record)
            self._import_chunk(good)
        if self.report.records == 0:
            self.error("The file has no records.")

    # Users, sources and documents.

    def user(self, username: Any, where: str):
        if not isinstance(username, str) or not username:
            return None
        if username not in self.users:
            User = get_user_model()
            user = User.objects.filter(username=username).first()
            if user is None and self.create_users:
                try:
                    User.username_validator(username)
                except ValidationError:
                    self.error(f'{where}: "{username}" is not a valid username')
                    return None
                user = User(username=username, is_active=False)
                user.set_unusable_password()
                user.save()
                self.report.users_created += 1
            self.users[username] = user
        if self.users[username] is None:
            self.error(
                f'{where}: unknown user "{username}" '
                "(create the account first, or use --create-users)"
            )
        return self.users[username]

    def source(self, spec: dict[str, Any], where: str) -> Source | None:
        name = str(spec["name"])
        if name not in self.sources:
            source = Source.objects.filter(name=name).first()
            if source is None:
                source = Source(
                    name=name,
                    **{k: spec[k] for k in ("kind", "country", "language") if spec.get(k)},
                )
                try:
                    source.full_clean()
                except ValidationError as exc:
                    self.error(f"{where}: source: {_messages(exc)}")
                    return None
                source.save()
                self.report.sources_created += 1
            self.sources[name] = source
        return self.sources[name]

    def new_document(self, record: DocumentIn, text: str) -> Document | None:
        if record.source is None:
            self.error(
                f"{record.where}: unknown document: no stored document has this text "
                "and the record names no source to import it from"
            )
            return None
        meta = dict(record.meta)
        try:
            published = meta.pop("published", None)
            meta["published_on"] = date.fromisoformat(published) if published else None
        except (TypeError, ValueError):
            self.error(f'{record.where}: "published" is not a date like 2025-01-31')
            return None
        document = Document(text=text, **{k: v for k, v in meta.items() if v is not None})
        try:
            document.clean_fields(exclude=["source", "text_sha256"])
        except ValidationError as exc:
            self.error(f"{record.where}: {_messages(exc)}")
            return None
        source = self.source(record.source, record.where)
        if source is None:
            return None
        document.source = source
        document.save()
        self.report.documents_created += 1
        return document

    def documents(self, records: list[DocumentIn]) -> list[tuple[DocumentIn, Document]]:
        prepared = []
        for record in records:
            if not isinstance(record.text, str) or not record.text.strip():
                self.error(f'{record.where}: "text" is missing or empty')
                continue
            normalized = normalize_text(record.text)
            if normalized != record.text:
                record.offsets = align_offsets(record.text, normalized)
                if record.offsets is None:
                    self.error(
                        f"{record.where}: the text is not in Unicode NFC form; its offsets "
                        "cannot follow the stored (normalised) text"
                    )
                    continue
            prepared.append((record, text_sha256(record.text), normalized))
        hashes = {h for _, digest, text in prepared for h in (digest, text_sha256(text))}
        stored = {d.text_sha256: d for d in Document.objects.filter(text_sha256__in=hashes)}
        resolved = []
        for record, digest, normalized in prepared:
            document = stored.get(digest)
            if document is not None:
                record.offsets = None  # this very text is stored: offsets need no mapping
            else:
                document = stored.get(text_sha256(normalized))
            if document is None:
                document = self.new_document(record, normalized)
                if document is None:
                    continue
                stored[document.text_sha256] = document
                self.seen_documents.add(document.pk)
            elif document.pk not in self.seen_documents:
                self.seen_documents.add(document.pk)
                self.report.documents_matched += 1
            resolved.append((record, document))
        return resolved

    # Spans.

    def span(self, span: SpanIn, record: DocumentIn, utf16: Utf16Offsets | None):
        """(label, user, start, end, created, updated) of a valid span, else None.

        Offsets are checked against the record's text, then mapped onto the stored
        text when that is the record's text normalised.
        """
        text = record.text
        where = span.where
        if not (_is_offset(span.start) and _is_offset(span.end)):
            self.error(f"{where}: Offsets must be whole numbers.")
            return None
        start, end = span.start, span.end
        try:
            if utf16 is not None:
                units = utf16.to_utf16(len(text))
                if start < 0 or end > units:
                    self.error(
                        f"{where}: Offsets {start}–{end} are outside the text "
                        f"(0–{units} in UTF-16 units)."
                    )
                    return None
                start, end = utf16.from_utf16(start), utf16.from_utf16(end)
            check_span(text, start, end)
        except (OffsetError, SpanValidationError) as exc:
            message = exc.messages[0] if isinstance(exc, SpanValidationError) else str(exc)
            self.error(f"{where}: {message}")
            return None
        if span.quote is not None and span.quote != text[start:end]:
            self.error(
                f'{where}: the quote "{span.quote}" does not match the text at '
                f'{start}–{end} ("{text[start:end]}")'
            )
            return None
        if record.offsets is not None:
            start, end = record.offsets[start], record.offsets[end]
            if start >= end:
                self.error(
                    f"{where}: the span covers only line ends or trailing spaces, which "
                    "the stored text drops"
                )
                return None
        label = self.labels.get(span.label) if isinstance(span.label, str) else None
        if label is None:
            self.error(
                f'{where}: unknown label "{span.label}" '
                f"(this project has: {', '.join(self.labels)})"
            )
            return None
        if span.gold:
            user = self.user(span.user, where) if span.user is not None else None
            if span.user is not None and user is None:
                return None
        elif self.annotator is not None:
            user = self.annotator
        elif span.user is None:
            self.error(f"{where}: the span names no annotator: pass --annotator USER")
            return None
        else:
            user = self.user(span.user, where)
            if user is None:
                return None
        try:
            created = _parse_datetime(span.created) or self.now
            updated = _parse_datetime(span.updated) or created
        except ValueError:
            self.error(f"{where}: created/updated is not an ISO date and time")
            return None
        return label, user, start, end, created, updated

    def _import_chunk(self, records: list[DocumentIn]) -> None:
        resolved = self.documents(records)
        if not resolved:
            return
        ids = {document.pk for _, document in resolved}
        in_project = set(
            ProjectDocument.objects.filter(project=self.project, document_id__in=ids).values_list(
                "document_id", flat=True
            )
        )
        ProjectDocument.objects.bulk_create(
            [ProjectDocument(project=self.project, document_id=i) for i in ids - in_project]
        )
        existing = set(
            Annotation.objects.filter(project=self.project, document_id__in=ids).values_list(
                "document_id", "annotator_id", "label_id", "start", "end"
            )
        )
        existing_gold = set(
            GoldAnnotation.objects.filter(project=self.project, document_id__in=ids).values_list(
                "document_id", "label_id", "start", "end"
            )
        )
        annotations: list[Annotation] = []
        gold: list[GoldAnnotation] = []
        for record, document in resolved:
            self.review(record, document)
            utf16 = Utf16Offsets(record.text) if record.utf16 else None
            for span in record.spans:
                checked = self.span(span, record, utf16)
                if checked is None:
                    continue
                label, user, start, end, created, updated = checked
                start, end = self.snapped(span, document, start, end)
                if start == end:
                    continue
                fields = {
                    "project": self.project,
                    "document": document,
                    "label": label,
                    "start": start,
                    "end": end,
                    "quote": document.text[start:end],
                    "note": span.note if isinstance(span.note, str) else "",
                    "created_at": created,
                    "updated_at": updated,
                }
                if span.gold:
                    key = (document.pk, label.pk, start, end)
                    target, objects, model = existing_gold, gold, GoldAnnotation
                    fields["reviewer"] = user
                else:
                    key = (document.pk, user.pk, label.pk, start, end)
                    target, objects, model = existing, annotations, Annotation
                    fields["annotator"] = user
                    self.annotators.add(user.pk)
                if key in target:
                    self.report.duplicates_skipped += 1
                    continue
                target.add(key)
                objects.append(model(**fields))
        self.save_spans(annotations, gold)

    def snapped(self, span: SpanIn, document: Document, start: int, end: int) -> tuple[int, int]:
        """The span under the boundary convention; an error if it holds no word."""
        snapped = snap(document.text, start, end)
        if snapped[0] == snapped[1]:
            self.error(f"{span.where}: the span holds no words, only spaces or punctuation")
        elif snapped != (start, end):
            self.report.spans_snapped += 1
        return snapped

    def review(self, record: DocumentIn, document: Document) -> None:
        if record.reviewed_at is None:
            return
        try:
            reviewed_at = _parse_datetime(record.reviewed_at)
        except ValueError:
            self.error(f'{record.where}: "reviewed_at" is not an ISO date and time')
            return
        reviewer = self.user(record.reviewed_by, record.where)
        if record.reviewed_by is not None and reviewer is None:
            return
        ProjectDocument.objects.filter(project=self.project, document=document).update(
            reviewed_at=reviewed_at, reviewed_by=reviewer
        )

    def save_spans(self, annotations: list[Annotation], gold: list[GoldAnnotation]) -> None:
        for model, objects in ((Annotation, annotations), (GoldAnnotation, gold)):
            if not objects:
                continue
            stamps = [(o.created_at, o.updated_at) for o in objects]
            created = model.objects.bulk_create(objects)
            for obj, (created_at, updated_at) in zip(created, stamps, strict=True):
                obj.created_at, obj.updated_at = created_at, updated_at
            # bulk_create stamps auto_now fields with the current time: restore the file's.
            model.objects.bulk_update(created, ["created_at", "updated_at"])
        if annotations:
            AnnotationEvent.objects.bulk_create(
                [
                    AnnotationEvent(
                        annotation_id=a.pk,
                        project=self.project,
                        document_id=a.document_id,
                        actor=None,
                        action=AnnotationEvent.Action.CREATE,
                        after=annotation_snapshot(a),
                    )
                    for a in annotations
                ]
            )
        # bulk_create skips the signals that mark source profiles stale: mark them here.
        tallies_invalidate(self.project, {span.document_id for span in [*annotations, *gold]})
        self.report.annotations_created += len(annotations)
        self.report.gold_created += len(gold)

    def finish(self) -> None:
        members = set(
            Membership.objects.filter(
                project=self.project, user_id__in=self.annotators
            ).values_list("user_id", flat=True)
        )
        Membership.objects.bulk_create(
            [Membership(project=self.project, user_id=i) for i in self.annotators - members]
        )


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items()
        )
    return " ".join(exc.messages)


def annotations_import(
    *, project: Project, path: Path, annotator=None, create_users: bool = False
) -> ImportReport:
    """Import the annotations in ``path`` into ``project``; ImportFailed on any problem.

    ``annotator`` (a user) takes every annotator span of the file; without it each
    span's annotator is named in the file. ``create_users`` creates missing accounts
    (inactive, without a password) instead of rejecting their spans.
    """
    importer = _Importer(project, annotator, create_users)
    report = importer.report
    with transaction.atomic():
        importer.run(read_file(Path(path), report))
        if report.error_count:
            report.sort_errors()
            raise ImportFailed(report)
        importer.finish()
    return report
