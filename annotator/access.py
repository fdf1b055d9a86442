"""Who may see what: every view resolves projects and documents through here."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from annotator.models import Membership, Project


def project_for_member(user, slug: str) -> tuple[Project, Membership]:
    """The project with ``slug`` and the user's membership in it, or 404.

    Non-members get a 404, not a 403, so project names do not leak.
    """
    project = get_object_or_404(Project, slug=slug)
    membership = Membership.objects.filter(project=project, user=user).first()
    if membership is None:
        raise Http404("No such project.")
    return project, membership


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
