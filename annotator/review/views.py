"""Review mode: a reviewer adjudicates a document into gold annotations.

Every write goes through ``annotator.review.services`` and answers with a redirect back to
the document (at the sentence concerned) and a message; annotators' own annotations are
only read here.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from annotator.access import project_for_reviewer
from annotator.ids import parse_id
from annotator.models import Annotation, Document, GoldAnnotation, Project, ProjectDocument
from annotator.reports.agreement import project_agreement
from annotator.reports.forms import GoldSpanForm, MajorityForm, form_errors
from annotator.review.selectors import document_votes
from annotator.review.services import (
    GoldRejected,
    document_mark_reviewed,
    gold_accept,
    gold_accept_majority,
    gold_create,
    gold_delete,
    gold_update,
)
from annotator.text.layout import Layout, Span
from annotator.workspace.selectors import label_version


def short(text: str) -> str:
    return Truncator(text).chars(60)


def _reviewed_document(request: HttpRequest, slug: str, document_id: int):
    project, _ = project_for_reviewer(request.user, slug)
    link = get_object_or_404(
        ProjectDocument.objects.select_related("document__source", "reviewed_by"),
        project=project,
        document_id=document_id,
    )
    return project, link.document, link


def _back(project: Project, document: Document, anchor: str = "") -> HttpResponseRedirect:
    url = reverse("review", args=[project.slug, document.pk])
    return HttpResponseRedirect(f"{url}#{anchor}" if anchor else url)


def _label_choices(project: Project) -> list[tuple[str, str]]:
    return list(project.labels.in_display_order().values_list("name", "title"))


@login_required
def review(request: HttpRequest, slug: str, document_id: int) -> HttpResponse:
    """``annotator/review.html``: every annotator's labels, sentence by sentence, and gold."""
    project, document, link = _reviewed_document(request, slug, document_id)
    votes = document_votes(project, document)
    labels = {label.pk: label for label in project.labels.in_display_order()}
    annotations = list(
        Annotation.objects.filter(project=project, document=document)
        .select_related("annotator", "label")
        .order_by("annotator__username", "start", "end")
    )
    gold = list(
        GoldAnnotation.objects.filter(project=project, document=document)
        .select_related("label", "reviewer")
        .order_by("start", "end")
    )
    in_gold = {(g.label_id, g.start, g.end) for g in gold}
    by_annotator: dict[str, list] = {name: [] for _, name in votes.annotators}
    for annotation in annotations:
        # ``in_gold`` and ``form`` (below) are for the template only, not model fields.
        annotation.in_gold = (  # type: ignore[attr-defined]
            (annotation.label_id, annotation.start, annotation.end) in in_gold
        )
        by_annotator.setdefault(annotation.annotator.username, []).append(annotation)
    rows = [
        {
            "sentence": sentence,
            "text": document.text[sentence.start : sentence.end],
            "labels": [labels.get(label_id) for label_id in sentence.labels],
            "gold": labels.get(sentence.gold),
            "suggested": labels.get(sentence.suggestion()),
        }
        for sentence in votes.sentences
    ]
    layout = Layout(document.text, [(s.start, s.end, s.index) for s in votes.sentences])
    style = {name: i for i, (_, name) in enumerate(votes.annotators)}
    text_html = layout.render(
        Span(a.pk, a.start, a.end, a.label_id, style.get(a.annotator.username, 0))
        for a in annotations
    )
    gold_html = layout.render(Span(g.pk, g.start, g.end, g.label_id, "gold") for g in gold)
    report = project_agreement(project, document_ids=[document.pk], disagreement_limit=0)
    label_choices = _label_choices(project)
    for g in gold:
        g.form = GoldSpanForm(  # type: ignore[attr-defined]
            initial={"label": g.label.name, "start": g.start, "end": g.end},
            labels=label_choices,
            auto_id=f"gold{g.pk}_%s",
        )
    return render(
        request,
        "review/review.html",
        {
            "project": project,
            "document": document,
            "link": link,
            "annotators": [name for _, name in votes.annotators],
            "rows": rows,
            "by_annotator": by_annotator,
            "gold": gold,
            "labels": list(labels.values()),
            "label_version": label_version(labels.values()),
            "text_html": text_html,
            "gold_html": gold_html,
            "disagree": " ".join(str(s.index) for s in votes.sentences if s.status == "disagree"),
            "report": report,
            "add_form": GoldSpanForm(labels=label_choices, auto_id="add_%s"),
            "majority_form": MajorityForm(),
        },
    )


def _attempt(request: HttpRequest, action: Callable[[], str]) -> None:
    """Run a gold write; its success text, or the refusal, becomes the page's message."""
    try:
        messages.success(request, action())
    except GoldRejected as exc:
        messages.error(request, str(exc))


@login_required
@require_POST
def accept(request: HttpRequest, slug: str, document_id: int) -> HttpResponse:
    project, document, _ = _reviewed_document(request, slug, document_id)
    annotation_id = parse_id(request.POST.get("annotation"))
    if annotation_id is None:
        raise Http404(gettext("No such annotation."))
    annotation = get_object_or_404(
        Annotation.objects.select_related("label", "project", "document", "annotator"),
        pk=annotation_id,
        project=project,
        document=document,
    )

    def action() -> str:
        gold_accept(annotation=annotation, reviewer=request.user)
        return gettext("Accepted %(annotator)s's %(label)s span as gold.") % {
            "annotator": annotation.annotator.username,
            "label": annotation.label.name,
        }

    _attempt(request, action)
    return _back(project, document, "gold")


@login_required
@require_POST
def majority(request: HttpRequest, slug: str, document_id: int) -> HttpResponse:
    project, document, _ = _reviewed_document(request, slug, document_id)
    form = MajorityForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return _back(project, document)

    def action() -> str:
        created = gold_accept_majority(
            project=project,
            document=document,
            reviewer=request.user,
            min_agree=form.cleaned_data["min_agree"],
        )
        k = form.cleaned_data["min_agree"]
        if not created:
            return gettext(
                "No sentence without gold has a majority of at least %(k)d annotators."
            ) % {"k": k}
        return gettext("Accepted the majority label for %(n)d sentence(s) as gold.") % {
            "n": len(created)
        }

    _attempt(request, action)
    return _back(project, document, "gold")


def _span_form(request: HttpRequest, project: Project) -> tuple[GoldSpanForm, dict | None]:
    form = GoldSpanForm(request.POST, labels=_label_choices(project))
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return form, None
    data = form.cleaned_data
    return form, {
        "label": project.labels.get(name=data["label"]),
        "start": data["start"],
        "end": data["end"],
        "quote": data["quote"] or None,
    }


@login_required
@require_POST
def gold_add(request: HttpRequest, slug: str, document_id: int) -> HttpResponse:
    project, document, _ = _reviewed_document(request, slug, document_id)
    _, span = _span_form(request, project)
    if span is not None:

        def action() -> str:
            gold = gold_create(project=project, document=document, reviewer=request.user, **span)
            return gettext("Added gold %(label)s on «%(quote)s».") % {
                "label": gold.label.name,
                "quote": short(gold.quote),
            }

        _attempt(request, action)
    return _back(project, document, request.POST.get("anchor") or "gold")


def _gold(project: Project, document: Document, gold_id: int) -> GoldAnnotation:
    return get_object_or_404(
        GoldAnnotation.objects.select_related("label", "project", "document"),
        pk=gold_id,
        project=project,
        document=document,
    )


@login_required
@require_POST
def gold_edit(request: HttpRequest, slug: str, document_id: int, gold_id: int) -> HttpResponse:
    project, document, _ = _reviewed_document(request, slug, document_id)
    gold = _gold(project, document, gold_id)
    _, span = _span_form(request, project)
    if span is not None:

        def action() -> str:
            gold_update(gold=gold, reviewer=request.user, **span)
            return gettext("Changed gold span to %(label)s on «%(quote)s».") % {
                "label": gold.label.name,
                "quote": short(gold.quote),
            }

        _attempt(request, action)
    return _back(project, document, "gold")


@login_required
@require_POST
def gold_remove(request: HttpRequest, slug: str, document_id: int, gold_id: int) -> HttpResponse:
    project, document, _ = _reviewed_document(request, slug, document_id)
    gold = _gold(project, document, gold_id)
    gold_delete(gold=gold)
    messages.success(
        request,
        gettext("Removed gold %(label)s on «%(quote)s».")
        % {"label": gold.label.name, "quote": short(gold.quote)},
    )
    return _back(project, document, "gold")


@login_required
@require_POST
def reviewed(request: HttpRequest, slug: str, document_id: int) -> HttpResponse:
    project, document, _ = _reviewed_document(request, slug, document_id)
    done = request.POST.get("reviewed") == "1"
    document_mark_reviewed(project=project, document=document, reviewer=request.user, reviewed=done)
    messages.success(
        request, gettext("Marked reviewed.") if done else gettext("Marked not reviewed.")
    )
    return _back(project, document)
