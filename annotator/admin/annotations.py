"""The annotations admin: annotators' and gold spans (label and note editable,
changes through the annotation service so the audit trail records them), and
the audit trail itself, read-only.
"""

from __future__ import annotations

from typing import ClassVar, cast

from django.contrib import admin
from django.db import transaction
from django.forms import ModelChoiceField
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from annotator.admin.base import DocumentTitlesMixin, ReadOnlyAdmin
from annotator.admin.forms import SpanAdminForm
from annotator.ids import parse_id
from annotator.models import Annotation, AnnotationEvent, GoldAnnotation, Label
from annotator.workspace.annotations import annotation_delete, annotation_update


class LabelNameFilter(admin.SimpleListFilter):
    """Labels by name across projects (each project has its own «fact»)."""

    title = _("label")
    parameter_name = "label"

    def lookups(self, request, model_admin):
        labels = Label.objects.order_by("name")
        project_id = parse_id(request.GET.get("project__id__exact"))
        if project_id:
            labels = labels.filter(project_id=project_id)
        return [(name, name) for name in labels.values_list("name", flat=True).distinct()]

    def queryset(self, request, queryset):
        return queryset.filter(label__name=self.value()) if self.value() else queryset


class SpanAdmin(DocumentTitlesMixin, admin.ModelAdmin):
    """Shared by annotators' and gold spans: offsets are fixed, label and note editable."""

    form = SpanAdminForm
    # Typed as tuples of any length: the subclasses add to them.
    list_select_related: ClassVar[tuple[str, ...]] = (
        "project",
        "document",
        "document__source",
        "label",
    )
    search_fields: ClassVar[tuple[str, ...]] = ("quote", "note", "document__title")
    date_hierarchy = "created_at"
    show_full_result_count = False
    readonly_fields: ClassVar[tuple[str, ...]] = (
        *("project", "document", "start", "end", "quote", "created_at", "updated_at"),
        # Whose voice: set in the workspace and in review, where the cue can be selected.
        *("holder_kind", "holder", "cue_start", "cue_end"),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # spans are made in the workspace, where offsets come from a selection

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None and "label" in form.base_fields:
            labels = cast(ModelChoiceField, form.base_fields["label"])
            labels.queryset = Label.objects.filter(project_id=obj.project_id)
        return form

    @admin.display(description=_("quote"), ordering="quote")
    def quote_column(self, obj) -> str:
        return format_html('<span title="{}">{}</span>', obj.quote, Truncator(obj.quote).chars(80))

    @admin.display(description=_("source"), ordering="document__source__name")
    def source_column(self, obj) -> str:
        return obj.document.source.name


@admin.register(Annotation)
class AnnotationAdmin(SpanAdmin):
    list_display = (
        "quote_column",
        "label",
        "annotator",
        "document",
        "source_column",
        "project",
        "start",
        "end",
        "updated_at",
    )
    list_filter = (
        "project",
        "document__source",
        LabelNameFilter,
        "annotator",
        "created_at",
    )
    list_select_related = (*SpanAdmin.list_select_related, "annotator")
    search_fields = (*SpanAdmin.search_fields, "annotator__username")
    fields = (
        "project",
        "document",
        "annotator",
        "label",
        "start",
        "end",
        "quote",
        "note",
        "holder_kind",
        "holder",
        "cue_start",
        "cue_end",
        "created_at",
        "updated_at",
        "history",
    )
    readonly_fields = (*SpanAdmin.readonly_fields, "annotator", "history")

    @admin.display(description=_("history"))
    def history(self, obj: Annotation) -> str:
        events = AnnotationEvent.objects.filter(annotation_id=obj.pk, gold=False).select_related(
            "actor"
        )
        return render_to_string("admin/annotator/annotation/history.html", {"events": events})

    def save_model(self, request, obj: Annotation, form, change: bool) -> None:
        """Changes go through the annotation service, so the audit trail records them."""
        stored = Annotation.objects.select_related("project", "document", "label").get(pk=obj.pk)
        annotation_update(annotation=stored, actor=request.user, label=obj.label, note=obj.note)

    def delete_model(self, request, obj: Annotation) -> None:
        annotation_delete(annotation=obj, actor=request.user)

    @transaction.atomic
    def delete_queryset(self, request, queryset) -> None:
        for annotation in queryset.select_related("label"):
            annotation_delete(annotation=annotation, actor=request.user)


@admin.register(GoldAnnotation)
class GoldAnnotationAdmin(SpanAdmin):
    list_display = (
        "quote_column",
        "label",
        "reviewer",
        "document",
        "source_column",
        "project",
        "start",
        "end",
        "updated_at",
    )
    list_filter = ("project", "document__source", LabelNameFilter, "reviewer", "created_at")
    list_select_related = (*SpanAdmin.list_select_related, "reviewer")
    readonly_fields = (*SpanAdmin.readonly_fields, "reviewer", "accepted_from")


@admin.register(AnnotationEvent)
class AnnotationEventAdmin(DocumentTitlesMixin, ReadOnlyAdmin):
    list_display = (
        "at",
        "action",
        "annotation_id",
        "change_summary",
        "actor",
        "document",
        "project",
    )
    list_filter = ("action", "project", "actor")
    list_select_related = ("actor", "document", "project")
    search_fields = ("=annotation_id", "actor__username", "document__title")
    date_hierarchy = "at"
    show_full_result_count = False

    @admin.display(description=_("change"))
    def change_summary(self, obj: AnnotationEvent) -> str:
        return event_change(obj)


def event_change(event: AnnotationEvent) -> str:
    """«fact [3:9] "Токаев"», or «fact → opinion …» for a change."""

    def describe(snapshot: dict | None) -> str:
        if not snapshot:
            return ""
        quote = Truncator(snapshot.get("quote", "")).chars(60)
        return f"{snapshot.get('label')} [{snapshot.get('start')}:{snapshot.get('end')}] «{quote}»"

    before, after = describe(event.before), describe(event.after)
    if before and after:
        return before if before == after else f"{before} → {after}"
    return before or after
