"""Writes on annotations. Every change is validated first and recorded in the audit trail."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from annotator.errors import Rejected
from annotator.fastpath.rows import insert
from annotator.models import (
    Annotation,
    AnnotationEvent,
    Document,
    Label,
    NoteValidationError,
    Project,
    SpanValidationError,
    check_note,
    check_span,
)


class AnnotationRejected(Rejected):
    """The request cannot become an annotation; ``str(exc)`` is shown to the analyst."""


def annotation_snapshot(annotation: Annotation) -> dict:
    """What the audit trail stores of an annotation (enough to restore it)."""
    return {
        "id": annotation.pk,
        "project": annotation.project_id,
        "document": annotation.document_id,
        "annotator": annotation.annotator_id,
        "label": annotation.label.name,
        "label_id": annotation.label_id,
        "start": annotation.start,
        "end": annotation.end,
        "quote": annotation.quote,
        "note": annotation.note,
    }


def _record(annotation: Annotation, *, actor, action: str, before=None, after=None) -> None:
    event = AnnotationEvent(
        annotation_id=annotation.pk,
        project_id=annotation.project_id,
        document_id=annotation.document_id,
        actor=actor,
        action=action,
        before=before,
        after=after,
    )
    insert(event)  # as event.save(), with the statement built once (annotator.fastpath.rows)


def check_annotation(
    *,
    project: Project,
    document: Document,
    label: Label,
    start: int,
    end: int,
    quote: str | None,
    note: str | None = None,
) -> None:
    """Raise AnnotationRejected unless the span, label and note fit the project and text."""
    if label.project_id != project.pk:
        raise AnnotationRejected("This label belongs to another project.")
    try:
        if note is not None:
            check_note(note)
        check_span(document.text, start, end, quote)
    except (NoteValidationError, SpanValidationError) as exc:
        raise AnnotationRejected(exc.messages[0]) from exc


@transaction.atomic
def annotation_create(
    *,
    project: Project,
    document: Document,
    annotator,
    label: Label,
    start: int,
    end: int,
    quote: str | None = None,
    note: str = "",
) -> Annotation:
    check_annotation(
        project=project,
        document=document,
        label=label,
        start=start,
        end=end,
        quote=quote,
        note=note,
    )
    annotation = Annotation(
        project=project,
        document=document,
        annotator=annotator,
        label=label,
        start=start,
        end=end,
        quote=document.text[start:end],
        note=note,
    )
    try:
        # No savepoint: a duplicate rolls back the whole (outer) transaction anyway.
        with transaction.atomic(savepoint=False):
            # As annotation.save() (checked above), with the statement built once.
            insert(annotation)
    except IntegrityError as exc:
        raise AnnotationRejected("You already have this label on exactly this passage.") from exc
    _record(
        annotation,
        actor=annotator,
        action=AnnotationEvent.Action.CREATE,
        after=annotation_snapshot(annotation),
    )
    return annotation


@transaction.atomic
def annotation_update(
    *,
    annotation: Annotation,
    actor,
    label: Label | None = None,
    note: str | None = None,
    start: int | None = None,
    end: int | None = None,
    quote: str | None = None,
) -> Annotation:
    """Change the label, note or boundaries of an annotation."""
    before = annotation_snapshot(annotation)
    new_label, new_start, new_end = annotation.changed_span(label=label, start=start, end=end)
    check_annotation(
        project=annotation.project,
        document=annotation.document,
        label=new_label,
        start=new_start,
        end=new_end,
        quote=quote,
        note=note,
    )
    annotation.label = new_label
    annotation.start, annotation.end = new_start, new_end
    annotation.quote = annotation.document.text[new_start:new_end]
    if note is not None:
        annotation.note = note
    try:
        with transaction.atomic():
            annotation.save()
    except IntegrityError as exc:
        raise AnnotationRejected("You already have this label on exactly this passage.") from exc
    _record(
        annotation,
        actor=actor,
        action=AnnotationEvent.Action.UPDATE,
        before=before,
        after=annotation_snapshot(annotation),
    )
    return annotation


@transaction.atomic
def annotation_delete(*, annotation: Annotation, actor) -> dict:
    """Delete an annotation; returns its snapshot (what undo or a restore needs)."""
    before = annotation_snapshot(annotation)
    _record(annotation, actor=actor, action=AnnotationEvent.Action.DELETE, before=before)
    annotation.delete()
    return before
