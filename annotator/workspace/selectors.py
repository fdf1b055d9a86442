"""Reads behind the workspace pages: the analyst's queue, a document's spans, navigation."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Avg, Count, Exists, F, OuterRef, QuerySet, Subquery, Window
from django.db.models.functions import Lag, Lead
from django.utils.translation import gettext_lazy

from annotator.access import assignment_condition, visible_documents
from annotator.fastpath.statements import (
    annotation_rows,
    first_annotation_from,
    holder_names,
    latest_events,
)
from annotator.fastpath.statements import project_labels as project_labels  # the workspace's read
from annotator.models import (
    Annotation,
    AnnotationEvent,
    Assignment,
    Comment,
    Document,
    DocumentProgress,
    Label,
    Membership,
    Project,
    ProjectDocument,
    Sentence,
    Source,
    Suggestion,
)
from annotator.text.layout import Layout, Span

QUEUE_ORDER = (F("source__name").asc(), F("published_on").asc(nulls_first=True), F("id").asc())

ANNOTATOR_STYLES = 6  # underline styles in app.css (.by-0 … .by-5)

# Queue orders beside the default (source, date): "uncertain" puts first the documents
# the learned suggester is least sure of (active learning), those it has not suggested on
# after them in the default order.
ORDERS = {
    "": gettext_lazy("Source and date"),
    "uncertain": gettext_lazy("Most uncertain first"),
}

STATUSES = {
    "todo": gettext_lazy("Not started"),
    "started": gettext_lazy("In progress"),
    "done": gettext_lazy("Done"),
}


def _done(project: Project, membership: Membership, document) -> QuerySet[DocumentProgress]:
    """The member's "done" mark on the document ``document`` (an expression)."""
    return DocumentProgress.objects.filter(
        project=project, document=document, annotator_id=membership.user_id, done_at__isnull=False
    )


def _status_filters(project: Project, membership: Membership, document, status: str) -> list:
    """Conditions on the document ``document`` (an expression) for a ``STATUSES`` key."""
    user_id = membership.user_id
    own = Annotation.objects.filter(project=project, document=document, annotator_id=user_id)
    done = _done(project, membership, document)
    filters: dict[str, list] = {
        "done": [Exists(done)],
        "started": [Exists(own), ~Exists(done)],
        "todo": [~Exists(own), ~Exists(done)],
    }
    return filters.get(status, [])


def model_confidence(project: Project) -> Subquery:
    """A document's mean top-label probability by the learned suggester (agent ``model``)
    over its sentences: low means uncertain; null where the model has not suggested."""
    scores = (
        Suggestion.objects.filter(project=project, document=OuterRef("pk"), agent="model")
        .order_by()
        .values("document")
        .annotate(mean=Avg("score"))
        .values("mean")
    )
    return Subquery(scores)


def queue(
    project: Project,
    membership: Membership,
    *,
    source_id: int | None = None,
    status: str = "",
    order: str = "",
) -> QuerySet[Document]:
    """The member's documents in queue order (ids only: paginate this, then load the
    page's rows with ``queue_rows``). ``status`` is one of ``STATUSES`` (or empty for all),
    ``order`` one of ``ORDERS``.
    """
    documents = visible_documents(project, membership)
    if source_id is not None:
        documents = documents.filter(source_id=source_id)
    documents = documents.filter(*_status_filters(project, membership, OuterRef("pk"), status))
    if order == "uncertain":
        documents = documents.annotate(confidence=model_confidence(project))
        return documents.only("id").order_by(F("confidence").asc(nulls_last=True), *QUEUE_ORDER)
    return documents.only("id").order_by(*QUEUE_ORDER)


def queue_count(
    project: Project, membership: Membership, *, source_id: int | None = None, status: str = ""
) -> int:
    """How many documents ``queue`` holds, counted without reading the documents' rows
    unless a source is chosen (then the index on the source narrows them first)."""
    if source_id is not None:
        return queue(project, membership, source_id=source_id, status=status).count()
    document = OuterRef("document_id")
    links = ProjectDocument.objects.filter(project=project)
    condition = assignment_condition(project, membership, document)
    if condition is not None:
        links = links.filter(condition)
    return links.filter(*_status_filters(project, membership, document, status)).count()


def done_at(project: Project, user) -> Subquery:
    """When the user marked the document (the query's row) done, for ``document_for_member``."""
    progress = DocumentProgress.objects.filter(
        project=project, document=OuterRef("pk"), annotator=user
    )
    return Subquery(progress.values("done_at")[:1])


def queue_rows(project: Project, membership: Membership, ids: list[int]) -> list[Document]:
    """The documents ``ids`` (one queue page, in that order) with the member's progress.

    Each carries ``n_annotations`` (the member's), ``done_at``, ``last_opened_at`` and
    ``reopen_text``/``reopen_at`` (the latest comment a reviewer sent the document back
    to them with, see annotator.models.discussion); these are computed for the page's
    rows only, never for the whole queue.
    """
    user_id = membership.user_id
    own = Annotation.objects.filter(project=project, document=OuterRef("pk"), annotator_id=user_id)
    progress = DocumentProgress.objects.filter(
        project=project, document=OuterRef("pk"), annotator_id=user_id
    ).order_by()
    count = own.order_by().values("document").annotate(n=Count("pk")).values("n")
    reopens = Comment.objects.filter(
        project=project, document=OuterRef("pk"), concerning_id=user_id, kind=Comment.Kind.REOPEN
    ).order_by("-id")
    rows = (
        Document.objects.filter(pk__in=ids)
        .select_related("source")
        .only("id", "title", "published_on", "url", "source__name", "source__kind")
        .annotate(
            n_annotations=Subquery(count),
            done_at=Subquery(progress.values("done_at")[:1]),
            last_opened_at=Subquery(progress.values("last_opened_at")[:1]),
            reopen_text=Subquery(reopens.values("text")[:1]),
            reopen_at=Subquery(reopens.values("created_at")[:1]),
        )
        .order_by()
    )
    by_id = {document.pk: document for document in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


def queue_sources(project: Project, membership: Membership) -> QuerySet[Source]:
    """Sources of the member's documents, for the queue's filter."""
    documents = visible_documents(project, membership).filter(source=OuterRef("pk"))
    return Source.objects.filter(Exists(documents)).only("id", "name")


def continue_document(project: Project, membership: Membership) -> Document | None:
    """The document the member opened last and has not marked done."""
    progress = (
        DocumentProgress.objects.filter(
            project=project,
            annotator_id=membership.user_id,
            done_at__isnull=True,
            last_opened_at__isnull=False,
            document__in=visible_documents(project, membership).values("pk"),
        )
        .select_related("document")
        .only("document__id", "document__title")
        .order_by("-last_opened_at")
        .first()
    )
    return progress.document if progress else None


class QueueProgress(NamedTuple):
    """How far the member is through their queue: ``done`` of ``total`` documents."""

    done: int
    total: int


def queue_progress(project: Project, membership: Membership) -> QueueProgress:
    """The member's documents marked done, of all their documents (two counts).

    Counted from the member's own progress rows and the project's links (or, for an
    annotator of a project with assignments, their assignments), never by walking the
    documents: the document page shows it on every view.
    """
    linked = ProjectDocument.objects.filter(project=project, document_id=OuterRef("document_id"))
    done = DocumentProgress.objects.filter(
        project=project, annotator_id=membership.user_id, done_at__isnull=False
    ).filter(Exists(linked))
    condition = assignment_condition(project, membership, OuterRef("document_id"))
    if condition is not None:
        done = done.filter(condition)
    if condition is not None and Assignment.objects.filter(project=project).exists():
        assigned = Assignment.objects.filter(project=project, annotator_id=membership.user_id)
        total = assigned.filter(Exists(linked)).count()
    else:
        total = ProjectDocument.objects.filter(project=project).count()
    return QueueProgress(done=done.count(), total=total)


def member_projects(user) -> list[tuple[Project, Membership, QueueProgress]]:
    """The projects the user is a member of, by name, each with the membership and the
    user's ``queue_progress``: the same counts, for every project in four queries.

    An annotator of a project with assignments counts their assigned documents; anyone
    else counts the project's documents.
    """
    memberships = list(
        Membership.objects.filter(user=user).select_related("project").order_by("project__name")
    )
    ids = [m.project_id for m in memberships]
    linked = ProjectDocument.objects.filter(
        project_id=OuterRef("project_id"), document_id=OuterRef("document_id")
    )
    with_assignments = set(
        Assignment.objects.filter(project_id__in=ids).values_list("project_id", flat=True)
    )
    links = dict(
        ProjectDocument.objects.filter(project_id__in=ids)
        .values("project_id")
        .annotate(n=Count("pk"))
        .values_list("project_id", "n")
    )
    assigned = dict(
        Assignment.objects.filter(project_id__in=ids, annotator=user)
        .filter(Exists(linked))
        .values("project_id")
        .annotate(n=Count("pk"))
        .values_list("project_id", "n")
    )
    own_assignment = Assignment.objects.filter(
        project_id=OuterRef("project_id"), document_id=OuterRef("document_id"), annotator=user
    )
    done: dict[tuple[int, bool], int] = {
        (project_id, is_assigned): n
        for project_id, is_assigned, n in DocumentProgress.objects.filter(
            project_id__in=ids, annotator=user, done_at__isnull=False
        )
        .filter(Exists(linked))
        .annotate(is_assigned=Exists(own_assignment))
        .values("project_id", "is_assigned")
        .annotate(n=Count("pk"))
        .values_list("project_id", "is_assigned", "n")
    }
    rows = []
    for m in memberships:
        pk = m.project_id
        if not m.can_review and pk in with_assignments:
            progress = QueueProgress(done=done.get((pk, True), 0), total=assigned.get(pk, 0))
        else:
            total_done = done.get((pk, True), 0) + done.get((pk, False), 0)
            progress = QueueProgress(done=total_done, total=links.get(pk, 0))
        rows.append((m.project, m, progress))
    return rows


def first_unfinished_id(project: Project, membership: Membership, *, exclude: int) -> int | None:
    """The first document in queue order that the member has not marked done (not
    ``exclude``): where "Next" goes from the end of the queue."""
    done = _done(project, membership, OuterRef("pk"))
    documents = visible_documents(project, membership).exclude(pk=exclude).filter(~Exists(done))
    return documents.order_by(*QUEUE_ORDER).values_list("id", flat=True).first()


def neighbour_id(
    project: Project, membership: Membership, document_id: int, step: int
) -> int | None:
    """The document before (``step=-1``) or after (``step=1``) this one in the queue."""
    ranked = visible_documents(project, membership).annotate(
        before=Window(Lag("id"), order_by=QUEUE_ORDER),
        after=Window(Lead("id"), order_by=QUEUE_ORDER),
    )
    # The row whose predecessor is this document is the next one, and vice versa.
    neighbour = ranked.filter(**{"before" if step > 0 else "after": document_id})
    return neighbour.values_list("id", flat=True).first()


def label_version(labels) -> str:
    """Changes whenever a label's colour does: part of the stylesheet's URL."""
    key = ";".join(f"{label.pk}:{label.color}" for label in labels)
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def labels_key(labels, guidelines: str) -> str:
    """Changes whenever the labels or the guidelines do: the page's label bar and help,
    the same on every document of the project, are cached under it (with the language)."""
    fields = ("pk", "name", "title", "description", "hotkey", "color", "order")
    key = repr([[getattr(label, f) for f in fields] for label in labels]) + guidelines
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def sentence_bounds(document: Document, start: int = 0, end: int | None = None) -> list:
    """``(start, end, index)`` of the document's sentences inside ``[start, end)``."""
    sentences = Sentence.objects.filter(document=document, start__gte=start)
    if end is not None:
        sentences = sentences.filter(end__lte=end)
    return list(sentences.order_by("index").values_list("start", "end", "index"))


class _LayoutCache:
    """Layouts of recently shown documents, per process, keyed by the text's version.

    A document's text and sentences change together (saving a new text re-splits it and
    changes ``text_sha256``), so a cached layout is never stale. Bounded by the total
    length of the texts held.
    """

    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars
        self.chars = 0
        self.layouts: OrderedDict[tuple[int, str], Layout] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, document: Document) -> Layout:
        key = (document.pk, document.text_sha256)
        with self.lock:
            layout = self.layouts.get(key)
            if layout is not None:
                self.layouts.move_to_end(key)
                return layout
        layout = Layout(document.text, sentence_bounds(document))
        with self.lock:
            if key not in self.layouts:
                self.layouts[key] = layout
                self.chars += len(layout.text)
            while self.chars > self.max_chars and len(self.layouts) > 1:
                _, old = self.layouts.popitem(last=False)
                self.chars -= len(old.text)
        return layout

    def clear(self) -> None:
        with self.lock:
            self.layouts.clear()
            self.chars = 0


layouts = _LayoutCache(max_chars=2_000_000)


def document_layout(document: Document) -> Layout:
    """The document's lines and sentences (one query the first time, then from memory)."""
    return layouts.get(document)


class Entry(NamedTuple):
    """An annotation as the document page shows it (lighter than a model instance)."""

    pk: int
    start: int
    end: int
    quote: str
    note: str
    label_id: int
    annotator_id: int
    label: Label
    holder_kind: str
    holder: str


@dataclass
class Visible:
    """The annotations a member sees on a document."""

    own: list[Entry]  # reading order
    spans: list[Span]
    annotators: list[tuple[int, str, int]]  # (style index, username, count) when showing all


def visible_annotations(
    *,
    project: Project,
    document: Document,
    user,
    labels: dict[int, Label],
    everyone: bool = False,
    start: int = 0,
    end: int | None = None,
) -> Visible:
    """The user's own annotations (or everyone's, for reviewers when allowed) touching
    ``[start, end)``; the label objects come from ``labels``, so this is one query."""
    rows = annotation_rows(project.pk, document.pk, None if everyone else user.pk, start, end)
    own: list[Entry] = []
    spans: list[Span] = []
    names: dict[int, str] = {}
    counts: dict[int, int] = {}
    styles: dict[int, int] = {}
    if everyone:
        for row in rows:
            names[row[6]] = row[9]
            counts[row[6]] = counts.get(row[6], 0) + 1
        ordered = sorted(names, key=names.__getitem__)
        styles = {pk: i % ANNOTATOR_STYLES for i, pk in enumerate(ordered)}
    for pk, start_, end_, quote, note, label_id, annotator_id, kind, holder, *_ in rows:
        spans.append(Span(pk, start_, end_, label_id, styles.get(annotator_id, 0)))
        if annotator_id == user.pk:
            own.append(
                Entry(
                    pk,
                    start_,
                    end_,
                    quote,
                    note,
                    label_id,
                    annotator_id,
                    labels[label_id],
                    kind,
                    holder,
                )
            )
    annotators = [
        (styles[pk], names[pk], counts[pk]) for pk in sorted(names, key=names.__getitem__)
    ]
    return Visible(own=own, spans=spans, annotators=annotators)


# The project's holders the field offers at most (it takes any text).
HOLDER_CHOICES = 200


def holder_choices(project: Project, document: Document) -> list[str]:
    """What the holder field offers: the people and groups the holders suggester found
    in this document, and up to ``HOLDER_CHOICES`` holders already used in the project
    (one statement, ``fastpath.statements.holder_names``). The project's are read from a
    partial index of the spans that have a holder, in order, stopping at the limit:
    reading every annotation of the project took the document page from 44 ms to 560 ms
    in a project of a million."""
    return sorted(holder_names(project.pk, document.pk, HOLDER_CHOICES), key=str.lower)


def next_in_reading_order(annotation, nearby: list[Entry], nearby_end: int) -> int | None:
    """The id of the annotator's annotation that follows ``annotation`` in the side list.

    ``nearby`` are the annotator's annotations touching ``[.., nearby_end)`` around it
    (sorted, as ``visible_annotations`` gives them); only when none of them follows is the
    database asked for the first one starting at ``nearby_end`` or later (written out: it
    runs on most saves, see annotator.fastpath.rows).
    """
    key = (annotation.start, annotation.end, annotation.pk)
    for entry in nearby:
        if (entry.start, entry.end, entry.pk) > key:
            return entry.pk
    return first_annotation_from(
        annotation.project_id, annotation.document_id, annotation.annotator_id, nearby_end
    )


UNDO_MARK = "undo_of"
UNDO_WINDOW = 50


def undo_target(
    *, project: Project, document: Document, actor, gold: bool = False
) -> AnnotationEvent | None:
    """The actor's latest change on this document that has not been undone yet: of their
    own annotations, or (``gold``) of the gold standard.

    Undo events carry ``{"undo_of": <event id>}`` in ``after``; walking back from the
    newest event, undo events and the events they undid are skipped. Only the last
    ``UNDO_WINDOW`` events are considered.
    """
    events = latest_events(project.pk, document.pk, actor.pk, UNDO_WINDOW, gold=gold)
    undone: set[int] = set()
    for event in events:
        mark = (event.after or {}).get(UNDO_MARK)
        snapshot = event.after or event.before or {}
        if mark is not None:
            undone.add(mark)
        elif event.pk not in undone and (gold or snapshot.get("annotator") == actor.pk):
            return event
    return None
