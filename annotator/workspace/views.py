"""The analysts' workspace: their projects, their queue, and the document page."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import Truncator
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from annotator.access import (
    SignedInRequest,
    can_see_everyone,
    document_for_member,
    project_for_member,
)
from annotator.discussion.selectors import panel_context, unseen_mentions
from annotator.ids import query_id
from annotator.models import NOTE_MAX, Label, Membership
from annotator.progress.selectors import project_lines
from annotator.review.selectors import gold_conflict_documents
from annotator.suggestions.tasks import sentences_labelled
from annotator.validators import COLOUR
from annotator.workspace import selectors
from annotator.workspace.guidelines import guidelines_html
from annotator.workspace.js_messages import js_messages
from annotator.workspace.page_rows import document_page_rows
from annotator.workspace.services import progress_opened, progress_set_done
from annotator.workspace.side_list import items_html

QUEUE_PAGE_SIZE = 50


@login_required
def home(request: SignedInRequest) -> HttpResponse:
    """``annotator/home.html``: the projects the user is a member of.

    Context: ``projects``: ``(project, progress, team_line)`` triples: the user's documents
    done of their queue's, and for reviewers and managers the team's progress in one line;
    ``unseen_mentions``: how many comments name the user that they have not read.
    """
    memberships = selectors.member_projects(request.user)
    reviewing = [p for p, m, _ in memberships if m.role != Membership.Role.ANNOTATOR]
    lines = project_lines(reviewing)
    projects = [(p, progress, lines.get(p.pk)) for p, _, progress in memberships]
    return render(
        request,
        "workspace/home.html",
        {"projects": projects, "unseen_mentions": unseen_mentions(request.user)},
    )


@never_cache
@login_required
def project_home(request: HttpRequest, slug: str) -> HttpResponse:
    """``annotator/project.html``: the member's queue.

    Context: ``project``, ``membership``, ``page`` (documents with ``n_annotations``,
    ``done_at``), ``sources``, ``statuses``, the chosen ``source_id``/``status``,
    ``orders``/``order`` (the queue's order), ``continue_document``, ``progress``
    (documents done of the queue's), ``query`` (the filters, for pagination links) and,
    for reviewers and managers, ``gold_conflicts`` (documents whose gold contradicts
    itself).
    """
    project, membership = project_for_member(request.user, slug)
    source_id = query_id(request.GET, "source")
    status = request.GET.get("status", "")
    if status not in selectors.STATUSES:
        status = ""
    order = request.GET.get("order", "")
    if order not in selectors.ORDERS:
        order = ""
    documents = selectors.queue(
        project, membership, source_id=source_id, status=status, order=order
    )
    # Pages of ids, each then filled with its documents' rows.
    paginator: Paginator = Paginator(documents.values_list("pk", flat=True), QUEUE_PAGE_SIZE)
    paginator.count = selectors.queue_count(project, membership, source_id=source_id, status=status)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = selectors.queue_rows(project, membership, list(page.object_list))
    query = "&".join(
        f"{key}={value}"
        for key, value in (("source", source_id), ("status", status), ("order", order))
        if value
    )
    return render(
        request,
        "workspace/project.html",
        {
            "project": project,
            "membership": membership,
            "page": page,
            "sources": selectors.queue_sources(project, membership),
            "statuses": selectors.STATUSES,
            "orders": selectors.ORDERS,
            "order": order,
            "source_id": source_id,
            "status": status,
            "query": query,
            "continue_document": selectors.continue_document(project, membership),
            "progress": selectors.queue_progress(project, membership),
            "gold_conflicts": gold_conflict_documents(project) if membership.can_review else [],
        },
    )


@login_required
def label_css(request: HttpRequest, slug: str) -> HttpResponse:
    """The project's label colours as CSS custom properties (``.lab-ID { --label: #hex }``).

    Served as a stylesheet because the Content-Security-Policy forbids inline styles;
    the page links it with ``?v=<label_version>`` so it can be cached for good.
    """
    project, _ = project_for_member(request.user, slug)
    labels = Label.objects.filter(project=project).only("id", "color")
    css = "".join(
        f".lab-{label.pk} {{ --label: {label.color}; }}\n"
        for label in labels
        if COLOUR.search(label.color)
    )
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    if request.GET.get("v"):
        response["Cache-Control"] = "private, max-age=31536000, immutable"
    return response


@never_cache
@login_required
def document_page(request: SignedInRequest, slug: str, document_id: int) -> HttpResponse:
    """``workspace/document.html``: one document to annotate.

    Context: ``project``, ``membership``, ``document`` (with ``done_at``), ``labels``,
    ``label_version``, ``text_html`` (the rendered text), ``items`` (the side list: the
    user's annotations in reading order), ``own_count``, ``everyone`` (showing all
    annotators), ``annotate`` (everyone's view switched to annotating too; without it
    that view is read-only), ``can_see_everyone``, ``annotators`` (the legend), ``undo``
    (the change undo would revert), ``guidelines``, ``note_max`` (the longest note
    stored), ``labels_key`` (the cache key of the label bar and the help, see
    ``selectors.labels_key``), ``progress`` (documents done of the queue's),
    ``holder_choices`` (the holder field's list), ``js_messages`` (a callable: the script's
    words, read only when its cached fragment is missing), and the discussion's
    (``annotator.discussion.selectors.panel_context``). A fixed number of queries, whatever
    the number of annotations; the threads are read only when the document has comments.
    """
    rows = document_page_rows(request.user, slug, document_id)
    project, membership, document = rows.project, rows.membership, rows.document
    allowed = can_see_everyone(project, membership)
    everyone = allowed and request.GET.get("view") == "all"
    labels = selectors.project_labels(project)
    visible = selectors.visible_annotations(
        project=project, document=document, user=request.user, labels=labels, everyone=everyone
    )
    layout = selectors.document_layout(document)
    progress_opened(
        project=project,
        document=document,
        annotator=request.user,
        last_opened_at=rows.last_opened_at,
        last_opened_id=rows.last_opened_id,
    )
    undo = selectors.undo_target(project=project, document=document, actor=request.user)
    discussion = panel_context(
        project, membership, document, cast(Any, document).done_at, commented=rows.commented
    )
    return render(
        request,
        "workspace/document.html",
        discussion
        | {
            "project": project,
            "membership": membership,
            "document": document,
            "labels": list(labels.values()),
            "label_version": selectors.label_version(labels.values()),
            "text_html": layout.render(visible.spans),
            "items": items_html(visible.own),
            "holder_choices": selectors.holder_choices(project, document),
            "own_count": len(visible.own),
            "everyone": everyone,
            "annotate": everyone and request.GET.get("annotate") == "1",
            "can_see_everyone": allowed,
            "annotators": visible.annotators,
            "undo": undo_description(undo),
            "guidelines": guidelines_html(project.guidelines),
            "note_max": NOTE_MAX,
            "labels_key": selectors.labels_key(labels.values(), project.guidelines),
            "progress": rows.progress,
            "js_messages": js_messages,  # called when the scripts fragment is not cached
        },
    )


UNDO_VERBS = {
    "create": gettext_lazy("adding"),
    "update": gettext_lazy("changing"),
    "delete": gettext_lazy("deleting"),
    "restore": gettext_lazy("restoring"),
}


def undo_text(action: str, quote: str) -> str:
    """What undoing an ``action`` on ``quote`` reverts, in words: «adding «quote»»."""
    return f"{UNDO_VERBS.get(action, action)} «{Truncator(quote).chars(40)}»"


def undo_description(event) -> str:
    """What the undo button would revert, in words ("" when nothing)."""
    if event is None:
        return ""
    snapshot = event.after or event.before or {}
    return undo_text(event.action, snapshot.get("quote", ""))


@login_required
def document_step(request: HttpRequest, slug: str, document_id: int, direction: str):
    """Go to the previous or next document in the member's queue."""
    project, membership = project_for_member(request.user, slug)
    document = document_for_member(
        project,
        membership,
        document_id,
        with_source=False,
        done_at=selectors.done_at(project, request.user),
    )
    step = -1 if direction == "previous" else 1
    neighbour = selectors.neighbour_id(project, membership, document.pk, step)
    if neighbour is None and step < 0:
        messages.info(request, gettext("This is the first document in your queue."))
        return redirect("document", slug=project.slug, document_id=document.pk)
    if neighbour is None:
        # Past the end of the queue: back to the first document not marked done yet.
        neighbour = selectors.first_unfinished_id(project, membership, exclude=document.pk)
        done_at = cast(Any, document).done_at  # annotated by ``selectors.done_at``
        if neighbour is None and done_at is None:
            messages.info(
                request,
                gettext(
                    "This is the last document in your queue, and the only one not marked done."
                ),
            )
            return redirect("document", slug=project.slug, document_id=document.pk)
        if neighbour is None:
            messages.success(request, gettext("Every document in your queue is marked done."))
            return redirect("project", slug=project.slug)
        messages.info(
            request,
            gettext(
                "That was the last document in your queue. "
                "Here is the first one you have not marked done."
            ),
        )
    return redirect("document", slug=project.slug, document_id=neighbour)


@login_required
@require_POST
def document_done(request: SignedInRequest, slug: str, document_id: int) -> HttpResponse:
    """Mark the document done (``done=1``) or not done (``done=0``) for this user."""
    project, membership = project_for_member(request.user, slug)
    document = document_for_member(project, membership, document_id)
    done = request.POST.get("done") == "1"
    progress = progress_set_done(
        project=project, document=document, annotator=request.user, done=done
    )
    if done:
        # The document's sentences count towards the next retraining (queued, never run here).
        sentences_labelled(project=project, document=document)
    if not request.htmx:
        return redirect("document", slug=project.slug, document_id=document.pk)
    # The template reads ``done_at``, which the document page gets from its query.
    document.done_at = progress.done_at  # type: ignore[attr-defined]
    message = gettext("Marked done.") if done else gettext("Marked not done.")
    return render(
        request,
        "workspace/document.html#done-changed",
        {
            "project": project,
            "document": document,
            "message": message,
            "progress": selectors.queue_progress(project, membership),
        },
    )
