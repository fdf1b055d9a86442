import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotator.models import Label, Membership, Project
from tests.support import factories

pytestmark = pytest.mark.django_db

PREVIEW = reverse("admin:annotator_project_guidelines_preview")


def change_url(project):
    return reverse("admin:annotator_project_change", args=[project.pk])


# The Suggestions fieldset as the browser posts it untouched (the defaults).
SUGGESTION_SETTINGS = {
    "suggestions_enabled": "on",
    "suggestion_threshold": "0.8",
    "retrain_every": "200",
}


def inline_data(project, labels=None, members=()):
    """The project change form as posted: its labels, new members and members."""
    labels = label_rows(project) if labels is None else labels
    memberships = list(project.memberships.all())
    data = {
        "name": project.name,
        "slug": project.slug,
        "description": project.description,
        "guidelines": project.guidelines,
        "language": project.language,
        **SUGGESTION_SETTINGS,
        "labels-TOTAL_FORMS": str(len(labels)),
        "labels-INITIAL_FORMS": str(sum(1 for label in labels if label.get("id"))),
        "memberships-TOTAL_FORMS": str(len(members)),
        "memberships-INITIAL_FORMS": "0",
        "memberships-2-TOTAL_FORMS": str(len(memberships)),
        "memberships-2-INITIAL_FORMS": str(len(memberships)),
    }
    for i, label in enumerate(labels):
        data.update({f"labels-{i}-{key}": value for key, value in label.items()})
        data[f"labels-{i}-project"] = str(project.pk)
    for i, member in enumerate(members):
        data.update({f"memberships-{i}-{key}": value for key, value in member.items()})
        data[f"memberships-{i}-project"] = str(project.pk)
        data.setdefault(f"memberships-{i}-suggestions", "on")
    for i, membership in enumerate(memberships):
        data[f"memberships-2-{i}-id"] = str(membership.pk)
        data[f"memberships-2-{i}-project"] = str(project.pk)
        data[f"memberships-2-{i}-role"] = membership.role
        if membership.suggestions:
            data[f"memberships-2-{i}-suggestions"] = "on"
    return data


def label_rows(project, **changes):
    rows = [
        {
            "id": str(label.pk),
            "name": label.name,
            "title": label.title,
            "color": label.color,
            "hotkey": label.hotkey,
            "order": str(label.order),
            "description": label.description,
        }
        for label in project.labels.all()
    ]
    for name, change in changes.items():
        next(row for row in rows if row["name"] == name).update(change)
    return rows


def new_label(name, hotkey):
    return {"name": name, "title": name.title(), "color": "#6a1b9a", "hotkey": hotkey, "order": "9"}


def test_manager_creates_a_project_with_default_labels_and_a_member(manager_client):
    analyst = factories.UserFactory(username="anna")
    response = manager_client.post(
        reverse("admin:annotator_project_add"),
        {
            "name": "Выборы 2024",
            "slug": "vybory-2024",
            "guidelines": "Отмечайте **факты**.",
            "language": "en",
            **SUGGESTION_SETTINGS,
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-user": str(analyst.pk),
            "memberships-0-role": "annotator",
        },
    )
    assert response.status_code == 302
    project = Project.objects.get(slug="vybory-2024")
    assert list(project.labels.values_list("name", "hotkey")) == [
        ("fact", "1"),
        ("opinion", "2"),
        ("speculation", "3"),
    ]
    assert Membership.objects.get(project=project).user == analyst


def test_add_page_leaves_labels_for_after_the_project_exists(manager_client):
    page = manager_client.get(reverse("admin:annotator_project_add"))
    prefixes = [formset.formset.prefix for formset in page.context["inline_admin_formsets"]]
    assert prefixes == ["memberships"]


def test_change_page_shows_label_swatches_and_colour_inputs(manager_client, project):
    content = manager_client.get(change_url(project)).content.decode()
    assert '<rect width="18" height="18" rx="3" fill="#2e7d32"/>' in content
    assert 'type="color" name="labels-0-color" value="#2e7d32"' in content
    assert "style=" not in content.split('id="project_form"')[1]


def test_labels_and_members_are_edited_inline(manager_client, project):
    analyst = factories.UserFactory(username="boris")
    data = inline_data(
        project,
        labels=[*label_rows(project, fact={"title": "Факт"}), new_label("irony", "4")],
        members=[{"user": str(analyst.pk), "role": "reviewer"}],
    )
    assert manager_client.post(change_url(project), data).status_code == 302
    assert project.labels.get(name="fact").title == "Факт"
    assert project.labels.get(name="irony").hotkey == "4"
    assert project.memberships.get(user=analyst).role == "reviewer"


def test_existing_members_keep_their_person_and_change_role(manager_client, project):
    membership = factories.MembershipFactory(project=project, user__username="anna")
    page = manager_client.get(change_url(project)).context["inline_admin_formsets"]
    assert [f.formset.prefix for f in page] == ["labels", "memberships", "memberships-2"]
    data = inline_data(project)
    data["memberships-2-0-role"] = "reviewer"
    assert manager_client.post(change_url(project), data).status_code == 302
    membership.refresh_from_db()
    assert (membership.user.username, membership.role) == ("anna", "reviewer")


def test_adding_someone_who_is_already_a_member_is_refused(manager_client, project):
    membership = factories.MembershipFactory(project=project)
    data = inline_data(project, members=[{"user": str(membership.user_id), "role": "reviewer"}])
    response = manager_client.post(change_url(project), data)
    errors = response.context["inline_admin_formsets"][1].formset.errors
    assert errors == [{"__all__": ["Membership with this Project and User already exists."]}]
    assert project.memberships.get().role == "annotator"


def test_project_page_queries_do_not_grow_with_members(manager_client, project):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert manager_client.get(change_url(project)).status_code == 200
        return len(captured)

    factories.MembershipFactory(project=project)
    one = queries()
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"reader{i}") for i in range(20)]  # no password hashing
    )
    Membership.objects.bulk_create([Membership(project=project, user=user) for user in users])
    assert queries() == one


def test_hotkey_used_by_another_saved_label_is_refused(manager_client, project):
    data = inline_data(project, labels=[*label_rows(project), new_label("irony", "1")])
    response = manager_client.post(change_url(project), data)
    errors = response.context["inline_admin_formsets"][0].formset.errors
    assert errors[3] == {"hotkey": ["Hotkey '1' is already used here."]}
    assert not Label.objects.filter(name="irony").exists()


def test_a_label_colour_other_than_rrggbb_is_refused(manager_client, project):
    data = inline_data(project, labels=label_rows(project, fact={"color": "red;}b{"}))
    response = manager_client.post(change_url(project), data)
    errors = response.context["inline_admin_formsets"][0].formset.errors
    assert errors[0] == {"color": ["Use a colour like #1565c0."]}
    assert project.labels.get(name="fact").color == "#2e7d32"


def test_same_hotkey_on_two_labels_submitted_together_is_refused(manager_client, project):
    data = inline_data(
        project, labels=[*label_rows(project), new_label("irony", "4"), new_label("sarcasm", "4")]
    )
    response = manager_client.post(change_url(project), data)
    errors = response.context["inline_admin_formsets"][0].formset.errors
    assert errors[4] == {"hotkey": ["Hotkey '4' is given to both «Irony» and «Sarcasm»."]}
    assert not Label.objects.filter(name__in=["irony", "sarcasm"]).exists()


def test_a_label_in_use_cannot_be_deleted(manager_client, project):
    annotation = factories.AnnotationFactory(project=project)
    data = inline_data(project, labels=label_rows(project, fact={"DELETE": "on"}))
    response = manager_client.post(change_url(project), data)
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.non_form_errors() == [
        "Deleting label Fact would require deleting the following protected related objects: "
        f"annotation Fact [0:6] by {annotation.annotator}"
    ]
    assert project.labels.filter(name="fact").exists()


def test_guidelines_preview_renders_markdown_and_strips_scripts(manager_client):
    response = manager_client.post(
        PREVIEW,
        {"guidelines": "# Правила\n\n**факт** <script>alert(1)</script><img src=x onerror=y>"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Правила</h1>" in html
    assert "<strong>факт</strong>" in html
    assert "<script" not in html
    assert "onerror" not in html


def test_guidelines_preview_is_for_managers_only(client, manager_client, project):
    assert manager_client.get(PREVIEW).status_code == 405
    analyst = factories.MembershipFactory(project=project).user
    client.force_login(analyst)
    response = client.post(PREVIEW, {"guidelines": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_change_page_shows_the_saved_guidelines_rendered(manager_client, project):
    content = manager_client.get(change_url(project)).content.decode()
    assert (
        f'<div id="guidelines-preview" class="guidelines-preview" data-url="{PREVIEW}">'
        "<p>Label <strong>fact</strong>, <strong>opinion</strong> and "
        "<strong>speculation</strong>.</p></div>"
    ) in content
    assert "annotator/admin/guidelines-preview.js" in content


def test_changelist_counts_members_documents_and_annotations(manager_client, project):
    factories.MembershipFactory.create_batch(2, project=project)
    factories.ProjectDocumentFactory.create_batch(3, project=project)
    factories.AnnotationFactory(project=project)
    empty = factories.ProjectFactory()
    rows = manager_client.get(reverse("admin:annotator_project_changelist")).context["cl"]
    counts = {
        p.pk: (p.member_count, p.document_count, p.annotation_count) for p in rows.result_list
    }
    assert counts == {project.pk: (2, 3, 1), empty.pk: (0, 0, 0)}


def test_suggestion_settings_and_the_members_control_group_are_edited_here(manager_client):
    project = factories.ProjectFactory()
    member = factories.MembershipFactory(project=project)
    data = inline_data(project)
    data.update({"suggestion_threshold": "0.9", "retrain_every": "0"})
    del data["suggestions_enabled"]
    del data["memberships-2-0-suggestions"]
    assert manager_client.post(change_url(project), data).status_code == 302
    project.refresh_from_db()
    member.refresh_from_db()
    assert (project.suggestions_enabled, project.suggestion_threshold, project.retrain_every) == (
        False,
        0.9,
        0,
    )
    assert member.suggestions is False
    data = inline_data(project)
    data["suggestion_threshold"] = "1.5"
    page = manager_client.post(change_url(project), data)
    assert page.status_code == 200
    assert "Ensure this value is less than or equal to 1.0." in page.content.decode()
    project.refresh_from_db()
    assert project.suggestion_threshold == 0.9
