"""csv: one row per span, for spreadsheets and pandas; and the CSV writer every CSV
export goes through."""

from __future__ import annotations

import csv
import io
from bisect import bisect_right
from collections.abc import Iterator, Sequence

from annotator.datasets.export.plan import ExportPlan, iter_documents

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


class CsvBuffer:
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
    out = CsvBuffer()
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
