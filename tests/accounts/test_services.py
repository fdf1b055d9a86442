import pytest
from django.contrib.auth.models import Group, Permission

from annotator.accounts.services import MANAGERS_GROUP, managers_group_get_or_create

pytestmark = pytest.mark.django_db


def codenames(group: Group) -> set[str]:
    return set(group.permissions.values_list("content_type__app_label", "codename"))


def test_managers_may_do_everything_in_the_app_and_on_users_but_only_view_groups():
    granted = codenames(managers_group_get_or_create())
    assert ("annotator", "change_label") in granted
    assert ("annotator", "delete_annotation") in granted
    assert {("auth", f"{verb}_user") for verb in ("add", "change", "delete", "view")} <= granted
    assert {code for app, code in granted if app == "auth" and "group" in code} == {"view_group"}
    assert not {app for app, _ in granted} - {"annotator", "auth"}


def test_running_again_keeps_one_group_and_takes_back_what_was_widened_by_hand():
    group = managers_group_get_or_create()
    expected = codenames(group)
    group.permissions.add(Permission.objects.get(codename="change_group"))
    again = managers_group_get_or_create()
    assert again.pk == group.pk
    assert list(Group.objects.values_list("name", flat=True)) == [MANAGERS_GROUP]
    assert codenames(again) == expected
