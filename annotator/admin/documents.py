"""The documents admin: the documents list (without loading texts), its actions,
the import page, and the sentence splits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, F, OuterRef, Prefetch
from django.db.models.functions import Substr
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from annotator.admin.actions import DocumentActionsMixin
from annotator.admin.base import DocumentTitlesMixin, ReadOnlyAdmin, count_of, counted
from annotator.admin.forms import DocumentAdminForm, ImportForm
from annotator.datasets.imports.documents import DocumentImportReport, import_upload
from annotator.datasets.imports.report import ImportFailed
from annotator.jobs.services import import_in_background, job_start_import
from annotator.models import Annotation, Document, Project, Sentence

# How many added documents and duplicates an import's report lists by name.
SHOWN_IN_REPORT = 20


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class SentenceText(TypedDict):
    """What the sentence changelist's query adds to each sentence."""

    sentence_text: str


def shortened_report(report: DocumentImportReport) -> dict:
    """The added documents and duplicates an import page lists, and how many more there are."""
    return {
        "added": report.added[:SHOWN_IN_REPORT],
        "added_more": max(len(report.added) - SHOWN_IN_REPORT, 0),
        "duplicates": report.duplicates[:SHOWN_IN_REPORT],
        "duplicates_more": max(len(report.duplicates) - SHOWN_IN_REPORT, 0),
    }


def workspace_url(project: Project, document: Document) -> str:
    """The document's page in the annotation workspace."""
    return reverse("document", kwargs={"slug": project.slug, "document_id": document.pk})


class AnnotatedFilter(admin.SimpleListFilter):
    title = _("annotated")
    parameter_name = "annotated"

    def lookups(self, request, model_admin):
        return (("yes", _("Annotated")), ("no", _("Not annotated")))

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
class DocumentAdmin(DocumentActionsMixin, admin.ModelAdmin):
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
        (_("Text"), {"fields": ("text",)}),
        (
            _("Record"),
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

    @admin.display(description=_("open in the annotation workspace"))
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

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """``admin/annotator/document/import.html``: an upload run through the importer.

        Context: ``form`` (ImportForm) and, after an import, its ``report``. A
        failed import writes nothing and lists the importer's messages on the form, one
        per bad record. An upload over ``JOB_IMPORT_BYTES`` is imported by a background
        job instead, and the manager is sent to its page.
        """
        if not self.has_add_permission(request):
            raise PermissionDenied
        report = None
        if request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                options = form.cleaned_data
                upload = options["upload"]
                if import_in_background(upload.size):
                    job = job_start_import(
                        started_by=request.user,
                        filename=upload.name,
                        data=upload.read(),
                        project=options["project"],
                        default_source=options["default_source"] or None,
                        skip_bad=options["skip_bad"],
                        remove_repeats=options["remove_repeats"],
                    )
                    messages.info(
                        request,
                        gettext(
                            "%(name)s is large: it is imported in the background (job %(job)d)."
                        )
                        % {"name": upload.name, "job": job.pk},
                    )
                    return redirect("job", job.pk)
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
                    for message in exc.errors:
                        form.add_error("upload", message)
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
            "title": _("Import documents"),
            "form": form,
            "report": report,
            **(shortened_report(report) if report else {}),
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/annotator/document/import.html", context)


@admin.register(Sentence)
class SentenceAdmin(DocumentTitlesMixin, ReadOnlyAdmin):
    list_display = ("document", "index", "start", "end", "sentence")
    list_select_related = ("document",)
    search_fields = ("document__title",)
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest):
        text = Substr("document__text", F("start") + 1, F("end") - F("start"))
        return super().get_queryset(request).annotate(sentence_text=text)

    @admin.display(description=_("sentence"))
    def sentence(self, obj: WithAnnotations[Sentence, SentenceText]) -> str:
        return Truncator(obj.sentence_text).chars(120)
