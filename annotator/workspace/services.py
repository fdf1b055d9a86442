"""Writes behind the workspace: turning a selection into a span, progress, and undo."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import cast

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from annotator.models import (
    Annotation,
    AnnotationEvent,
    Document,
    DocumentProgress,
    Label,
    Project,
    SpanValidationError,
    check_span,
)
from annotator.text.snapping import snap
from annotator.workspace.annotations import (
    AnnotationRejected,
    annotation_rebuild,
    annotation_snapshot,
    holder_values,
)
from annotator.workspace.selectors import UNDO_MARK, undo_target


def selection_span(*, text: str, start: int, end: int, quote: str | None) -> tuple[int, int]:
    """Check a selection as the browser saw it, then snap it to word boundaries.

    Raises AnnotationRejected (the message is shown on the page) when the offsets are out
    of range, the quote does not match the text (a stale page), or nothing but spaces
    and punctuation was selected.
    """
    try:
        check_span(text, start, end, quote)
    except SpanValidationError as exc:
        raise AnnotationRejected(exc.messages[0]) from exc
    return snap_words(text, start, end)


def snap_words(text: str, start: int, end: int) -> tuple[int, int]:
    """A checked span under the boundary convention (``text.snapping.snap``); refused
    (AnnotationRejected) when it holds nothing but spaces and punctuation."""
    start, end = snap(text, start, end)
    if start == end:
        raise AnnotationRejected(
            gettext("The selection holds no words, only spaces or punctuation.")
        )
    return start, end


def parse_offset(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        raise AnnotationRejected(gettext("Offsets must be whole numbers.")) from None


# How old a document's ``last_opened_at`` may be before a view of it records it again.
OPENED_PRECISION = timedelta(minutes=10)


def progress_opened(
    *,
    project: Project,
    document: Document,
    annotator,
    last_opened_at: datetime | None = None,
    last_opened_id: int | None = None,
) -> bool:
    """Record that the annotator opened the document now (one upsert), unless nothing
    would change: it is already the document they opened last in the project, at most
    ``OPENED_PRECISION`` ago. Returns whether it wrote.

    ``last_opened_at`` (this document's) and ``last_opened_id`` (the project's latest) are
    what the page read with the document (``selectors.opened``). Views are reads: a row
    is written when the analyst moves to another document, not on every reload, so
    reading pages never queues behind SQLite's write lock, and "Continue where you left
    off" (the latest ``last_opened_at``) still names the document opened last.
    """
    now = timezone.now()
    if (
        last_opened_id == document.pk
        and last_opened_at is not None
        and now - last_opened_at < OPENED_PRECISION
    ):
        return False
    DocumentProgress.objects.bulk_create(
        [
            DocumentProgress(
                project=project,
                document=document,
                annotator=annotator,
                last_opened_at=now,
            )
        ],
        update_conflicts=True,
        unique_fields=["project", "document", "annotator"],
        update_fields=["last_opened_at"],
    )
    return True


@transaction.atomic
def progress_set_done(
    *, project: Project, document: Document, annotator, done: bool
) -> DocumentProgress:
    progress, _ = DocumentProgress.objects.get_or_create(
        project=project, document=document, annotator=annotator
    )
    progress.done_at = timezone.now() if done else None
    progress.save(update_fields=["done_at"])
    return progress


@dataclass
class UndoOutcome:
    """What an undo changed, for the page to redraw."""

    message: str
    ranges: list[tuple[int, int]] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    added: list[Annotation] = field(default_factory=list)
    changed: list[Annotation] = field(default_factory=list)


def _record_undo(annotation_id: int, *, project, document, actor, action, before, after, of):
    AnnotationEvent.objects.create(
        annotation_id=annotation_id,
        project=project,
        document=document,
        actor=actor,
        action=action,
        before=before,
        after={**(after or {}), UNDO_MARK: of.pk},
    )


def _label_for(project: Project, snapshot: dict) -> Label:
    label = Label.objects.filter(project=project, pk=snapshot["label_id"]).first()
    if label is None:
        raise AnnotationRejected(gettext("Cannot undo: that label no longer exists."))
    return label


@transaction.atomic
def annotation_undo(*, project: Project, document: Document, actor) -> UndoOutcome:
    """Undo the actor's latest change on the document (see ``undo_target``).

    Creating is undone by deleting, deleting by restoring the annotation with its old
    id, a change by putting back the old label, note and boundaries. The undo is itself
    recorded in the audit trail, marked with the event it undid.
    """
    event = undo_target(project=project, document=document, actor=actor)
    if event is None:
        raise AnnotationRejected(gettext("Nothing to undo."))
    common = {"project": project, "document": document, "actor": actor, "of": event}
    Action = AnnotationEvent.Action
    if event.action == Action.DELETE:
        # Only a create (undone below without it) has no ``before`` snapshot.
        snapshot = cast(dict, event.before)
        try:
            restored = annotation_rebuild(
                snapshot=snapshot, project_id=project.pk, document_id=document.pk
            )
        except AnnotationRejected as exc:
            raise AnnotationRejected(gettext("Cannot undo. %(reason)s") % {"reason": exc}) from exc
        _record_undo(restored.pk, action=Action.RESTORE, before=None, after=snapshot, **common)
        return UndoOutcome(
            gettext("Restored «%(quote)s».") % {"quote": restored.quote},
            ranges=[(restored.start, restored.end)],
            added=[restored],
        )
    found = (
        Annotation.objects.select_related("label")
        .filter(pk=event.annotation_id, project=project, document=document, annotator=actor)
        .first()
    )
    if found is None:
        raise AnnotationRejected(gettext("Cannot undo: that annotation no longer exists."))
    annotation = found
    annotation.document = document
    current = annotation_snapshot(annotation)
    if event.action in (Action.CREATE, Action.RESTORE):
        _record_undo(annotation.pk, action=Action.DELETE, before=current, after=None, **common)
        annotation.delete()
        return UndoOutcome(
            gettext("Removed «%(quote)s».") % {"quote": current["quote"]},
            ranges=[(current["start"], current["end"])],
            removed=[current["id"]],
        )
    snapshot = cast(dict, event.before)
    annotation.label = _label_for(project, snapshot)
    annotation.start, annotation.end = snapshot["start"], snapshot["end"]
    annotation.quote, annotation.note = snapshot["quote"], snapshot["note"]
    for name, value in holder_values(snapshot).items():
        setattr(annotation, name, value)
    try:
        with transaction.atomic():
            annotation.save()
    except IntegrityError as exc:
        raise AnnotationRejected(
            gettext("Cannot undo: you already have this label on exactly this passage.")
        ) from exc
    _record_undo(
        annotation.pk,
        action=Action.UPDATE,
        before=current,
        after=annotation_snapshot(annotation),
        **common,
    )
    return UndoOutcome(
        gettext("Put back «%(quote)s» as %(label)s.")
        % {"quote": annotation.quote, "label": annotation.label},
        ranges=[(current["start"], current["end"]), (annotation.start, annotation.end)],
        changed=[annotation],
    )
