"""The team progress page: reviewers and managers only, since it names every annotator's work
(``access.project_for_reviewer``); annotators see their own "n of N done" on their queue."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from annotator.access import project_for_reviewer
from annotator.progress.selectors import team_progress


@never_cache
@login_required
def progress(request: HttpRequest, slug: str) -> HttpResponse:
    """``progress/team.html``. Context: ``project``, ``membership``, ``progress``
    (``selectors.TeamProgress``). A fixed number of queries, whatever the team's size."""
    project, membership = project_for_reviewer(request.user, slug)
    return render(
        request,
        "progress/team.html",
        {"project": project, "membership": membership, "progress": team_progress(project)},
    )
