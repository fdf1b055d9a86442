"""What a reviewer sees of one document: every annotator's label for each sentence, and gold.

A sentence's label for an annotator (or for gold) is that of the most specific span covering
more than half of it (``annotator.stats.sentence_labels``), or None. Annotators who never
coded the document (no annotation, not marked done) are not listed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from annotator.models import (
    Annotation,
    Document,
    DocumentProgress,
    GoldAnnotation,
    Project,
)
from annotator.stats.sentence_labels import coverage_by_sentence, majority, sentence_labels


@dataclass
class SentenceVotes:
    index: int
    start: int
    end: int
    labels: list[int | None]  # one per annotator, in ``DocumentVotes.annotators`` order
    gold: int | None
    gold_touched: bool  # some gold span covers part of the sentence

    @property
    def status(self) -> str:
        """``agree``, ``disagree``, ``single`` (one annotator) or ``unlabelled``."""
        if not self.labels or all(label is None for label in self.labels):
            return "unlabelled"
        if len(self.labels) == 1:
            return "single"
        return "agree" if len(set(self.labels)) == 1 else "disagree"

    def suggestion(self) -> int | None:
        """The gold label if set, else the annotators' majority (``stats.sentence_labels``)."""
        return self.gold if self.gold is not None else majority(self.labels)

    def majority(self, min_agree: int) -> int | None:
        """The annotators' majority label, if at least ``min_agree`` gave it."""
        return majority(self.labels, min_votes=min_agree)


@dataclass
class DocumentVotes:
    annotators: list[tuple[int, str]]  # (user id, username), by username
    sentences: list[SentenceVotes]


def document_votes(project: Project, document: Document) -> DocumentVotes:
    label_order = list(project.labels.in_display_order().values_list("id", flat=True))
    bounds = list(document.sentences.order_by("index").values_list("start", "end"))
    spans: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for annotator_id, start, end, label_id in Annotation.objects.filter(
        project=project, document=document
    ).values_list("annotator_id", "start", "end", "label_id"):
        spans[annotator_id].append((start, end, label_id))
    coders = set(spans) | set(
        DocumentProgress.objects.filter(
            project=project, document=document, done_at__isnull=False
        ).values_list("annotator_id", flat=True)
    )
    annotators = sorted(
        get_user_model().objects.filter(id__in=coders).values_list("id", "username"),
        key=lambda row: row[1],
    )
    by_annotator = [sentence_labels(bounds, spans[uid], label_order) for uid, _ in annotators]
    gold_spans = [
        (start, end, label_id)
        for start, end, label_id in GoldAnnotation.objects.filter(
            project=project, document=document
        ).values_list("start", "end", "label_id")
    ]
    gold_labels = sentence_labels(bounds, gold_spans, label_order)
    touched = coverage_by_sentence(bounds, [(s, e) for s, e, _ in gold_spans])
    return DocumentVotes(
        annotators=annotators,
        sentences=[
            SentenceVotes(
                index=i,
                start=start,
                end=end,
                labels=[labels[i] for labels in by_annotator],
                gold=gold_labels[i],
                gold_touched=touched[i] > 0,
            )
            for i, (start, end) in enumerate(bounds)
        ],
    )
