"""Writes on who annotates what: assigning, unassigning and reviewing documents."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from annotator.errors import Rejected
from annotator.models import Assignment, Document, Membership, Project, ProjectDocument


class AssignmentRejected(Rejected):
    """The assignment cannot be made; ``str(exc)`` is shown to the manager."""


def assignment_plan(
    *,
    documents: Sequence[int],
    annotators: Sequence[int],
    per_document: int | None,
    existing: set[tuple[int, int]],
    load: dict[int, int],
) -> list[tuple[int, int]]:
    """The (document, annotator) pairs to add so each document has ``per_document`` annotators.

    Round-robin with a balanced load: each document goes to the chosen
    annotators with the fewest documents in the project so far (``load``),
    ties broken by the order the annotators were given. Pairs in ``existing``
    count towards a document's annotators and are never planned again.
    ``per_document=None`` gives every chosen annotator every document.
    """
    wanted = len(annotators) if per_document is None else per_document
    if wanted > len(annotators):
        raise AssignmentRejected(
            ngettext(
                "Choose at least %(n)d annotator to give each document %(n)d of them.",
                "Choose at least %(n)d annotators to give each document %(n)d of them.",
                wanted,
            )
            % {"n": wanted}
        )
    load = Counter({annotator: load.get(annotator, 0) for annotator in annotators})
    position = {annotator: i for i, annotator in enumerate(annotators)}
    plan = []
    for document in documents:
        has = {a for a in annotators if (document, a) in existing}
        free = sorted((a for a in annotators if a not in has), key=lambda a: (load[a], position[a]))
        for annotator in free[: max(wanted - len(has), 0)]:
            plan.append((document, annotator))
            load[annotator] += 1
    return plan


@dataclass(frozen=True)
class AssignResult:
    assigned: int
    added_to_project: int


def project_annotators(project: Project):
    """The users who annotate in ``project`` (members with the annotator role)."""
    return (
        get_user_model()
        .objects.filter(memberships__project=project, memberships__role=Membership.Role.ANNOTATOR)
        .order_by("username")
    )


@transaction.atomic
def documents_assign(
    *,
    project: Project,
    documents: Sequence[Document],
    annotators: Sequence,
    per_document: int | None = None,
) -> AssignResult:
    """Assign ``documents`` in ``project`` to ``annotators`` (see ``assignment_plan``).

    Documents not yet in the project are added to it.
    """
    annotator_ids = [user.pk for user in annotators]
    if not annotator_ids:
        raise AssignmentRejected(gettext("Choose at least one annotator."))
    members = set(
        project_annotators(project).filter(pk__in=annotator_ids).values_list("pk", flat=True)
    )
    outsiders = [user.get_username() for user in annotators if user.pk not in members]
    if outsiders:
        raise AssignmentRejected(
            gettext("Not annotators in «%(project)s»: %(names)s.")
            % {"project": project, "names": ", ".join(sorted(outsiders))}
        )
    document_ids = [document.pk for document in documents]
    in_project = set(
        ProjectDocument.objects.filter(project=project, document_id__in=document_ids).values_list(
            "document_id", flat=True
        )
    )
    missing = [pk for pk in document_ids if pk not in in_project]
    ProjectDocument.objects.bulk_create(
        [ProjectDocument(project=project, document_id=pk) for pk in missing],
        ignore_conflicts=True,
    )
    assignments = Assignment.objects.filter(project=project, annotator_id__in=annotator_ids)
    existing = set(
        assignments.filter(document_id__in=document_ids).values_list("document_id", "annotator_id")
    )
    load = dict(
        assignments.values("annotator_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("annotator_id", "n")
    )
    plan = assignment_plan(
        documents=document_ids,
        annotators=annotator_ids,
        per_document=per_document,
        existing=existing,
        load=load,
    )
    Assignment.objects.bulk_create(
        [Assignment(project=project, document_id=d, annotator_id=a) for d, a in plan],
        ignore_conflicts=True,
    )
    return AssignResult(assigned=len(plan), added_to_project=len(missing))


@transaction.atomic
def documents_unassign(
    *, project: Project, documents: Sequence[Document], annotators: Sequence = ()
) -> int:
    """Remove the documents' assignments in ``project`` (only ``annotators``' if given).

    Annotations already made stay; returns the number of assignments removed.
    """
    assignments = Assignment.objects.filter(project=project, document__in=documents)
    if annotators:
        assignments = assignments.filter(annotator__in=annotators)
    deleted, _ = assignments.delete()
    return deleted


@transaction.atomic
def documents_mark_reviewed(
    *, documents: Sequence[Document], reviewer, project: Project | None = None
) -> int:
    """Mark the documents reviewed by ``reviewer`` now (in ``project``, or every project).

    Documents already reviewed keep their first review; returns how many were marked.
    """
    rows = ProjectDocument.objects.filter(document__in=documents, reviewed_at__isnull=True)
    if project is not None:
        rows = rows.filter(project=project)
    return rows.update(reviewed_at=timezone.now(), reviewed_by=reviewer)
