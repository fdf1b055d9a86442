"""The admin panel: a manager runs the whole annotation campaign from /admin.

Counts shown in changelists are computed in the changelist query itself
(subqueries), so a page costs the same number of queries for 20 rows or 200.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AdminTextareaWidget
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce, Substr
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.views.decorators.http import require_POST

from annotator.admin.forms import (
    AssignForm,
    ColorInput,
    DocumentAdminForm,
    DocumentExportForm,
    ImportForm,
    LabelInlineFormSet,
    SourceMergeForm,
    SpanAdminForm,
    UnassignForm,
    count_noun,
)
from annotator.corpus.assignments import (
    AssignmentRejected,
    documents_assign,
    documents_mark_reviewed,
    documents_unassign,
)
from annotator.corpus.sources import SourceMergeRejected, source_merge
from annotator.datasets.export.core import (
    ExportError,
    ExportFilters,
    default_filename,
    export_response,
)
from annotator.datasets.imports.documents import ImportFailed, ImportReport, import_upload
from annotator.ids import parse_id
from annotator.models import (
    Annotation,
    AnnotationEvent,
    Assignment,
    Document,
    DocumentProgress,
    GoldAnnotation,
    Label,
    Membership,
    Project,
    ProjectDocument,
    Sentence,
    Source,
)
from annotator.workspace.annotations import annotation_delete, annotation_update
from annotator.workspace.guidelines import guidelines_html

User = get_user_model()

# How many added documents and duplicates an import's report lists by name.
SHOWN_IN_REPORT = 20


def count_of(model, key: str) -> Coalesce:
    """A subquery counting the ``model`` rows whose ``key`` is the outer row (0 if none)."""
    rows = (
        model._default_manager.filter(**{key: OuterRef("pk")})
        .order_by()
        .values(key)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)


def workspace_url(project: Project, document: Document) -> str:
    """The document's page in the annotation workspace."""
    return reverse("document", kwargs={"slug": project.slug, "document_id": document.pk})


def changelist_url(model, **filters) -> str:
    url = reverse(f"admin:annotator_{model._meta.model_name}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def counted(description: str, field: str):
    """A changelist column showing the annotated count ``field``, sortable."""

    @admin.display(description=description, ordering=field)
    def column(self, obj) -> int:
        return getattr(obj, field)

    return column


def shortened_report(report: ImportReport) -> dict:
    """The added documents and duplicates an import page lists, and how many more there are."""
    return {
        "added": report.added[:SHOWN_IN_REPORT],
        "added_more": max(len(report.added) - SHOWN_IN_REPORT, 0),
        "duplicates": report.duplicates[:SHOWN_IN_REPORT],
        "duplicates_more": max(len(report.duplicates) - SHOWN_IN_REPORT, 0),
    }


class DocumentTitlesMixin:
    """Rows naming a document show its title; its text (often long) is not loaded."""

    def get_queryset(self, request: HttpRequest):
        # The changelist adds list_select_related only to a queryset without any.
        related = ("document", *self.list_select_related)
        return super().get_queryset(request).select_related(*related).defer("document__text")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the application writes (sentence splits, the audit trail): viewed only.

    They still go with their document or project when a manager deletes that,
    so deleting them is allowed per object, as part of the parent's deletion,
    and never directly.
    """

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return obj is not None and super().has_delete_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return super().change_view(
            request, object_id, form_url, {**(extra_context or {}), "show_delete": False}
        )

    def delete_view(self, request, object_id, extra_context=None):
        raise PermissionDenied


class ActionPageMixin:
    """Intermediate pages for actions that need a choice before they run."""

    action_page_template = "admin/annotator/action_form.html"

    def render_action_page(
        self,
        request: HttpRequest,
        queryset,
        *,
        action: str,
        form,
        title: str,
        intro: str,
        submit_label: str,
        refresh_label: str | None = None,
    ) -> TemplateResponse:
        select_across = request.POST.get("select_across") == "1"
        if select_across:  # the changelist query selects them again: one id is enough
            selected = [queryset.values_list("pk", flat=True).first()]
        else:
            selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        shown = 10
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "intro": intro,
            "items": [str(obj) for obj in queryset[:shown]],
            "more": max(queryset.count() - shown, 0),
            "form": form,
            "action": action,
            "select_across": select_across,
            "selected": selected,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "submit_label": submit_label,
            "refresh_label": refresh_label,
            "cancel_url": request.get_full_path(),
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.action_page_template, context)


# Sources ------------------------------------------------------------------------------


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

    @admin.display(description="documents")
    def documents_summary(self, obj: Source) -> str:
        if obj.pk is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            changelist_url(Document, source__id__exact=obj.pk),
            count_noun(obj.document_count, "document"),
        )

    @admin.display(description="annotation totals")
    def annotation_totals(self, obj: Source) -> str:
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
            return "No annotations yet."
        return format_html(
            "{} in all: {}",
            obj.annotation_count,
            format_html_join(", ", '<a href="{}">{}</a> {}', rows),
        )

    @admin.action(description="Merge selected sources (same outlet)…", permissions=["merge"])
    def merge_sources(self, request: HttpRequest, queryset):
        if queryset.count() < 2:
            self.message_user(request, "Select at least two sources to merge.", messages.ERROR)
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
                    f"Merged {names} into «{into.name}»: {count_noun(moved, 'document')} moved.",
                    messages.SUCCESS,
                )
                return None
        return self.render_action_page(
            request,
            queryset,
            action="merge_sources",
            form=form,
            title="Merge sources",
            intro=(
                "These sources are one outlet. Choose the one to keep: the documents of "
                "the others move to it, their names, URLs and descriptions are kept in its "
                "description, and then the others are deleted."
            ),
            submit_label="Merge",
        )

    def has_merge_permission(self, request: HttpRequest) -> bool:
        return self.has_change_permission(request) and self.has_delete_permission(request)


# Documents ----------------------------------------------------------------------------


class AnnotatedFilter(admin.SimpleListFilter):
    title = "annotated"
    parameter_name = "annotated"

    def lookups(self, request, model_admin):
        return (("yes", "Annotated"), ("no", "Not annotated"))

    def queryset(self, request, queryset):
        annotated = Exists(Annotation.objects.filter(document=OuterRef("pk")))
        if self.value() == "yes":
            return queryset.filter(annotated)
        if self.value() == "no":
            return queryset.filter(~annotated)
        return queryset


class DocumentChangeList(ChangeList):
    """The documents list: titles and counts, without loading the texts."""

    def get_queryset(self, request: HttpRequest, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).defer("text")


@admin.register(Document)
class DocumentAdmin(ActionPageMixin, admin.ModelAdmin):
    form = DocumentAdminForm
    change_list_template = "admin/annotator/document/change_list.html"
    list_display = (
        "__str__",
        "source",
        "published_on",
        "annotations_column",
        "workspace_links",
        "created_at",
    )
    list_filter = ("source", "projects", AnnotatedFilter, "language")
    list_select_related = ("source",)
    search_fields = ("title", "author", "url", "source__name")
    date_hierarchy = "published_on"
    autocomplete_fields = ("source",)
    readonly_fields = ("workspace_links", "text_sha256", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("source", "title", "author", "published_on", "url", "language")}),
        ("Text", {"fields": ("text",)}),
        (
            "Record",
            {
                "fields": (
                    "workspace_links",
                    "imported_from",
                    "text_sha256",
                    "created_at",
                    "updated_at",
                )
            },
        ),
    )
    actions = ("assign", "unassign", "mark_reviewed", "export")
    show_full_result_count = False
    delete_confirmation_max_display = 20

    annotations_column = counted("annotations", "annotation_count")

    def get_changelist(self, request: HttpRequest, **kwargs):
        return DocumentChangeList

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .annotate(annotation_count=count_of(Annotation, "document"))
            .prefetch_related(Prefetch("projects", Project.objects.only("pk", "name", "slug")))
        )

    @admin.display(description="open in the annotation workspace")
    def workspace_links(self, obj: Document) -> str:
        if obj.pk is None:
            return "—"
        links = [(workspace_url(project, obj), project.name) for project in obj.projects.all()]
        return format_html_join(", ", '<a href="{}">{}</a>', links) or "—"

    # Importing -------------------------------------------------------------------------

    def get_urls(self):
        upload = self.admin_site.admin_view(self.import_view)
        return [
            path("import/", upload, name="annotator_document_import"),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> TemplateResponse:
        """``admin/annotator/document/import.html``: an upload run through the importer.

        Context: ``form`` (ImportForm) and, after an import, its ``report``. A
        failed import writes nothing and shows the importer's message on the form.
        """
        if not self.has_add_permission(request):
            raise PermissionDenied
        report = None
        if request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                options = form.cleaned_data
                upload = options["upload"]
                try:
                    report = import_upload(
                        upload.name,
                        upload.read(),
                        project=options["project"],
                        default_source=options["default_source"] or None,
                        skip_bad=options["skip_bad"],
                        remove_repeats=options["remove_repeats"],
                    )
                except ImportFailed as exc:
                    form.add_error("upload", str(exc))
                else:
                    form = ImportForm(
                        initial={
                            "project": options["project"],
                            "default_source": options["default_source"],
                        }
                    )
        else:
            form = ImportForm(initial={"project": request.GET.get("project")})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import documents",
            "form": form,
            "report": report,
            **(shortened_report(report) if report else {}),
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/annotator/document/import.html", context)

    # Actions ---------------------------------------------------------------------------

    @staticmethod
    def _listed_project(request: HttpRequest) -> Project | None:
        """The project the documents list is filtered by, if any."""
        project_id = parse_id(request.GET.get("projects__id__exact"))
        return Project.objects.filter(pk=project_id).first() if project_id else None

    def _project_form(self, form_class, request: HttpRequest, queryset):
        """The action's form, bound once applied, for the project chosen so far.

        That is the project posted, else the one the list is filtered by, else
        the one all the documents share.
        """
        project_id = parse_id(request.POST.get("project"))
        project = Project.objects.filter(pk=project_id).first() if project_id else None
        if project is None:
            project = self._listed_project(request)
        if project is None:
            shared = Project.objects.filter(project_documents__document__in=queryset)
            first_two = list(shared.distinct()[:2])
            project = first_two[0] if len(first_two) == 1 else None
        return form_class(request.POST if "apply" in request.POST else None, project=project)

    @admin.action(description="Assign selected documents to annotators…", permissions=["assign"])
    def assign(self, request: HttpRequest, queryset):
        form = self._project_form(AssignForm, request, queryset)
        if form.is_bound and form.is_valid():
            project = form.cleaned_data["project"]
            annotators = list(form.cleaned_data["annotators"])
            try:
                result = documents_assign(
                    project=project,
                    documents=list(queryset),
                    annotators=annotators,
                    per_document=form.cleaned_data["per_document"],
                )
            except AssignmentRejected as exc:
                form.add_error(None, str(exc))
            else:
                message = (
                    f"{count_noun(result.assigned, 'new assignment')} of "
                    f"{count_noun(len(queryset), 'document')} to "
                    f"{count_noun(len(annotators), 'annotator')} in «{project}»."
                )
                if result.added_to_project:
                    added = count_noun(result.added_to_project, "document")
                    message += f" Added {added} to the project."
                self.message_user(request, message, messages.SUCCESS)
                return None
        return self.render_action_page(
            request,
            queryset,
            action="assign",
            form=form,
            title="Assign documents to annotators",
            intro=(
                "Choose the project and its annotators. Documents not yet in the project "
                "are added to it; existing assignments stay."
            ),
            submit_label="Assign",
            refresh_label="Show this project's annotators",
        )

    @admin.action(description="Unassign selected documents…", permissions=["unassign"])
    def unassign(self, request: HttpRequest, queryset):
        form = self._project_form(UnassignForm, request, queryset)
        if form.is_bound and form.is_valid():
            project = form.cleaned_data["project"]
            removed = documents_unassign(
                project=project,
                documents=list(queryset),
                annotators=list(form.cleaned_data["annotators"]),
            )
            self.message_user(
                request,
                f"Removed {count_noun(removed, 'assignment')} in «{project}»; "
                "annotations already made stay.",
                messages.SUCCESS,
            )
            return None
        return self.render_action_page(
            request,
            queryset,
            action="unassign",
            form=form,
            title="Unassign documents",
            intro="Annotations already made on these documents stay.",
            submit_label="Unassign",
            refresh_label="Show this project's annotators",
        )

    @admin.action(description="Mark selected documents reviewed", permissions=["review"])
    def mark_reviewed(self, request: HttpRequest, queryset) -> None:
        project = self._listed_project(request)
        marked = documents_mark_reviewed(
            documents=list(queryset), reviewer=request.user, project=project
        )
        where = f" in «{project}»" if project else ""
        if marked:
            marked_documents = count_noun(marked, "document")
            self.message_user(request, f"Marked {marked_documents} reviewed{where}.")
        else:
            self.message_user(
                request,
                f"Nothing to mark{where}: the documents are already reviewed or in no project.",
                messages.WARNING,
            )

    @admin.action(description="Export selected documents' annotations…", permissions=["export"])
    def export(self, request: HttpRequest, queryset):
        form = self._project_form(DocumentExportForm, request, queryset)
        if form.is_bound and form.is_valid():
            project = form.cleaned_data["project"]
            filters = ExportFilters(document_ids=list(queryset.values_list("pk", flat=True)))
            try:
                return export_response(
                    project=project,
                    fmt=form.fmt,
                    filters=filters,
                    bom=form.cleaned_data["bom"],
                    filename=default_filename(project, form.fmt, parquet=form.parquet),
                )
            except ExportError as exc:
                form.add_error(None, str(exc))
        return self.render_action_page(
            request,
            queryset,
            action="export",
            form=form,
            title="Export annotations",
            intro=(
                "The selected documents of the project, with their annotations and gold "
                "spans, in one of the dataset formats (the same files as export_dataset)."
            ),
            submit_label="Download",
        )

    def has_assign_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("annotator.add_assignment")

    def has_unassign_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("annotator.delete_assignment")

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("annotator.change_projectdocument")

    def has_export_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("annotator.view_annotation")


@admin.register(Sentence)
class SentenceAdmin(DocumentTitlesMixin, ReadOnlyAdmin):
    list_display = ("document", "index", "start", "end", "sentence")
    list_select_related = ("document",)
    search_fields = ("document__title",)
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest):
        text = Substr("document__text", F("start") + 1, F("end") - F("start"))
        return super().get_queryset(request).annotate(sentence_text=text)

    @admin.display(description="sentence")
    def sentence(self, obj: Sentence) -> str:
        return Truncator(obj.sentence_text).chars(120)


# Projects -----------------------------------------------------------------------------


class LabelInline(admin.TabularInline):
    model = Label
    formset = LabelInlineFormSet
    extra = 0
    fields = ("swatch", "name", "title", "color", "hotkey", "order", "description")
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
    fields = ("user", "role", "joined_at")
    readonly_fields = ("user", "joined_at")
    verbose_name_plural = "members"


class ProjectNewMembersInline(NewMembershipsInline):
    fields = ("user", "role")
    autocomplete_fields = ("user",)
    verbose_name = "member"
    verbose_name_plural = "add members"


class UserProjectsInline(MembershipsInline):
    fields = ("project", "role", "joined_at")
    readonly_fields = ("project", "joined_at")
    verbose_name_plural = "project memberships"


class UserNewProjectsInline(NewMembershipsInline):
    fields = ("project", "role")
    autocomplete_fields = ("project",)
    verbose_name = "project membership"
    verbose_name_plural = "join projects"


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
    fieldsets = (
        (None, {"fields": ("name", "slug", "description", "show_all_annotations")}),
        (
            "Guidelines",
            {
                "fields": ("guidelines", "guidelines_preview"),
                "description": "Markdown; the preview follows as you type.",
            },
        ),
    )

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

    @admin.display(description="preview")
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
    list_display = ("title", "swatch", "name", "project", "hotkey", "order", "annotations_column")
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

    @admin.display(description="colour")
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


# Annotations --------------------------------------------------------------------------


class LabelNameFilter(admin.SimpleListFilter):
    """Labels by name across projects (each project has its own «fact»)."""

    title = "label"
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
    list_select_related = ("project", "document", "document__source", "label")
    search_fields = ("quote", "note", "document__title")
    date_hierarchy = "created_at"
    show_full_result_count = False
    readonly_fields = ("project", "document", "start", "end", "quote", "created_at", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # spans are made in the workspace, where offsets come from a selection

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None and "label" in form.base_fields:
            form.base_fields["label"].queryset = Label.objects.filter(project_id=obj.project_id)
        return form

    @admin.display(description="quote", ordering="quote")
    def quote_column(self, obj) -> str:
        return format_html('<span title="{}">{}</span>', obj.quote, Truncator(obj.quote).chars(80))

    @admin.display(description="source", ordering="document__source__name")
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
        "created_at",
        "updated_at",
        "history",
    )
    readonly_fields = (*SpanAdmin.readonly_fields, "annotator", "history")

    @admin.display(description="history")
    def history(self, obj: Annotation) -> str:
        events = AnnotationEvent.objects.filter(annotation_id=obj.pk).select_related("actor")
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

    @admin.display(description="change")
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


# Users --------------------------------------------------------------------------------

admin.site.unregister(User)


@admin.register(User)
class CampaignUserAdmin(UserAdmin):
    """Users with their project memberships; managers cannot grant admin rights."""

    list_display = (
        "username",
        "email",
        "first_name",
        "last_name",
        "projects_column",
        "is_staff",
        "is_active",
        "last_login",
    )
    list_filter = ("is_staff", "is_active", "memberships__role", "memberships__project")

    projects_column = counted("projects", "project_count")

    privileged_fields = ("is_staff", "is_superuser", "groups", "user_permissions")

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(project_count=count_of(Membership, "user"))

    def get_inlines(self, request: HttpRequest, obj):
        if obj is None:
            return (UserNewProjectsInline,)
        return (UserNewProjectsInline, UserProjectsInline)

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if request.user.is_superuser:
            return readonly
        return (*readonly, *self.privileged_fields)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)
