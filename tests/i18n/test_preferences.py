"""Language and time zone: from the browser, the header's switch, the profile page; times
shown in the user's zone with the zone named; default labels in the project's language."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from annotator.models import AnnotationEvent, Label, Membership, Project, UserProfile
from tests.support import factories

pytestmark = pytest.mark.django_db


def test_the_browser_language_chooses_the_interface(client):
    user = factories.UserFactory()
    client.force_login(user)
    russian = client.get(reverse("home"), headers={"accept-language": "ru-RU,ru;q=0.9,en;q=0.8"})
    assert '<html lang="ru">' in russian.content.decode()
    assert "Ваши проекты" in russian.content.decode()
    english = client.get(reverse("home"), headers={"accept-language": "en-GB,en;q=0.9"})
    assert "Your projects" in english.content.decode()


def test_the_header_switch_is_remembered_in_the_profile(client):
    user = factories.UserFactory()
    client.force_login(user)
    response = client.post(reverse("language_set"), {"language": "ru", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert UserProfile.objects.get(user=user).language == "ru"
    # Another browser (no cookie) sending English: the profile's language wins after login.
    other = type(client)()
    other.force_login(user)
    html = other.get(reverse("home"), headers={"accept-language": "en"}).content.decode()
    assert "Ваши проекты" in html


def test_the_switch_refuses_an_unknown_language_and_a_foreign_next(client):
    user = factories.UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("language_set"), {"language": "xx", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")
    assert not UserProfile.objects.exists()


def test_the_switch_works_before_login(client):
    response = client.post(reverse("language_set"), {"language": "ru", "next": "/accounts/login/"})
    assert response.cookies["django_language"].value == "ru"
    assert "Войти" in client.get(reverse("login")).content.decode()


def test_the_profile_page_sets_language_and_time_zone(client):
    user = factories.UserFactory()
    client.force_login(user)
    html = client.get(reverse("profile")).content.decode()
    assert "Time zone" in html and "Europe/Moscow" in html
    response = client.post(
        reverse("profile"), {"language": "ru", "time_zone": "Asia/Almaty"}, follow=True
    )
    profile = UserProfile.objects.get(user=user)
    assert (profile.language, profile.time_zone) == ("ru", "Asia/Almaty")
    assert "Настройки сохранены." in response.content.decode()


def test_the_profile_refuses_an_unknown_zone(client):
    user = factories.UserFactory()
    client.force_login(user)
    response = client.post(reverse("profile"), {"language": "", "time_zone": "Mars/Olympus"})
    assert response.status_code == 200
    assert "Mars/Olympus" in response.content.decode()  # "…is not one of the choices"
    assert not UserProfile.objects.exists()


def test_times_are_shown_in_the_users_zone_with_the_zone_named(client):
    membership = factories.MembershipFactory(role=Membership.Role.MANAGER)
    project, user = membership.project, membership.user
    document = factories.DocumentFactory(text="Токаев считает, что АЭС нужна.")
    factories.ProjectDocumentFactory(project=project, document=document)
    annotation = factories.AnnotationFactory(
        project=project, document=document, annotator=user, start=0, end=6, quote="Токаев"
    )
    event = AnnotationEvent.objects.create(
        project=project,
        document=document,
        annotation_id=annotation.pk,
        actor=user,
        action=AnnotationEvent.Action.CREATE,
        after={"label": "fact", "start": 0, "end": 6, "quote": "Токаев"},
    )
    AnnotationEvent.objects.filter(pk=event.pk).update(
        at=dt.datetime(2026, 3, 1, 21, 30, tzinfo=dt.UTC)
    )
    UserProfile.objects.create(user=user, language="en", time_zone="Asia/Almaty")
    client.force_login(user)  # the login hook reads the profile into the session
    html = client.get(reverse("project_history", args=[project.slug])).content.decode()
    # Stored in UTC, shown in Almaty time (UTC+5), the zone named.
    assert "2026-03-02 02:30:00 +05" in html


def test_default_labels_follow_the_projects_language():
    russian = Project.objects.create(name="Обзор", slug="obzor", language="ru")
    english = Project.objects.create(name="Review", slug="review", language="en")
    titles = lambda project: list(  # noqa: E731
        Label.objects.filter(project=project).order_by("order").values_list("name", "title")
    )
    assert titles(russian) == [
        ("fact", "Факт"),
        ("opinion", "Мнение"),
        ("speculation", "Предположение"),
    ]
    assert titles(english) == [
        ("fact", "Fact"),
        ("opinion", "Opinion"),
        ("speculation", "Speculation"),
    ]
    assert Label.objects.get(project=russian, name="fact").description.startswith("Проверяемое")


def test_numbers_are_localised(client):
    from django.utils import translation

    from annotator.templatetags.report_tags import coef, pct

    with translation.override("ru"):
        assert (pct(0.2345), coef(2 / 3)) == ("23,4%", "0,667")
    with translation.override("en"):
        assert (pct(0.2345), coef(2 / 3)) == ("23.4%", "0.667")


def test_a_new_projects_language_is_its_creators(admin_client):
    html = admin_client.get(
        reverse("admin:annotator_project_add"), headers={"accept-language": "ru"}
    ).content.decode()
    assert '<option value="ru" selected>' in html
    html = admin_client.get(
        reverse("admin:annotator_project_add"), headers={"accept-language": "en"}
    ).content.decode()
    assert '<option value="en" selected>' in html
