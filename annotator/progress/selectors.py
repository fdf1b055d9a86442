"""The figures of the team progress page and of the project cards.

Every figure is an aggregate grouped in the database (by annotator, by source, by label or
by project), so the number of queries stays the same whatever the number of annotators,
documents or projects. A document is *started* by an annotator who opened it, labelled
something in it or marked it done; *done* when they marked it done.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from statistics import mean

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, Max, OuterRef, Q

from annotator.models import (
    Annotation,
    Assignment,
    DocumentProgress,
    Membership,
    Project,
    ProjectDocument,
)
from annotator.reports.agreement import project_agreement


@dataclass
class Row:
    """One annotator's or one source's figures."""

    key: int
    name: str
    documents: int = 0  # sources only
    assigned: int = 0
    started: int = 0
    done: int = 0
    labels: dict[int, int] = field(default_factory=dict)  # label id -> annotations
    last_activity: datetime | None = None
    kappa: float | None = None  # annotators only: mean Cohen's kappa with the others
    per_label: list[int] = field(default_factory=list)  # the labels' counts, in display order

    @property
    def annotations(self) -> int:
        return sum(self.labels.values())

    def see(self, moment: datetime | None) -> None:
        if moment is not None and (self.last_activity is None or moment > self.last_activity):
            self.last_activity = moment


@dataclass
class TeamProgress:
    labels: list[tuple[int, str]]  # (id, title) in display order
    documents: int
    annotators: list[Row]
    sources: list[Row]
    alpha: float | None  # sentence-level Krippendorff's alpha so far
    alpha_items: int


def _annotator_rows(project: Project, documents: int) -> dict[int, Row]:
    """Rows for the project's annotators and anyone else who labelled or opened a document."""
    members = Membership.objects.filter(project=project, role=Membership.Role.ANNOTATOR)
    rows = {
        user_id: Row(user_id, name)
        for user_id, name in members.values_list("user_id", "user__username")
    }
    annotations = Annotation.objects.filter(project=project)
    progress = DocumentProgress.objects.filter(project=project)
    assignments = Assignment.objects.filter(project=project)
    assigned = dict(
        assignments.values("annotator_id").annotate(n=Count("id")).values_list("annotator_id", "n")
    )
    by_label = list(
        annotations.values("annotator_id", "label_id")
        .annotate(n=Count("id"), last=Max("updated_at"))
        .values_list("annotator_id", "label_id", "n", "last")
    )
    annotated_documents = dict(
        annotations.values("annotator_id")
        .annotate(n=Count("document_id", distinct=True))
        .values_list("annotator_id", "n")
    )
    # Progress rows on documents the annotator never labelled: started only by opening them.
    labelled = Annotation.objects.filter(
        project=project, document=OuterRef("document_id"), annotator=OuterRef("annotator_id")
    )
    progress_rows = list(
        progress.annotate(labelled=Exists(labelled))
        .values("annotator_id")
        .annotate(
            unlabelled=Count("id", filter=Q(labelled=False)),
            done=Count("id", filter=Q(done_at__isnull=False)),
            opened=Max("last_opened_at"),
            finished=Max("done_at"),
        )
        .values_list("annotator_id", "unlabelled", "done", "opened", "finished")
    )
    missing = (
        {row[0] for row in by_label} | {row[0] for row in progress_rows} | set(assigned)
    ) - set(rows)
    if missing:
        names = get_user_model().objects.filter(id__in=missing).values_list("id", "username")
        rows.update({user_id: Row(user_id, name) for user_id, name in names})
    for user_id, row in rows.items():
        row.assigned = assigned.get(user_id, 0) if assigned else documents
        row.started = annotated_documents.get(user_id, 0)
    for user_id, label_id, n, last in by_label:
        rows[user_id].labels[label_id] = n
        rows[user_id].see(last)
    for user_id, unlabelled, done, opened, finished in progress_rows:
        row = rows[user_id]
        row.started += unlabelled
        row.done = done
        row.see(opened)
        row.see(finished)
    return rows


def _source_rows(project: Project) -> dict[int, Row]:
    """Per source: documents (assigned = given to someone, or all without assignments),
    started and done by at least one annotator, annotations per label."""
    items = ProjectDocument.objects.filter(project=project)
    document = OuterRef("document_id")
    annotated = Annotation.objects.filter(project=project, document=document)
    opened = DocumentProgress.objects.filter(project=project, document=document)
    finished = opened.filter(done_at__isnull=False)
    given = Assignment.objects.filter(project=project, document=document)
    has_assignments = Assignment.objects.filter(project=project).exists()
    rows = {}
    for source_id, name, documents, assigned, started, done in (
        items.annotate(
            is_given=Exists(given),
            is_started=Exists(annotated) | Exists(opened),
            is_done=Exists(finished),
        )
        .values("document__source_id", "document__source__name")
        .annotate(
            n=Count("id"),
            assigned=Count("id", filter=Q(is_given=True)),
            started=Count("id", filter=Q(is_started=True)),
            done=Count("id", filter=Q(is_done=True)),
        )
        .values_list(
            "document__source_id", "document__source__name", "n", "assigned", "started", "done"
        )
    ):
        rows[source_id] = Row(
            source_id,
            name,
            documents=documents,
            assigned=assigned if has_assignments else documents,
            started=started,
            done=done,
        )
    for source_id, label_id, n, last in (
        Annotation.objects.filter(project=project)
        .values("document__source_id", "label_id")
        .annotate(n=Count("id"), last=Max("updated_at"))
        .values_list("document__source_id", "label_id", "n", "last")
    ):
        if source_id in rows:
            rows[source_id].labels[label_id] = n
            rows[source_id].see(last)
    for source_id, last_opened, last_done in (
        DocumentProgress.objects.filter(project=project)
        .values("document__source_id")
        .annotate(opened=Max("last_opened_at"), finished=Max("done_at"))
        .values_list("document__source_id", "opened", "finished")
    ):
        if source_id in rows:
            rows[source_id].see(last_opened)
            rows[source_id].see(last_done)
    return rows


def team_progress(project: Project) -> TeamProgress:
    """The project's progress per annotator and per source, and its agreement so far."""
    labels = list(project.labels.in_display_order().values_list("id", "title"))
    documents = ProjectDocument.objects.filter(project=project).count()
    annotators = _annotator_rows(project, documents)
    report = project_agreement(project, disagreement_limit=0)
    kappas: dict[str, list[float]] = defaultdict(list)
    for pair in report.pairs:
        if pair.kappa is not None:
            kappas[pair.a].append(pair.kappa)
            kappas[pair.b].append(pair.kappa)
    for row in annotators.values():
        row.kappa = mean(kappas[row.name]) if kappas.get(row.name) else None
    sources = _source_rows(project)
    for row in [*annotators.values(), *sources.values()]:
        row.per_label = [row.labels.get(label_id, 0) for label_id, _ in labels]
    return TeamProgress(
        labels=labels,
        documents=documents,
        annotators=sorted(annotators.values(), key=lambda row: row.name),
        sources=sorted(sources.values(), key=lambda row: row.name),
        alpha=report.sentence.alpha,
        alpha_items=report.sentence.items,
    )


@dataclass
class ProjectLine:
    """The one-line summary on a project card."""

    annotators: int = 0
    assigned: int = 0  # (annotator, document) pairs to do
    done: int = 0  # of those, marked done
    annotations: int = 0
    last_activity: datetime | None = None


def project_lines(projects: Sequence[Project]) -> dict[int, ProjectLine]:
    """``ProjectLine`` of each project, in five grouped queries for any number of projects."""
    ids = [project.pk for project in projects]
    lines = {pk: ProjectLine() for pk in ids}
    if not ids:
        return lines
    documents = dict(
        ProjectDocument.objects.filter(project_id__in=ids)
        .values("project_id")
        .annotate(n=Count("id"))
        .values_list("project_id", "n")
    )
    assigned = dict(
        Assignment.objects.filter(project_id__in=ids)
        .values("project_id")
        .annotate(n=Count("id"))
        .values_list("project_id", "n")
    )
    for project_id, n in (
        Membership.objects.filter(project_id__in=ids, role=Membership.Role.ANNOTATOR)
        .values("project_id")
        .annotate(n=Count("id"))
        .values_list("project_id", "n")
    ):
        lines[project_id].annotators = n
    for project_id, line in lines.items():
        line.assigned = assigned.get(project_id) or line.annotators * documents.get(project_id, 0)
    for project_id, done, finished in (
        DocumentProgress.objects.filter(project_id__in=ids)
        .values("project_id")
        .annotate(done=Count("id", filter=Q(done_at__isnull=False)), finished=Max("done_at"))
        .values_list("project_id", "done", "finished")
    ):
        lines[project_id].done = done
        lines[project_id].last_activity = finished
    for project_id, n, last in (
        Annotation.objects.filter(project_id__in=ids)
        .values("project_id")
        .annotate(n=Count("id"), last=Max("updated_at"))
        .values_list("project_id", "n", "last")
    ):
        line = lines[project_id]
        line.annotations = n
        if last is not None and (line.last_activity is None or last > line.last_activity):
            line.last_activity = last
    return lines
