"""The search page: any member of the project searches what they may see."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from annotator.access import project_for_member
from annotator.search.selectors import KINDS, search


@never_cache
@login_required
def search_page(request: HttpRequest, slug: str) -> HttpResponse:
    """``search/results.html``: ``?q=`` words, ``kind`` (documents or annotations),
    ``page``. Context: ``project``, ``membership``, ``results`` (``selectors.Results``),
    ``kinds``."""
    project, membership = project_for_member(request.user, slug)
    results = search(
        project,
        membership,
        request.GET.get("q", "").strip(),
        kind=request.GET.get("kind", KINDS[0]),
        page=request.GET.get("page"),
    )
    return render(
        request,
        "search/results.html",
        {"project": project, "membership": membership, "results": results, "kinds": KINDS},
    )
