"""Who may see what: every view resolves projects and documents through here."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
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
    """Like ``project_for_member``, but annotators get a 403: for reviewers and managers."""
    project, membership = project_for_member(user, slug)
    if not membership.can_review:
        raise PermissionDenied("Only the project's reviewers and managers can do this.")
    return project, membership
