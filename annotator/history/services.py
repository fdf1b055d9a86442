"""The audit trail: reading a project's history (annotators' spans and gold) and restoring
deleted annotations and gold spans."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from annotator.errors import Rejected
from annotator.models import (
    Annotation,
    AnnotationEvent,
    GoldAnnotation,
    Project,
)
from annotator.review.services import GoldRejected, gold_event, gold_snapshot
from annotator.review.undo import gold_rebuild
from annotator.workspace.annotations import (
    AnnotationRejected,
    _record,
    annotation_rebuild,
    annotation_snapshot,
)

KINDS = {"annotations": False, "gold": True}  # the ``kind`` filter: events with ``gold``


def history_events(
    *,
    project: Project,
    kind: str = "",
    action: str = "",
    actor_id: int | None = None,
    annotator_id: int | None = None,
    document_id: int | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AnnotationEvent]:
    """A project's events, newest first, narrowed by the given filters (``kind``:
    ``annotations`` or ``gold``, "" for both)."""
    events = AnnotationEvent.objects.filter(project=project).select_related("actor", "document")
    if kind in KINDS:
        events = events.filter(gold=KINDS[kind])
    if action:
        events = events.filter(action=action)
    if actor_id:
        events = events.filter(actor_id=actor_id)
    if annotator_id:
        events = events.filter(Q(before__annotator=annotator_id) | Q(after__annotator=annotator_id))
    if document_id:
        events = events.filter(document_id=document_id)
    if since:
        events = events.filter(at__date__gte=since)
    if until:
        events = events.filter(at__date__lte=until)
    return events.order_by("-at", "-id")


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any

    @property
    def changed(self) -> bool:
        return self.before != self.after


SHOWN_FIELDS = ("label", "start", "end", "quote", "note")


def event_changes(event: AnnotationEvent) -> list[FieldChange]:
    """The annotation's shown fields before and after the event (None where absent)."""
    before, after = event.before or {}, event.after or {}
    return [FieldChange(name, before.get(name), after.get(name)) for name in SHOWN_FIELDS]


def _later_event_exists(event: AnnotationEvent) -> bool:
    return (
        AnnotationEvent.objects.filter(annotation_id=event.annotation_id, gold=event.gold)
        .filter(Q(at__gt=event.at) | Q(at=event.at, id__gt=event.pk))
        .exists()
    )


@transaction.atomic
def annotation_restore(*, event: AnnotationEvent, actor) -> Annotation:
    """Re-create a deleted annotation, with its id and values, from its delete event.

    Refuses (AnnotationRejected, with the reason) when the annotation is back already,
    the document text no longer matches, its label or annotator is gone, or an
    identical annotation exists. Records a ``restore`` event.
    """
    snapshot = event.before
    if event.gold or event.action != AnnotationEvent.Action.DELETE or not snapshot:
        raise AnnotationRejected(gettext("Only a deleted annotation can be restored."))
    if Annotation.objects.filter(pk=snapshot["id"]).exists():
        # Said before "changed after": restoring it is what changed it.
        raise AnnotationRejected(gettext("This annotation exists: it has been restored already."))
    if _later_event_exists(event):
        raise AnnotationRejected(
            gettext(
                "This annotation changed after this deletion; restore it from its latest deletion."
            )
        )
    annotation = annotation_rebuild(
        snapshot=snapshot, project_id=event.project_id, document_id=event.document_id
    )
    _record(
        annotation,
        actor=actor,
        action=AnnotationEvent.Action.RESTORE,
        after=annotation_snapshot(annotation),
    )
    return annotation


@transaction.atomic
def gold_restore(*, event: AnnotationEvent, actor) -> GoldAnnotation:
    """Re-create a deleted gold span from its delete event, under the gold rules (refused,
    with the reason, if gold added since contradicts or duplicates it). Records a
    ``restore`` event."""
    snapshot = event.before
    if not event.gold or event.action != AnnotationEvent.Action.DELETE or not snapshot:
        raise GoldRejected(gettext("Only a deleted gold span can be restored."))
    if GoldAnnotation.objects.filter(pk=snapshot["id"]).exists():
        raise GoldRejected(gettext("This gold span exists: it has been restored already."))
    if _later_event_exists(event):
        raise GoldRejected(
            gettext(
                "This gold span changed after this deletion; restore it from its latest deletion."
            )
        )
    gold = gold_rebuild(
        snapshot=snapshot, project_id=event.project_id, document_id=event.document_id
    )
    gold_event(gold, actor=actor, action=AnnotationEvent.Action.RESTORE, after=gold_snapshot(gold))
    return gold


def event_restore(*, event: AnnotationEvent, actor) -> Annotation | GoldAnnotation:
    """Restore what a delete event removed: an annotation, or a gold span."""
    if event.gold:
        return gold_restore(event=event, actor=actor)
    return annotation_restore(event=event, actor=actor)


def annotations_restore(
    *, events: QuerySet[AnnotationEvent] | list[AnnotationEvent], actor
) -> tuple[list[Annotation | GoldAnnotation], list[tuple[AnnotationEvent, str]]]:
    """Restore each delete event on its own (for an admin action): (restored, refusals)."""
    restored, refused = [], []
    for event in events:
        try:
            restored.append(event_restore(event=event, actor=actor))
        except Rejected as exc:
            refused.append((event, str(exc)))
    return restored, refused
