"""API tokens and predictions in the admin: a manager sees every user's tokens and
revokes them (keys are never shown: their owner saw each once); models' predictions are
listed and deleted, never edited (they are what the model said)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest

from annotator.accounts.tokens import api_token_revoke
from annotator.admin.base import DocumentTitlesMixin
from annotator.models import ApiToken, Prediction


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter), "created_at")
    list_select_related = ("user",)
    search_fields = ("name", "user__username", "prefix")
    readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    fields = readonly_fields
    actions = ("revoke",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a key is shown once to whoever makes it: its owner, or create_api_token

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(description="Revoke selected tokens", permissions=["delete"])
    def revoke(self, request: HttpRequest, queryset) -> None:
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            api_token_revoke(token=token)
        self.message_user(request, f"Revoked {len(tokens)} token(s).", messages.SUCCESS)


@admin.register(Prediction)
class PredictionAdmin(DocumentTitlesMixin, admin.ModelAdmin):
    list_display = ("agent", "label", "document", "start", "end", "score", "created_at")
    list_filter = ("project", "agent", "label__name")
    list_select_related = ("label",)
    search_fields = ("agent", "quote")
    readonly_fields = (
        "project",
        "document",
        "label",
        "start",
        "end",
        "quote",
        "score",
        "agent",
        "created_by",
        "created_at",
    )
    fields = readonly_fields
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
