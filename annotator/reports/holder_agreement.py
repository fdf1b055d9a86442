"""The agreement report's figures on holders, read from the database: each annotator's
holder of a sentence is that of their annotation covering most of it; sentences marked
by two or more annotators are the passages compared (``annotator.stats.holders``)."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict

from annotator.models import Annotation, Project, Sentence
from annotator.stats.holders import HolderAgreement, holder_agreement


def project_holder_agreement(
    project: Project, document_ids: list[int] | None = None
) -> HolderAgreement:
    annotations = Annotation.objects.filter(project=project)
    if document_ids is not None:
        annotations = annotations.filter(document_id__in=document_ids)
    # (document, annotator, sentence) -> (overlap, -start, kind, holder): the longest wins.
    best: dict[tuple[int, int, int], tuple[int, int, str, str]] = {}
    spans = list(
        annotations.values_list(
            "document_id", "annotator_id", "start", "end", "holder_kind", "holder"
        ).order_by()
    )
    sentences: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    rows = Sentence.objects.filter(document_id__in={span[0] for span in spans})
    for document_id, index, start, end in rows.order_by("document_id", "start").values_list(
        "document_id", "index", "start", "end"
    ):
        sentences[document_id].append((start, end, index))
    for document_id, annotator_id, start, end, kind, holder in spans:
        bounds = sentences.get(document_id, [])
        first = max(bisect_right(bounds, (start, float("inf"), 0)) - 1, 0)
        for s_start, s_end, index in bounds[first:]:
            if s_start >= end:
                break
            overlap = min(end, s_end) - max(start, s_start)
            if overlap <= 0:
                continue
            key = (document_id, annotator_id, index)
            candidate = (overlap, -start, kind, holder)
            if key not in best or candidate[:2] > best[key][:2]:
                best[key] = candidate
    passages: dict[tuple[int, int], list[tuple[str, str]]] = defaultdict(list)
    for (document_id, _, index), (*_, kind, holder) in sorted(best.items()):
        passages[document_id, index].append((kind, holder))
    return holder_agreement(list(passages.values()))
