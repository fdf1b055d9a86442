"""sentences: one row per sentence, the table a classifier is trained on (CSV or Parquet).

A sentence's label per annotator comes from ``stats.sentence_labels``; the majority and
gold columns sit beside them. Gold's "no label" decisions take part in the gold label (a
null ``gold_label`` where ``reviewed`` is true is the decision "no label"). Its holder per
annotator (and gold's, with the cue) is that of the span covering most of it
(``stats.holders.sentence_holders``), empty where no span touches it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from annotator.datasets.export.formats.csv import CsvBuffer
from annotator.datasets.export.plan import DocumentRecord, ExportPlan, Span, iter_documents
from annotator.stats.holders import sentence_holders
from annotator.stats.sentence_labels import majority, sentence_labels


def suggested_sentences(
    sentences: list[tuple[int, int]], labels: list[str | None], spans: list[Span]
) -> list[tuple[str, float] | None]:
    """Per sentence, the (agent, score) of the suggestion behind one coder's label of it:
    an accepted suggestion's span with that label overlapping the sentence (the highest
    score if several); None if the label was given by hand (or there is none)."""
    result: list[tuple[str, float] | None] = []
    for (start, end), label in zip(sentences, labels, strict=True):
        found = [
            span.suggestion
            for span in spans
            if span.suggestion and span.label == label and span.start < end and start < span.end
        ]
        result.append(max(found, key=lambda v: v[1]) if found else None)
    return result


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
        if plan.include_annotations:
            for username in self.annotators:
                columns += [f"holder_kind_{username}", f"holder_{username}"]
        if plan.include_gold:
            columns += ["gold_holder_kind", "gold_holder", "gold_cue_start", "gold_cue_end"]
        if plan.include_annotations:
            # whose labels came from an accepted suggestion; the best such suggestion's agent
            columns += [f"suggested_{username}" for username in self.annotators]
            columns += ["suggested", "suggestion_agent", "suggestion_score"]
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
        # A "no label" decision is a gold span too: the most specific one empties the label.
        gold = sentence_labels(
            spans,
            [(s.start, s.end, s.label) for s in record.gold]
            + [(start, end, None) for start, end in record.gold_no_label],
            order,
        )
        holders = {
            user: sentence_holders(spans, [(s.start, s.end, s) for s in user_spans])
            for user, user_spans in record.annotations_by_user().items()
        }
        gold_holders = sentence_holders(spans, [(s.start, s.end, s) for s in record.gold])
        suggested = {
            user: suggested_sentences(spans, by_user[user], user_spans)
            for user, user_spans in record.annotations_by_user().items()
        }
        rows = []
        for i, (index, start, end) in enumerate(record.sentences):
            row: list[Any] = [record.id, record.source["name"], index, start, end]
            row.append(record.text[start:end])
            if self.plan.include_annotations:
                labels = [by_user[user][i] if user in by_user else None for user in self.annotators]
                row += labels
                row.append(majority(labels))
                if on_labels is not None and len(by_user) > 1:
                    on_labels([by_user[user][i] for user in sorted(by_user)])
            if self.plan.include_gold:
                row += [gold[i], record.adjudicated]
            if self.plan.include_annotations:
                for user in self.annotators:
                    span = holders[user][i] if user in holders else None
                    row += [span.holder_kind, span.holder] if span else [None, None]
            if self.plan.include_gold:
                span = gold_holders[i]
                row += (
                    [span.holder_kind, span.holder, span.cue_start, span.cue_end]
                    if span
                    else [None, None, None, None]
                )
            if self.plan.include_annotations:
                accepted = [
                    suggested[user][i] if user in suggested else None for user in self.annotators
                ]
                row += [value is not None for value in accepted]
                top = max((v for v in accepted if v is not None), key=lambda v: v[1], default=None)
                row += [top is not None, top[0] if top else None, top[1] if top else None]
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
            "gold_cue_start": pa.int32(),
            "gold_cue_end": pa.int32(),
            "suggested": pa.bool_(),
            "suggestion_score": pa.float64(),
            **{f"suggested_{username}": pa.bool_() for username in self.annotators},
        }
        return pa.schema([pa.field(name, types.get(name, pa.string())) for name in self.columns])


def sentences_csv_chunks(plan: ExportPlan, progress=None, *, bom: bool = False) -> Iterator[str]:
    table = SentenceTable(plan)
    out = CsvBuffer(raw=plan.raw)
    out.writerow(table.columns)
    yield ("\ufeff" if bom else "") + out.drain()
    for record in iter_documents(plan, sentences=True, progress=progress):
        out.writerows(table.rows(record))
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
