import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotator.models import Membership, Project
from tests.support import factories

pytestmark = pytest.mark.django_db

User = get_user_model()


def test_analyst_gets_no_admin(client, annotator_user):
    client.force_login(annotator_user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:login") + "?next=/admin/"
    login = client.post(
        reverse("admin:login"), {"username": annotator_user.username, "password": "annotate"}
    )
    assert "Please enter the correct username and password for a staff account." in (
        login.content.decode()
    )
    changelist = client.get(reverse("admin:annotator_document_changelist"))
    assert changelist.status_code == 302


def test_admin_names_the_product_and_links_back_to_the_workspace(manager_client):
    content = manager_client.get(reverse("admin:index")).content.decode()
    assert "<title>Campaign administration | Source-bias annotation</title>" in content
    assert "Source-bias annotation — administration" in content
    assert '<a href="/">View site</a>' in content


def test_manager_sees_every_model_of_the_campaign(manager_client):
    app_list = manager_client.get(reverse("admin:index")).context["app_list"]
    models = {model["object_name"] for app in app_list for model in app["models"]}
    assert models == {
        "Annotation",
        "AnnotationEvent",
        "ApiToken",
        "Assignment",
        "Cue",
        "Document",
        "DocumentProgress",
        "GoldAnnotation",
        "Group",
        "Job",
        "Label",
        "Membership",
        "Project",
        "ProjectDocument",
        "Sentence",
        "Source",
        "Story",
        "Suggestion",
        "SuggestionDecision",
        "User",
    }


def test_manager_creates_an_analyst_and_adds_them_to_a_project(manager_client, project):
    response = manager_client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "olga",
            "usable_password": "true",
            "password1": "long enough secret 42",
            "password2": "long enough secret 42",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-project": str(project.pk),
            "memberships-0-role": "annotator",
        },
    )
    assert response.status_code == 302
    olga = User.objects.get(username="olga")
    assert olga.check_password("long enough secret 42")
    assert not olga.is_staff
    assert Membership.objects.get(user=olga).project == project


def user_form(user, **changes):
    data = {
        "username": user.username,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-2-TOTAL_FORMS": "0",
        "memberships-2-INITIAL_FORMS": "0",
    }
    return {**data, **changes}


def test_manager_cannot_grant_admin_rights(manager_client, manager):
    analyst = factories.UserFactory(username="olga")
    response = manager_client.post(
        reverse("admin:auth_user_change", args=[analyst.pk]),
        user_form(analyst, is_staff="on", is_superuser="on", groups=manager.groups.first().pk),
    )
    assert response.status_code == 302
    analyst.refresh_from_db()
    assert not analyst.is_staff
    assert not analyst.is_superuser
    assert not analyst.groups.exists()
    manager_client.post(
        reverse("admin:auth_user_change", args=[manager.pk]), user_form(manager, is_superuser="on")
    )
    manager.refresh_from_db()
    assert not manager.is_superuser


def test_manager_cannot_change_or_delete_a_superuser(manager_client):
    root = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    page = manager_client.get(reverse("admin:auth_user_change", args=[root.pk]))
    assert page.context["has_change_permission"] is False
    response = manager_client.post(
        reverse("admin:auth_user_change", args=[root.pk]), user_form(root, email="x@example.org")
    )
    assert response.status_code == 403
    assert (
        manager_client.post(
            reverse("admin:auth_user_delete", args=[root.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    root.refresh_from_db()
    assert root.email == "root@example.org"


def test_superuser_can_make_a_manager(admin_client):
    analyst = factories.UserFactory(username="olga")
    admin_client.post(
        reverse("admin:auth_user_change", args=[analyst.pk]), user_form(analyst, is_staff="on")
    )
    analyst.refresh_from_db()
    assert analyst.is_staff


def test_user_page_queries_do_not_grow_with_memberships(manager_client, annotator_user):
    url = reverse("admin:auth_user_change", args=[annotator_user.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert manager_client.get(url).status_code == 200
        return len(captured)

    one = queries()
    projects = Project.objects.bulk_create([Project(name=f"P{i}", slug=f"p{i}") for i in range(20)])
    Membership.objects.bulk_create([Membership(project=p, user=annotator_user) for p in projects])
    assert queries() == one


def test_user_changelist_counts_projects(manager_client, annotator_user):
    factories.MembershipFactory(user=annotator_user)
    rows = manager_client.get(reverse("admin:auth_user_changelist")).context["cl"].result_list
    assert {u.username: u.project_count for u in rows} == {
        "campaign-manager": 0,
        annotator_user.username: 2,
    }
