"""csv: one row per span, for spreadsheets and pandas; and the CSV writer every CSV
export goes through, which keeps spreadsheets from running a cell as a formula.

Anyone who can write a note (or a title, a source name, a passage of text) decides how a
cell starts, and a spreadsheet runs a cell starting with ``=`` (or ``+``, ``-``, ``@``) as a
formula: ``=HYPERLINK(...)`` leaks data, ``+cmd|...`` may run a program. So CSV cells are
neutralised unless the export asks for raw text (for pipelines); jsonl and Parquet are
never altered.
"""

from __future__ import annotations

import csv
import io
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence

from annotator.datasets.export.plan import ExportPlan, iter_documents

# OWASP's "CSV injection" rule: cells starting with these are prefixed with a single quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """``value``, or a text cell a spreadsheet shows as text rather than run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


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
    "holder_kind",
    "holder",
    "cue_start",
    "cue_end",
    "suggested",
    "suggestion_agent",
    "suggestion_score",
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
    """CSV rows written to a string buffer that is emptied after each document.

    Cells are made ``spreadsheet_safe`` unless ``raw``.
    """

    def __init__(self, *, raw: bool = False) -> None:
        self.buffer = io.StringIO()
        self._writer = csv.writer(self.buffer)
        self.raw = raw

    def writerow(self, row: Iterable) -> None:
        self._writer.writerow(row if self.raw else [spreadsheet_safe(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)

    def drain(self) -> str:
        text = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return text


def csv_chunks(plan: ExportPlan, progress=None, *, bom: bool = False) -> Iterator[str]:
    out = CsvBuffer(raw=plan.raw)
    out.writerow(CSV_HEADER)
    yield ("\ufeff" if bom else "") + out.drain()
    for record in iter_documents(plan, sentences=True, progress=progress):
        for is_gold, spans in ((False, record.annotations), (True, record.gold)):
            for span in spans:
                out.writerow(
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
                        span.holder_kind,
                        span.holder,
                        "" if span.cue_start is None else span.cue_start,
                        "" if span.cue_end is None else span.cue_end,
                        "true" if span.suggestion else "false",
                        span.suggestion[0] if span.suggestion else "",
                        span.suggestion[1] if span.suggestion else "",
                    )
                )
        yield out.drain()
