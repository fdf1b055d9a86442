"""Adjudication writes: reviewers build the gold standard from annotators' spans.

Gold spans live in ``GoldAnnotation``, apart from annotators' work: nothing here changes
an ``Annotation``. Every write checks the span against the document text first and is
all-or-nothing.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from annotator.errors import Rejected
from annotator.models import (
    Annotation,
    Document,
    GoldAnnotation,
    Label,
    Project,
    ProjectDocument,
)
from annotator.review.selectors import document_votes
from annotator.workspace.annotations import (
    AnnotationRejected,
    annotation_snapshot,
    check_annotation,
    holder_values,
)


class GoldRejected(Rejected):
    """The request cannot become gold; ``str(exc)`` is shown to the reviewer."""


def _check(
    *,
    project: Project,
    document: Document,
    label: Label,
    start: int,
    end: int,
    quote: str | None,
    note: str = "",
    holder: dict | None = None,
) -> None:
    """The rule every span write follows (``check_annotation``), for gold; and the
    document must be the project's."""
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
    except AnnotationRejected as exc:
        raise GoldRejected(str(exc)) from exc
    if not ProjectDocument.objects.filter(project=project, document=document).exists():
        raise GoldRejected(gettext("This document is not part of the project."))


def _save(gold: GoldAnnotation) -> GoldAnnotation:
    try:
        with transaction.atomic():
            gold.save()
    except IntegrityError as exc:
        raise GoldRejected(
            gettext("The gold standard already has this label on exactly this passage.")
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
    holder: dict | None = None,
) -> GoldAnnotation:
    """Add a gold span (the reviewer's own, or a copy of an annotator's); ``holder``: its
    holder fields (``holder_kind``, ``holder``, ``cue_start``, ``cue_end``)."""
    holder = holder_values(holder or {})
    _check(
        project=project,
        document=document,
        label=label,
        start=start,
        end=end,
        quote=quote,
        note=note,
        holder=holder,
    )
    return _save(
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
            **holder,
        )
    )


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
        holder=holder_values(annotation_snapshot(annotation)),
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
    holder: dict | None = None,
) -> GoldAnnotation:
    """Change a gold span's boundaries, label or holder fields (``holder``: those to
    change); the reviewer becomes its reviewer."""
    new_label, new_start, new_end = gold.changed_span(label=label, start=start, end=end)
    current = {
        "holder_kind": gold.holder_kind,
        "holder": gold.holder,
        "cue_start": gold.cue_start,
        "cue_end": gold.cue_end,
    }
    fields = current | {k: v for k, v in (holder or {}).items() if k in current}
    _check(
        project=gold.project,
        document=gold.document,
        label=new_label,
        start=new_start,
        end=new_end,
        quote=quote,
        holder=fields,
    )
    for name, value in fields.items():
        setattr(gold, name, value)
    gold.label, gold.start, gold.end = new_label, new_start, new_end
    gold.quote = gold.document.text[new_start:new_end]
    gold.reviewer = reviewer
    return _save(gold)


@transaction.atomic
def gold_delete(*, gold: GoldAnnotation) -> None:
    gold.delete()


@transaction.atomic
def gold_accept_majority(
    *, project: Project, document: Document, reviewer, min_agree: int
) -> list[GoldAnnotation]:
    """For every sentence where at least ``min_agree`` annotators gave the same label (and
    more gave it than anything else), add a gold span over the sentence with that label.

    Sentences that gold already touches are left alone: the reviewer's decisions stand.
    """
    if min_agree < 2:
        raise GoldRejected(gettext("At least 2 annotators must agree for a majority."))
    if not ProjectDocument.objects.filter(project=project, document=document).exists():
        raise GoldRejected(gettext("This document is not part of the project."))
    votes = document_votes(project, document)
    labels = {label.pk: label for label in project.labels.all()}
    created = []
    for sentence in votes.sentences:
        label_id = None if sentence.gold_touched else sentence.majority(min_agree)
        if label_id is not None:
            created.append(
                _save(
                    GoldAnnotation(
                        project=project,
                        document=document,
                        label=labels[label_id],
                        start=sentence.start,
                        end=sentence.end,
                        quote=document.text[sentence.start : sentence.end],
                        reviewer=reviewer,
                    )
                )
            )
    return created


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
