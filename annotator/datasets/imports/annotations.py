"""Importing annotations: our jsonl export, doccano JSONL and Label Studio JSON.

The formats are read by ``annotation_formats``; this module checks and writes. Documents
are matched by the SHA-256 of their text; a document that is not stored yet
is imported with it when the record names its source. Every span is checked against
the text (its quote too), then stored under the one boundary convention of every span
(``text.snapping.snap``: whole words, no spaces or punctuation at the ends; the report
counts the spans this trimmed). Labels are matched by name, and the whole file is
written in one transaction: on any problem nothing is imported and every problem is
reported. Gold is stored as the file has it; conflicts it brings are listed on the review
screen (``review.selectors.gold_conflicts``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import batched
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from annotator.corpus.sources import SourceRejected, source_for_name, sources_by_name
from annotator.datasets.imports.annotation_formats import (
    DocumentIn,
    RecordError,
    SpanIn,
    read_file,
)
from annotator.datasets.imports.decode import align_offsets, normalize_text
from annotator.datasets.imports.report import ImportReport
from annotator.errors import validation_message
from annotator.models import (
    Annotation,
    AnnotationEvent,
    Document,
    GoldAnnotation,
    HolderKind,
    HolderValidationError,
    Label,
    Membership,
    NoteValidationError,
    Project,
    ProjectDocument,
    Source,
    SpanModel,
    SpanValidationError,
    check_holder,
    check_note,
    check_span,
    text_sha256,
)
from annotator.reports.tallies import tallies_invalidate
from annotator.text.offsets import OffsetError, Utf16Offsets
from annotator.text.snapping import snap
from annotator.workspace.annotations import annotation_snapshot

CHUNK = 200
WHERE = re.compile(r"(?:line|task) (\d+)")


@dataclass
class AnnotationImportReport(ImportReport):
    """What an annotation import found and wrote; any error means nothing was written."""

    max_errors = 100

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
        self.report = AnnotationImportReport()
        self.labels = {label.name: label for label in Label.objects.filter(project=project)}
        self.users: dict[str, Any] = {}
        self.sources: dict[str, Source] | None = None
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
        if self.sources is None:
            self.sources = sources_by_name()
        try:
            source, created = source_for_name(
                str(spec["name"]),
                known=self.sources,
                **{k: spec[k] for k in ("kind", "country", "language") if spec.get(k)},
            )
        except SourceRejected as exc:
            self.error(f"{where}: source: {exc}")
            return None
        self.report.sources_created += created
        return source

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
            self.error(f"{record.where}: {validation_message(exc)}")
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

    def holder(
        self, span: SpanIn, record: DocumentIn, utf16: Utf16Offsets | None
    ) -> dict[str, Any] | None:
        """The span's holder fields, checked by the rule of every write
        (``check_holder``), the cue's offsets mapped as the span's; None when invalid."""
        kind = span.holder_kind if span.holder_kind is not None else HolderKind.AUTHOR
        holder = span.holder if span.holder is not None else ""
        cue = [span.cue_start, span.cue_end]
        where = span.where
        try:
            if any(value is not None and not _is_offset(value) for value in cue):
                raise HolderValidationError(gettext("Cue offsets must be whole numbers."))
            if utf16 is not None and None not in cue:
                cue = [utf16.from_utf16(value) for value in cue]
            check_holder(record.text, kind, holder, cue[0], cue[1])
        except (OffsetError, HolderValidationError) as exc:
            message = exc.messages[0] if isinstance(exc, HolderValidationError) else str(exc)
            self.error(f"{where}: {message}")
            return None
        if record.offsets is not None and None not in cue:
            cue = [record.offsets[value] for value in cue]
        return {"holder_kind": kind, "holder": holder, "cue_start": cue[0], "cue_end": cue[1]}

    def span(self, span: SpanIn, record: DocumentIn, utf16: Utf16Offsets | None):
        """(label, user, start, end, created, updated, holder fields) of a valid span,
        else None.

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
        if isinstance(span.note, str):
            try:
                check_note(span.note)  # the rule of every other path a note comes in by
            except NoteValidationError as exc:
                self.error(f"{where}: {exc.messages[0]}")
                return None
        try:
            created = _parse_datetime(span.created) or self.now
            updated = _parse_datetime(span.updated) or created
        except ValueError:
            self.error(f"{where}: created/updated is not an ISO date and time")
            return None
        holder = self.holder(span, record, utf16)
        if holder is None:
            return None
        return label, user, start, end, created, updated, holder

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
        existing: set[tuple[Any, ...]] = set(
            Annotation.objects.filter(project=self.project, document_id__in=ids).values_list(
                "document_id", "annotator_id", "label_id", "start", "end"
            )
        )
        existing_gold: set[tuple[Any, ...]] = set(
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
                label, user, start, end, created, updated, holder = checked
                start, end = self.snapped(span, document, start, end)
                if start == end:
                    continue
                fields = {
                    **holder,
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
                key: tuple[Any, ...]
                if span.gold:
                    key = (document.pk, label.pk, start, end)
                    target = existing_gold
                    fields["reviewer"] = user
                else:
                    key = (document.pk, user.pk, label.pk, start, end)
                    target = existing
                    fields["annotator"] = user
                    self.annotators.add(user.pk)
                if key in target:
                    self.report.duplicates_skipped += 1
                    continue
                target.add(key)
                if span.gold:
                    gold.append(GoldAnnotation(**fields))
                else:
                    annotations.append(Annotation(**fields))
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
        tables: list[tuple[type[SpanModel], list[Any]]] = [
            (Annotation, annotations),
            (GoldAnnotation, gold),
        ]
        for model, objects in tables:
            if not objects:
                continue
            stamps = [(o.created_at, o.updated_at) for o in objects]
            created = model._default_manager.bulk_create(objects)
            for obj, (created_at, updated_at) in zip(created, stamps, strict=True):
                obj.created_at, obj.updated_at = created_at, updated_at
            # bulk_create stamps auto_now fields with the current time: restore the file's.
            model._default_manager.bulk_update(created, ["created_at", "updated_at"])
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


def annotations_import(
    *, project: Project, path: Path, annotator=None, create_users: bool = False
) -> AnnotationImportReport:
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
            raise report.failed()
        importer.finish()
    return report
