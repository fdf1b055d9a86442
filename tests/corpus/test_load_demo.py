import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command

from annotator.models import (
    Document,
    Membership,
    Project,
    ProjectDocument,
    Sentence,
    Source,
    Story,
)

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture(autouse=True)
def debug_on_and_fast_hashing(settings):
    """The tests run with DEBUG off; load_demo is meant for local (DEBUG) use."""
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load_demo(*args):
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            User,
            Group,
            Document,
            Sentence,
            Source,
            Project,
            Membership,
            ProjectDocument,
            Story,
            Story.documents.through,
        )
    } | {"group permissions": Permission.objects.filter(group__isnull=False).count()}


def test_creates_the_demo_project_with_the_seed_corpus():
    output = load_demo()
    project = Project.objects.get(slug="demo")
    assert project.documents.count() == 5
    assert Source.objects.count() == 5
    assert "Seed corpus: 5 documents added, 0 skipped as duplicate, 0 rejected" in output


def test_groups_the_seed_texts_into_one_story():
    load_demo()
    story = Story.objects.get()
    assert story.name == "Визиты Путина и Токаева"
    project = Project.objects.get(slug="demo")
    assert set(story.documents.all()) == set(project.documents.all())
    assert story.documents.values("source").distinct().count() == 5  # five outlets


def test_creates_the_accounts_with_their_roles_and_password():
    load_demo()
    project = Project.objects.get(slug="demo")
    roles = dict(Membership.objects.filter(project=project).values_list("user__username", "role"))
    assert roles == {"manager": "manager", "analyst1": "annotator", "analyst2": "annotator"}

    manager = User.objects.get(username="manager")
    assert manager.is_staff and not manager.is_superuser
    assert list(manager.groups.values_list("name", flat=True)) == ["Campaign managers"]
    for permission in [
        "annotator.add_document",
        "annotator.change_project",
        "annotator.delete_membership",
        "annotator.view_annotation",
        "auth.add_user",
        "auth.view_group",
    ]:
        assert manager.has_perm(permission), permission
    assert not manager.has_perm("auth.delete_permission")
    assert not manager.has_perm("auth.change_group")  # cannot widen their own group

    for username in ["manager", "analyst1", "analyst2"]:
        assert User.objects.get(username=username).check_password("annotate")
    for username in ["analyst1", "analyst2"]:
        analyst = User.objects.get(username=username)
        assert not analyst.is_staff and not analyst.get_all_permissions()


def test_a_second_run_adds_nothing():
    load_demo()
    before = counts()
    output = load_demo()
    assert counts() == before
    assert "Seed corpus: 0 documents added, 5 skipped as duplicate, 0 rejected" in output
    assert "Created the account" not in output


def test_refuses_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError) as exc:
        load_demo()
    assert str(exc.value) == (
        "load_demo creates accounts with a shared, published password: it refuses to run "
        "with DEBUG off. Pass --force to run it anyway."
    )
    assert not User.objects.exists()
    assert not Document.objects.exists()


def test_force_runs_with_debug_off(settings):
    settings.DEBUG = False
    load_demo("--force")
    assert User.objects.filter(username__in=["manager", "analyst1", "analyst2"]).count() == 3


def test_manager_can_open_the_admin_and_an_analyst_cannot(client):
    load_demo()
    assert client.login(username="manager", password="annotate")
    assert client.get("/admin/").status_code == 200
    client.logout()

    assert client.login(username="analyst1", password="annotate")
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_the_benchmarks_setup_runs_as_written(db, monkeypatch):
    """../shared/anchors/start_ours.sh sets up its manager and project with this code
    (``managers_group`` from load_demo is a name its script relies on)."""
    import re
    from pathlib import Path

    from django.contrib.auth import get_user_model

    from annotator.accounts.services import managers_group_get_or_create
    from annotator.management.commands.load_demo import managers_group
    from annotator.models import Membership, Project

    assert managers_group() == managers_group_get_or_create()
    script = Path(__file__).resolve().parents[3] / "shared" / "anchors" / "start_ours.sh"
    if not script.exists():
        pytest.skip("../shared/anchors is not beside this checkout")
    snippet = re.search(r"manage\.py shell -c '\n(.*?)\n' >>", script.read_text(), re.S)
    assert snippet, "the setup snippet of start_ours.sh"
    monkeypatch.setenv("OURS_USER", "admin")
    monkeypatch.setenv("BENCH_PASSWORD", "Adm1nPass!x")
    exec(snippet.group(1), {})
    user = get_user_model().objects.get(username="admin")
    project = Project.objects.get(slug="bench")
    assert user.is_staff and user.groups.filter(pk=managers_group().pk).exists()
    assert Membership.objects.get(project=project, user=user).role == Membership.Role.MANAGER
