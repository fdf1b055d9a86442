"""What the admin pages share: count columns computed in the changelist query,
links between changelists, and the mixins for read-only and document-bound rows.

Counts shown in changelists are computed in the changelist query itself
(subqueries), so a page costs the same number of queries for 20 rows or 200.
"""

from __future__ import annotations

from typing import ClassVar

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode


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


def changelist_url(model, **filters) -> str:
    url = reverse(f"admin:annotator_{model._meta.model_name}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def counted(description: str, field: str):
    """A changelist column showing the annotated count ``field``, sortable."""

    @admin.display(description=description, ordering=field)
    def column(self, obj) -> int:
        return getattr(obj, field)

    return column


class DocumentTitlesMixin(admin.ModelAdmin):
    """Rows naming a document show its title; its text (often long) is not loaded."""

    list_select_related: ClassVar[tuple[str, ...]]  # each admin using this names its own

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
