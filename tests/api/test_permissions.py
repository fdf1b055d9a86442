"""Every API endpoint, tried as every kind of caller.

Built as tests/test_permissions.py (whose world it shares): one table (TABLE) names, for
each API URL name and method, the status each caller gets; each (URL, method, caller)
runs as its own test on a fresh database: the status must match, a refusal must leave
the database unchanged, an allowed write must change it. The callers are the page
roles with a personal token each, and three without a valid one: no token, a wrong
token and a revoked token. `test_every_api_url_is_in_the_table` fails when an API URL
has no row.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from annotator.accounts.tokens import api_token_create, api_token_revoke
from annotator.models import ApiToken, Suggestion
from tests.test_permissions import (  # noqa: F401  (world: the shared fixture)
    World,
    assert_no_inline_code,
    database_state,
    url_names,
    world,
)

ROLES = (
    "anonymous",
    "bad_token",
    "revoked_token",
    "outsider",
    "annotator",
    "reviewer",
    "manager",
)
UNAUTHENTICATED = {"anonymous": 401, "bad_token": 401, "revoked_token": 401}
REFUSALS = {400, 401, 403, 404, 405}


def roles(outsider, annotator, reviewer, manager) -> dict:
    return UNAUTHENTICATED | {
        "outsider": outsider,
        "annotator": annotator,
        "reviewer": reviewer,
        "manager": manager,
    }


LOGGED_IN = roles(200, 200, 200, 200)
MEMBERS = roles(404, 200, 200, 200)
REVIEWERS = roles(404, 403, 200, 200)
OWN_ANNOTATION = roles(404, 200, 404, 404)  # the annotator's own; nobody else's
OWN_JOB = roles(404, 404, 200, 404)  # the reviewer started it
PUBLIC = UNAUTHENTICATED | dict.fromkeys(ROLES, 200) | {"bad_token": 401, "revoked_token": 401}


@dataclass(frozen=True)
class Case:
    expect: dict
    kwargs: Callable[[World], dict] = lambda w: {}
    data: Callable[[World], object] | None = None
    writes: bool = False
    content_type: str = "application/json"


def slug(w: World) -> dict:
    return {"slug": w.project.slug}


def document(w: World) -> dict:
    return slug(w) | {"document_id": w.document.pk}


def annotation(w: World) -> dict:
    return slug(w) | {"annotation_id": w.annotation.pk}


def prediction(w: World) -> dict:
    return slug(w) | {"prediction_id": w.objects["prediction"].pk}


def job(w: World) -> dict:
    return {"job_id": w.objects["annotator_job"].pk}


def new_span(w: World) -> dict:
    text = w.document.text
    return {"document": w.document.pk, "label": "opinion", "start": 16, "end": 23,
            "quote": text[16:23]}  # fmt: skip


def new_prediction(w: World) -> list[dict]:
    return [{"document": w.document.pk, "label": "fact", "start": 0, "end": 6,
             "score": 0.9, "agent": "my-bert-v3"}]  # fmt: skip


TABLE: dict[tuple[str, str], Case] = {
    ("api-projects", "GET"): Case(LOGGED_IN),
    ("api-project", "GET"): Case(MEMBERS, slug),
    ("api-documents", "GET"): Case(MEMBERS, slug),
    ("api-documents", "POST"): Case(
        roles(404, 403, 403, 201),
        slug,
        lambda w: [{"text": "Новый документ из скрипта.", "source": "Архив"}],
        writes=True,
    ),
    ("api-document", "GET"): Case(MEMBERS, document),
    ("api-annotations", "GET"): Case(MEMBERS, slug),
    ("api-annotations", "POST"): Case(roles(404, 201, 201, 201), slug, new_span, writes=True),
    ("api-annotation", "GET"): Case(OWN_ANNOTATION, annotation),
    ("api-annotation", "PATCH"): Case(
        OWN_ANNOTATION, annotation, lambda w: {"note": "проверено"}, writes=True
    ),
    ("api-annotation", "DELETE"): Case(roles(404, 204, 404, 404), annotation, writes=True),
    ("api-predictions", "GET"): Case(MEMBERS, slug),
    ("api-predictions", "POST"): Case(roles(404, 403, 201, 201), slug, new_prediction, writes=True),
    ("api-prediction", "GET"): Case(MEMBERS, prediction),
    ("api-prediction", "DELETE"): Case(roles(404, 403, 204, 204), prediction, writes=True),
    ("api-gold", "GET"): Case(REVIEWERS, slug),
    ("api-agreement", "GET"): Case(REVIEWERS, slug),
    ("api-profiles", "GET"): Case(REVIEWERS, slug),
    ("api-exports", "GET"): Case(REVIEWERS, slug),
    ("api-exports", "POST"): Case(
        roles(404, 403, 202, 202), slug, lambda w: {"format": "jsonl"}, writes=True
    ),
    ("api-jobs", "GET"): Case(LOGGED_IN),
    ("api-job", "GET"): Case(OWN_JOB, job),
    ("api-job-download", "GET"): Case(OWN_JOB, job),
    # The schema and its documentation pages show no data.
    ("api-schema", "GET"): Case(PUBLIC),
    ("api-docs", "GET"): Case(PUBLIC),
    ("api-redoc", "GET"): Case(PUBLIC),
}


def test_every_api_url_is_in_the_table():
    names = {name for name in url_names() if name.startswith("api-")}
    covered = {name for name, _ in TABLE}
    assert sorted(names - covered) == [], "API URLs with no row in tests/api/test_permissions.py"
    assert sorted(covered - names) == [], "TABLE rows for API URLs that no longer exist"


@pytest.fixture
def api(world: World) -> dict:  # noqa: F811
    """A token for every member and the outsider, a revoked one, and a prediction."""
    keys = {"anonymous": None, "bad_token": "not-a-key-" + "x" * 30}
    for role in ("outsider", "annotator", "reviewer", "manager"):
        keys[role] = api_token_create(user=world.users[role], name=f"{role}'s script")[1]
    revoked, keys["revoked_token"] = api_token_create(user=world.users["annotator"], name="old")
    api_token_revoke(token=revoked)
    # Used just now: reading with them writes nothing (last_used_at is kept per minute).
    ApiToken.objects.update(last_used_at=timezone.now())
    world.objects["prediction"] = Suggestion.objects.create(
        project=world.project,
        document=world.document,
        label=world.project.labels.get(name="speculation"),
        start=7,
        end=14,
        quote=world.document.text[7:14],
        score=0.42,
        agent="my-bert-v3",
    )
    return keys


def client_for(keys: dict, role: str) -> Client:
    key = keys[role]
    return Client(HTTP_AUTHORIZATION=f"Token {key}") if key else Client()


def request(client: Client, method: str, url: str, case: Case, w: World):
    body = case.data(w) if case.data else None
    send = getattr(client, method.lower())
    if body is None:
        return send(url)
    if method == "GET":
        return send(url, body)
    return send(url, json.dumps(body, ensure_ascii=False), content_type=case.content_type)


CASES = [(name, method, role) for (name, method), case in TABLE.items() for role in ROLES]


@pytest.mark.parametrize(("name", "method", "role"), CASES, ids=lambda v: str(v))
def test_api_access(world, api, name, method, role):  # noqa: F811
    case = TABLE[name, method]
    expected = case.expect[role]
    url = reverse(name, kwargs=case.kwargs(world))
    before = database_state()

    response = request(client_for(api, role), method, url, case, world)

    assert response.status_code == expected, getattr(response, "content", b"")[:300]
    assert_no_inline_code(response)
    if expected in REFUSALS or not case.writes:
        assert database_state() == before, "the request changed the database"
    else:
        assert database_state() != before, "an allowed write changed nothing"
    if expected in REFUSALS and response.get("Content-Type") == "application/json":
        body = response.json()
        assert set(body) == {"detail", "errors"} and body["detail"]


def test_unauthenticated_answers_say_how_to_authenticate(world, api):  # noqa: F811
    url = reverse("api-projects")
    for role, detail in (
        ("anonymous", "Authentication credentials were not provided."),
        ("bad_token", "Invalid API token."),
        ("revoked_token", "This API token has been revoked."),
    ):
        response = client_for(api, role).get(url)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
        assert response.json() == {"detail": detail, "errors": {}}


def test_bearer_works_as_token(world, api):  # noqa: F811
    response = Client(HTTP_AUTHORIZATION=f"Bearer {api['annotator']}").get(reverse("api-projects"))
    assert response.status_code == 200
    assert [p["role"] for p in response.json()["results"]] == ["annotator"]


# Each write someone may make, by the last role allowed (the most privileged).
WRITES = [
    (name, method, [r for r in ROLES if case.expect[r] not in REFUSALS][-1])
    for (name, method), case in TABLE.items()
    if case.writes
]


@pytest.mark.parametrize(("name", "method", "role"), WRITES)
def test_session_writes_need_the_csrf_token(world, api, name, method, role):  # noqa: F811
    """The browser's session works too, with the pages' CSRF check on every write."""
    case = TABLE[name, method]
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users[role])
    url = reverse(name, kwargs=case.kwargs(world))
    before = database_state()

    refused = request(client, method, url, case, world)

    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert database_state() == before
    client.get(reverse("api_tokens"))  # a page: sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    body = case.data(world) if case.data else None
    response = getattr(client, method.lower())(
        url,
        json.dumps(body, ensure_ascii=False) if body is not None else None,
        content_type=case.content_type,
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == case.expect[role]


@pytest.mark.parametrize("name", ["api-annotations", "api-gold", "api-predictions"])
def test_no_list_shows_a_colleagues_annotations_to_an_annotator(world, api, name):  # noqa: F811
    """Annotation is blind through the API too: a colleague's spans and notes never show."""
    from tests.test_permissions import COLLEAGUE_NOTE

    client = client_for(api, "annotator")
    response = client.get(reverse(name, kwargs=slug(world)))
    assert COLLEAGUE_NOTE not in response.content.decode()
    if response.status_code == 200:
        spans = response.json()["results"]
        assert world.colleague_span.pk not in {s["id"] for s in spans} or name != "api-annotations"
    everyone = client.get(reverse("api-annotations", kwargs=slug(world)), {"annotator": "*"})
    assert everyone.status_code == 403
