"""The audit trail for managers: a project's history of annotations and gold, and restoring
deletions."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from annotator.access import project_for_manager
from annotator.errors import Rejected
from annotator.history.services import event_changes, event_restore, history_events
from annotator.ids import IdChoiceField, IdField
from annotator.models import Annotation, AnnotationEvent, GoldAnnotation, Project

EVENTS_PER_PAGE = 50


class HistoryFilterForm(forms.Form):
    kind = forms.ChoiceField(
        required=False,
        label=gettext_lazy("Of"),
        choices=[("", "Annotations and gold"), ("annotations", "Annotations"), ("gold", "Gold")],
    )
    action = forms.ChoiceField(
        required=False, choices=[("", gettext_lazy("Any change")), *AnnotationEvent.Action.choices]
    )
    actor = IdChoiceField(
        required=False, queryset=None, empty_label=gettext_lazy("Anyone"), label=gettext_lazy("By")
    )
    annotator = IdChoiceField(
        required=False,
        queryset=None,
        empty_label=gettext_lazy("Any annotator"),
        label=gettext_lazy("Annotation of"),
    )
    document = IdField(required=False, widget=forms.HiddenInput)
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, project: Project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(memberships__project=project).order_by("username")
        cast(forms.ModelChoiceField, self.fields["actor"]).queryset = users
        cast(forms.ModelChoiceField, self.fields["annotator"]).queryset = users

    def filters(self) -> dict:
        """Keyword arguments for ``history_events`` (empty when the form is invalid)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "action": data["action"],
            "actor_id": data["actor"].pk if data["actor"] else None,
            "annotator_id": data["annotator"].pk if data["annotator"] else None,
            "document_id": data["document"],
            "since": data["since"],
            "until": data["until"],
        }


@login_required
def project_history(request: HttpRequest, slug: str) -> HttpResponse:
    """``annotator/history.html``: who changed which annotation when, before and after.

    Context: project, form (filters), page (events), rows (event, changes, annotator,
    restorable: a deletion whose annotation is not back), query (the filters as a query
    string, for the pager links).
    """
    project, _ = project_for_manager(request.user, slug)
    form = HistoryFilterForm(request.GET or None, project=project)
    filters = form.filters() if form.is_bound else {}
    page = Paginator(history_events(project=project, **filters), EVENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    events = list(page.object_list)
    annotator_ids = {(e.before or e.after or {}).get("annotator") for e in events}
    annotators = get_user_model().objects.in_bulk(annotator_ids - {None})
    back = {}  # gold or not -> ids of deleted spans that are back
    for gold, model in ((False, Annotation), (True, GoldAnnotation)):
        deleted = {
            e.annotation_id
            for e in events
            if e.action == AnnotationEvent.Action.DELETE and e.gold == gold
        }
        found = model.objects.filter(pk__in=deleted).values_list("pk", flat=True)
        back[gold] = set(found) if deleted else set()
    rows = [
        {
            "event": event,
            "changes": event_changes(event),
            "annotator": annotators.get((event.before or event.after or {}).get("annotator")),
            "restorable": event.action == AnnotationEvent.Action.DELETE
            and event.annotation_id not in back[event.gold],
        }
        for event in events
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "history/history.html",
        {
            "project": project,
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "document_filter": filters.get("document_id"),
        },
        # Filters not understood (an id no row can have, a date that is none) are shown
        # and ignored; the status says the request was bad.
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
@require_POST
def history_restore(request: HttpRequest, slug: str, event_id: int) -> HttpResponse:
    """Restore the annotation or gold span a delete event removed; back to the history with
    a message."""
    project, _ = project_for_manager(request.user, slug)
    event = get_object_or_404(AnnotationEvent, pk=event_id, project=project)
    try:
        span = event_restore(event=event, actor=request.user)
    except Rejected as exc:
        messages.error(request, str(exc))
    else:
        quote = Truncator(span.quote).chars(60)
        what = (
            gettext("gold %(label)s") % {"label": span.label_name}
            if isinstance(span, GoldAnnotation)
            else span.label.name
        )
        messages.success(
            request,
            gettext("Restored “%(quote)s” (%(label)s) in %(document)s.")
            % {"quote": quote, "label": what, "document": event.document},
        )
    history = reverse("project_history", kwargs={"slug": project.slug})
    query = request.GET.urlencode()
    return redirect(f"{history}?{query}" if query else history)
