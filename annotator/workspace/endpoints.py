"""The annotation endpoints the document page calls (htmx): save, change, delete, undo.

Each answers with out-of-band fragments that replace only what changed: the lines of
text around the edited span, the side-list entry, the undo button and the status line
(the page counts the side list's entries itself). A rejected request answers 400 with
the reason in the status line and writes nothing.

Showing everyone's annotations (``view=all``, reviewers and managers) is read-only: a
stray selection and key there must not add a reviewer's annotation (it would count as
one more annotator). Writes are refused unless the page was switched to annotate too
(``annotate=1``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from annotator.access import (
    can_see_everyone,
    member_document,
    own_annotation,
    project_for_member,
)
from annotator.ids import parse_id
from annotator.models import Annotation, Document, HolderKind, Label, Membership, Project
from annotator.suggestions.decisions import suggestion_reject, suggestions_accept
from annotator.suggestions.selectors import Shown, shown_suggestions
from annotator.workspace import annotations as services
from annotator.workspace import selectors
from annotator.workspace.annotations import AnnotationRejected
from annotator.workspace.services import (
    annotation_undo,
    parse_offset,
    selection_span,
)
from annotator.workspace.side_list import item_html
from annotator.workspace.views import undo_description, undo_text

READ_ONLY = (
    "Everyone's annotations are shown read-only: choose “Annotate here too” to add or "
    "change your own."
)


@dataclass
class Page:
    """What every endpoint knows about the document page it is answering."""

    project: Project
    membership: Membership
    document: Document
    labels: dict[int, Label]
    everyone: bool
    annotating: bool  # writes allowed: own view, or everyone's with annotate=1

    @classmethod
    def load(cls, request: HttpRequest, slug: str, document_id: int) -> Page:
        project, membership, document = member_document(request.user, slug, document_id)
        return cls.build(request, project, membership, document)

    @classmethod
    def build(cls, request, project, membership, document) -> Page:
        everyone = request.POST.get("view") == "all" and can_see_everyone(project, membership)
        annotating = not everyone or request.POST.get("annotate") == "1"
        labels = selectors.project_labels(project)
        return cls(project, membership, document, labels, everyone, annotating)

    def check_writable(self) -> None:
        if not self.annotating:
            raise AnnotationRejected(READ_ONLY)

    def label(self, value: str | None) -> Label:
        if not value:
            raise AnnotationRejected(gettext("Choose a label."))
        label_id = parse_id(value)
        if label_id in self.labels:
            return self.labels[label_id]
        if label_id is not None and Label.objects.filter(pk=label_id).exists():
            raise AnnotationRejected(gettext("This label belongs to another project."))
        raise AnnotationRejected(gettext("Unknown label %(label)r.") % {"label": value[:20]})


def posted_holder(post) -> dict:
    """The holder fields a request sends (``holder_kind``, ``holder``, ``cue_start``,
    ``cue_end``; an empty cue offset clears the cue), only those present."""
    fields: dict = {}
    if "holder_kind" in post:
        fields["holder_kind"] = post["holder_kind"]
    if "holder" in post:
        fields["holder"] = post["holder"].strip()
    for name in ("cue_start", "cue_end"):
        if name in post:
            fields[name] = parse_offset(post[name]) if post[name] != "" else None
    return fields


def voice_message(annotation: Annotation) -> str:
    """The status line after a change of holder."""
    kind = HolderKind(annotation.holder_kind).label
    if annotation.holder:
        return gettext("Voice: %(kind)s (%(holder)s).") % {
            "kind": kind,
            "holder": annotation.holder,
        }
    return gettext("Voice: %(kind)s.") % {"kind": kind}


def rejected(request: HttpRequest, message: str) -> HttpResponse:
    """400 with the message in the page's status line; nothing was written."""
    context = {"message": message, "error": True}
    return render(request, "workspace/document.html#status-oob", context, status=400)


def changes(
    request: HttpRequest,
    page: Page,
    *,
    message: str,
    ranges: list[tuple[int, int]],
    added=(),
    changed=(),
    removed=(),
    undo: str,
    selected: int | None = None,
) -> HttpResponse:
    """The fragments that redraw what an edit touched (see the module docstring)."""
    project, document, user = page.project, page.document, request.user
    lines, nearby, high = [], [], 0
    if ranges:
        # Whole lines around the touched spans: from the line start before the first
        # to the line end after the last.
        text = document.text
        low = text.rfind("\n", 0, min(start for start, _ in ranges)) + 1
        high = text.find("\n", max(end for _, end in ranges))
        high = len(text) if high < 0 else high
        visible = selectors.visible_annotations(
            project=project,
            document=document,
            user=user,
            labels=page.labels,
            everyone=page.everyone,
            start=low,
            end=high,
        )
        layout = selectors.document_layout(document)
        # data-redrawn: laid out at once (not content-visibility: auto), so the line
        # keeps its height while it replaces the old one.
        attrs = 'hx-swap-oob="true" data-redrawn'
        lines = layout.render_lines(visible.spans, low, high, attrs=attrs)
        nearby = visible.own
    inserted = []
    for annotation in added:
        annotation.label = page.labels[annotation.label_id]
        following = selectors.next_in_reading_order(annotation, nearby, high)
        inserted.append((item_html(annotation), following))
    for annotation in changed:
        annotation.label = page.labels[annotation.label_id]
    response = render(
        request,
        "workspace/document_changes.html",
        {
            "project": project,
            "lines": lines,
            "inserted": inserted,
            "changed": [item_html(annotation, oob=True) for annotation in changed],
            "removed": removed,
            "undo": undo,
            "message": message,
        },
    )
    trigger_client_event(response, "annotationsChanged", {"selected": selected}, after="settle")
    return response


@login_required
@require_POST
def annotation_create(request: HttpRequest, slug: str, document_id: int) -> HttpResponse:
    """Save a selection as an annotation.

    POST fields: ``label`` (the label's id), ``start`` and ``end`` (code-point offsets
    into the document text), ``quote`` (the selected text as the page saw it), and
    optionally ``note``, the holder (``holder_kind``: author, attributed or unclear;
    ``holder``; the cue's ``cue_start`` and ``cue_end``), ``version`` (the document's
    ``text_sha256`` the page was built from), ``view=all`` and ``annotate=1`` (see the
    module docstring). The span is checked
    against the text and snapped to word boundaries before it is stored.
    """
    page = Page.load(request, slug, document_id)
    document, post = page.document, request.POST
    try:
        page.check_writable()
        label = page.label(post.get("label"))
        version = post.get("version")
        if version and version != document.text_sha256:
            raise AnnotationRejected(
                gettext("This document changed after the page was loaded: reload it.")
            )
        if "quote" not in post:
            raise AnnotationRejected(gettext("The selected text (quote) is missing."))
        note = post.get("note", "")
        start, end = selection_span(
            text=document.text,
            start=parse_offset(post.get("start")),
            end=parse_offset(post.get("end")),
            quote=post["quote"],
        )
        annotation = services.annotation_create(
            project=page.project,
            document=document,
            annotator=request.user,
            label=label,
            start=start,
            end=end,
            quote=document.text[start:end],
            note=note,
            **posted_holder(post),
        )
    except AnnotationRejected as exc:
        return rejected(request, str(exc))
    return changes(
        request,
        page,
        message=gettext("Saved «%(quote)s» as %(label)s.")
        % {"quote": annotation.quote, "label": label},
        ranges=[(start, end)],
        added=[annotation],
        undo=undo_text("create", annotation.quote),
    )


def _own(request: HttpRequest, slug: str, annotation_id: int) -> tuple[Page, Annotation]:
    project, membership = project_for_member(request.user, slug)
    annotation = own_annotation(project, membership, annotation_id)
    annotation.project = project
    return Page.build(request, project, membership, annotation.document), annotation


@login_required
@require_POST
def annotation_update(request: HttpRequest, slug: str, annotation_id: int) -> HttpResponse:
    """Change one's own annotation: POST ``label`` (a label id), ``note`` and/or the
    holder fields (``holder_kind``, ``holder``, ``cue_start``, ``cue_end``)."""
    page, annotation = _own(request, slug, annotation_id)
    post = request.POST
    try:
        page.check_writable()
        holder = posted_holder(post)
        if "label" not in post and "note" not in post and not holder:
            raise AnnotationRejected(gettext("Nothing to change."))
        label = page.label(post["label"]) if "label" in post else None
        services.annotation_update(
            annotation=annotation,
            actor=request.user,
            label=label,
            note=post.get("note"),
            holder=holder,
        )
    except AnnotationRejected as exc:
        return rejected(request, str(exc))
    return changes(
        request,
        page,
        message=(
            gettext("Changed «%(quote)s» to %(label)s.")
            % {"quote": annotation.quote, "label": annotation.label}
            if label
            else gettext("Note saved.")
            if "note" in post
            else voice_message(annotation)
        ),
        ranges=[(annotation.start, annotation.end)] if label else [],
        changed=[annotation],
        undo=undo_text("update", annotation.quote),
        selected=annotation.pk,
    )


@login_required
@require_POST
def annotation_delete(request: HttpRequest, slug: str, annotation_id: int) -> HttpResponse:
    """Delete one's own annotation (undo brings it back)."""
    page, annotation = _own(request, slug, annotation_id)
    try:
        page.check_writable()
    except AnnotationRejected as exc:
        return rejected(request, str(exc))
    snapshot = services.annotation_delete(annotation=annotation, actor=request.user)
    return changes(
        request,
        page,
        message=gettext("Deleted «%(quote)s». Press u to undo.") % {"quote": snapshot["quote"]},
        ranges=[(snapshot["start"], snapshot["end"])],
        removed=[snapshot["id"]],
        undo=undo_text("delete", snapshot["quote"]),
    )


@login_required
@require_POST
def annotation_undo_view(request: HttpRequest, slug: str, document_id: int) -> HttpResponse:
    """Undo the user's latest change on this document."""
    page = Page.load(request, slug, document_id)
    try:
        page.check_writable()
        outcome = annotation_undo(project=page.project, document=page.document, actor=request.user)
    except AnnotationRejected as exc:
        return rejected(request, str(exc))
    # An undone change of boundaries moves the entry in the list: re-insert it.
    moved = [a for a in outcome.changed if (a.start, a.end) != outcome.ranges[0]]
    following = selectors.undo_target(
        project=page.project, document=page.document, actor=request.user
    )
    return changes(
        request,
        page,
        message=outcome.message,
        ranges=outcome.ranges,
        added=[*outcome.added, *moved],
        changed=[a for a in outcome.changed if a not in moved],
        removed=[*outcome.removed, *(a.pk for a in moved)],
        undo=undo_description(following),
        selected=next((a.pk for a in [*outcome.added, *outcome.changed]), None),
    )


# ---- suggestions: fetched after the page has loaded (the page's own queries stay as they
# are), accepted through ``changes`` like any save, rejected with a status line.


def _suggestions_page(request: HttpRequest, slug: str, document_id: int) -> Page:
    page = Page.load(request, slug, document_id)
    if not page.membership.sees_suggestions:
        raise Http404(gettext("No suggestions here."))
    return page


def _shown(page: Page, user) -> list[Shown]:
    return shown_suggestions(page.project, page.document, user)


@login_required
def suggestion_list(request: HttpRequest, slug: str, document_id: int) -> JsonResponse:
    """The suggestions the member sees on the document, as JSON: ``threshold`` and
    ``suggestions`` (``id``, ``start``, ``end`` in code points, ``label`` id,
    ``label_name``, ``score``, ``agent``)."""
    page = _suggestions_page(request, slug, document_id)
    return JsonResponse(
        {
            "threshold": page.project.suggestion_threshold,
            "suggestions": [
                {
                    "id": s.id,
                    "start": s.start,
                    "end": s.end,
                    "label": s.label_id,
                    "label_name": s.label,
                    "score": s.score,
                    "agent": s.agent,
                }
                for s in _shown(page, request.user)
            ],
        }
    )


def _accepted(request: HttpRequest, page: Page, chosen: list[Shown]) -> HttpResponse:
    if not chosen:
        return rejected(request, gettext("No suggestion to accept here."))
    try:
        made = suggestions_accept(
            project=page.project,
            document=page.document,
            annotator=request.user,
            suggestions=chosen,
            labels=page.labels,
        )
    except AnnotationRejected as exc:
        return rejected(request, str(exc))
    if len(made) == 1:
        message = gettext("Accepted «%(quote)s» as %(label)s.") % {
            "quote": made[0].quote,
            "label": page.labels[made[0].label_id],
        }
    else:
        message = gettext("Accepted %(n)d suggestions.") % {"n": len(made)}
    return changes(
        request,
        page,
        message=message,
        ranges=[(a.start, a.end) for a in made],
        added=made,
        undo=undo_text("create", made[-1].quote),
        selected=made[-1].pk if len(made) == 1 else None,
    )


@login_required
@require_POST
def suggestion_accept(
    request: HttpRequest, slug: str, document_id: int, suggestion_id: int
) -> HttpResponse:
    """Accept one suggestion: it becomes the member's annotation (snapped, audited,
    undoable like any save)."""
    page = _suggestions_page(request, slug, document_id)
    chosen = [s for s in _shown(page, request.user) if s.id == suggestion_id]
    return _accepted(request, page, chosen)


@login_required
@require_POST
def suggestion_accept_all(request: HttpRequest, slug: str, document_id: int) -> HttpResponse:
    """Accept every suggestion on the document scoring the project's threshold or more."""
    page = _suggestions_page(request, slug, document_id)
    threshold = page.project.suggestion_threshold
    return _accepted(request, page, [s for s in _shown(page, request.user) if s.score >= threshold])


@login_required
@require_POST
def suggestion_reject_view(
    request: HttpRequest, slug: str, document_id: int, suggestion_id: int
) -> HttpResponse:
    """Reject one suggestion: it is stored, and no longer shown to this member."""
    page = _suggestions_page(request, slug, document_id)
    found = next((s for s in _shown(page, request.user) if s.id == suggestion_id), None)
    if found is None:
        return rejected(request, gettext("No such suggestion here (answered already?)."))
    suggestion_reject(suggestion=found, annotator=request.user)
    message = gettext("Rejected the suggestion %(label)s.") % {"label": found.label}
    return render(request, "workspace/document.html#status-oob", {"message": message})
