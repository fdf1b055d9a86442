"""Taking gold back: the reviewer's undo, and the rebuild every restore goes through.

Undo walks the reviewer's own gold events on the document (``workspace.selectors.
undo_target``, the annotators' undo rule); each undo is recorded, marked with the event it
undid. What comes back meets the gold rules of ``review.services`` again: a span that gold
added since contradicts or duplicates is not put back (the refusal says why).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext

from annotator.models import (
    Annotation,
    AnnotationEvent,
    Document,
    GoldAnnotation,
    Label,
    Project,
)
from annotator.review.services import (
    GoldRejected,
    gold_clear_conflicts,
    gold_conflict,
    gold_event,
    gold_save,
    gold_snapshot,
    short_quote,
)
from annotator.workspace.annotations import holder_values, restore_document, restore_insert
from annotator.workspace.selectors import UNDO_MARK, undo_target

Action = AnnotationEvent.Action


@transaction.atomic
def gold_rebuild(*, snapshot: dict, project_id: int, document_id: int) -> GoldAnnotation:
    """Put a deleted gold span back, with its id and values, from its audit snapshot.

    The one path for every way back (undo, restore from the history). Refuses
    (GoldRejected, with the reason) when it is back already, the document's text no
    longer matches, its label is gone, or gold added since conflicts with it (or
    duplicates it). Records nothing: the caller says in the audit trail why it restored.
    """
    document = restore_document(
        model=GoldAnnotation,
        snapshot=snapshot,
        document_id=document_id,
        rejected=GoldRejected,
        exists=gettext("This gold span exists: it has been restored already."),
        text_changed=gettext(
            "The document's text no longer matches this gold span, so it cannot be restored."
        ),
    )
    label = None
    if snapshot.get("label_id") is not None:
        label = Label.objects.filter(project_id=project_id, pk=snapshot["label_id"]).first()
        if label is None:
            raise GoldRejected(
                gettext("The label “%(label)s” no longer exists in this project.")
                % {"label": snapshot["label"]}
            )
    conflict = gold_conflict(
        project_id=project_id,
        document=document,
        label=label,
        start=snapshot["start"],
        end=snapshot["end"],
    )
    if conflict is not None:
        raise conflict
    gold = GoldAnnotation(
        pk=snapshot["id"],
        project_id=project_id,
        document=document,
        label=label,
        start=snapshot["start"],
        end=snapshot["end"],
        quote=snapshot["quote"],
        note=snapshot.get("note", ""),
        reviewer_id=snapshot.get("reviewer"),
        accepted_from_id=snapshot.get("accepted_from"),
        **holder_values(snapshot),
    )
    if gold.accepted_from_id and not Annotation.objects.filter(pk=gold.accepted_from_id).exists():
        gold.accepted_from_id = None
    if gold.reviewer_id and not get_user_model().objects.filter(pk=gold.reviewer_id).exists():
        gold.reviewer_id = None
    restore_insert(
        span=gold,
        rejected=GoldRejected,
        meanwhile=gettext("This gold span was restored or re-created meanwhile; reload the page."),
    )
    return gold


@dataclass
class GoldUndoOutcome:
    """What an undo of gold changed, for the page to redraw."""

    message: str
    ranges: list[tuple[int, int]] = field(default_factory=list)
    added: list[int] = field(default_factory=list)  # ids of gold spans back
    changed: list[int] = field(default_factory=list)  # ids of gold spans changed back
    removed: list[int] = field(default_factory=list)  # ids of gold spans taken away


def _undo_mark(event: AnnotationEvent, after: dict | None) -> dict:
    return {**(after or {}), UNDO_MARK: event.pk}


def _put_back(event: AnnotationEvent, actor) -> GoldAnnotation:
    gold = gold_rebuild(
        snapshot=event.before or {}, project_id=event.project_id, document_id=event.document_id
    )
    gold_event(
        gold, actor=actor, action=Action.RESTORE, after=_undo_mark(event, gold_snapshot(gold))
    )
    return gold


@transaction.atomic
def gold_undo(*, project: Project, document: Document, reviewer) -> GoldUndoOutcome:
    """Undo the reviewer's latest gold change on the document (``undo_target``).

    Adding is undone by deleting (with the gold it replaced put back, and a whole "accept
    majority" at once), deleting by restoring, a change by putting back the old values.
    The undo is itself recorded, marked with the event it undid.
    """
    event = undo_target(project=project, document=document, actor=reviewer, gold=True)
    if event is None:
        raise GoldRejected(gettext("Nothing to undo."))
    try:
        return _undo(event, project=project, document=document, reviewer=reviewer)
    except GoldRejected as exc:
        raise GoldRejected(gettext("Cannot undo. %(reason)s") % {"reason": exc}) from exc


def _undo(event, *, project, document, reviewer) -> GoldUndoOutcome:
    if event.action == Action.DELETE:
        gold = _put_back(event, reviewer)
        return GoldUndoOutcome(
            gettext("Restored gold «%(quote)s».") % {"quote": short_quote(gold.quote)},
            [(gold.start, gold.end)],
            added=[gold.pk],
        )
    events = [event]
    batch = (event.after or {}).get("batch")
    if batch:
        events = list(
            AnnotationEvent.objects.filter(
                project=project, document=document, actor=reviewer, gold=True
            ).filter(after__batch=batch)
        )
    outcome = GoldUndoOutcome("")
    ranges = outcome.ranges
    for undone in events:
        found = GoldAnnotation.objects.filter(
            pk=undone.annotation_id, project=project, document=document
        ).first()
        if found is None:
            raise GoldRejected(gettext("That gold span no longer exists."))
        gold = found
        ranges.append((gold.start, gold.end))
        if undone.action == Action.UPDATE:
            _change_back(gold, undone, reviewer)
            ranges.append((gold.start, gold.end))
            outcome.changed.append(gold.pk)
        else:
            current = gold_snapshot(gold)
            gold_event(
                gold,
                actor=reviewer,
                action=Action.DELETE,
                before=current,
                after=_undo_mark(undone, None),
            )
            outcome.removed.append(gold.pk)
            gold.delete()
        replaced = (undone.after or {}).get("replaced", [])
        for replaced_event in AnnotationEvent.objects.filter(pk__in=replaced, gold=True):
            back = _put_back(replaced_event, reviewer)
            ranges.append((back.start, back.end))
            outcome.added.append(back.pk)
    if len(events) > 1:
        outcome.message = gettext("Took back %(count)s gold spans.") % {"count": len(events)}
        return outcome
    if event.action == Action.UPDATE:
        message = gettext("Put back gold «%(quote)s».")
    else:
        message = gettext("Removed gold «%(quote)s».")
    quote = ((event.before if event.action == Action.UPDATE else event.after) or {})["quote"]
    outcome.message = message % {"quote": short_quote(quote)}
    return outcome


def _change_back(gold: GoldAnnotation, event: AnnotationEvent, reviewer) -> None:
    """Undo a change: the values before ``event`` back on ``gold``, recorded."""
    current, before = gold_snapshot(gold), event.before or {}
    label = None
    if before["label_id"] is not None:
        label = Label.objects.filter(project_id=gold.project_id, pk=before["label_id"]).first()
        if label is None:
            raise GoldRejected(
                gettext("The label “%(label)s” no longer exists in this project.")
                % {"label": before["label"]}
            )
    gold_clear_conflicts(
        project_id=gold.project_id,
        document=gold.document,
        label=label,
        start=before["start"],
        end=before["end"],
        reviewer=reviewer,
        replace=False,
        exclude=gold.pk,
    )
    gold.label, gold.start, gold.end = label, before["start"], before["end"]
    gold.quote, gold.note = before["quote"], before["note"]
    for name, value in holder_values(before).items():
        setattr(gold, name, value)
    gold_save(gold)
    gold_event(
        gold,
        actor=reviewer,
        action=Action.UPDATE,
        before=current,
        after=_undo_mark(event, gold_snapshot(gold)),
    )
