"""Writes on annotations. Every change is validated first and recorded in the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from annotator.errors import Rejected
from annotator.fastpath.rows import insert
from annotator.models import (
    Annotation,
    AnnotationEvent,
    Document,
    GoldAnnotation,
    HolderKind,
    HolderValidationError,
    Label,
    NoteValidationError,
    Project,
    SpanValidationError,
    check_holder,
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
        "holder_kind": annotation.holder_kind,
        "holder": annotation.holder,
        "cue_start": annotation.cue_start,
        "cue_end": annotation.cue_end,
    }


HOLDER_FIELDS = ("holder_kind", "holder", "cue_start", "cue_end")


def holder_values(source: dict) -> dict:
    """The holder fields of a snapshot or an import row (the author's voice when absent)."""
    return {
        "holder_kind": source.get("holder_kind") or HolderKind.AUTHOR,
        "holder": source.get("holder") or "",
        "cue_start": source.get("cue_start"),
        "cue_end": source.get("cue_end"),
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
    label: Label | None,
    start: int,
    end: int,
    quote: str | None,
    note: str | None = None,
    holder_kind: str = HolderKind.AUTHOR,
    holder: str = "",
    cue_start: int | None = None,
    cue_end: int | None = None,
) -> None:
    """Raise AnnotationRejected unless the span, label, note and holder (its kind, name
    and cue) fit the project and text (``label`` None: gold's decision "no label here",
    which fits any project)."""
    if label is not None and label.project_id != project.pk:
        raise AnnotationRejected(gettext("This label belongs to another project."))
    try:
        if note is not None:
            check_note(note)
        check_span(document.text, start, end, quote)
        check_holder(document.text, holder_kind, holder, cue_start, cue_end)
    except (NoteValidationError, SpanValidationError, HolderValidationError) as exc:
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
    holder_kind: str = HolderKind.AUTHOR,
    holder: str = "",
    cue_start: int | None = None,
    cue_end: int | None = None,
) -> Annotation:
    holder_fields: dict[str, Any] = {
        "holder_kind": holder_kind,
        "holder": holder,
        "cue_start": cue_start,
        "cue_end": cue_end,
    }
    check_annotation(
        project=project,
        document=document,
        label=label,
        start=start,
        end=end,
        quote=quote,
        note=note,
        **holder_fields,
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
        **holder_fields,
    )
    try:
        # No savepoint: a duplicate rolls back the whole (outer) transaction anyway.
        with transaction.atomic(savepoint=False):
            # As annotation.save() (checked above), with the statement built once.
            insert(annotation)
    except IntegrityError as exc:
        raise AnnotationRejected(
            gettext("You already have this label on exactly this passage.")
        ) from exc
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
    holder: dict | None = None,
) -> Annotation:
    """Change the label, note, boundaries or holder of an annotation (``holder``: the
    holder fields to change, any of ``holder_kind``, ``holder``, ``cue_start``,
    ``cue_end``; the others keep their values)."""
    before = annotation_snapshot(annotation)
    new_label, new_start, new_end = annotation.changed_span(label=label, start=start, end=end)
    unknown = set(holder or {}) - set(HOLDER_FIELDS)
    if unknown:
        raise AnnotationRejected(
            gettext("Unknown holder field: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    holder_fields = {name: before[name] for name in HOLDER_FIELDS} | (holder or {})
    check_annotation(
        project=annotation.project,
        document=annotation.document,
        label=new_label,
        start=new_start,
        end=new_end,
        quote=quote,
        note=note,
        **holder_fields,
    )
    annotation.label = new_label
    annotation.start, annotation.end = new_start, new_end
    annotation.quote = annotation.document.text[new_start:new_end]
    if note is not None:
        annotation.note = note
    for name, value in holder_fields.items():
        setattr(annotation, name, value)
    try:
        with transaction.atomic():
            annotation.save()
    except IntegrityError as exc:
        raise AnnotationRejected(
            gettext("You already have this label on exactly this passage.")
        ) from exc
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


def restore_document(
    *,
    model: type[Annotation] | type[GoldAnnotation],
    snapshot: dict,
    document_id: int,
    rejected: type[Rejected],
    exists: str,
    text_changed: str,
) -> Document:
    """The checks every restore from an audit snapshot begins with (an annotator's
    annotation, a gold span): it is not back already, and the document's text still
    holds its quote. Returns the document, locked: its text cannot change while the span
    is stored. Each refusal is ``rejected`` with the caller's message."""
    if model.objects.filter(pk=snapshot["id"]).exists():
        raise rejected(exists)
    document = Document.objects.select_for_update().get(pk=document_id)
    try:
        check_span(document.text, snapshot["start"], snapshot["end"], snapshot["quote"])
    except SpanValidationError as exc:
        raise rejected(text_changed) from exc
    return document


def restore_insert(
    *, span: Annotation | GoldAnnotation, rejected: type[Rejected], meanwhile: str
) -> None:
    """Store a rebuilt span with its old id; one stored meanwhile (the same id, or an
    identical span) is ``rejected`` with the caller's message."""
    try:
        with transaction.atomic():
            span.save(force_insert=True)
    except IntegrityError as exc:
        raise rejected(meanwhile) from exc


@transaction.atomic
def annotation_rebuild(*, snapshot: dict, project_id: int, document_id: int) -> Annotation:
    """Put a deleted annotation back, with its id and values, from its audit snapshot.

    The one path for every way back (undo of a delete, restore from the history). Refuses
    (AnnotationRejected, with the reason) when the annotation is back already, the
    document's text no longer matches, its label or annotator is gone, or an identical
    annotation exists. Records nothing: the caller says in the audit trail why it
    restored.
    """
    document = restore_document(
        model=Annotation,
        snapshot=snapshot,
        document_id=document_id,
        rejected=AnnotationRejected,
        exists=gettext("This annotation exists: it has been restored already."),
        text_changed=gettext(
            "The document's text no longer matches this annotation, so it cannot be restored."
        ),
    )
    labels = Label.objects.filter(project_id=project_id)
    label = (
        labels.filter(pk=snapshot["label_id"]).first() if snapshot.get("label_id") else None
    ) or labels.filter(name=snapshot["label"]).first()
    if label is None:
        raise AnnotationRejected(
            gettext("The label “%(label)s” no longer exists in this project.")
            % {"label": snapshot["label"]}
        )
    annotator = get_user_model().objects.filter(pk=snapshot["annotator"]).first()
    if annotator is None:
        raise AnnotationRejected(gettext("The annotator of this annotation no longer exists."))
    values = {
        "document": document,
        "annotator": annotator,
        "label": label,
        "start": snapshot["start"],
        "end": snapshot["end"],
    }
    if Annotation.objects.filter(**values).exists():
        raise AnnotationRejected(
            gettext("An identical annotation exists (same annotator, label and passage).")
        )
    annotation = Annotation(
        pk=snapshot["id"],
        project_id=project_id,
        quote=snapshot["quote"],
        note=snapshot.get("note", ""),
        **holder_values(snapshot),
        **values,
    )
    restore_insert(
        span=annotation,
        rejected=AnnotationRejected,
        meanwhile=gettext("This annotation was restored or re-created meanwhile; reload the page."),
    )
    return annotation
