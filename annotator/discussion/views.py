"""The discussion on the document page, the reopen form and the mentions list.

The comment forms post with htmx and get the discussion panel back (with the refusal
shown in it, and the text kept, when a comment is refused); without JavaScript they post
normally and come back to the document page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from annotator.access import (
    SignedInRequest,
    document_for_member,
    project_for_member,
    project_for_reviewer,
)
from annotator.discussion import selectors
from annotator.discussion.forms import CommentForm, ReopenForm, first_error
from annotator.discussion.services import comment_create, document_reopen, mentions_mark_read
from annotator.errors import Rejected


def _answer(request, project, membership, document, *, error="", kept=None) -> HttpResponse:
    """The panel again (htmx), or back to the document page."""
    if request.htmx:
        done_at = selectors.done_at(project, membership, document)
        context = selectors.panel_context(project, membership, document, done_at)
        context.update({"comment_error": error, "kept": kept or {}})
        return render(request, "discussion/_panel.html", context)
    if error:
        messages.error(request, error)
    return redirect(reverse("document", args=[project.slug, document.pk]) + "#discussion")


@login_required
@require_POST
def comment_add(request: SignedInRequest, slug: str, document_id: int) -> HttpResponse:
    """A comment (``text``; ``start``/``end``/``quote`` for a passage; ``concerning``: the
    annotator a reviewer addresses) or a reply (``parent``)."""
    project, membership = project_for_member(request.user, slug)
    document = document_for_member(project, membership, document_id, with_source=False)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _answer(
            request, project, membership, document, error=first_error(form), kept=request.POST
        )
    data = form.cleaned_data
    parent = None
    if data["parent"]:
        parent = (
            selectors.readable(project, membership)
            .filter(document=document, pk=data["parent"])
            .first()
        )
        if parent is None:
            raise Http404(_("No such comment."))
    try:
        comment_create(
            project=project,
            membership=membership,
            document=document,
            text=data["text"],
            parent=parent,
            start=data["start"],
            end=data["end"],
            quote=data["quote"] if data["start"] is not None else None,
            concerning_id=data["concerning"],
        )
    except Rejected as exc:
        return _answer(request, project, membership, document, error=str(exc), kept=request.POST)
    return _answer(request, project, membership, document)


@login_required
@require_POST
def reopen(request: SignedInRequest, slug: str, document_id: int) -> HttpResponse:
    """A reviewer sends the document back to an annotator (``annotator``) with ``text``."""
    project, membership = project_for_reviewer(request.user, slug)
    document = document_for_member(project, membership, document_id, with_source=False)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        return _answer(
            request, project, membership, document, error=first_error(form), kept=request.POST
        )
    try:
        document_reopen(
            project=project,
            membership=membership,
            document=document,
            annotator_id=form.cleaned_data["annotator"],
            text=form.cleaned_data["text"],
        )
    except Rejected as exc:
        return _answer(request, project, membership, document, error=str(exc), kept=request.POST)
    if not request.htmx:
        messages.success(request, _("Sent back to the annotator with your comment."))
    return _answer(request, project, membership, document)


@never_cache
@login_required
def mentions(request: SignedInRequest) -> HttpResponse:
    """``discussion/mentions.html``: the comments naming the user, newest first (100).
    Context: ``mentions``, ``unseen`` (how many are unread)."""
    found = list(selectors.user_mentions(request.user)[:100])
    unseen = sum(1 for mention in found if mention.seen_at is None)
    return render(request, "discussion/mentions.html", {"mentions": found, "unseen": unseen})


@login_required
@require_POST
def mentions_read(request: SignedInRequest) -> HttpResponse:
    """Mark every mention of the user read."""
    mentions_mark_read(user=request.user)
    return redirect("mentions")
