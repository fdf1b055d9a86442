"""Personal API tokens: made on the API tokens page or by create_api_token, the key shown
once and stored hashed, revoked by their owner or a manager; rate limits per token and
throttling of wrong keys."""

from __future__ import annotations

import hashlib
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from annotator.api.throttling import TokenRateThrottle
from annotator.models import ApiToken
from tests.support import factories

pytestmark = pytest.mark.django_db


def api(key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def test_the_tokens_page_shows_a_new_key_once_and_stores_its_hash(client, annotator_user):
    client.force_login(annotator_user)

    made = client.post(reverse("api_tokens"), {"name": "  nightly   export "})
    later = client.get(reverse("api_tokens"))

    page = made.content.decode()
    key = re.search(r'<code class="token-key" id="token-key">([^<]+)</code>', page)[1]
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.prefix) == (annotator_user, "nightly export", key[:8])
    assert token.key_sha256 == hashlib.sha256(key.encode()).hexdigest()
    assert key not in later.content.decode()
    assert f"{key[:8]}…" in later.content.decode()
    assert "no-store" in made["Cache-Control"]
    assert api(key).get(reverse("api-projects")).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_token_needs_a_name(client, annotator_user):
    client.force_login(annotator_user)
    response = client.post(reverse("api_tokens"), {"name": "   "})
    assert response.status_code == 400
    assert "Give the token a name (what will use it)." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_revoked_token_is_refused(client, annotator_user):
    client.force_login(annotator_user)
    call = StringIO()
    call_command("create_api_token", annotator_user.username, "--name", "ci", stdout=call)
    key = call.getvalue().strip()
    token = ApiToken.objects.get(name="ci")

    response = client.post(reverse("api_token_revoke", args=[token.pk]))

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked
    assert api(key).get(reverse("api-projects")).json() == {
        "detail": "This API token has been revoked.",
        "errors": {},
    }


def test_another_users_token_cannot_be_revoked(client, annotator_user):
    other = factories.UserFactory()
    call_command("create_api_token", other.username, stdout=StringIO())
    client.force_login(annotator_user)
    response = client.post(reverse("api_token_revoke", args=[ApiToken.objects.get().pk]))
    assert response.status_code == 404
    assert not ApiToken.objects.get().revoked


def test_a_manager_revokes_tokens_in_the_admin(manager_client, annotator_user):
    call_command("create_api_token", annotator_user.username, stdout=StringIO())
    token = ApiToken.objects.get()
    response = manager_client.post(
        reverse("admin:annotator_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked


def test_create_api_token_prints_the_key_once_and_refuses_unknown_users(annotator_user):
    out = StringIO()
    call_command("create_api_token", annotator_user.username, stdout=out)
    key = out.getvalue().strip()
    assert re.fullmatch(r"[A-Za-z0-9_-]{40}", key)
    assert ApiToken.objects.get().name == "command line"
    with pytest.raises(CommandError, match="No user named 'nobody'."):
        call_command("create_api_token", "nobody")


def test_each_token_has_its_own_rate_limit(annotator_user, monkeypatch):
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "3/minute"})
    keys = []
    for name in ("a", "b"):
        out = StringIO()
        call_command("create_api_token", annotator_user.username, "--name", name, stdout=out)
        keys.append(out.getvalue().strip())
    url = reverse("api-projects")

    statuses = [api(keys[0]).get(url).status_code for _ in range(4)]
    limited = api(keys[0]).get(url)

    assert statuses == [200, 200, 200, 429]
    assert limited.json()["detail"].startswith("Request was throttled.")
    assert int(limited["Retry-After"]) > 0
    assert api(keys[1]).get(url).status_code == 200  # the other token's budget


def test_wrong_keys_from_one_address_are_throttled(annotator_user, settings):
    settings.API_FAILED_TOKEN_LIMIT = 3
    out = StringIO()
    call_command("create_api_token", annotator_user.username, stdout=out)
    url = reverse("api-projects")

    wrong = [api(f"guess-{i}").get(url).status_code for i in range(3)]
    locked = api(out.getvalue().strip()).get(url)

    assert wrong == [401, 401, 401]
    assert locked.status_code == 429
    assert locked.json()["detail"] == (
        "Too many attempts with wrong API keys from this address; wait a while."
    )
