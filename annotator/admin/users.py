"""The users admin: Django's, with project memberships, and without letting a
manager grant admin rights or touch a superuser.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from annotator.admin.base import count_of, counted
from annotator.admin.projects import MembershipsInline, NewMembershipsInline
from annotator.models import Membership

User = get_user_model()


class UserProjectsInline(MembershipsInline):
    fields = ("project", "role", "joined_at")
    readonly_fields = ("project", "joined_at")
    verbose_name_plural = "project memberships"


class UserNewProjectsInline(NewMembershipsInline):
    fields = ("project", "role")
    autocomplete_fields = ("project",)
    verbose_name = "project membership"
    verbose_name_plural = "join projects"


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
