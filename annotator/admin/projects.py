"""The projects admin: projects with their labels and members, and the rows that
tie documents and people to a project (assignments, progress, memberships).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminTextareaWidget
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from annotator.admin.base import DocumentTitlesMixin, count_of, counted
from annotator.admin.forms import ColorInput, LabelInlineFormSet
from annotator.models import (
    Annotation,
    Assignment,
    DocumentProgress,
    Label,
    Membership,
    Project,
    ProjectDocument,
)
from annotator.suggestions.tasks import holders_enqueue, runs_in_a_worker
from annotator.workspace.guidelines import guidelines_html


class LabelInline(admin.TabularInline):
    model = Label
    formset = LabelInlineFormSet
    extra = 0
    fields = ("swatch", "name", "title", "color", "hotkey", "order", "neutral", "description")
    readonly_fields = ("swatch",)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "color":
            kwargs["widget"] = ColorInput
        elif db_field.name == "description":
            kwargs["widget"] = AdminTextareaWidget(attrs={"rows": 2, "cols": 40})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="")
    def swatch(self, obj: Label) -> str:
        return label_swatch(obj)


def label_swatch(label: Label) -> str:
    if not label.color:
        return ""
    return format_html(
        '<svg class="swatch" width="18" height="18" viewBox="0 0 18 18" role="img" '
        'aria-label="{}"><rect width="18" height="18" rx="3" fill="{}"/></svg>',
        label.color,
        label.color,
    )


class MembershipsInline(admin.TabularInline):
    """Memberships made: the person or project is shown by name, the role stays editable.

    New memberships come in a second inline with an autocomplete; keeping the two
    apart spares the page one query per row for the autocomplete's current value.
    """

    model = Membership
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("user", "project")


class NewMembershipsInline(admin.TabularInline):
    model = Membership
    extra = 0

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).none()


class ProjectMembersInline(MembershipsInline):
    fields = ("user", "role", "suggestions", "joined_at")
    readonly_fields = ("user", "joined_at")
    verbose_name_plural = "members"


class ProjectNewMembersInline(NewMembershipsInline):
    fields = ("user", "role", "suggestions")
    autocomplete_fields = ("user",)
    verbose_name = "member"
    verbose_name_plural = "add members"


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "slug",
        "members_column",
        "documents_column",
        "annotations_column",
        "created_at",
    )
    search_fields = ("name", "slug", "description")
    date_hierarchy = "created_at"
    list_filter = ("show_all_annotations",)
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("guidelines_preview", "created_at")
    actions = ("suggest_holders",)
    fieldsets = (
        (None, {"fields": ("name", "slug", "description", "language", "show_all_annotations")}),
        (
            _("Guidelines"),
            {
                "fields": ("guidelines", "guidelines_preview"),
                "description": _("Markdown; the preview follows as you type."),
            },
        ),
        (
            _("Suggestions"),
            {"fields": ("suggestions_enabled", "suggestion_threshold", "retrain_every")},
        ),
    )

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        """A new project's language (of its default labels) is its creator's."""
        initial = super().get_changeform_initial_data(request)
        language = translation.get_language()
        if language in dict(settings.LANGUAGES):
            initial.setdefault("language", language)
        return initial

    members_column = counted("members", "member_count")
    documents_column = counted("documents", "document_count")
    annotations_column = counted("annotations", "annotation_count")

    class Media:
        css = {"all": ("annotator/admin/admin.css",)}
        js = ("annotator/admin/guidelines-preview.js",)

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .annotate(
                member_count=count_of(Membership, "project"),
                document_count=count_of(ProjectDocument, "project"),
                annotation_count=count_of(Annotation, "project"),
            )
        )

    @admin.action(description=gettext_lazy("Suggest holders (background job)"))
    def suggest_holders(self, request: HttpRequest, queryset) -> None:
        """Queue the holders suggester for every document of the chosen projects: it
        runs in the task worker, never in this web process."""
        if not runs_in_a_worker():
            self.message_user(
                request,
                gettext(
                    "No task worker is configured: run “manage.py suggest --project SLUG "
                    "--agent holders” instead."
                ),
                messages.WARNING,
            )
            return
        for project in queryset:
            holders_enqueue(project=project)
        self.message_user(
            request,
            ngettext(
                "Holders queued for %(count)d project.",
                "Holders queued for %(count)d projects.",
                len(queryset),
            )
            % {"count": len(queryset)},
        )

    def get_inlines(self, request: HttpRequest, obj):
        # A new project starts with the default labels (see Label.create_defaults);
        # they are edited once it exists.
        if obj is None:
            return (ProjectNewMembersInline,)
        return (LabelInline, ProjectNewMembersInline, ProjectMembersInline)

    def get_urls(self):
        preview = self.admin_site.admin_view(self.guidelines_preview_view)
        return [
            path("guidelines-preview/", preview, name="annotator_project_guidelines_preview"),
            *super().get_urls(),
        ]

    @admin.display(description=_("preview"))
    def guidelines_preview(self, obj: Project) -> str:
        return format_html(
            '<div id="guidelines-preview" class="guidelines-preview" data-url="{}">{}</div>',
            reverse("admin:annotator_project_guidelines_preview"),
            guidelines_html(obj.guidelines if obj else ""),
        )

    @method_decorator(require_POST)
    def guidelines_preview_view(self, request: HttpRequest) -> HttpResponse:
        """The guidelines markdown of the POST, rendered and sanitised."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        return HttpResponse(guidelines_html(request.POST.get("guidelines", "")))


@admin.register(ProjectDocument)
class ProjectDocumentAdmin(DocumentTitlesMixin, admin.ModelAdmin):
    list_display = ("document", "project", "added_at", "reviewed_at", "reviewed_by")
    list_filter = ("project", ("reviewed_at", admin.EmptyFieldListFilter))
    list_select_related = ("document", "project", "reviewed_by")
    search_fields = ("document__title", "project__name")
    date_hierarchy = "added_at"
    autocomplete_fields = ("project", "document", "reviewed_by")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "project", "role", "joined_at")
    list_filter = ("role", "project")
    list_select_related = ("user", "project")
    search_fields = ("user__username", "user__email", "project__name")
    date_hierarchy = "joined_at"
    autocomplete_fields = ("user", "project")


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    list_display = (
        *("title", "swatch", "name", "project", "hotkey", "order", "neutral"),
        "annotations_column",
    )
    list_filter = ("project",)
    list_select_related = ("project",)
    search_fields = ("name", "title", "project__name")
    autocomplete_fields = ("project",)

    annotations_column = counted("annotations", "annotation_count")

    def get_queryset(self, request: HttpRequest):
        return (
            super().get_queryset(request).annotate(annotation_count=count_of(Annotation, "label"))
        )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "color":
            kwargs["widget"] = ColorInput
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=_("colour"))
    def swatch(self, obj: Label) -> str:
        return label_swatch(obj)


@admin.register(Assignment)
class AssignmentAdmin(DocumentTitlesMixin, admin.ModelAdmin):
    list_display = ("document", "annotator", "project", "created_at")
    list_filter = ("project", ("annotator", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("document", "annotator", "project")
    search_fields = ("document__title", "annotator__username", "project__name")
    date_hierarchy = "created_at"
    autocomplete_fields = ("project", "document", "annotator")


@admin.register(DocumentProgress)
class DocumentProgressAdmin(DocumentTitlesMixin, admin.ModelAdmin):
    list_display = ("annotator", "document", "project", "last_opened_at", "done_at")
    list_filter = ("project", ("done_at", admin.EmptyFieldListFilter))
    list_select_related = ("document", "annotator", "project")
    search_fields = ("document__title", "annotator__username", "project__name")
    date_hierarchy = "last_opened_at"
    autocomplete_fields = ("project", "document", "annotator")
