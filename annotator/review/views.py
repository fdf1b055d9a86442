"""The curation screen: a reviewer adjudicates a document into gold.

The page draws the text once, every annotator's spans in a lane of their own and gold as
filled marks, and is edited like the annotation workspace (``static/annotator/review.js``).
Every write goes through ``annotator.review.services``. Asked by htmx, a write answers
with out-of-band fragments of what changed only (the lines of text around it, the gold
list's entries, the undo button and the status line), or 400 with the reason and nothing
written; asked by a plain form (no JavaScript), it redirects back with a message.
Annotators' own annotations are only read here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from annotator.access import SignedInRequest, project_for_reviewer
from annotator.errors import Rejected
from annotator.ids import parse_id
from annotator.models import (
    NO_LABEL,
    Annotation,
    AnnotationEvent,
    Document,
    GoldAnnotation,
    Label,
    Project,
    ProjectDocument,
)
from annotator.reports.agreement import project_agreement
from annotator.reports.forms import GoldSpanForm, MajorityForm, form_errors
from annotator.review import selectors
from annotator.review.gold_list import GoldList
from annotator.review.js_messages import js_messages
from annotator.review.services import (
    GoldConflict,
    document_mark_reviewed,
    gold_accept,
    gold_accept_majority,
    gold_accept_sentence,
    gold_create,
    gold_delete,
    gold_update,
    label_words,
    short_quote,
)
from annotator.review.undo import gold_undo
from annotator.workspace.selectors import (
    document_layout,
    label_version,
    project_labels,
    undo_target,
)
from annotator.workspace.services import selection_span


@dataclass
class Reviewed:
    """The document a request is about, as the reviewer may see it."""

    project: Project
    document: Document
    link: ProjectDocument
    labels: dict = field(default_factory=dict)  # id -> Label, display order

    def label_named(self, name: str) -> Label | None:
        """The label of that name; None for ``NO_LABEL``, the decision "no label here"."""
        if name == NO_LABEL:
            return None
        return next(label for label in self.labels.values() if label.name == name)


def _reviewed_document(request: SignedInRequest, slug: str, document_id: int) -> Reviewed:
    project, _ = project_for_reviewer(request.user, slug)
    link = get_object_or_404(
        ProjectDocument.objects.select_related("document__source", "reviewed_by"),
        project=project,
        document_id=document_id,
    )
    return Reviewed(project, link.document, link, project_labels(project))


def _back(reviewed: Reviewed, anchor: str = "") -> HttpResponseRedirect:
    url = reverse("review", args=[reviewed.project.slug, reviewed.document.pk])
    return HttpResponseRedirect(f"{url}#{anchor}" if anchor else url)


def _label_choices(reviewed: Reviewed) -> list[tuple[str, str]]:
    """The labels a gold span can take, and "no label" (a decision too)."""
    return [
        *((label.name, label.title) for label in reviewed.labels.values()),
        (NO_LABEL, gettext("No label")),
    ]


def _replace(request: SignedInRequest) -> bool:
    """Whether the reviewer asked to replace conflicting gold (``replace=1``)."""
    return request.POST.get("replace") == "1"


UNDO_VERBS = {
    "create": gettext_lazy("adding"),
    "update": gettext_lazy("changing"),
    "delete": gettext_lazy("removing"),
    "restore": gettext_lazy("restoring"),
}


def undo_description(event: AnnotationEvent | None) -> str:
    """What the undo button would revert, in words ("" when nothing)."""
    if event is None:
        return ""
    snapshot = event.after or event.before or {}
    if snapshot.get("batch"):
        return gettext("accepting the majority")
    quote = Truncator(snapshot.get("quote", "")).chars(40)
    return gettext("%(action)s gold «%(quote)s»") % {
        "action": UNDO_VERBS.get(event.action, event.action),
        "quote": quote,
    }


@never_cache
@login_required
def review(request: SignedInRequest, slug: str, document_id: int) -> HttpResponse:
    """``review/review.html``: the curation screen. A fixed number of queries, whatever
    the number of annotators and spans."""
    reviewed = _reviewed_document(request, slug, document_id)
    project, document = reviewed.project, reviewed.document
    layout = document_layout(document)
    page = selectors.curation(project, document, layout.sentences, list(reviewed.labels))
    sentences = page.votes.sentences
    disagree = [s.index for s in sentences if s.status == "disagree"]
    # Each labelled sentence's labels by annotator (in lane order) and majority, for the
    # panel that shows the focused sentence.
    votes = {
        "annotators": [name for _, name in page.annotators],
        "sentences": {
            s.index: [*s.labels, s.majority(2)]
            for s in sentences
            if any(label is not None for label in s.labels)
        },
    }
    gold_list = GoldList(project.slug, document.pk, reviewed.labels)
    undo = undo_target(project=project, document=document, actor=request.user, gold=True)
    return render(
        request,
        "review/review.html",
        {
            "project": project,
            "document": document,
            "link": reviewed.link,
            "labels": list(reviewed.labels.values()),
            "label_version": label_version(reviewed.labels.values()),
            "annotators": [
                (i % selectors.LANES, name) for i, (_, name) in enumerate(page.annotators)
            ],
            "lane_count": min(len(page.annotators), selectors.LANES),
            "text_html": layout.render(page.spans),
            "gold_items": gold_list.items(page.gold),
            "gold_count": len(page.gold),
            "disagree": " ".join(map(str, disagree)),
            "disagree_count": len(disagree),
            "votes": votes,
            "undo": undo_description(undo),
            "js_messages": js_messages(),
            "add_form": GoldSpanForm(labels=_label_choices(reviewed), auto_id="add_%s"),
            "majority_form": MajorityForm(),
            "conflicts": selectors.gold_conflicts(project, document),
            "no_label": NO_LABEL,
        },
    )


@never_cache
@login_required
def agreement(request: SignedInRequest, slug: str, document_id: int) -> HttpResponse:
    """The document's agreement figures: a fragment for the curation screen, which asks
    for it when the reviewer opens them (they read every span again), or a page."""
    reviewed = _reviewed_document(request, slug, document_id)
    report = project_agreement(
        reviewed.project, document_ids=[reviewed.document.pk], disagreement_limit=0
    )
    template = "review/agreement.html#figures" if request.htmx else "review/agreement.html"
    context = {"project": reviewed.project, "document": reviewed.document, "report": report}
    return render(request, template, context)


# ---- answers to writes


@dataclass
class Change:
    """What a write changed, for the answer to redraw."""

    message: str
    ranges: list[tuple[int, int]] = field(default_factory=list)
    added: list[int] = field(default_factory=list)  # gold ids new on the page
    changed: list[int] = field(default_factory=list)  # on the page, redrawn
    removed: list[int] = field(default_factory=list)
    selected: int | None = None


def _merged_blocks(text: str, ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Whole lines around each range (line start to line end), overlapping ones merged."""
    blocks: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        low = text.rfind("\n", 0, start) + 1
        high = text.find("\n", end)
        high = len(text) if high < 0 else high
        if blocks and low <= blocks[-1][1] + 1:
            blocks[-1] = (blocks[-1][0], max(high, blocks[-1][1]))
        else:
            blocks.append((low, high))
    return blocks


def _changes(request: SignedInRequest, reviewed: Reviewed, change: Change) -> HttpResponse:
    """The fragments that redraw what a gold write touched (see the module docstring)."""
    project, document = reviewed.project, reviewed.document
    layout = document_layout(document)
    annotators = selectors.document_coders(project, document)
    lines, blocks = [], []
    attrs = 'hx-swap-oob="true" data-redrawn'
    for low, high in _merged_blocks(document.text, change.ranges):
        spans, gold = selectors.curation_spans(project, document, annotators, low, high)
        lines += layout.render_lines(spans, low, high, attrs=attrs)
        blocks.append((gold, high))
    gold_list = GoldList(project.slug, document.pk, reviewed.labels)
    wanted = {*change.added, *change.changed}
    inserted = []
    # Last first: an entry is inserted before the one that follows it, which may be new too.
    for gold, high in reversed(blocks):
        for entry in reversed(gold):
            if entry.pk in wanted:
                wanted.discard(entry.pk)
                following = selectors.next_gold_id(project, document, entry, gold, high)
                inserted.append((gold_list.item(entry), following))
    undo = undo_target(project=project, document=document, actor=request.user, gold=True)
    response = render(
        request,
        "review/changes.html",
        {
            "project": project,
            "document": document,
            "lines": lines,
            "removed": [*change.removed, *change.changed],
            "inserted": inserted,
            "undo": undo_description(undo),
            "message": change.message,
        },
    )
    trigger_client_event(response, "goldChanged", {"selected": change.selected}, after="settle")
    return response


def _refused(request: SignedInRequest, message: str, *, conflict: bool = False) -> HttpResponse:
    """400 with the message in the page's status line; nothing was written. A conflict
    with other gold says so (``data-conflict``): the page then offers to replace it."""
    context = {"message": message, "error": True, "conflict": conflict}
    return render(request, "review/review.html#status-oob", context, status=400)


def _answer(
    request: SignedInRequest, reviewed: Reviewed, action: Callable[[], Change], anchor: str = "gold"
) -> HttpResponse:
    """Run a gold write; answer htmx with the changed fragments (or 400 and the reason),
    a plain form with a redirect back and the outcome as a message."""
    try:
        change = action()
    except Rejected as exc:
        if request.htmx and isinstance(exc, GoldConflict):
            return _refused(request, f"{exc} {gettext('Press r to replace it.')}", conflict=True)
        if request.htmx:
            return _refused(request, str(exc))
        messages.error(request, str(exc))
        return _back(reviewed, anchor)
    if request.htmx:
        if _replace(request) and change.selected is not None:
            # The gold the write replaced leaves the page too.
            for gold_id, start, end in selectors.replaced_gold(change.selected):
                change.removed.append(gold_id)
                change.ranges.append((start, end))
        return _changes(request, reviewed, change)
    messages.success(request, change.message)
    return _back(reviewed, anchor)


def _bad_request(request: SignedInRequest, reviewed: Reviewed, message: str) -> HttpResponse:
    """A request that names nothing valid: refused (htmx) or explained (plain form)."""
    if request.htmx:
        return _refused(request, message)
    messages.error(request, message)
    return _back(reviewed)


@login_required
@require_POST
def accept(request: SignedInRequest, slug: str, document_id: int) -> HttpResponse:
    """Accept one annotator's span as gold (POST ``annotation``: its id), as it is or,
    with ``label`` (a label's name), with another label on the same passage."""
    reviewed = _reviewed_document(request, slug, document_id)
    annotation_id = parse_id(request.POST.get("annotation"))
    if annotation_id is None:
        raise Http404(gettext("No such annotation."))
    annotation = get_object_or_404(
        Annotation.objects.select_related("label", "project", "document", "annotator"),
        pk=annotation_id,
        project=reviewed.project,
        document=reviewed.document,
    )

    relabel = request.POST.get("label")
    names = {label.name for label in reviewed.labels.values()} | {NO_LABEL}
    if relabel is not None and relabel not in names:
        return _bad_request(
            request, reviewed, gettext("Unknown label %(label)r.") % {"label": relabel[:20]}
        )
    replace = _replace(request)

    def action() -> Change:
        name = annotation.annotator.username
        if relabel is not None and relabel != annotation.label.name:
            gold = gold_create(
                project=reviewed.project,
                document=reviewed.document,
                reviewer=request.user,
                label=reviewed.label_named(relabel),
                start=annotation.start,
                end=annotation.end,
                replace=replace,
            )
            message = gettext("Added gold %(label)s on %(name)s's %(old)s span.") % {
                "label": relabel,
                "name": name,
                "old": annotation.label.name,
            }
        else:
            gold = gold_accept(annotation=annotation, reviewer=request.user, replace=replace)
            message = gettext("Accepted %(name)s's %(label)s span as gold.") % {
                "name": name,
                "label": annotation.label.name,
            }
        return Change(
            message,
            ranges=[(gold.start, gold.end)],
            added=[gold.pk],
            selected=gold.pk,
        )

    return _answer(request, reviewed, action)


@login_required
@require_POST
def majority(request: SignedInRequest, slug: str, document_id: int) -> HttpResponse:
    """Accept the annotators' majority as gold: for the whole document (POST
    ``min_agree``), or for one sentence (POST ``sentence``: its index)."""
    reviewed = _reviewed_document(request, slug, document_id)
    project, document = reviewed.project, reviewed.document
    sentence = request.POST.get("sentence")
    if sentence is not None:
        if not (sentence.isascii() and sentence.isdigit()):
            return _bad_request(request, reviewed, "Choose a sentence.")

        def one() -> Change:
            gold = gold_accept_sentence(
                project=project,
                document=document,
                reviewer=request.user,
                index=int(sentence),
                replace=_replace(request),
            )
            return Change(
                gettext("Accepted the majority label %(label)s for sentence %(number)s.")
                % {"label": label_words(gold.label), "number": int(sentence) + 1},
                ranges=[(gold.start, gold.end)],
                added=[gold.pk],
                selected=gold.pk,
            )

        return _answer(request, reviewed, one, anchor="")
    form = MajorityForm(request.POST)
    if not form.is_valid():
        return _bad_request(request, reviewed, form_errors(form))
    k = form.cleaned_data["min_agree"]

    def every() -> Change:
        created = gold_accept_majority(
            project=project, document=document, reviewer=request.user, min_agree=k
        )
        if not created:
            message = gettext(
                "No sentence without gold has a majority of at least %(k)d annotators."
            ) % {"k": k}
        else:
            message = gettext("Accepted the majority label for %(n)d sentence(s) as gold.") % {
                "n": len(created)
            }
        return Change(
            message, ranges=[(g.start, g.end) for g in created], added=[g.pk for g in created]
        )

    return _answer(request, reviewed, every)


def _span_form(request: SignedInRequest, reviewed: Reviewed) -> GoldSpanForm:
    return GoldSpanForm(request.POST, labels=_label_choices(reviewed))


@login_required
@require_POST
def gold_add(request: SignedInRequest, slug: str, document_id: int) -> HttpResponse:
    """Add a gold span: POST ``label`` (its name), ``start``, ``end`` and ``quote``. From
    the page (htmx) the span is a selection, snapped to whole words as in the workspace."""
    reviewed = _reviewed_document(request, slug, document_id)
    form = _span_form(request, reviewed)
    if not form.is_valid():
        return _bad_request(request, reviewed, form_errors(form))
    data = form.cleaned_data
    start, end, quote = data["start"], data["end"], data["quote"] or None
    text = reviewed.document.text

    def action() -> Change:
        begin, finish = start, end
        if request.htmx:
            begin, finish = selection_span(text=text, start=start, end=end, quote=quote)
        gold = gold_create(
            project=reviewed.project,
            document=reviewed.document,
            reviewer=request.user,
            label=reviewed.label_named(data["label"]),
            start=begin,
            end=finish,
            quote=text[begin:finish] if request.htmx else quote,
            replace=_replace(request),
        )
        return Change(
            gettext("Added gold %(label)s on «%(quote)s».")
            % {"label": label_words(gold.label), "quote": short_quote(gold.quote)},
            ranges=[(gold.start, gold.end)],
            added=[gold.pk],
            selected=gold.pk,
        )

    return _answer(request, reviewed, action, anchor=request.POST.get("anchor") or "gold")


def _gold(reviewed: Reviewed, gold_id: int) -> GoldAnnotation:
    return get_object_or_404(
        GoldAnnotation.objects.select_related("label", "project", "document"),
        pk=gold_id,
        project=reviewed.project,
        document=reviewed.document,
    )


@login_required
@require_POST
def gold_edit(request: SignedInRequest, slug: str, document_id: int, gold_id: int) -> HttpResponse:
    """Change a gold span: POST ``label`` (its name), ``start`` and ``end``."""
    reviewed = _reviewed_document(request, slug, document_id)
    gold = _gold(reviewed, gold_id)
    form = _span_form(request, reviewed)
    if not form.is_valid():
        return _bad_request(request, reviewed, form_errors(form))
    data = form.cleaned_data
    old = (gold.start, gold.end)

    def action() -> Change:
        label = reviewed.label_named(data["label"])
        gold_update(
            gold=gold,
            reviewer=request.user,
            label=label,
            no_label=label is None,
            start=data["start"],
            end=data["end"],
            quote=data["quote"] or None,
            replace=_replace(request),
        )
        return Change(
            gettext("Changed gold span to %(label)s on «%(quote)s».")
            % {"label": label_words(gold.label), "quote": short_quote(gold.quote)},
            ranges=[old, (gold.start, gold.end)],
            changed=[gold.pk],
            selected=gold.pk,
        )

    return _answer(request, reviewed, action)


@login_required
@require_POST
def gold_remove(
    request: SignedInRequest, slug: str, document_id: int, gold_id: int
) -> HttpResponse:
    """Remove a gold span (undo brings it back)."""
    reviewed = _reviewed_document(request, slug, document_id)
    gold = _gold(reviewed, gold_id)

    def action() -> Change:
        snapshot = gold_delete(gold=gold, reviewer=request.user)
        return Change(
            gettext("Removed gold “%(label)s” on «%(quote)s». Press u to undo.")
            % {"label": snapshot["label"], "quote": short_quote(snapshot["quote"])},
            ranges=[(snapshot["start"], snapshot["end"])],
            removed=[snapshot["id"]],
        )

    return _answer(request, reviewed, action)


@login_required
@require_POST
def undo(request: SignedInRequest, slug: str, document_id: int) -> HttpResponse:
    """Undo the reviewer's latest gold action on this document."""
    reviewed = _reviewed_document(request, slug, document_id)

    def action() -> Change:
        outcome = gold_undo(
            project=reviewed.project, document=reviewed.document, reviewer=request.user
        )
        back = [*outcome.added, *outcome.changed]
        return Change(
            outcome.message,
            ranges=outcome.ranges,
            added=outcome.added,
            changed=outcome.changed,
            removed=outcome.removed,
            selected=back[0] if len(back) == 1 else None,
        )

    return _answer(request, reviewed, action)


@login_required
@require_POST
def reviewed(request: SignedInRequest, slug: str, document_id: int) -> HttpResponse:
    """Mark the document reviewed (``reviewed=1``) or not (``reviewed=0``)."""
    target = _reviewed_document(request, slug, document_id)
    done = request.POST.get("reviewed") == "1"
    link = document_mark_reviewed(
        project=target.project, document=target.document, reviewer=request.user, reviewed=done
    )
    message = "Marked reviewed." if done else "Marked not reviewed."
    if not request.htmx:
        messages.success(request, message)
        return _back(target)
    return render(
        request,
        "review/review.html#reviewed-changed",
        {"project": target.project, "document": target.document, "link": link, "message": message},
    )
