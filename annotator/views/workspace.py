"""The analysts' workspace: projects and their documents."""

from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from annotator.access import project_for_member
from annotator.models import Project


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """``annotator/home.html``: the projects the user is a member of."""
    projects = Project.objects.filter(memberships__user=request.user).order_by("name")
    return render(request, "annotator/home.html", {"projects": projects})


@login_required
def project_home(request: HttpRequest, slug: str) -> HttpResponse:
    """``annotator/project.html``: the project's documents grouped by source."""
    project, membership = project_for_member(request.user, slug)
    documents = project.documents.select_related("source").order_by(
        "source__name", "published_on", "id"
    )
    by_source = [(source, list(docs)) for source, docs in groupby(documents, lambda d: d.source)]
    return render(
        request,
        "annotator/project.html",
        {"project": project, "membership": membership, "by_source": by_source},
    )
