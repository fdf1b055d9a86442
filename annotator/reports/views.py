"""Source profiles and agreement: what the labels say about sources, and how far to trust them.

Reviewers and managers only (``access.project_for_reviewer``): these pages show every
annotator's work, and annotators label blind.
"""

from __future__ import annotations

from dataclasses import replace
from typing import cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext

from annotator.access import project_for_reviewer, reviewable_projects, source_for_reviewer
from annotator.corpus.stories import project_stories
from annotator.models import Membership, Project, Story
from annotator.reports.agreement import project_agreement
from annotator.reports.charts import month_chart, profile_chart
from annotator.reports.forms import ProfileFilterForm
from annotator.reports.profiles import (
    ProfileFilter,
    label_infos,
    source_detail,
    source_documents,
    source_profiles,
    sources_in_scope,
)
from annotator.reports.voices import source_voices


def _filters(request: HttpRequest) -> tuple[Project, ProfileFilterForm, ProfileFilter | None]:
    """The chosen project (default: the first the user reviews), the form, the filter."""
    projects = list(reviewable_projects(request.user))
    if not projects:
        raise PermissionDenied("Source profiles are for reviewers and managers of a project.")
    slug = request.GET.get("project") or projects[0].slug
    project, _ = project_for_reviewer(request.user, slug)
    annotators = list(
        Membership.objects.filter(project=project)
        .order_by("user__username")
        .values_list("user_id", "user__username")
    )
    data = request.GET.copy()
    data["project"] = project.slug
    form = ProfileFilterForm(
        data, projects=projects, annotators=annotators, stories=project_stories(project)
    )
    if not form.is_valid():
        return project, form, None
    return (
        project,
        form,
        ProfileFilter(
            project=project,
            date_from=form.cleaned_data["date_from"],
            date_to=form.cleaned_data["date_to"],
            annotator_id=form.annotator_id(),
            annotator_name=form.cleaned_data["annotator"] or None,
            story_id=form.cleaned_data["story"],
        ),
    )


DOCUMENTS_LISTED = 20  # per source on the Sources page; its own page lists them all
DOCUMENTS_PER_PAGE = 100  # on a source's page, in pages


@login_required
def sources(request: HttpRequest) -> HttpResponse:
    """``annotator/sources.html``: every source's profile, as charts and tables."""
    project, form, profile_filter = _filters(request)
    context = {"project": project, "form": form, "query": request.GET.urlencode()}
    if profile_filter is None:
        return render(request, "reports/sources.html", context, status=400)
    labels = label_infos(project)
    sources = sources_in_scope(profile_filter)  # read once, for the profiles and the voices
    profiles = source_profiles(profile_filter, labels, sources)
    if profile_filter.story_id:
        context["story"] = Story.objects.get(pk=profile_filter.story_id)
    query = context["query"] or f"project={project.slug}"
    source_ids = [cast(int, p.key) for p in profiles]  # a source's profile is keyed by its id
    documents = source_documents(profile_filter, source_ids, limit=DOCUMENTS_LISTED)

    def documents_of(profile) -> list[tuple[str, str]]:
        return [
            (title or f"Document {doc_id}", reverse("review", args=[project.slug, doc_id]))
            for doc_id, title in documents.get(profile.key, [])
        ]

    def url_for(profile) -> str:
        return f"{reverse('source', args=[profile.key])}?{query}"

    context["charts"] = [
        profile_chart(
            chart_id=f"sources-{measure}",
            title=title,
            profiles=profiles,
            measure=measure,
            labels=labels,
            url_for=url_for,
            details_for=documents_of if list_documents else None,
        )
        for measure, title, list_documents in (
            ("sentences", gettext("Share of labelled sentences"), True),
            ("characters", gettext("Share of annotated characters"), False),
        )
    ]
    context["labels"] = labels
    voices = source_voices(profile_filter, labels, sources)
    context["voice_rows"] = [(p.name, voices[cast(int, p.key)]) for p in profiles]
    return render(request, "reports/sources.html", context)


@login_required
def source(request: HttpRequest, source_id: int) -> HttpResponse:
    """``annotator/source.html``: one source's profile, per document, per annotator."""
    project, form, profile_filter = _filters(request)
    found = source_for_reviewer(request.user, source_id)
    context = {"project": project, "form": form, "source": found}
    if profile_filter is None:
        return render(request, "reports/source.html", context, status=400)
    labels = label_infos(project)
    scope = replace(profile_filter, source_id=found.pk)
    sources = sources_in_scope(scope)  # read once, for the profile and the voice
    detail = source_detail(scope, labels, sources=sources)
    documents = Paginator(detail.documents, DOCUMENTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)

    def review_url(profile) -> str:
        return reverse("review", args=[project.slug, profile.key])

    whole = [detail.profile] if detail.profile else []
    voices = source_voices(scope, labels, sources)
    context.update(
        voice=voices[found.pk],
        voice_rows=[(found.name, voices[found.pk])],
        detail=detail,
        labels=labels,
        documents=documents,
        query=query.urlencode(),
        charts=[
            profile_chart(
                chart_id=f"source-{measure}",
                title=title,
                profiles=whole,
                measure=measure,
                labels=labels,
            )
            for measure, title in (
                ("sentences", gettext("Share of labelled sentences")),
                ("characters", gettext("Share of annotated characters")),
            )
        ],
        month_chart=month_chart(
            chart_id="months",
            title=gettext("Per month, share of labelled sentences"),
            months=detail.months,
            labels=labels,
        ),
        document_chart=profile_chart(
            chart_id="documents",
            title=gettext("Per document, share of labelled sentences"),
            profiles=documents.object_list,
            measure="sentences",
            labels=labels,
            url_for=review_url,
        ),
        annotator_chart=profile_chart(
            chart_id="annotators",
            title=gettext("Per annotator (their own labels), share of labelled sentences"),
            profiles=detail.annotators,
            measure="sentences",
            labels=labels,
        ),
    )
    return render(request, "reports/source.html", context)


@login_required
def agreement(request: HttpRequest, slug: str) -> HttpResponse:
    """``annotator/agreement.html``: the project's agreement figures and disagreements."""
    project, _ = project_for_reviewer(request.user, slug)
    report = project_agreement(project, disagreement_limit=100)
    return render(request, "reports/agreement.html", {"project": project, "report": report})
