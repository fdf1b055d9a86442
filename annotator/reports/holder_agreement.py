"""The agreement report's figures on holders, read from the database: each annotator's
holder of a sentence is that of their annotation covering most of it
(``stats.holders.sentence_holders``); sentences marked by two or more annotators are the
passages compared (``annotator.stats.holders``)."""

from __future__ import annotations

from collections import defaultdict

from annotator.models import Annotation, Project, Sentence
from annotator.stats.holders import HolderAgreement, holder_agreement, sentence_holders


def project_holder_agreement(
    project: Project, document_ids: list[int] | None = None
) -> HolderAgreement:
    annotations = Annotation.objects.filter(project=project)
    if document_ids is not None:
        annotations = annotations.filter(document_id__in=document_ids)
    spans: dict[tuple[int, int], list[tuple[int, int, tuple[str, str]]]] = defaultdict(list)
    for document_id, annotator_id, start, end, kind, holder in annotations.values_list(
        "document_id", "annotator_id", "start", "end", "holder_kind", "holder"
    ).order_by():
        spans[document_id, annotator_id].append((start, end, (kind, holder)))
    sentences: dict[int, list[tuple[int, int]]] = defaultdict(list)
    rows = Sentence.objects.filter(document_id__in={document for document, _ in spans})
    for document_id, start, end in rows.order_by("document_id", "start").values_list(
        "document_id", "start", "end"
    ):
        sentences[document_id].append((start, end))
    passages: dict[tuple[int, int], list[tuple[str, str]]] = defaultdict(list)
    for (document_id, _), coder_spans in sorted(spans.items()):
        found = sentence_holders(sentences[document_id], coder_spans)
        for index, value in enumerate(found):
            if value is not None:
                passages[document_id, index].append(value)
    return holder_agreement(list(passages.values()))
