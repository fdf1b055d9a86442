"""Writes on accounts: the group that makes a staff user a campaign manager, and each
user's profile (language and time zone).

Kept out of the commands that use it (load_demo, and any deployment set-up) so the
one definition of what a manager may do in the admin is here.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

from annotator.models import UserProfile

MANAGERS_GROUP = "Campaign managers"


@transaction.atomic
def managers_group_get_or_create() -> Group:
    """The group whose members manage campaigns in the admin: every permission on the
    annotator app's models and on users, and only viewing groups (a manager who could
    edit groups could widen their own group's permissions).

    An existing group gets exactly these permissions again, so permissions of models
    added since are granted and any widened by hand are taken back.
    """
    group, _ = Group.objects.get_or_create(name=MANAGERS_GROUP)
    permissions = Permission.objects.filter(
        Q(content_type__app_label="annotator")
        | Q(content_type__app_label="auth", content_type__model="user")
        | Q(content_type__app_label="auth", codename="view_group")
    )
    group.permissions.set(permissions)
    return group


@transaction.atomic
def profile_update(*, user, language: str, time_zone: str) -> UserProfile:
    """Save the user's language and time zone (the profile row is made on first save)."""
    profile, _ = UserProfile.objects.update_or_create(
        user=user, defaults={"language": language, "time_zone": time_zone}
    )
    return profile
