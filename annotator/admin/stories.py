"""The stories admin: documents of several outlets grouped by the event they cover, and
the page that suggests such groups from dates and shared names.

A story's page links to the Sources page of each project holding its documents,
filtered to the story: its outlets side by side.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from annotator.admin.base import count_of, counted
from annotator.admin.forms import count_noun
from annotator.corpus.stories import (
    DAYS,
    MIN_SHARED,
    StoryRejected,
    stories_suggest,
    story_from_suggestion,
)
from annotator.models import Document, Project, Story


def stories(n: int) -> str:
    return count_noun(n, "story")


class SuggestStoriesForm(forms.Form):
    project = forms.ModelChoiceField(
        Project.objects.order_by("name"),
        required=False,
        empty_label=_("Every document"),
        help_text=_("Suggest among this project's documents only."),
    )
    days = forms.IntegerField(
        min_value=0,
        max_value=60,
        initial=DAYS,
        label=_("Days apart"),
        help_text=_("Documents published at most this many days apart can be one story."),
    )
    min_shared = forms.IntegerField(
        min_value=1,
        max_value=20,
        initial=MIN_SHARED,
        label=_("Shared names"),
        help_text=_(
            "How many names (capitalised words: people, places, organisations) "
            "two documents must both mention."
        ),
    )


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ("name", "date_from", "date_to", "documents_column", "outlets_column")
    search_fields = ("name", "description")
    date_hierarchy = "date_from"
    autocomplete_fields = ("documents",)
    fields = ("name", "description", "date_from", "date_to", "documents", "compare", "created_at")
    readonly_fields = ("compare", "created_at")
    change_list_template = "admin/annotator/story/change_list.html"

    documents_column = counted("documents", "document_count")
    outlets_column = counted("outlets", "outlet_count")

    def get_queryset(self, request: HttpRequest):
        outlets = (
            Document.objects.filter(stories=OuterRef("pk"))
            .order_by()
            .values("stories")
            .annotate(n=Count("source", distinct=True))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                document_count=count_of(Story.documents.through, "story"),
                outlet_count=Coalesce(Subquery(outlets), 0),
            )
        )

    @admin.display(description=_("compare its outlets"))
    def compare(self, obj: Story) -> str:
        if obj.pk is None:
            return "—"
        projects = (
            Project.objects.filter(project_documents__document__stories=obj)
            .distinct()
            .order_by("name")
            .values_list("slug", "name")
        )
        links = [
            (f"{reverse('sources')}?{urlencode({'project': slug, 'story': str(obj.pk)})}", name)
            for slug, name in projects
        ]
        if not links:
            return gettext("Its documents are in no project yet.")
        return format_html_join(", ", '<a href="{}">Sources of {}</a>', links)

    def get_urls(self):
        suggest = self.admin_site.admin_view(self.suggest_view)
        return [
            path("suggest/", suggest, name="annotator_story_suggest"),
            *super().get_urls(),
        ]

    def suggest_view(self, request: HttpRequest) -> HttpResponse:
        """``admin/annotator/story/suggest.html``: groups of documents that look like one
        story; the manager ticks the ones to create (the same parameters suggest the same
        groups again on POST, so only the choice is sent)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        data = request.POST if request.method == "POST" else request.GET
        form = SuggestStoriesForm(data if "days" in data else None)
        suggestions = None
        if form.is_bound and form.is_valid():
            suggestions = stories_suggest(
                project=form.cleaned_data["project"],
                days=form.cleaned_data["days"],
                min_shared=form.cleaned_data["min_shared"],
            )
        if request.method == "POST" and suggestions is not None:
            chosen = {int(i) for i in request.POST.getlist("chosen") if i.isdigit()}
            created, refused = [], []
            for index, suggestion in enumerate(suggestions):
                if index not in chosen:
                    continue
                try:
                    created.append(story_from_suggestion(suggestion))
                except StoryRejected as exc:
                    refused.append(str(exc))
            if created:
                names = ", ".join(f"«{story.name}»" for story in created)
                self.message_user(
                    request,
                    gettext("Created %(stories)s: %(names)s.")
                    % {"stories": stories(len(created)), "names": names},
                )
            for message in refused:
                self.message_user(request, message, messages.ERROR)
            if not created and not refused:
                self.message_user(request, _("Tick the stories to create."), messages.WARNING)
            return redirect("admin:annotator_story_changelist")
        titles = {}
        if suggestions:
            ids = [pk for s in suggestions for pk in s.document_ids]
            titles = {
                pk: f"{title or f'Document {pk}'} ({source}, {published_on:%Y-%m-%d})"
                for pk, title, source, published_on in Document.objects.filter(
                    id__in=ids
                ).values_list("id", "title", "source__name", "published_on")
            }
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Suggest stories"),
            "form": form,
            "suggestions": [
                (index, suggestion, [titles[pk] for pk in suggestion.document_ids])
                for index, suggestion in enumerate(suggestions or [])
            ],
            "searched": suggestions is not None,
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/annotator/story/suggest.html", context)
