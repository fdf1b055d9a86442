"""Login throttling (django-axes): repeated failures lock out that user name for a while."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings

from tests.support import factories

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def attempt(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def test_repeated_failures_lock_the_user_out_with_a_clear_message(client):
    user = factories.UserFactory(username="analyst1")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = attempt(client, "analyst1", "wrong")
        assert response.status_code == 200
        assert "did not match" in response.content.decode()

    response = attempt(client, "analyst1", "wrong")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many login attempts" in page
    assert f"blocked after {settings.AXES_FAILURE_LIMIT} failed attempts" in page
    assert "Try again in 15 minutes." in page

    # Even the right password is refused while locked out.
    response = attempt(client, "analyst1", factories.PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get(username=user.username).failures_since_start >= 5


def test_a_lockout_does_not_block_other_analysts(client):
    factories.UserFactory(username="analyst1")
    factories.UserFactory(username="analyst2")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "analyst1", "wrong")
    response = attempt(client, "analyst2", factories.PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_a_successful_login_resets_the_failure_count(client):
    factories.UserFactory(username="analyst1")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "analyst1", "wrong")
    assert attempt(client, "analyst1", factories.PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "analyst1", "wrong").status_code == 200
    assert attempt(client, "analyst1", factories.PASSWORD).status_code == 302


def test_the_admin_login_is_throttled_too(client):
    factories.UserFactory(username="boss", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "boss", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "boss", "password": factories.PASSWORD})
    assert response.status_code == 429


def test_password_validators_reject_weak_passwords():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    user = factories.UserFactory(username="analyst1")
    with pytest.raises(ValidationError) as excinfo:
        validate_password("12345678", user)
    assert "This password is too common." in excinfo.value.messages
    assert "This password is entirely numeric." in excinfo.value.messages
    validate_password("fact-opinion-speculation-2024", user)
