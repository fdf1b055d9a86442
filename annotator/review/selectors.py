"""What a reviewer sees of one document: every annotator's label for each sentence, gold,
the spans the curation screen draws, and which gold action undo would revert.

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
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Exists, OuterRef

from annotator.models import (
    NO_LABEL,
    Annotation,
    AnnotationEvent,
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
from annotator.text.layout import Span
from annotator.text.snapping import snap
from annotator.workspace.selectors import ANNOTATOR_STYLES


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


def document_coders(project: Project, document: Document) -> list[tuple[int, str]]:
    """``(user id, username)`` of the annotators who coded the document (an annotation on
    it, or marked done), by username."""
    annotated = Annotation.objects.filter(
        project=project, document=document, annotator=OuterRef("pk")
    )
    done = DocumentProgress.objects.filter(
        project=project, document=document, annotator=OuterRef("pk"), done_at__isnull=False
    )
    users = get_user_model().objects.filter(Exists(annotated) | Exists(done))
    return sorted(users.values_list("id", "username"), key=lambda row: row[1])


def document_votes(
    project: Project, document: Document, *, sentence: int | None = None
) -> DocumentVotes:
    """Every coder's label and gold for each sentence (only sentence ``sentence``, by its
    index, when given: then only the spans touching it are read)."""
    label_order = list(project.labels.in_display_order().values_list("id", flat=True))
    sentences = document.sentences.order_by("index")
    annotations = Annotation.objects.filter(project=project, document=document)
    gold = GoldAnnotation.objects.filter(project=project, document=document)
    if sentence is not None:
        sentences = sentences.filter(index=sentence)
        bounds = sentences.values_list("start", "end").first() or (0, 0)
        annotations = annotations.filter(start__lt=bounds[1], end__gt=bounds[0])
        gold = gold.filter(start__lt=bounds[1], end__gt=bounds[0])
    spans: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for annotator_id, start, end, label_id in annotations.values_list(
        "annotator_id", "start", "end", "label_id"
    ):
        spans[annotator_id].append((start, end, label_id))
    return votes_of(
        list(sentences.values_list("start", "end", "index")),
        document_coders(project, document),
        spans,
        list(gold.values_list("start", "end", "label_id")),
        label_order,
    )


def votes_of(
    sentences: list[tuple[int, int, int]],
    annotators: list[tuple[int, str]],
    spans: dict[int, list[tuple[int, int, int]]],
    gold: list[tuple[int, int, int | None]],
    label_order: list[int],
) -> DocumentVotes:
    """The votes from spans already read: ``sentences`` are ``(start, end, index)``,
    ``spans`` ``(start, end, label id)`` by annotator id, ``gold`` likewise (label id
    None: the decision "no label")."""
    bounds = [(start, end) for start, end, _ in sentences]
    # "No label" decisions take part under a name of their own, to tell them from no gold.
    gold_spans: list[tuple[int, int, int | str]] = [
        (start, end, NO_LABEL if label_id is None else label_id) for start, end, label_id in gold
    ]
    by_annotator = [
        sentence_labels(bounds, spans.get(uid, []), label_order) for uid, _ in annotators
    ]
    gold_labels = sentence_labels(bounds, gold_spans, label_order)
    touched = coverage_by_sentence(bounds, [(s, e) for s, e, _ in gold_spans])
    return DocumentVotes(
        annotators=annotators,
        sentences=[
            SentenceVotes(
                index=index,
                start=start,
                end=end,
                labels=[labels[i] for labels in by_annotator],
                gold=decided if isinstance(decided := gold_labels[i], int) else None,
                gold_touched=touched[i] > 0,
                gold_no_label=gold_labels[i] == NO_LABEL,
            )
            for i, (start, end, index) in enumerate(sentences)
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


class GoldEntry(NamedTuple):
    """A gold span as the curation screen lists it."""

    pk: int
    start: int
    end: int
    quote: str
    label_id: int | None  # None: the decision "no label"
    reviewer: str  # user name, "" when the user is gone
    accepted_from: str  # the annotator's name when accepted from one, else ""


@dataclass
class Curation:
    """What the curation screen shows of a document: one text with every coder's spans
    (each in their lane) and gold, and the sentence votes."""

    annotators: list[tuple[int, str]]  # (user id, username); lane = position % LANES
    spans: list[Span]  # annotators' (annotator = lane) and gold (annotator = "gold")
    gold: list[GoldEntry]  # reading order
    votes: DocumentVotes


LANES = ANNOTATOR_STYLES
NO_LABEL_CLASS = "none"  # a "no label" gold span's mark: ``lab-none`` (review.gold_list too)


def lane_of(annotators: list[tuple[int, str]]) -> dict[int, int]:
    return {uid: i % LANES for i, (uid, _) in enumerate(annotators)}


def _annotator_rows(project: Project, document: Document, start: int, end: int | None):
    """``(id, start, end, label id, annotator id)`` of the annotations touching
    ``[start, end)``. Written out (see annotator.fastpath.rows): a long document has
    thousands, read on every page."""
    quote = connection.ops.quote_name
    sql = (
        f"SELECT id, {quote('start')}, {quote('end')}, label_id, annotator_id"
        f" FROM {Annotation._meta.db_table} WHERE project_id = %s AND document_id = %s"
        f" AND {quote('end')} > %s"
    )
    params = [project.pk, document.pk, start]
    if end is not None:
        sql += f" AND {quote('start')} < %s"
        params.append(end)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def gold_entries(
    project: Project, document: Document, start: int = 0, end: int | None = None
) -> list[GoldEntry]:
    """The document's gold spans touching ``[start, end)``, in reading order."""
    spans = GoldAnnotation.objects.filter(project=project, document=document, end__gt=start)
    if end is not None:
        spans = spans.filter(start__lt=end)
    rows = spans.order_by("start", "end", "id").values_list(
        "id",
        "start",
        "end",
        "quote",
        "label_id",
        "reviewer__username",
        "accepted_from__annotator__username",
    )
    return [GoldEntry(*row[:5], row[5] or "", row[6] or "") for row in rows]


def curation(
    project: Project,
    document: Document,
    sentences: list[tuple[int, int, int]],
    label_order: list[int],
) -> Curation:
    """Everything the curation screen draws (``sentences``: ``(start, end, index)``).
    Four queries, whatever the number of spans."""
    annotators = document_coders(project, document)
    lanes = lane_of(annotators)
    spans: list[Span] = []
    by_annotator: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for pk, start, end, label_id, annotator_id in _annotator_rows(project, document, 0, None):
        spans.append(Span(pk, start, end, label_id, lanes.get(annotator_id, 0)))
        by_annotator[annotator_id].append((start, end, label_id))
    gold = gold_entries(project, document)
    spans += [Span(g.pk, g.start, g.end, g.label_id or NO_LABEL_CLASS, "gold") for g in gold]
    votes = votes_of(
        sentences,
        annotators,
        by_annotator,
        [(g.start, g.end, g.label_id) for g in gold],
        label_order,
    )
    return Curation(annotators=annotators, spans=spans, gold=gold, votes=votes)


def curation_spans(
    project: Project, document: Document, annotators: list[tuple[int, str]], start: int, end: int
) -> tuple[list[Span], list[GoldEntry]]:
    """The spans touching ``[start, end)`` (to redraw those lines) and the gold among them."""
    lanes = lane_of(annotators)
    spans = [
        Span(pk, s, e, label_id, lanes.get(annotator_id, 0))
        for pk, s, e, label_id, annotator_id in _annotator_rows(project, document, start, end)
    ]
    gold = gold_entries(project, document, start, end)
    spans += [Span(g.pk, g.start, g.end, g.label_id or NO_LABEL_CLASS, "gold") for g in gold]
    return spans, gold


def next_gold_id(
    project: Project, document: Document, entry: GoldEntry, nearby: list[GoldEntry], high: int
) -> int | None:
    """The id of the gold span after ``entry`` in the gold list (reading order).

    ``nearby`` are the gold spans touching the redrawn lines ``[.., high)`` around it, as
    ``curation_spans`` gives them; only when none of them follows is the database asked
    for the first one starting at ``high`` or later.
    """
    key = (entry.start, entry.end, entry.pk)
    for other in nearby:
        if (other.start, other.end, other.pk) > key:
            return other.pk
    return (
        GoldAnnotation.objects.filter(project=project, document=document, start__gte=high)
        .order_by("start", "end", "id")
        .values_list("id", flat=True)
        .first()
    )


def replaced_gold(gold_id: int) -> list[tuple[int, int, int]]:
    """``(id, start, end)`` of the gold spans the latest write of gold span ``gold_id``
    replaced (its audit event names their delete events: ``after["replaced"]``)."""
    after = (
        AnnotationEvent.objects.filter(gold=True, annotation_id=gold_id)
        .order_by("-id")
        .values_list("after", flat=True)
        .first()
    )
    replaced = (after or {}).get("replaced", [])
    if not replaced:
        return []
    snapshots = AnnotationEvent.objects.filter(pk__in=replaced, gold=True).values_list(
        "before", flat=True
    )
    return [(b["id"], b["start"], b["end"]) for b in snapshots if b]
