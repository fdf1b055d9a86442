"""The admin actions that need a choice first: their intermediate page, and the
documents list's actions (assign, unassign, mark reviewed, export).

They are kept apart from the ModelAdmins: the page is shared by every such
action, and the document actions outweigh the rest of the documents admin.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from annotator.admin.forms import AssignForm, DocumentExportForm, UnassignForm, count_noun
from annotator.corpus.assignments import (
    AssignmentRejected,
    documents_assign,
    documents_mark_reviewed,
    documents_unassign,
)
from annotator.datasets.export.files import default_filename, export_response
from annotator.datasets.export.plan import ExportError, ExportFilters
from annotator.ids import parse_id
from annotator.models import Project


class ActionPageMixin(admin.ModelAdmin):
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


class DocumentActionsMixin(ActionPageMixin):
    """The documents list's actions; the ones needing a project ask for it on a page."""

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

    @admin.action(description=_("Assign selected documents to annotators…"), permissions=["assign"])
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
                message = gettext(
                    "%(assigned)s of %(documents)s to %(annotators)s in «%(project)s»."
                ) % {
                    "assigned": count_noun(result.assigned, "new assignment"),
                    "documents": count_noun(len(queryset), "document"),
                    "annotators": count_noun(len(annotators), "annotator"),
                    "project": project,
                }
                if result.added_to_project:
                    added = count_noun(result.added_to_project, "document")
                    message += " " + gettext("Added %(added)s to the project.") % {"added": added}
                self.message_user(request, message, messages.SUCCESS)
                return None
        return self.render_action_page(
            request,
            queryset,
            action="assign",
            form=form,
            title=gettext("Assign documents to annotators"),
            intro=gettext(
                "Choose the project and its annotators. Documents not yet in the project "
                "are added to it; existing assignments stay."
            ),
            submit_label=gettext("Assign"),
            refresh_label=gettext("Show this project's annotators"),
        )

    @admin.action(description=_("Unassign selected documents…"), permissions=["unassign"])
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
                gettext("Removed %(removed)s in «%(project)s»; annotations already made stay.")
                % {"removed": count_noun(removed, "assignment"), "project": project},
                messages.SUCCESS,
            )
            return None
        return self.render_action_page(
            request,
            queryset,
            action="unassign",
            form=form,
            title=gettext("Unassign documents"),
            intro=gettext("Annotations already made on these documents stay."),
            submit_label=gettext("Unassign"),
            refresh_label=gettext("Show this project's annotators"),
        )

    @admin.action(description=_("Mark selected documents reviewed"), permissions=["review"])
    def mark_reviewed(self, request: HttpRequest, queryset) -> None:
        project = self._listed_project(request)
        marked = documents_mark_reviewed(
            documents=list(queryset), reviewer=request.user, project=project
        )
        if marked:
            marked_documents = count_noun(marked, "document")
            message = (
                gettext("Marked %(documents)s reviewed in «%(project)s».")
                if project
                else gettext("Marked %(documents)s reviewed.")
            )
            self.message_user(
                request, message % {"documents": marked_documents, "project": project}
            )
        else:
            message = (
                gettext(
                    "Nothing to mark in «%(project)s»: the documents are already reviewed "
                    "or in no project."
                )
                if project
                else gettext(
                    "Nothing to mark: the documents are already reviewed or in no project."
                )
            )
            self.message_user(request, message % {"project": project}, messages.WARNING)

    @admin.action(description=_("Export selected documents' annotations…"), permissions=["export"])
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
                    raw=form.cleaned_data["raw"],
                    filename=default_filename(project, form.fmt, parquet=form.parquet),
                )
            except ExportError as exc:
                form.add_error(None, str(exc))
        return self.render_action_page(
            request,
            queryset,
            action="export",
            form=form,
            title=gettext("Export annotations"),
            intro=gettext(
                "The selected documents of the project, with their annotations and gold "
                "spans, in one of the dataset formats (the same files as export_dataset)."
            ),
            submit_label=gettext("Download"),
        )

    def has_assign_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("annotator.add_assignment")

    def has_unassign_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("annotator.delete_assignment")

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("annotator.change_projectdocument")

    def has_export_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("annotator.view_annotation")
