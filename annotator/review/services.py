"""Adjudication writes: reviewers build the gold standard from annotators' spans.

Gold spans live in ``GoldAnnotation``, apart from annotators' work: nothing here changes
an ``Annotation``. Every write is all-or-nothing, recorded in the audit trail (events
with ``gold`` set, shown on the History page, undone by ``gold_undo``), and keeps gold
consistent by construction:

- **Boundaries** follow the one convention of every span (``text.snapping.snap``: whole
  words, no spaces or punctuation at either end), whatever the path: the reviewer's
  selection, a sentence, the majority, an accepted annotator's span.
- **At most one gold label per passage**: a span whose label differs from gold already
  there, where the two share most of a sentence (or are mostly the same passage:
  ``stats.sentence_labels.contradicting_sentences``), is refused with ``GoldConflict``
  unless the reviewer asks to ``replace`` it, which deletes the conflicting gold in the
  same transaction. A duplicate (same label, same boundaries once snapped) is refused.
- **"No label" is a decision too**: a gold span with ``label`` None, under the same rules.
"""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext

from annotator.errors import Rejected
from annotator.models import (
    Annotation,
    AnnotationEvent,
    Document,
    GoldAnnotation,
    Label,
    Project,
    ProjectDocument,
)
from annotator.review.selectors import document_votes
from annotator.stats.sentence_labels import contradicting_sentences
from annotator.text.snapping import snap
from annotator.workspace.annotations import (
    HOLDER_FIELDS,
    AnnotationRejected,
    annotation_snapshot,
    check_annotation,
    holder_values,
)
from annotator.workspace.services import snap_words

Action = AnnotationEvent.Action


class GoldRejected(Rejected):
    """The request cannot become gold; ``str(exc)`` is shown to the reviewer."""


class GoldConflict(GoldRejected):
    """Gold of another label holds the passage; ``conflicting`` are those gold spans.

    Asking again with ``replace=True`` replaces them.
    """

    def __init__(self, message: str, conflicting: list[GoldAnnotation]) -> None:
        super().__init__(message)
        self.conflicting = conflicting


def label_words(label: Label | None) -> str:
    """“Opinion”, or “no label” for the decision that a passage has none."""
    # NO_LABEL ("no label") is also a form and snapshot value: only the words translate.
    return "“%s”" % (label if label is not None else gettext("no label"))


def _duplicate(label: Label | None) -> str:
    return gettext("The gold standard already has %(label)s on this passage.") % {
        "label": label_words(label)
    }


def short_quote(text: str) -> str:
    """A quote cut for a message (60 characters at most)."""
    return Truncator(text).chars(60)


def gold_snapshot(gold: GoldAnnotation) -> dict:
    """What the audit trail stores of a gold span (enough to restore it)."""
    return {
        "id": gold.pk,
        "project": gold.project_id,
        "document": gold.document_id,
        "reviewer": gold.reviewer_id,
        "label": gold.label_name,
        "label_id": gold.label_id,
        "start": gold.start,
        "end": gold.end,
        "quote": gold.quote,
        "note": gold.note,
        "accepted_from": gold.accepted_from_id,
        **{name: getattr(gold, name) for name in HOLDER_FIELDS},
    }


def gold_event(gold: GoldAnnotation, *, actor, action: str, before=None, after=None):
    """Record a gold change in the audit trail (the History page's gold events)."""
    return AnnotationEvent.objects.create(
        annotation_id=gold.pk,
        project_id=gold.project_id,
        document_id=gold.document_id,
        actor=actor,
        action=action,
        gold=True,
        before=before,
        after=after,
    )


def _check(
    *,
    project: Project,
    document: Document,
    label: Label | None,
    start: int,
    end: int,
    quote: str | None,
    note: str | None = None,
    holder: dict | None = None,
) -> tuple[int, int]:
    """The rule every span write follows (``check_annotation``: label, note, span against
    the text), for gold; the document must be the project's. Returns the span snapped
    under the boundary convention (refused if nothing but spaces and punctuation)."""
    try:
        check_annotation(
            project=project,
            document=document,
            label=label,
            start=start,
            end=end,
            quote=quote,
            note=note,
            **(holder or {}),
        )
        snapped = snap_words(document.text, start, end)
    except AnnotationRejected as exc:
        raise GoldRejected(str(exc)) from exc
    if not ProjectDocument.objects.filter(project=project, document=document).exists():
        raise GoldRejected(gettext("This document is not part of the project."))
    return snapped


def gold_conflict(
    *,
    project_id: int,
    document: Document,
    label: Label | None,
    start: int,
    end: int,
    exclude: int | None = None,
) -> GoldConflict | None:
    """The refusal ``label`` on ``start``–``end`` meets from gold there, if any (not
    raised: a replace deletes its ``conflicting`` instead). Raises on a duplicate."""
    others = GoldAnnotation.objects.filter(
        project_id=project_id, document=document, start__lt=end, end__gt=start
    ).select_related("label")
    if exclude is not None:
        others = others.exclude(pk=exclude)
    label_id = label.pk if label is not None else None
    candidates = []
    for other in others:
        if other.label_id != label_id:
            candidates.append(other)
        elif snap(document.text, other.start, other.end) == (start, end):
            raise GoldRejected(_duplicate(label))
    if not candidates:
        return None
    sentences = list(
        document.sentences.filter(start__lt=end, end__gt=start)
        .order_by("index")
        .values_list("index", "start", "end")
    )
    bounds = [(s_start, s_end) for _, s_start, s_end in sentences]
    conflicting, where = [], []
    for other in candidates:
        contested = contradicting_sentences(bounds, (start, end), (other.start, other.end))
        if contested is not None:
            conflicting.append(other)
            where.append([sentences[i][0] for i in contested])
    if not conflicting:
        return None
    first = conflicting[0]
    more = ""
    if len(conflicting) > 1:
        more = gettext(" and %(count)s more gold span(s)") % {"count": len(conflicting) - 1}
    values = {
        "label": label_words(first.label),
        "number": where[0][0] + 1 if where[0] else 0,
        "quote": short_quote(first.quote),
        "more": more,
        "new": label_words(label),
    }
    if where[0]:
        message = gettext(
            "The gold standard has %(label)s on most of sentence %(number)s («%(quote)s»)"
            "%(more)s. Replace it to make this passage %(new)s."
        )
    else:
        message = gettext(
            "The gold standard has %(label)s on most of this passage («%(quote)s»)%(more)s. "
            "Replace it to make this passage %(new)s."
        )
    return GoldConflict(message % values, conflicting)


def gold_clear_conflicts(
    *,
    project_id: int,
    document: Document,
    label: Label | None,
    start: int,
    end: int,
    reviewer,
    replace: bool,
    exclude: int | None = None,
) -> list[int]:
    """Refuse a duplicate or (unless ``replace``) a conflict; delete what is replaced.

    Returns the ids of the delete events (recorded with the change, so undo puts the
    replaced gold back).
    """
    conflict = gold_conflict(
        project_id=project_id,
        document=document,
        label=label,
        start=start,
        end=end,
        exclude=exclude,
    )
    if conflict is None:
        return []
    if not replace:
        raise conflict
    return [_delete(gold, reviewer).pk for gold in conflict.conflicting]


def _delete(gold: GoldAnnotation, actor) -> AnnotationEvent:
    event = gold_event(gold, actor=actor, action=Action.DELETE, before=gold_snapshot(gold))
    gold.delete()
    return event


def gold_save(gold: GoldAnnotation) -> GoldAnnotation:
    try:
        with transaction.atomic():
            gold.save()
    except IntegrityError as exc:  # a concurrent twin got in first
        raise GoldRejected(_duplicate(gold.label)) from exc
    return gold


def _add(
    *,
    project: Project,
    document: Document,
    reviewer,
    label: Label | None,
    start: int,
    end: int,
    note: str = "",
    accepted_from: Annotation | None = None,
    replace: bool = False,
    batch: str | None = None,
    holder: dict | None = None,
) -> GoldAnnotation:
    """Store a gold span whose boundaries are snapped already (the one way in)."""
    replaced = gold_clear_conflicts(
        project_id=project.pk,
        document=document,
        label=label,
        start=start,
        end=end,
        reviewer=reviewer,
        replace=replace,
    )
    gold = gold_save(
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
            **holder_values(holder or {}),
        )
    )
    after = gold_snapshot(gold)
    if replaced:
        after["replaced"] = replaced
    if batch:
        after["batch"] = batch
    gold_event(gold, actor=reviewer, action=Action.CREATE, after=after)
    return gold


@transaction.atomic
def gold_create(
    *,
    project: Project,
    document: Document,
    reviewer,
    label: Label | None,
    start: int,
    end: int,
    quote: str | None = None,
    note: str = "",
    accepted_from: Annotation | None = None,
    replace: bool = False,
    holder: dict | None = None,
) -> GoldAnnotation:
    """Add a gold span (the reviewer's own, or a copy of an annotator's); ``label`` None
    is the decision "no label here". ``replace``: delete gold it conflicts with.
    ``holder``: its holder fields (``holder_kind``, ``holder``, ``cue_start``, ``cue_end``)."""
    holder = holder_values(holder or {})
    start, end = _check(
        project=project,
        document=document,
        label=label,
        start=start,
        end=end,
        quote=quote,
        note=note,
        holder=holder,
    )
    return _add(
        project=project,
        document=document,
        reviewer=reviewer,
        label=label,
        start=start,
        end=end,
        note=note,
        accepted_from=accepted_from,
        replace=replace,
        holder=holder,
    )


@transaction.atomic
def gold_accept(*, annotation: Annotation, reviewer, replace: bool = False) -> GoldAnnotation:
    """Copy one annotator's span into the gold standard (snapped, should it not be)."""
    return gold_create(
        project=annotation.project,
        document=annotation.document,
        reviewer=reviewer,
        label=annotation.label,
        start=annotation.start,
        end=annotation.end,
        note=annotation.note,
        accepted_from=annotation,
        replace=replace,
        holder=holder_values(annotation_snapshot(annotation)),
    )


@transaction.atomic
def gold_update(
    *,
    gold: GoldAnnotation,
    reviewer,
    label: Label | None = None,
    no_label: bool = False,
    start: int | None = None,
    end: int | None = None,
    quote: str | None = None,
    replace: bool = False,
    holder: dict | None = None,
) -> GoldAnnotation:
    """Change a gold span's boundaries, label (``no_label``: to "no label") or holder
    fields (``holder``: those to change); the reviewer becomes its reviewer.
    ``replace``: delete gold it would conflict with."""
    before = gold_snapshot(gold)
    new_label: Label | None
    new_label, new_start, new_end = gold.changed_span(label=label, start=start, end=end)
    if no_label:
        new_label = None
    current = {name: getattr(gold, name) for name in HOLDER_FIELDS}
    fields = current | {k: v for k, v in (holder or {}).items() if k in current}
    new_start, new_end = _check(
        project=gold.project,
        document=gold.document,
        label=new_label,
        start=new_start,
        end=new_end,
        quote=quote,
        holder=fields,
    )
    replaced = gold_clear_conflicts(
        project_id=gold.project_id,
        document=gold.document,
        label=new_label,
        start=new_start,
        end=new_end,
        reviewer=reviewer,
        replace=replace,
        exclude=gold.pk,
    )
    for name, value in fields.items():
        setattr(gold, name, value)
    gold.label, gold.start, gold.end = new_label, new_start, new_end
    gold.quote = gold.document.text[new_start:new_end]
    gold.reviewer = reviewer
    gold_save(gold)
    after = gold_snapshot(gold)
    if replaced:
        after["replaced"] = replaced
    gold_event(gold, actor=reviewer, action=Action.UPDATE, before=before, after=after)
    return gold


@transaction.atomic
def gold_delete(*, gold: GoldAnnotation, reviewer=None) -> dict:
    """Delete a gold span; returns its snapshot (what undo or a restore needs)."""
    before = gold_snapshot(gold)
    _delete(gold, reviewer)
    return before


@transaction.atomic
def gold_accept_majority(
    *, project: Project, document: Document, reviewer, min_agree: int
) -> list[GoldAnnotation]:
    """For every sentence where at least ``min_agree`` annotators gave the same label (and
    more gave it than anything else), add a gold span over the sentence with that label.

    Sentences that gold already touches are left alone: the reviewer's decisions stand.
    One undo takes back the whole acceptance.
    """
    if min_agree < 2:
        raise GoldRejected(gettext("At least 2 annotators must agree for a majority."))
    if not ProjectDocument.objects.filter(project=project, document=document).exists():
        raise GoldRejected(gettext("This document is not part of the project."))
    votes = document_votes(project, document)
    labels = {label.pk: label for label in project.labels.all()}
    batch = uuid.uuid4().hex
    created = []
    for sentence in votes.sentences:
        label_id = None if sentence.gold_touched else sentence.majority(min_agree)
        start, end = snap(document.text, sentence.start, sentence.end)
        if label_id is not None and start < end:
            created.append(
                _add(
                    project=project,
                    document=document,
                    reviewer=reviewer,
                    label=labels[label_id],
                    start=start,
                    end=end,
                    batch=batch,
                )
            )
    return created


@transaction.atomic
def gold_accept_sentence(
    *, project: Project, document: Document, reviewer, index: int, replace: bool = False
) -> GoldAnnotation:
    """Gold over sentence ``index`` (snapped) with its annotators' majority label (the rule
    of ``gold_accept_majority``, at least 2 agreeing), under the gold rules."""
    if not ProjectDocument.objects.filter(project=project, document=document).exists():
        raise GoldRejected(gettext("This document is not part of the project."))
    found = document_votes(project, document, sentence=index).sentences
    if not found:
        raise GoldRejected(
            gettext("This document has no sentence %(number)d.") % {"number": index + 1}
        )
    sentence = found[0]
    label_id = sentence.majority(2)
    if label_id is None:
        raise GoldRejected(
            gettext(
                "Sentence %(number)d has no majority label (at least 2 annotators agreeing):"
                " press a label's key to decide."
            )
            % {"number": index + 1}
        )
    start, end = _check(
        project=project,
        document=document,
        label=None,
        start=sentence.start,
        end=sentence.end,
        quote=None,
    )
    return _add(
        project=project,
        document=document,
        reviewer=reviewer,
        label=project.labels.get(pk=label_id),
        start=start,
        end=end,
        replace=replace,
    )


@transaction.atomic
def document_mark_reviewed(
    *, project: Project, document: Document, reviewer, reviewed: bool = True
) -> ProjectDocument:
    """Mark the document reviewed (or not) in the project, with who and when."""
    links = ProjectDocument.objects.select_for_update()
    link = links.filter(project=project, document=document).first()
    if link is None:
        raise GoldRejected(gettext("This document is not part of the project."))
    link.reviewed_at = timezone.now() if reviewed else None
    link.reviewed_by = reviewer if reviewed else None
    link.save(update_fields=["reviewed_at", "reviewed_by"])
    return link
