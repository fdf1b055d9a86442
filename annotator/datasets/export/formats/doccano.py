"""doccano sequence labeling JSONL: one line per document per annotator (and one for gold).

doccano counts offsets in UTF-16 code units, so spans are converted from code points here
(the only format that does). A span in doccano is only ``[start, end, label]``; its holder
travels in ``holders``, a list parallel to ``label`` (``[holder_kind, holder, cue_start,
cue_end]``, cue offsets in UTF-16 units too): doccano keeps unknown keys of a line as the
example's metadata and gives them back on export, and ``import_annotations`` reads them.
"""

from __future__ import annotations

from collections.abc import Iterator

from annotator.datasets.export.formats.jsonl import dumps, iso
from annotator.datasets.export.plan import ExportPlan, iter_documents, layers
from annotator.text.offsets import Utf16Offsets


def doccano_chunks(plan: ExportPlan, progress=None) -> Iterator[str]:
    for record in iter_documents(plan, progress=progress):
        utf16 = Utf16Offsets(record.text)
        for user, is_gold, spans in layers(plan, record):
            yield (
                dumps(
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
                        "published": iso(record.published),
                        "annotator": user,
                        "gold": is_gold,
                        "holders": [
                            [
                                span.holder_kind,
                                span.holder,
                                None if span.cue_start is None else utf16.to_utf16(span.cue_start),
                                None if span.cue_end is None else utf16.to_utf16(span.cue_end),
                            ]
                            for span in spans
                        ],
                    }
                )
                + "\n"
            )
