"""What a reviewer sees of one document: every annotator's label for each sentence, and gold.

A sentence's label for an annotator (or for gold) is that of the most specific span covering
more than half of it (``annotator.stats.sentence_labels``), or None. Annotators who never
coded the document (no annotation, not marked done) are not listed.

``gold_conflicts`` lists gold that breaks the rules ``review.services`` now enforces (gold
stored before them, or imported): spans of different labels contending for a sentence,
and duplicates differing only by the boundary convention. They stay listed until resolved.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from annotator.models import (
    NO_LABEL,
    Annotation,
    Document,
    DocumentProgress,
    GoldAnnotation,
    Project,
    Sentence,
)
from annotator.stats.sentence_labels import (
    contradicting_sentences,
    coverage_by_sentence,
    majority,
    sentence_labels,
)
from annotator.text.snapping import snap


@dataclass
class SentenceVotes:
    index: int
    start: int
    end: int
    labels: list[int | None]  # one per annotator, in ``DocumentVotes.annotators`` order
    gold: int | None
    gold_touched: bool  # some gold span covers part of the sentence
    gold_no_label: bool = False  # gold decided the sentence has no label

    @property
    def status(self) -> str:
        """``agree``, ``disagree``, ``single`` (one annotator) or ``unlabelled``."""
        if not self.labels or all(label is None for label in self.labels):
            return "unlabelled"
        if len(self.labels) == 1:
            return "single"
        return "agree" if len(set(self.labels)) == 1 else "disagree"

    def suggestion(self) -> int | None:
        """The gold label if set (None if gold says "no label"), else the annotators'
        majority (``stats.sentence_labels``)."""
        if self.gold is not None or self.gold_no_label:
            return self.gold
        return majority(self.labels)

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
    # "No label" decisions take part under a name of their own, to tell them from no gold.
    gold_spans: list[tuple[int, int, int | str]] = [
        (start, end, NO_LABEL if label_id is None else label_id)
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
                gold=gold if isinstance(gold := gold_labels[i], int) else None,
                gold_touched=touched[i] > 0,
                gold_no_label=gold_labels[i] == NO_LABEL,
            )
            for i, (start, end) in enumerate(bounds)
        ],
    )


@dataclass
class GoldConflictRow:
    """Two stored gold spans that break the consistency rules (``review.services``).

    ``kind``: ``labels`` (different labels contend for a passage) or ``duplicate`` (one
    label, boundaries equal once snapped). ``sentence``: the 0-based index of the first
    sentence they contend for, if any.
    """

    document_id: int
    first: GoldAnnotation
    second: GoldAnnotation
    kind: str
    sentence: int | None = None


Row = tuple[int, int | None, int, int]  # id, label id, start, end


def _overlapping_pairs(rows: list[Row]) -> list[tuple[Row, Row]]:
    """Pairs of one document's gold spans (sorted by start) that overlap."""
    pairs = []
    for i, a in enumerate(rows):
        for b in rows[i + 1 :]:
            if b[2] >= a[3]:
                break
            pairs.append((a, b))
    return pairs


def gold_conflicts(project: Project, document: Document | None = None) -> list[GoldConflictRow]:
    """The project's (or document's) conflicting gold, by document and position.

    Reads the gold spans' positions first; texts and sentences only of documents where
    spans overlap, and the spans themselves only of the conflicts found.
    """
    spans = GoldAnnotation.objects.filter(project=project)
    if document is not None:
        spans = spans.filter(document=document)
    by_document: dict[int, list[Row]] = defaultdict(list)
    for doc_id, *row in spans.order_by("document_id", "start", "end", "id").values_list(
        "document_id", "id", "label_id", "start", "end"
    ):
        gold_id, label_id, start, end = row
        by_document[doc_id].append((gold_id, label_id, start, end))
    pairs = {doc_id: _overlapping_pairs(rows) for doc_id, rows in by_document.items()}
    pairs = {doc_id: found for doc_id, found in pairs.items() if found}
    if not pairs:
        return []
    texts = dict(Document.objects.filter(id__in=pairs).values_list("id", "text"))
    sentences: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for doc_id, index, start, end in (
        Sentence.objects.filter(document_id__in=pairs)
        .order_by("document_id", "index")
        .values_list("document_id", "index", "start", "end")
    ):
        sentences[doc_id].append((index, start, end))
    found: list[tuple[int, int, int, str, int | None]] = []
    for doc_id, doc_pairs in pairs.items():
        text, doc_sentences = texts[doc_id], sentences[doc_id]
        ends = [end for _, _, end in doc_sentences]
        for a, b in doc_pairs:
            if a[1] == b[1]:
                if snap(text, a[2], a[3]) == snap(text, b[2], b[3]):
                    found.append((doc_id, a[0], b[0], "duplicate", None))
                continue
            start, end = max(a[2], b[2]), min(a[3], b[3])
            near = []  # the sentences the shared passage touches
            for sentence in doc_sentences[bisect_left(ends, start + 1) :]:
                if sentence[1] >= end:
                    break
                near.append(sentence)
            bounds = [(s_start, s_end) for _, s_start, s_end in near]
            contested = contradicting_sentences(bounds, a[2:], b[2:])
            if contested is not None:
                first = near[contested[0]][0] if contested else None
                found.append((doc_id, a[0], b[0], "labels", first))
    spans_by_id = GoldAnnotation.objects.select_related("label", "reviewer").in_bulk(
        {gold_id for _, a, b, _, _ in found for gold_id in (a, b)}
    )
    return [
        GoldConflictRow(doc_id, spans_by_id[a], spans_by_id[b], kind, sentence)
        for doc_id, a, b, kind, sentence in found
    ]


def gold_conflict_documents(project: Project) -> list[tuple[int, str, int]]:
    """(document id, title, conflicts) of the project's documents with conflicting gold,
    by title: what the project page lists for reviewers."""
    counts: dict[int, int] = defaultdict(int)
    for row in gold_conflicts(project):
        counts[row.document_id] += 1
    if not counts:
        return []
    titles = Document.objects.filter(pk__in=counts).values_list("pk", "title")
    return sorted(((pk, title, counts[pk]) for pk, title in titles), key=lambda row: row[1])
