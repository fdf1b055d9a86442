"""What a reviewer sees of one document: every annotator's label for each sentence, gold,
the spans the curation screen draws, and which gold action undo would revert.

A sentence's label for an annotator (or for gold) is the label covering more than half of
it (``annotator.stats.sentence_labels``), or None. Annotators who never coded the document (no
annotation, not marked done) are not listed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Exists, OuterRef

from annotator.models import (
    Annotation,
    Document,
    DocumentProgress,
    GoldAnnotation,
    GoldEvent,
    Project,
)
from annotator.stats.sentence_labels import coverage_by_sentence, majority, sentence_labels
from annotator.text.layout import Span
from annotator.workspace.selectors import ANNOTATOR_STYLES, UNDO_MARK


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
    gold_spans: list[tuple[int, int, int]],
    label_order: list[int],
) -> DocumentVotes:
    """The votes from spans already read: ``sentences`` are ``(start, end, index)``,
    ``spans`` ``(start, end, label id)`` by annotator id."""
    bounds = [(start, end) for start, end, _ in sentences]
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
                gold=gold_labels[i],
                gold_touched=touched[i] > 0,
            )
            for i, (start, end, index) in enumerate(sentences)
        ],
    )


UNDO_WINDOW = 50


def gold_undo_target(*, project: Project, document: Document, actor) -> list[GoldEvent]:
    """The reviewer's latest gold action on the document that has not been undone: its
    events, newest first (several when one action wrote several spans, a ``batch``).

    Undo events carry ``undo_of`` in ``after`` (as in the annotation workspace); walking
    back from the newest event, undo events and the events they undid are skipped. Only
    the last ``UNDO_WINDOW`` events are considered.
    """
    events = GoldEvent.objects.filter(project=project, document=document, actor=actor).order_by(
        "-id"
    )[:UNDO_WINDOW]
    undone: set[int] = set()
    target: list[GoldEvent] = []
    for event in events:
        after = event.after or {}
        if after.get(UNDO_MARK) is not None:
            undone.add(after[UNDO_MARK])
        elif event.pk in undone:
            continue
        elif not target:
            target.append(event)
            if after.get("batch") is None:
                break
        elif after.get("batch") == (target[0].after or {}).get("batch"):
            target.append(event)
        else:
            break
    return target


class GoldEntry(NamedTuple):
    """A gold span as the curation screen lists it."""

    pk: int
    start: int
    end: int
    quote: str
    label_id: int
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
    rows = GoldAnnotation.objects.filter(project=project, document=document, end__gt=start)
    if end is not None:
        rows = rows.filter(start__lt=end)
    rows = rows.order_by("start", "end", "id").values_list(
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
    spans += [Span(g.pk, g.start, g.end, g.label_id, "gold") for g in gold]
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
    spans += [Span(g.pk, g.start, g.end, g.label_id, "gold") for g in gold]
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
