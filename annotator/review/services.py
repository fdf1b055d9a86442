"""Adjudication writes: reviewers build the gold standard from annotators' spans.

Gold spans live in ``GoldAnnotation``, apart from annotators' work: nothing here changes
an ``Annotation``. Every write checks the span against the document text first, is
all-or-nothing, and is recorded in the gold audit trail (``GoldEvent``), which is what
``gold_undo`` walks back.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from annotator.errors import Rejected
from annotator.models import (
    Annotation,
    Document,
    GoldAnnotation,
    GoldEvent,
    Label,
    Project,
    ProjectDocument,
    SpanValidationError,
    check_span,
)
from annotator.review.selectors import UNDO_MARK, document_votes, gold_undo_target


class GoldRejected(Rejected):
    """The request cannot become gold; ``str(exc)`` is shown to the reviewer."""


def _check(
    *, project: Project, document: Document, label: Label, start: int, end: int, quote: str | None
) -> None:
    if label.project_id != project.pk:
        raise GoldRejected("This label belongs to another project.")
    if not ProjectDocument.objects.filter(project=project, document=document).exists():
        raise GoldRejected("This document is not part of the project.")
    try:
        check_span(document.text, start, end, quote)
    except SpanValidationError as exc:
        raise GoldRejected(exc.messages[0]) from exc


def gold_snapshot(gold: GoldAnnotation) -> dict:
    """What the audit trail stores of a gold span (enough to put it back)."""
    return {
        "id": gold.pk,
        "project": gold.project_id,
        "document": gold.document_id,
        "reviewer": gold.reviewer_id,
        "label": gold.label.name,
        "label_id": gold.label_id,
        "start": gold.start,
        "end": gold.end,
        "quote": gold.quote,
        "note": gold.note,
        "accepted_from": gold.accepted_from_id,
    }


def _record(
    gold: GoldAnnotation | dict,
    *,
    actor,
    action: str,
    before: dict | None = None,
    after: dict | None = None,
    **marks,
) -> GoldEvent:
    """One audit event; ``marks`` (``batch``, ``undo_of``) are stored in ``after``."""
    snapshot = gold if isinstance(gold, dict) else gold_snapshot(gold)
    return GoldEvent.objects.create(
        gold_id=snapshot["id"],
        project_id=snapshot["project"],
        document_id=snapshot["document"],
        actor=actor,
        action=action,
        before=before,
        after={**(after or {}), **marks} if after is not None or marks else None,
    )


def _save(gold: GoldAnnotation) -> GoldAnnotation:
    try:
        with transaction.atomic():
            gold.save()
    except IntegrityError as exc:
        raise GoldRejected(
            "The gold standard already has this label on exactly this passage."
        ) from exc
    return gold


@transaction.atomic
def gold_create(
    *,
    project: Project,
    document: Document,
    reviewer,
    label: Label,
    start: int,
    end: int,
    quote: str | None = None,
    note: str = "",
    accepted_from: Annotation | None = None,
) -> GoldAnnotation:
    """Add a gold span (the reviewer's own, or a copy of an annotator's)."""
    _check(project=project, document=document, label=label, start=start, end=end, quote=quote)
    gold = _save(
        GoldAnnotation(
            project=project,
            document=document,
            label=label,
            start=start,
            end=end,
            quote=document.text[start:end],
            note=note,
            reviewer=reviewer,
            accepted_from=accepted_from,
        )
    )
    _record(gold, actor=reviewer, action=GoldEvent.Action.CREATE, after=gold_snapshot(gold))
    return gold


@transaction.atomic
def gold_accept(*, annotation: Annotation, reviewer) -> GoldAnnotation:
    """Copy one annotator's span, as it is, into the gold standard."""
    return gold_create(
        project=annotation.project,
        document=annotation.document,
        reviewer=reviewer,
        label=annotation.label,
        start=annotation.start,
        end=annotation.end,
        note=annotation.note,
        accepted_from=annotation,
    )


@transaction.atomic
def gold_update(
    *,
    gold: GoldAnnotation,
    reviewer,
    label: Label | None = None,
    start: int | None = None,
    end: int | None = None,
    quote: str | None = None,
) -> GoldAnnotation:
    """Change a gold span's boundaries or label; the reviewer becomes its reviewer."""
    before = gold_snapshot(gold)
    new_label, new_start, new_end = gold.changed_span(label=label, start=start, end=end)
    _check(
        project=gold.project,
        document=gold.document,
        label=new_label,
        start=new_start,
        end=new_end,
        quote=quote,
    )
    gold.label, gold.start, gold.end = new_label, new_start, new_end
    gold.quote = gold.document.text[new_start:new_end]
    gold.reviewer = reviewer
    _save(gold)
    _record(
        gold,
        actor=reviewer,
        action=GoldEvent.Action.UPDATE,
        before=before,
        after=gold_snapshot(gold),
    )
    return gold


@transaction.atomic
def gold_delete(*, gold: GoldAnnotation, reviewer=None) -> dict:
    """Remove a gold span; returns its snapshot (what undo needs)."""
    before = gold_snapshot(gold)
    _record(before, actor=reviewer, action=GoldEvent.Action.DELETE, before=before)
    gold.delete()
    return before


@transaction.atomic
def gold_accept_majority(
    *, project: Project, document: Document, reviewer, min_agree: int
) -> list[GoldAnnotation]:
    """For every sentence where at least ``min_agree`` annotators gave the same label (and
    more gave it than anything else), add a gold span over the sentence with that label.

    Sentences that gold already touches are left alone: the reviewer's decisions stand.
    """
    if min_agree < 2:
        raise GoldRejected("At least 2 annotators must agree for a majority.")
    if not ProjectDocument.objects.filter(project=project, document=document).exists():
        raise GoldRejected("This document is not part of the project.")
    votes = document_votes(project, document)
    labels = {label.pk: label for label in project.labels.all()}
    created = []
    batch = uuid.uuid4().hex  # one action: undone as one
    for sentence in votes.sentences:
        label_id = None if sentence.gold_touched else sentence.majority(min_agree)
        if label_id is not None:
            created.append(
                _sentence_gold(project, document, reviewer, labels[label_id], sentence, batch=batch)
            )
    return created


def _sentence_gold(project, document, reviewer, label, sentence, **marks) -> GoldAnnotation:
    gold = _save(
        GoldAnnotation(
            project=project,
            document=document,
            label=label,
            start=sentence.start,
            end=sentence.end,
            quote=document.text[sentence.start : sentence.end],
            reviewer=reviewer,
        )
    )
    _record(
        gold, actor=reviewer, action=GoldEvent.Action.CREATE, after=gold_snapshot(gold), **marks
    )
    return gold


@transaction.atomic
def gold_accept_sentence(
    *, project: Project, document: Document, reviewer, index: int
) -> GoldAnnotation:
    """Gold over sentence ``index`` with its annotators' majority label (the rule of
    ``gold_accept_majority``, at least 2 agreeing), unless gold already touches it."""
    if not ProjectDocument.objects.filter(project=project, document=document).exists():
        raise GoldRejected("This document is not part of the project.")
    sentence = document_votes(project, document, sentence=index).sentences
    if not sentence:
        raise GoldRejected(f"This document has no sentence {index + 1}.")
    sentence = sentence[0]
    if sentence.gold_touched:
        raise GoldRejected(
            f"Sentence {index + 1} has gold already: remove it first, or press a label's key."
        )
    label_id = sentence.majority(2)
    if label_id is None:
        raise GoldRejected(
            f"Sentence {index + 1} has no majority label (at least 2 annotators agreeing):"
            " press a label's key to decide."
        )
    label = project.labels.get(pk=label_id)
    return _sentence_gold(project, document, reviewer, label, sentence)


@transaction.atomic
def document_mark_reviewed(
    *, project: Project, document: Document, reviewer, reviewed: bool = True
) -> ProjectDocument:
    """Mark the document reviewed (or not) in the project, with who and when."""
    link = ProjectDocument.objects.select_for_update().filter(project=project, document=document)
    link = link.first()
    if link is None:
        raise GoldRejected("This document is not part of the project.")
    link.reviewed_at = timezone.now() if reviewed else None
    link.reviewed_by = reviewer if reviewed else None
    link.save(update_fields=["reviewed_at", "reviewed_by"])
    return link


@dataclass
class GoldUndo:
    """What an undo changed, for the page to redraw."""

    message: str = ""
    ranges: list[tuple[int, int]] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    added: list[GoldAnnotation] = field(default_factory=list)
    changed: list[GoldAnnotation] = field(default_factory=list)


@transaction.atomic
def gold_undo(*, project: Project, document: Document, reviewer) -> GoldUndo:
    """Undo the reviewer's latest gold action on the document (``gold_undo_target``).

    An added span is removed, a removed one comes back with its id, a change is put
    back; an action that wrote several spans (accept majority) is undone as a whole.
    Each undo is recorded, marked with the event it reverts; if any part cannot be
    undone, nothing is.
    """
    events = gold_undo_target(project=project, document=document, actor=reviewer)
    if not events:
        raise GoldRejected("Nothing to undo.")
    outcome = GoldUndo()
    for event in events:
        _undo_event(event, outcome, project=project, document=document, reviewer=reviewer)
    if len(events) > 1:
        outcome.message = f"Undid accepting the majority: removed {len(events)} gold spans."
    return outcome


def _undo_event(event: GoldEvent, outcome: GoldUndo, *, project, document, reviewer) -> None:
    Action = GoldEvent.Action
    common = {"actor": reviewer, UNDO_MARK: event.pk}
    if event.action == Action.DELETE:
        gold = _rebuild(event.before, project=project, document=document)
        _record(gold, action=Action.RESTORE, after=gold_snapshot(gold), **common)
        outcome.added.append(gold)
        outcome.ranges.append((gold.start, gold.end))
        outcome.message = f"Restored gold {gold.label.name} on «{gold.quote}»."
        return
    gold = (
        GoldAnnotation.objects.select_related("label")
        .filter(pk=event.gold_id, project=project, document=document)
        .first()
    )
    if gold is None:
        raise GoldRejected("Cannot undo: that gold span has been removed meanwhile.")
    gold.document = document
    current = gold_snapshot(gold)
    outcome.ranges.append((gold.start, gold.end))
    if event.action in (Action.CREATE, Action.RESTORE):
        _record(current, action=Action.DELETE, before=current, **common)
        gold.delete()
        outcome.removed.append(current["id"])
        outcome.message = f"Removed gold {current['label']} on «{current['quote']}»."
        return
    old = event.before
    gold.label = _label_of(project, old)
    gold.start, gold.end, gold.quote = old["start"], old["end"], old["quote"]
    gold.reviewer_id = old["reviewer"]
    _check(project=project, document=document, label=gold.label, **_bounds(old))
    _save(gold)
    _record(gold, action=Action.UPDATE, before=current, after=gold_snapshot(gold), **common)
    outcome.changed.append(gold)
    outcome.ranges.append((gold.start, gold.end))
    outcome.message = f"Put back gold {gold.label.name} on «{gold.quote}»."


def _bounds(snapshot: dict) -> dict:
    return {"start": snapshot["start"], "end": snapshot["end"], "quote": snapshot["quote"]}


def _label_of(project: Project, snapshot: dict) -> Label:
    labels = Label.objects.filter(project=project)
    label = (
        labels.filter(pk=snapshot["label_id"]).first()
        or labels.filter(name=snapshot["label"]).first()
    )
    if label is None:
        raise GoldRejected(f"Cannot undo: the label “{snapshot['label']}” no longer exists.")
    return label


def _rebuild(snapshot: dict, *, project: Project, document: Document) -> GoldAnnotation:
    """A removed gold span back, with its id and values (checked against the text)."""
    if GoldAnnotation.objects.filter(pk=snapshot["id"]).exists():
        raise GoldRejected("Cannot undo: that gold span is back already.")
    label = _label_of(project, snapshot)
    _check(project=project, document=document, label=label, **_bounds(snapshot))
    accepted_from = snapshot.get("accepted_from")
    if accepted_from and not Annotation.objects.filter(pk=accepted_from).exists():
        accepted_from = None
    reviewer = snapshot.get("reviewer")
    if reviewer and not get_user_model().objects.filter(pk=reviewer).exists():
        reviewer = None
    gold = GoldAnnotation(
        pk=snapshot["id"],
        project=project,
        document=document,
        label=label,
        start=snapshot["start"],
        end=snapshot["end"],
        quote=snapshot["quote"],
        note=snapshot.get("note", ""),
        reviewer_id=reviewer,
        accepted_from_id=accepted_from,
    )
    try:
        with transaction.atomic():
            gold.save(force_insert=True)
    except IntegrityError as exc:
        raise GoldRejected(
            "Cannot undo: the gold standard already has this label on exactly this passage."
        ) from exc
    return gold
