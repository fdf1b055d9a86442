"""The Suggestions page (reviewers and managers): how good the suggesters are, read
from the stored training records and the annotators' answers, and retraining on demand
(managers; queued for the worker, never run in the web process)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from annotator.access import project_for_reviewer
from annotator.models import Membership
from annotator.suggestions import store
from annotator.suggestions.curve import learning_curve
from annotator.suggestions.selectors import decision_rates
from annotator.suggestions.tasks import retrain_enqueue


@never_cache
@login_required
def suggestions_page(request: HttpRequest, slug: str) -> HttpResponse:
    """``suggestions/page.html``. Context: ``project``, ``membership``, ``latest`` (the
    newest model's summary: evaluation, training data, seed), ``versions`` (every
    version's summary, newest first), ``rates`` (accepts and rejects by agent), ``curve``
    (the learning curve's geometry), ``confusion`` ((label, row) pairs). Two queries (the
    membership, the rates) however many versions, labels and decisions."""
    project, membership = project_for_reviewer(request.user, slug)
    versions = store.summaries(project.slug)
    latest = versions[-1] if versions else None
    curve, confusion = None, []
    if latest:
        evaluation = latest["evaluation"]
        points = evaluation.get("extra", {}).get("learning_curve") or [
            [evaluation["n"], evaluation["macro_f1"]]
        ]
        curve = learning_curve(points, evaluation["baseline_macro_f1"])
        confusion = list(zip(evaluation["labels"], evaluation["confusion"], strict=True))
    return render(
        request,
        "suggestions/page.html",
        {
            "project": project,
            "membership": membership,
            "latest": latest,
            "versions": versions[::-1],
            "rates": decision_rates(project),
            "curve": curve,
            "confusion": confusion,
        },
    )


@login_required
@require_POST
def suggestions_retrain(request: HttpRequest, slug: str) -> HttpResponse:
    """Queue a retraining of the learned suggester now (managers)."""
    project, membership = project_for_reviewer(request.user, slug)
    if membership.role != Membership.Role.MANAGER:
        raise PermissionDenied(gettext("Only managers of this project can retrain."))
    if retrain_enqueue(project=project):
        messages.success(
            request,
            gettext("Retraining queued: the worker trains a new version, then suggests with it."),
        )
    else:
        messages.error(
            request,
            gettext(
                "No background worker is configured, so nothing was queued (training never "
                "runs in the web server): run manage.py train_suggester --project %(slug)s."
            )
            % {"slug": project.slug},
        )
    return redirect("suggestions", slug=project.slug)
