"""Dataset export: one streaming pass over a project's documents, written in several formats.

Documents, annotations, gold spans and sentences are read with one chunked query each,
ordered by document id, and merged in Python (no per-document queries): memory stays
flat however large the project. Every format is written as it is read, to a file
(``export_to_path``) or to a streamed HTTP download (``export_response``).

Offsets in every format are Unicode code points into the exported ``text``, except
doccano's, which are UTF-16 code units as doccano counts them.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import tempfile
import zipfile
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple, cast
from xml.sax.saxutils import quoteattr

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from annotator.errors import Rejected
from annotator.models import (
    Annotation,
    GoldAnnotation,
    Label,
    Project,
    ProjectDocument,
    Sentence,
    Source,
)
from annotator.stats.sentence_labels import sentence_labels
from annotator.text.offsets import Utf16Offsets

FORMATS = ("jsonl", "doccano", "label-studio", "csv", "sentences", "conll", "bundle")
CHUNK_SIZE = 2000  # rows of spans or sentences per fetch
DOCUMENT_CHUNK_SIZE = 100  # documents per fetch: texts are long (up to 4 bytes a character)
LABEL_STUDIO_USER_FIELD = "annotator"


class ExportError(Rejected, ValueError):
    """The export cannot run as asked; ``str(exc)`` says why."""


@dataclass
class ExportFilters:
    """What to export. Empty filters export the whole project.

    ``sources``: source names; ``annotators``: usernames (their spans only, no gold);
    ``since``: spans created or changed on or after this day; ``gold_only``: the
    reviewers' gold spans alone; ``document_ids``: these documents only.
    With ``annotators``, ``since`` or ``gold_only``, documents left with nothing to
    export are left out.
    """

    sources: Sequence[str] = ()
    annotators: Sequence[str] = ()
    since: date | None = None
    gold_only: bool = False
    document_ids: Sequence[int] | None = None

    @property
    def restricts_spans(self) -> bool:
        return bool(self.annotators) or self.since is not None or self.gold_only

    def describe(self) -> dict[str, Any]:
        """The filters as the dataset card lists them."""
        return {
            "sources": list(self.sources),
            "annotators": list(self.annotators),
            "since": self.since.isoformat() if self.since else None,
            "gold_only": self.gold_only,
            "documents": len(self.document_ids) if self.document_ids is not None else None,
        }


class Span(NamedTuple):
    start: int
    end: int
    label: str
    quote: str
    user: str | None  # the annotator, or the reviewer for gold spans
    note: str
    created: datetime
    updated: datetime


@dataclass(slots=True)
class DocumentRecord:
    id: int
    text: str
    title: str
    author: str
    url: str
    published: date | None
    language: str
    source: dict[str, str]
    reviewed_at: datetime | None
    reviewed_by: str | None
    annotations: list[Span] = field(default_factory=list)
    gold: list[Span] = field(default_factory=list)
    sentences: list[tuple[int, int, int]] = field(default_factory=list)  # (index, start, end)

    @property
    def adjudicated(self) -> bool:
        return bool(self.gold) or self.reviewed_at is not None

    def annotations_by_user(self) -> dict[str, list[Span]]:
        by_user: dict[str, list[Span]] = {}
        for span in self.annotations:  # an annotation always has its annotator
            by_user.setdefault(cast(str, span.user), []).append(span)
        return by_user


class _Usernames(dict):
    """User id → username, looked up on first use (a project has few annotators)."""

    def __missing__(self, user_id: int | None) -> str | None:
        username = None
        if user_id is not None:
            username = (
                get_user_model()
                .objects.filter(pk=user_id)
                .values_list("username", flat=True)
                .first()
            )
        self[user_id] = username
        return username


class ExportPlan:
    """A project and filters resolved into querysets; raises ExportError on bad filters."""

    def __init__(self, project: Project, filters: ExportFilters) -> None:
        self.project = project
        self.filters = filters
        if filters.gold_only and filters.annotators:
            raise ExportError(
                "Gold only cannot be combined with annotators: gold spans are the reviewers'."
            )
        self.include_annotations = not filters.gold_only
        self.include_gold = not filters.annotators
        self.labels = list(Label.objects.filter(project=project).order_by("order", "name"))
        self.label_names = {label.pk: label.name for label in self.labels}
        self.label_order = [label.name for label in self.labels]
        self.sources = {
            source.pk: source
            for source in Source.objects.filter(documents__projects=project).distinct()
        }
        self.source_ids = self._resolve_sources(filters.sources)
        self.annotator_ids = self._resolve_annotators(filters.annotators)
        self.since = (
            timezone.make_aware(datetime.combine(filters.since, time.min))
            if filters.since
            else None
        )
        self.usernames = _Usernames()
        self.exported_at = timezone.now()

    def _resolve_sources(self, names: Sequence[str]) -> list[int] | None:
        if not names:
            return None
        found = dict(Source.objects.filter(name__in=names).values_list("name", "pk"))
        missing = [name for name in names if name not in found]
        if missing:
            raise ExportError("Unknown source: " + ", ".join(f'"{n}"' for n in missing) + ".")
        return [found[name] for name in names]

    def _resolve_annotators(self, usernames: Sequence[str]) -> list[int] | None:
        if not usernames:
            return None
        found = dict(
            get_user_model().objects.filter(username__in=usernames).values_list("username", "pk")
        )
        missing = [name for name in usernames if name not in found]
        if missing:
            raise ExportError("Unknown annotator: " + ", ".join(f'"{n}"' for n in missing) + ".")
        return [found[name] for name in usernames]

    # Querysets, each ordered by document id so they can be merged in one pass.

    def project_documents(self):
        queryset = ProjectDocument.objects.filter(project=self.project)
        if self.source_ids is not None:
            queryset = queryset.filter(document__source_id__in=self.source_ids)
        if self.filters.document_ids is not None:
            queryset = queryset.filter(document_id__in=list(self.filters.document_ids))
        return queryset

    def _spans(self, model):
        queryset = model.objects.filter(project=self.project)
        if self.source_ids is not None or self.filters.document_ids is not None:
            queryset = queryset.filter(
                document_id__in=self.project_documents().values("document_id")
            )
        if self.since is not None:
            queryset = queryset.filter(updated_at__gte=self.since)
        return queryset

    def annotations(self):
        queryset = self._spans(Annotation)
        if self.annotator_ids is not None:
            queryset = queryset.filter(annotator_id__in=self.annotator_ids)
        return queryset

    def gold_annotations(self):
        return self._spans(GoldAnnotation)

    def document_count(self) -> int:
        return self.project_documents().count()

    def annotator_usernames(self) -> list[str]:
        """The annotators whose spans are exported, by username."""
        if not self.include_annotations:
            return []
        ids = self.annotations().order_by().values_list("annotator_id", flat=True).distinct()
        return sorted(self.usernames[user_id] for user_id in ids)

    def has_adjudication(self) -> bool:
        """Whether the project has gold spans or reviewed documents (jsonl then has gold)."""
        if not self.include_gold:
            return False
        return (
            GoldAnnotation.objects.filter(project=self.project).exists()
            or ProjectDocument.objects.filter(
                project=self.project, reviewed_at__isnull=False
            ).exists()
        )

    def keeps(self, record: DocumentRecord) -> bool:
        """Whether a document belongs in the export (see ExportFilters)."""
        if not self.filters.restricts_spans:
            return True
        if record.annotations or record.gold:
            return True
        return (
            self.include_gold
            and record.reviewed_at is not None
            and (self.since is None or record.reviewed_at >= self.since)
        )


SPAN_FIELDS = ("document_id", "start", "end", "label_id", "quote")
SPAN_TAIL = ("note", "created_at", "updated_at")


class _Merge:
    """Rows grouped by document id, taken in increasing document-id order."""

    def __init__(self, rows: Iterable[tuple]) -> None:
        self._groups = groupby(rows, key=itemgetter(0))
        self._pending = next(self._groups, None)

    def take(self, document_id: int) -> list[tuple]:
        while self._pending is not None and self._pending[0] < document_id:
            self._pending = next(self._groups, None)
        if self._pending is None or self._pending[0] != document_id:
            return []
        rows = list(self._pending[1])
        self._pending = next(self._groups, None)
        return rows


def _chunked(queryset, *fields: str, chunk_size: int = CHUNK_SIZE) -> Iterator[tuple]:
    return queryset.order_by("document_id").values_list(*fields).iterator(chunk_size=chunk_size)


def _spans(rows: list[tuple], plan: ExportPlan, *, by_user: bool) -> list[Span]:
    """Span rows (as SPAN_FIELDS, user id, SPAN_TAIL) in export order.

    Annotators' spans: by start, end, annotator, label; gold: by start, end, label
    (each unique by the database's constraints, so the order never depends on ids).
    """
    labels, usernames = plan.label_names, plan.usernames
    spans = [
        Span(start, end, labels[label], quote, usernames[user], note, created, updated)
        for _, start, end, label, quote, user, note, created, updated in rows
    ]
    if by_user:
        spans.sort(key=lambda span: (span.start, span.end, span.user, span.label))
    else:
        spans.sort(key=lambda span: (span.start, span.end, span.label))
    return spans


def iter_documents(
    plan: ExportPlan, *, sentences: bool = False, progress=None
) -> Iterator[DocumentRecord]:
    """Every exported document with its spans (and sentences), in document-id order."""
    empty = _Merge(())
    annotations = (
        _Merge(_chunked(plan.annotations(), *SPAN_FIELDS, "annotator_id", *SPAN_TAIL))
        if plan.include_annotations
        else empty
    )
    gold = (
        _Merge(_chunked(plan.gold_annotations(), *SPAN_FIELDS, "reviewer_id", *SPAN_TAIL))
        if plan.include_gold
        else empty
    )
    sentence_rows = empty
    if sentences:
        sentence_queryset = Sentence.objects.filter(
            document_id__in=plan.project_documents().values("document_id")
        ).order_by("document_id", "index")
        sentence_rows = _Merge(
            sentence_queryset.values_list("document_id", "index", "start", "end").iterator(
                chunk_size=CHUNK_SIZE
            )
        )
    documents = _chunked(
        plan.project_documents(),
        "document_id",
        "document__text",
        "document__title",
        "document__author",
        "document__url",
        "document__published_on",
        "document__language",
        "document__source_id",
        "reviewed_at",
        "reviewed_by__username",
        chunk_size=DOCUMENT_CHUNK_SIZE,
    )
    sources: dict[int, dict[str, str]] = {}
    for doc_id, text, title, author, url, published, language, source_id, r_at, r_by in documents:
        if source_id not in sources:
            source = plan.sources.get(source_id) or Source.objects.get(pk=source_id)
            sources[source_id] = {
                "name": source.name,
                "kind": source.kind,
                "country": source.country,
                "language": source.language,
            }
        record = DocumentRecord(
            id=doc_id,
            text=text,
            title=title,
            author=author,
            url=url,
            published=published,
            language=language,
            source=sources[source_id],
            reviewed_at=r_at,
            reviewed_by=r_by,
        )
        record.annotations = _spans(annotations.take(doc_id), plan, by_user=True)
        record.gold = _spans(gold.take(doc_id), plan, by_user=False)
        if sentences:
            record.sentences = [row[1:] for row in sentence_rows.take(doc_id)]
        if progress is not None:
            progress.update(1)
        if plan.keeps(record):
            yield record


# jsonl: the lossless format.


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def _span_json(span: Span, user_key: str) -> dict[str, Any]:
    return {
        "start": span.start,
        "end": span.end,
        "label": span.label,
        "quote": span.quote,
        user_key: span.user,
        "note": span.note,
        "created": span.created.isoformat(),
        "updated": span.updated.isoformat(),
    }


def document_json(record: DocumentRecord, *, with_gold: bool) -> dict[str, Any]:
    line: dict[str, Any] = {
        "id": record.id,
        "source": record.source,
        "title": record.title,
        "author": record.author,
        "url": record.url,
        "published": _iso(record.published),
        "language": record.language,
        "text": record.text,
        "annotations": [_span_json(span, "annotator") for span in record.annotations],
    }
    if with_gold:
        line["reviewed_at"] = _iso(record.reviewed_at)
        line["reviewed_by"] = record.reviewed_by
        line["gold"] = [_span_json(span, "reviewer") for span in record.gold]
    return line


def jsonl_chunks(plan: ExportPlan, progress=None) -> Iterator[str]:
    with_gold = plan.has_adjudication()
    for record in iter_documents(plan, progress=progress):
        yield _dumps(document_json(record, with_gold=with_gold)) + "\n"


# doccano: one line per document per annotator (and one for gold), UTF-16 offsets.


def _layers(plan: ExportPlan, record: DocumentRecord) -> list[tuple[str | None, bool, list[Span]]]:
    """(user, is_gold, spans) per annotator and for gold; one empty layer if nothing."""
    layers: list[tuple[str | None, bool, list[Span]]] = [
        (user, False, spans) for user, spans in sorted(record.annotations_by_user().items())
    ]
    if plan.include_gold and record.adjudicated:
        reviewers = sorted({span.user for span in record.gold if span.user})
        reviewer = record.reviewed_by or (reviewers[0] if reviewers else None)
        layers.append((reviewer, True, record.gold))
    if not layers:
        layers.append((None, False, []))
    return layers


def doccano_chunks(plan: ExportPlan, progress=None) -> Iterator[str]:
    for record in iter_documents(plan, progress=progress):
        utf16 = Utf16Offsets(record.text)
        for user, is_gold, spans in _layers(plan, record):
            yield (
                _dumps(
                    {
                        "text": record.text,
                        "label": [
                            [utf16.to_utf16(span.start), utf16.to_utf16(span.end), span.label]
                            for span in spans
                        ],
                        "document_id": record.id,
                        "source": record.source["name"],
                        "title": record.title,
                        "url": record.url,
                        "published": _iso(record.published),
                        "annotator": user,
                        "gold": is_gold,
                    }
                )
                + "\n"
            )


# Label Studio: a JSON list of tasks, one annotation object per annotator.


def label_studio_config(project: Project) -> str:
    """The labeling config matching a project's labels."""
    labels = Label.objects.filter(project=project).order_by("order", "name")
    lines = ["<View>", '  <Labels name="label" toName="text">']
    lines += [f"    <Label value={quoteattr(label.name)}/>" for label in labels]
    lines += ["  </Labels>", '  <Text name="text" value="$text"/>', "</View>", ""]
    return "\n".join(lines)


def label_studio_task(plan: ExportPlan, record: DocumentRecord) -> dict[str, Any]:
    annotations: list[dict[str, Any]] = []
    for user, is_gold, spans in _layers(plan, record):
        if not spans and not is_gold:
            continue
        annotations.append(
            {
                "result": [
                    {
                        "id": f"r{len(annotations)}-{i}",
                        "from_name": "label",
                        "to_name": "text",
                        "type": "labels",
                        "value": {
                            "start": span.start,
                            "end": span.end,
                            "text": span.quote,
                            "labels": [span.label],
                        },
                    }
                    for i, span in enumerate(spans)
                ],
                "ground_truth": is_gold,
                LABEL_STUDIO_USER_FIELD: user,
            }
        )
    return {
        "data": {
            "text": record.text,
            "document_id": record.id,
            "source": record.source["name"],
            "title": record.title,
            "url": record.url,
            "published": _iso(record.published),
        },
        "annotations": annotations,
    }


def label_studio_chunks(plan: ExportPlan, progress=None) -> Iterator[str]:
    separator = "[\n"
    for record in iter_documents(plan, progress=progress):
        yield separator + _dumps(label_studio_task(plan, record))
        separator = ",\n"
    yield "[]\n" if separator == "[\n" else "\n]\n"


# csv: one row per span.

CSV_HEADER = (
    "document_id",
    "source",
    "title",
    "label",
    "start",
    "end",
    "quote",
    "annotator",
    "sentence_index",
    "note",
    "gold",
)


def sentence_index_at(sentences: Sequence[tuple[int, int, int]], offset: int) -> int | None:
    """The index of the sentence holding ``offset`` (or the next one, between sentences)."""
    if not sentences:
        return None
    i = max(bisect_right([start for _, start, _ in sentences], offset) - 1, 0)
    if offset >= sentences[i][2] and i + 1 < len(sentences):
        i += 1
    return sentences[i][0]


class _CsvBuffer:
    """csv.writer over a string buffer that is emptied after each document."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer)

    def drain(self) -> str:
        text = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return text


def csv_chunks(plan: ExportPlan, progress=None, *, bom: bool = False) -> Iterator[str]:
    out = _CsvBuffer()
    out.writer.writerow(CSV_HEADER)
    yield ("\ufeff" if bom else "") + out.drain()
    for record in iter_documents(plan, sentences=True, progress=progress):
        for is_gold, spans in ((False, record.annotations), (True, record.gold)):
            for span in spans:
                out.writer.writerow(
                    (
                        record.id,
                        record.source["name"],
                        record.title,
                        span.label,
                        span.start,
                        span.end,
                        span.quote,
                        span.user or "",
                        sentence_index_at(record.sentences, span.start),
                        span.note,
                        "true" if is_gold else "false",
                    )
                )
        yield out.drain()


# sentences: one row per sentence, the table a classifier is trained on.


def majority_label(labels: Iterable[str | None]) -> str | None:
    """The most frequent label among annotators who labelled the sentence.

    Sentences without a label are not votes; a tie between the most frequent labels
    (or no label at all) gives None.
    """
    counts = Counter(label for label in labels if label is not None).most_common(2)
    if not counts or (len(counts) == 2 and counts[0][1] == counts[1][1]):
        return None
    return counts[0][0]


class SentenceTable:
    """The columns of the sentences table and its rows for each document."""

    def __init__(self, plan: ExportPlan) -> None:
        self.plan = plan
        self.annotators = plan.annotator_usernames()
        columns = ["document_id", "source", "sentence_index", "start", "end", "text"]
        if plan.include_annotations:
            columns += [f"label_{username}" for username in self.annotators]
            columns.append("majority_label")
        if plan.include_gold:
            columns += ["gold_label", "reviewed"]
        self.columns = columns

    def rows(
        self, record: DocumentRecord, on_labels: Callable[[list[str | None]], None] | None = None
    ) -> list[tuple]:
        """The document's rows; ``on_labels`` sees the labels of annotators who worked on it."""
        spans = [(start, end) for _, start, end in record.sentences]
        order = self.plan.label_order
        by_user = {
            user: sentence_labels(spans, [(s.start, s.end, s.label) for s in user_spans], order)
            for user, user_spans in record.annotations_by_user().items()
        }
        gold = sentence_labels(spans, [(s.start, s.end, s.label) for s in record.gold], order)
        rows = []
        for i, (index, start, end) in enumerate(record.sentences):
            row: list[Any] = [record.id, record.source["name"], index, start, end]
            row.append(record.text[start:end])
            if self.plan.include_annotations:
                labels = [by_user[user][i] if user in by_user else None for user in self.annotators]
                row += labels
                row.append(majority_label(labels))
                if on_labels is not None and len(by_user) > 1:
                    on_labels([by_user[user][i] for user in sorted(by_user)])
            if self.plan.include_gold:
                row += [gold[i], record.adjudicated]
            rows.append(tuple(row))
        return rows

    def arrow_schema(self):
        import pyarrow as pa

        types = {
            "document_id": pa.int64(),
            "sentence_index": pa.int32(),
            "start": pa.int32(),
            "end": pa.int32(),
            "reviewed": pa.bool_(),
        }
        return pa.schema([pa.field(name, types.get(name, pa.string())) for name in self.columns])


def sentences_csv_chunks(plan: ExportPlan, progress=None, *, bom: bool = False) -> Iterator[str]:
    table = SentenceTable(plan)
    out = _CsvBuffer()
    out.writer.writerow(table.columns)
    yield ("\ufeff" if bom else "") + out.drain()
    for record in iter_documents(plan, sentences=True, progress=progress):
        out.writer.writerows(table.rows(record))
        yield out.drain()


class ParquetRows:
    """Rows appended in batches to a Parquet file (memory holds one batch)."""

    BATCH = 5000

    def __init__(self, path: Path, table: SentenceTable) -> None:
        import pyarrow.parquet as pq

        self.schema = table.arrow_schema()
        self.writer = pq.ParquetWriter(path, self.schema, compression="zstd")
        self.pending: list[tuple] = []

    def extend(self, rows: list[tuple]) -> None:
        self.pending.extend(rows)
        if len(self.pending) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        import pyarrow as pa

        columns = list(zip(*self.pending, strict=True))
        self.writer.write_batch(
            pa.record_batch(
                [
                    pa.array(column, type=f.type)
                    for column, f in zip(columns, self.schema, strict=True)
                ],
                schema=self.schema,
            )
        )
        self.pending = []

    def close(self) -> None:
        if self.pending:
            self.flush()
        self.writer.close()


def write_sentences_parquet(plan: ExportPlan, path: Path, progress=None) -> None:
    table = SentenceTable(plan)
    out = ParquetRows(path, table)
    try:
        for record in iter_documents(plan, sentences=True, progress=progress):
            out.extend(table.rows(record))
    finally:
        out.close()


# conll: razdel tokens, one BIO tag column per annotator (and for gold).


def bio_tags(tokens: Sequence[tuple[int, int]], spans: Sequence[Span], label_order) -> list[str]:
    """BIO tags of tokens; a token inside several spans takes the first one.

    Spans are ranked by start, then the longer first, then label order; a token is
    inside a span when their characters overlap.
    """
    if not spans:
        return ["O"] * len(tokens)
    rank = {name: i for i, name in enumerate(label_order)}
    ranked = sorted(spans, key=lambda s: (s.start, s.start - s.end, rank.get(s.label, len(rank))))
    starts = [start for start, _ in tokens]
    ends = [end for _, end in tokens]
    owner: list[Span | None] = [None] * len(tokens)
    painted: set[int] = set()
    for span in reversed(ranked):  # paint the lowest rank first, so the first one wins
        covered = range(bisect_right(ends, span.start), bisect_left(starts, span.end))
        painted.update(covered)
        for i in covered:
            owner[i] = span
    tags = ["O"] * len(tokens)
    for i in painted:
        span = cast(Span, owner[i])  # a painted token has its span
        tags[i] = ("I-" if i and owner[i - 1] is span else "B-") + span.label
    return tags


def conll_columns(plan: ExportPlan) -> list[str]:
    return ["token", *plan.annotator_usernames()] + (["gold"] if plan.include_gold else [])


def conll_chunks(plan: ExportPlan, progress=None) -> Iterator[str]:
    """``# columns = …`` once, then per document ``# doc_id = N`` and one token a line.

    A tag column is ``_`` throughout a document its annotator put no span on (or,
    for gold, a document not adjudicated); a blank line ends each sentence.
    """
    from razdel import tokenize

    columns = conll_columns(plan)
    annotators = columns[1:-1] if plan.include_gold else columns[1:]
    yield f"# columns = {' '.join(columns)}\n\n"
    for record in iter_documents(plan, sentences=True, progress=progress):
        sentences = [
            [(start + t.start, start + t.stop) for t in tokenize(record.text[start:end])]
            for _, start, end in record.sentences
        ]
        tokens = [token for sentence in sentences for token in sentence]
        by_user = record.annotations_by_user()
        layers = [by_user.get(user) for user in annotators]
        if plan.include_gold:
            layers.append(record.gold if record.adjudicated else None)
        tags = [
            bio_tags(tokens, spans, plan.label_order) if spans is not None else None
            for spans in layers
        ]
        lines = [f"# doc_id = {record.id}"]
        k = 0
        for sentence in sentences:
            for start, end in sentence:
                cells = [record.text[start:end]] + [t[k] if t is not None else "_" for t in tags]
                lines.append("\t".join(cells))
                k += 1
            lines.append("")
        yield "\n".join(lines) + "\n"


# bundle: documents.jsonl + sentences.parquet + a dataset card, zipped.


def write_bundle(plan: ExportPlan, path: Path, progress=None) -> None:
    from annotator.datasets.export.card import CardStats, dataset_card

    stats = CardStats(plan)
    table = SentenceTable(plan)
    with_gold = plan.has_adjudication()
    with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
        parquet_path = Path(tmp) / "sentences.parquet"
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
            sentences = ParquetRows(parquet_path, table)
            try:
                entry = zipfile.ZipInfo("documents.jsonl", plan.exported_at.timetuple()[:6])
                entry.compress_type = zipfile.ZIP_DEFLATED
                raw = bundle.open(entry, "w", force_zip64=True)
                with io.TextIOWrapper(raw, encoding="utf-8", newline="") as out:
                    for record in iter_documents(plan, sentences=True, progress=progress):
                        stats.observe(record)
                        out.write(_dumps(document_json(record, with_gold=with_gold)) + "\n")
                        rows = table.rows(record, on_labels=stats.agreement.observe)
                        stats.sentences += len(rows)
                        sentences.extend(rows)
            finally:
                sentences.close()
            bundle.write(parquet_path, "sentences.parquet", compress_type=zipfile.ZIP_STORED)
            bundle.writestr("README.md", dataset_card(plan, stats, table))


# Entry points.

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
) -> Path:
    """Export ``project`` as ``fmt`` to ``path``; returns the path written.

    Nothing is left at ``path`` if the export fails. ``bom`` starts CSV files with a
    UTF-8 byte order mark (for spreadsheets); ``progress`` shows a bar on stderr.
    """
    path = resolve_out_path(path)
    key = _writer_key(fmt, path.name)
    plan = ExportPlan(project, filters)
    path.parent.mkdir(parents=True, exist_ok=True)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=plan.document_count(), unit="doc", desc=fmt, file=sys.stderr)

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
    filename: str | None = None,
) -> StreamingHttpResponse:
    """A streamed download of the export; ``filename``'s suffix picks Parquet or CSV
    for ``sentences`` (Parquet by default).

    Text formats are written while they are sent; Parquet and zip files are written
    to a temporary file first, which is removed once it is open.
    """
    filename = filename or default_filename(project, fmt)
    key = _writer_key(fmt, filename)
    plan = ExportPlan(project, filters)  # raises ExportError before anything is sent
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
