"""Who may see what: every view resolves projects and documents through here."""

from __future__ import annotations

import functools

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from django_htmx.middleware import HtmxDetails

from annotator.fastpath.rows import Columns
from annotator.models import (
    Annotation,
    Assignment,
    Document,
    Membership,
    Project,
    ProjectDocument,
    Source,
)


class SignedInRequest(HttpRequest):
    """The request a ``login_required`` view receives, as the type checker sees it: the
    user is signed in (never ``AnonymousUser``), and the htmx middleware added ``htmx``."""

    user: User
    htmx: HtmxDetails


def project_for_member(user, slug: str) -> tuple[Project, Membership]:
    """The project with ``slug`` and the user's membership in it, or 404 (one query).

    Non-members get a 404, not a 403, so project names do not leak.
    """
    membership = (
        Membership.objects.select_related("project")
        .filter(project__slug=slug, user_id=user.pk)
        .first()
    )
    if membership is None:
        raise Http404(gettext("No such project."))
    return membership.project, membership


def project_for_reviewer(user, slug: str) -> tuple[Project, Membership]:
    """Like ``project_for_member``, and 403 unless the user reviews or manages the project.

    Source profiles, agreement and review show every annotator's work, so annotators
    (who annotate blind) may not see them.
    """
    project, membership = project_for_member(user, slug)
    if not membership.can_review:
        raise PermissionDenied("Only reviewers and managers of this project can see this page.")
    return project, membership


def reviewable_projects(user) -> QuerySet[Project]:
    """Projects where the user is a reviewer or manager."""
    return Project.objects.filter(
        memberships__user=user,
        memberships__role__in=[Membership.Role.REVIEWER, Membership.Role.MANAGER],
    ).order_by("name")


def source_for_reviewer(user, source_id: int) -> Source:
    """The source if one of its documents is in a project the user reviews or manages, or 404.

    Sources are shared by every project: this keeps the names of the sources that only
    other projects use from reaching their pages (the 404 is the one an unknown id gets).
    """
    used = ProjectDocument.objects.filter(
        document__source=OuterRef("pk"), project__in=reviewable_projects(user)
    )
    return get_object_or_404(Source.objects.filter(Exists(used)), pk=source_id)


def visible_documents(project: Project, membership: Membership) -> QuerySet[Document]:
    """The project's documents the member works on.

    Reviewers and managers see all of them. An annotator sees the documents assigned to
    them, or all of the project's documents when the project has no assignments.
    """
    # EXISTS rather than a join: the database can then walk the documents in queue order
    # (source name, date, id) by index and stop after a page, instead of sorting them all.
    linked = ProjectDocument.objects.filter(project=project, document=OuterRef("pk"))
    documents = Document.objects.filter(Exists(linked))
    condition = assignment_condition(project, membership, OuterRef("pk"))
    return documents if condition is None else documents.filter(condition)


def assignment_condition(project: Project, membership: Membership, document):
    """The rule of ``visible_documents`` about assignments, for the document ``document``
    (an expression such as ``OuterRef("pk")``); None when the member sees every document.
    """
    if membership.can_review:
        return None
    assigned = Assignment.objects.filter(
        project=project, document=document, annotator_id=membership.user_id
    )
    any_assignment = Assignment.objects.filter(project=project)
    return Exists(assigned) | ~Exists(any_assignment)


def document_for_member(
    project: Project,
    membership: Membership,
    document_id: int,
    *,
    with_source: bool = True,
    **annotations,
) -> Document:
    """A document the member may open in the project (with its source), or 404.

    ``annotations`` are added to the query, so callers get extra facts in one query.
    """
    documents = visible_documents(project, membership)
    if with_source:
        documents = documents.select_related("source")
    return get_object_or_404(documents.annotate(**annotations), pk=document_id)


_MEMBERSHIP = Columns(Membership, "m")
_PROJECT = Columns(Project, "p")
_DOCUMENT = Columns(Document, "d")


@functools.cache
def _member_document_sql(vendor: str) -> str:
    """The statement of ``member_document``, written from the models' table names."""
    table = {model: model._meta.db_table for model in (Membership, Project, Document)}
    linked, assigned = ProjectDocument._meta.db_table, Assignment._meta.db_table
    reviewing = ", ".join(
        f"'{role}'" for role in (Membership.Role.REVIEWER, Membership.Role.MANAGER)
    )
    return (
        f"SELECT {_MEMBERSHIP.sql(connection)}, {_PROJECT.sql(connection)}, "
        f"{_DOCUMENT.sql(connection)} "
        f"FROM {table[Membership]} m "
        f"JOIN {table[Project]} p ON p.id = m.project_id "
        f"LEFT JOIN {table[Document]} d ON d.id = %s "
        f"AND EXISTS (SELECT 1 FROM {linked} pd"
        f" WHERE pd.project_id = p.id AND pd.document_id = d.id) "
        f"AND (m.role IN ({reviewing})"
        f" OR EXISTS (SELECT 1 FROM {assigned} a WHERE a.project_id = p.id"
        f" AND a.document_id = d.id AND a.annotator_id = m.user_id)"
        f" OR NOT EXISTS (SELECT 1 FROM {assigned} a WHERE a.project_id = p.id)) "
        f"WHERE p.slug = %s AND m.user_id = %s"
    )


def member_document(user, slug: str, document_id: int) -> tuple[Project, Membership, Document]:
    """``project_for_member`` and ``document_for_member(..., with_source=False)`` in one
    statement: the same answers and the same 404s, for the save path (see annotator.fastpath.rows).
    """
    with connection.cursor() as cursor:
        cursor.execute(_member_document_sql(connection.vendor), [document_id, slug, user.pk])
        row = cursor.fetchone()
    if row is None:
        raise Http404(gettext("No such project."))
    membership = _MEMBERSHIP.instance(connection, row)
    project = _PROJECT.instance(connection, row, len(_MEMBERSHIP))
    offset = len(_MEMBERSHIP) + len(_PROJECT)
    if row[offset] is None:
        raise Http404(gettext("No Document matches the given query."))
    document = _DOCUMENT.instance(connection, row, offset)
    membership.project = project
    return project, membership, document


def can_see_everyone(project: Project, membership: Membership) -> bool:
    """Annotation is blind: only reviewers and managers, and only when the project allows it,
    may see other annotators' labels."""
    return project.show_all_annotations and membership.can_review


def own_annotation(project: Project, membership: Membership, annotation_id: int) -> Annotation:
    """The member's own annotation on a document they may open, or 404.

    Nobody reaches another user's annotation through any URL: it is simply not found.
    """
    return get_object_or_404(
        Annotation.objects.select_related("document", "label"),
        pk=annotation_id,
        project=project,
        annotator_id=membership.user_id,
        document__in=visible_documents(project, membership).values("pk"),
    )


def project_for_manager(user, slug: str) -> tuple[Project, Membership]:
    """The project with ``slug`` if the user manages it; 404 for non-members, else 403."""
    project, membership = project_for_member(user, slug)
    if membership.role != Membership.Role.MANAGER:
        raise PermissionDenied("Only the project's managers can see this.")
    return project, membership
