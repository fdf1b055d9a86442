"""jsonl, the lossless format: one document a line with every field, annotators' spans and gold.

Also the JSON helpers the other JSON formats (doccano, Label Studio) and the bundle share.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from annotator.datasets.export.plan import DocumentRecord, ExportPlan, Span, iter_documents


def iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def dumps(obj: Any) -> str:
    """Compact JSON, non-ASCII text as is (Cyrillic stays readable)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def _span_json(span: Span, user_key: str) -> dict[str, Any]:
    agent, score = span.suggestion or (None, None)
    return {
        "start": span.start,
        "end": span.end,
        "label": span.label,
        "quote": span.quote,
        user_key: span.user,
        "note": span.note,
        "created": span.created.isoformat(),
        "updated": span.updated.isoformat(),
        "holder_kind": span.holder_kind,
        "holder": span.holder,
        "cue_start": span.cue_start,
        "cue_end": span.cue_end,
        "suggested": span.suggestion is not None,
        "suggestion_agent": agent,
        "suggestion_score": score,
    }


def document_json(record: DocumentRecord, *, with_gold: bool) -> dict[str, Any]:
    line: dict[str, Any] = {
        "id": record.id,
        "source": record.source,
        "title": record.title,
        "author": record.author,
        "url": record.url,
        "published": iso(record.published),
        "language": record.language,
        "text": record.text,
        "annotations": [_span_json(span, "annotator") for span in record.annotations],
    }
    if with_gold:
        line["reviewed_at"] = iso(record.reviewed_at)
        line["reviewed_by"] = record.reviewed_by
        line["gold"] = [_span_json(span, "reviewer") for span in record.gold]
    return line


def jsonl_chunks(plan: ExportPlan, progress=None) -> Iterator[str]:
    with_gold = plan.has_adjudication()
    for record in iter_documents(plan, progress=progress):
        yield dumps(document_json(record, with_gold=with_gold)) + "\n"
