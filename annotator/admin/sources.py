"""The sources admin: outlets with their document and annotation totals, and the
merge of sources that turn out to be one outlet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from django.contrib import admin, messages
from django.db.models import Count
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from annotator.admin.actions import ActionPageMixin
from annotator.admin.base import changelist_url, count_of, counted
from annotator.admin.forms import SourceMergeForm, count_noun
from annotator.corpus.sources import SourceMergeRejected, source_merge
from annotator.models import Annotation, Document, Source

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class SourceCounts(TypedDict):
    """What the source changelist's query adds to each source."""

    document_count: int
    annotation_count: int


@admin.register(Source)
class SourceAdmin(ActionPageMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "kind",
        "country",
        "language",
        "documents_column",
        "annotations_column",
        "created_at",
    )
    list_filter = ("kind", "country", "language")
    search_fields = ("name", "url", "description")
    date_hierarchy = "created_at"
    readonly_fields = ("documents_summary", "annotation_totals", "created_at")
    fields = (
        "name",
        "kind",
        "url",
        "country",
        "language",
        "description",
        "documents_summary",
        "annotation_totals",
        "created_at",
    )
    actions = ("merge_sources",)

    documents_column = counted("documents", "document_count")
    annotations_column = counted("annotations", "annotation_count")

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .annotate(
                document_count=count_of(Document, "source"),
                annotation_count=count_of(Annotation, "document__source"),
            )
        )

    @admin.display(description=_("documents"))
    def documents_summary(self, obj: WithAnnotations[Source, SourceCounts]) -> str:
        if obj.pk is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            changelist_url(Document, source__id__exact=obj.pk),
            count_noun(obj.document_count, "document"),
        )

    @admin.display(description=_("annotation totals"))
    def annotation_totals(self, obj: WithAnnotations[Source, SourceCounts]) -> str:
        if obj.pk is None:
            return "—"
        totals = (
            Annotation.objects.filter(document__source=obj)
            .order_by("label__name")
            .values_list("label__name")
            .annotate(n=Count("pk"))
        )
        rows = [
            (changelist_url(Annotation, document__source__id__exact=obj.pk, label=name), name, n)
            for name, n in totals
        ]
        if not rows:
            return gettext("No annotations yet.")
        return format_html(
            "{} in all: {}",
            obj.annotation_count,
            format_html_join(", ", '<a href="{}">{}</a> {}', rows),
        )

    @admin.action(description=_("Merge selected sources (same outlet)…"), permissions=["merge"])
    def merge_sources(self, request: HttpRequest, queryset):
        if queryset.count() < 2:
            self.message_user(request, _("Select at least two sources to merge."), messages.ERROR)
            return None
        form = SourceMergeForm(
            request.POST if "apply" in request.POST else None, sources=queryset.order_by("name")
        )
        if form.is_valid():
            into = form.cleaned_data["into"]
            others = list(queryset.exclude(pk=into.pk))
            try:
                moved = source_merge(into=into, others=others)
            except SourceMergeRejected as exc:
                form.add_error(None, str(exc))
            else:
                names = ", ".join(f"«{other.name}»" for other in others)
                self.message_user(
                    request,
                    gettext("Merged %(names)s into «%(into)s»: %(moved)s moved.")
                    % {"names": names, "into": into.name, "moved": count_noun(moved, "document")},
                    messages.SUCCESS,
                )
                return None
        return self.render_action_page(
            request,
            queryset,
            action="merge_sources",
            form=form,
            title=gettext("Merge sources"),
            intro=gettext(
                "These sources are one outlet. Choose the one to keep: the documents of "
                "the others move to it, their names, URLs and descriptions are kept in its "
                "description, and then the others are deleted."
            ),
            submit_label=gettext("Merge"),
        )

    def has_merge_permission(self, request: HttpRequest) -> bool:
        return self.has_change_permission(request) and self.has_delete_permission(request)
