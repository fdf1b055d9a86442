"""Label Studio: a JSON list of tasks, one annotation object per annotator, and the
labeling config matching the project's labels.

A region's holder travels in its ``meta`` (Label Studio's per-region metadata, kept on
import and export): ``{"holder_kind", "holder", "cue_start", "cue_end"}``, and, for its
"Meta" box, ``text``: one readable line.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from xml.sax.saxutils import quoteattr

from annotator.datasets.export.formats.jsonl import dumps, iso
from annotator.datasets.export.plan import (
    DocumentRecord,
    ExportPlan,
    Span,
    iter_documents,
    layers,
)
from annotator.models import Project

# The annotation's key holding the username: Label Studio ignores it (``completed_by``
# would make Label Studio refuse a file naming users it does not know).
LABEL_STUDIO_USER_FIELD = "annotator"


def label_studio_config(project: Project) -> str:
    """The labeling config matching a project's labels."""
    labels = project.labels.in_display_order()
    lines = ["<View>", '  <Labels name="label" toName="text">']
    lines += [f"    <Label value={quoteattr(label.name)}/>" for label in labels]
    lines += ["  </Labels>", '  <Text name="text" value="$text"/>', "</View>", ""]
    return "\n".join(lines)


def region_meta(span: Span) -> dict[str, Any]:
    shown = span.holder_kind + (f": {span.holder}" if span.holder else "")
    return {
        "text": [shown],
        "holder_kind": span.holder_kind,
        "holder": span.holder,
        "cue_start": span.cue_start,
        "cue_end": span.cue_end,
    }


def label_studio_task(plan: ExportPlan, record: DocumentRecord) -> dict[str, Any]:
    annotations: list[dict[str, Any]] = []
    for user, is_gold, spans in layers(plan, record):
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
                        "meta": region_meta(span),
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
            "published": iso(record.published),
        },
        "annotations": annotations,
    }


def label_studio_chunks(plan: ExportPlan, progress=None) -> Iterator[str]:
    separator = "[\n"
    for record in iter_documents(plan, progress=progress):
        yield separator + dumps(label_studio_task(plan, record))
        separator = ",\n"
    yield "[]\n" if separator == "[\n" else "\n]\n"
