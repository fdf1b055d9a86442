"""Background jobs in the admin: every user's jobs with their state and progress, read-only
(jobs are started from the pages and the API, and written by the worker)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from annotator.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "kind",
        "state",
        "progress",
        "started_by",
        "project",
        "created_at",
        "finished_at",
        "error",
    )
    list_filter = ("state", "kind", "project")
    list_select_related = ("started_by", "project")
    search_fields = ("started_by__username", "error")
    date_hierarchy = "created_at"
    readonly_fields = (
        "kind",
        "state",
        "phase",
        "progress",
        "started_by",
        "project",
        "parameters",
        "error",
        "result",
        "result_file",
        "result_name",
        "task_id",
        "worker",
        "created_at",
        "started_at",
        "heartbeat_at",
        "finished_at",
        "expires_at",
    )
    exclude = ("done", "total", "input_file")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("progress"))
    def progress(self, obj: Job) -> str:
        if obj.total is None:
            return "—"
        return f"{obj.done} / {obj.total}"
