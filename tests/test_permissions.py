"""Every URL, tried as every kind of user.

One table (TABLE) names, for each URL name and method, the status each role gets. Each
(URL, method, role) runs as its own test on a fresh database: the status must match,
a refusal must leave the database unchanged, and an allowed write must change it.
`test_every_url_is_in_the_table` fails when a URL exists that the table does not cover,
so a new view cannot ship without its access rules being written down here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from annotator.models import Annotation, AnnotationEvent, Document, Project
from annotator.services.annotations import annotation_create, annotation_delete
from tests import factories

ROLES = ("anonymous", "outsider", "annotator", "reviewer", "manager")

# Expected outcomes besides plain status codes.
LOGIN = "login"  # 302 to the login page
ADMIN_LOGIN = "admin-login"  # 302 to the admin's login page
# Refused or rejected (400: the workspace's "nothing written" answer).
REFUSALS = {LOGIN, ADMIN_LOGIN, 400, 403, 404, 405}


@dataclass
class World:
    project: Project
    document: Document
    annotation: Annotation  # the annotator's
    users: dict
    delete_event: AnnotationEvent  # the annotator deleted another annotation
    objects: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    expect: dict  # role -> status code, LOGIN or ADMIN_LOGIN
    kwargs: Callable[[World], dict] = lambda w: {}
    data: Callable[[World], dict] = lambda w: {}
    # False: no request changes the database. True: refusals change nothing, allowed
    # requests change it. None: only refusals are checked (e.g. logout updates a log).
    writes: bool | None = False


def each(outcome) -> dict:
    return dict.fromkeys(ROLES, outcome)


def roles(anonymous, outsider, annotator, reviewer, manager) -> dict:
    return dict(zip(ROLES, (anonymous, outsider, annotator, reviewer, manager), strict=True))


def slug(w: World) -> dict:
    return {"slug": w.project.slug}


def document(w: World) -> dict:
    return {"slug": w.project.slug, "document_id": w.document.pk}


def annotation(w: World) -> dict:
    return {"slug": w.project.slug, "annotation_id": w.annotation.pk}


def new_span(w: World) -> dict:
    label = w.project.labels.get(name="opinion")
    return {"label": label.pk, "start": 16, "end": 22, "quote": w.document.text[16:22]}


LOGGED_IN = roles(LOGIN, 200, 200, 200, 200)
MEMBERS = roles(LOGIN, 404, 200, 200, 200)
MANAGERS = roles(LOGIN, 404, 403, 403, 200)
STAFF = roles(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200)
POST_ONLY = roles(LOGIN, 405, 405, 405, 405)


def admin_model(label: str, *, add=200, change=200, change_post=200, delete_post=302) -> dict:
    """The admin pages of one registered model (``label`` like ``auth_user``)."""

    def obj(w: World) -> dict:
        return {"object_id": w.objects[label].pk}

    return {
        (f"admin:{label}_changelist", "GET"): Case(STAFF),
        (f"admin:{label}_add", "GET"): Case(STAFF | {"manager": add}),
        (f"admin:{label}_add", "POST"): Case(STAFF | {"manager": 403 if add == 403 else 200}),
        (f"admin:{label}_change", "GET"): Case(STAFF | {"manager": change}, obj),
        # A read-only admin answers a POST with a redirect and an admin log entry.
        (f"admin:{label}_change", "POST"): Case(
            STAFF | {"manager": change_post}, obj, writes=None if change_post == 302 else False
        ),
        (f"admin:{label}_history", "GET"): Case(STAFF, obj),
        (f"admin:{label}_delete", "GET"): Case(STAFF | {"manager": 200}, obj),
        (f"admin:{label}_delete", "POST"): Case(
            STAFF | {"manager": delete_post}, obj, lambda w: {"post": "yes"}, writes=True
        ),
    }


TABLE: dict[tuple[str, str], Case] = {
    # The workspace
    ("home", "GET"): Case(LOGGED_IN),
    ("project", "GET"): Case(MEMBERS, slug),
    ("label_css", "GET"): Case(MEMBERS, slug),
    ("document", "GET"): Case(MEMBERS, document, writes=None),  # records "last opened"
    ("document_previous", "GET"): Case(roles(LOGIN, 404, 302, 302, 302), document),
    ("document_next", "GET"): Case(roles(LOGIN, 404, 302, 302, 302), document),
    ("document_done", "POST"): Case(
        roles(LOGIN, 404, 302, 302, 302), document, lambda w: {"done": "1"}, writes=True
    ),
    ("document_done", "GET"): Case(POST_ONLY, document),
    # htmx endpoints: every member annotates; only one's own annotations can be changed.
    ("annotation_create", "POST"): Case(MEMBERS, document, new_span, writes=True),
    ("annotation_create", "GET"): Case(POST_ONLY, document),
    ("annotation_update", "POST"): Case(
        roles(LOGIN, 404, 200, 404, 404), annotation, lambda w: {"note": "проверено"}, writes=True
    ),
    ("annotation_update", "GET"): Case(POST_ONLY, annotation),
    ("annotation_delete", "POST"): Case(roles(LOGIN, 404, 200, 404, 404), annotation, writes=True),
    ("annotation_delete", "GET"): Case(POST_ONLY, annotation),
    # Undo: the annotator's latest change was a deletion; the others have nothing to undo.
    ("annotation_undo", "POST"): Case(roles(LOGIN, 404, 200, 400, 400), document, writes=True),
    ("annotation_undo", "GET"): Case(POST_ONLY, document),
    # Production: health check, the audit trail
    ("healthz", "GET"): Case(each(200)),
    ("healthz", "POST"): Case(each(405)),
    ("project_history", "GET"): Case(MANAGERS, slug),
    ("history_restore", "POST"): Case(
        roles(LOGIN, 404, 403, 403, 302),
        lambda w: {"slug": w.project.slug, "event_id": w.delete_event.pk},
        writes=True,
    ),
    ("history_restore", "GET"): Case(
        POST_ONLY, lambda w: {"slug": w.project.slug, "event_id": w.delete_event.pk}
    ),
    # Accounts (django.contrib.auth)
    ("login", "GET"): Case(each(200)),
    ("logout", "POST"): Case(each(302), writes=None),
    ("logout", "GET"): Case(each(405)),
    ("password_change", "GET"): Case(LOGGED_IN),
    ("password_change", "POST"): Case(LOGGED_IN),  # empty form: errors, nothing changes
    ("password_change_done", "GET"): Case(LOGGED_IN),
    ("password_reset", "GET"): Case(each(200)),
    ("password_reset_done", "GET"): Case(each(200)),
    ("password_reset_confirm", "GET"): Case(
        each(200), lambda w: {"uidb64": "MQ", "token": "invalid-token"}
    ),
    ("password_reset_complete", "GET"): Case(each(200)),
    # The admin: staff only (managers are staff; see the admin's own tests for details)
    ("admin:index", "GET"): Case(STAFF),
    ("admin:login", "GET"): Case(roles(200, 200, 200, 200, 302)),
    ("admin:logout", "POST"): Case(each(302), writes=None),
    ("admin:password_change", "GET"): Case(STAFF),
    ("admin:password_change_done", "GET"): Case(STAFF),
    ("admin:autocomplete", "GET"): Case(STAFF | {"manager": 403}),  # 403: no field given
    ("admin:jsi18n", "GET"): Case(STAFF),
    ("admin:app_list", "GET"): Case(STAFF, lambda w: {"app_label": "auth"}),
    ("admin:view_on_site", "GET"): Case(
        STAFF | {"manager": 302},
        lambda w: {
            "content_type_id": ContentType.objects.get_for_model(Project).pk,
            "object_id": w.project.pk,
        },
    ),
    ("admin:auth_user_password_change", "GET"): Case(
        STAFF, lambda w: {"id": w.objects["auth_user"].pk}
    ),
    **admin_model("auth_user"),
    **admin_model("auth_group"),
    # django-axes' records of login attempts are read-only (adding is refused).
    # (a POST to the change page goes back to the list, saving nothing).
    **admin_model("axes_accessattempt", add=403, change_post=302),
    **admin_model("axes_accesslog", add=403, change_post=302),
    **admin_model("axes_accessfailurelog", add=403, change_post=302),
}


def url_names(patterns=None, namespace="") -> list[str]:
    """Every URL pattern's full name (``namespace:?`` for an unnamed one), from the resolver."""
    names = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            prefix = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names += url_names(pattern.url_patterns, prefix)
        elif isinstance(pattern, URLPattern):
            names.append(f"{namespace}{pattern.name or '?'}")
    return names


def test_every_url_is_in_the_table():
    names = url_names()
    covered = {name for name, _ in TABLE}
    missing = sorted({n for n in names if not n.endswith("?")} - covered)
    assert missing == [], f"URLs with no row in tests/test_permissions.py TABLE: {missing}"
    assert sorted(covered - set(names)) == [], "TABLE rows for URLs that no longer exist"
    # Only the admin's redirects may be unnamed: every other view must be in the table.
    assert {n for n in names if n.endswith("?")} <= {"admin:?"}


# The database ----------------------------------------------------------------

# Sessions change with every login and logout; no URL edits permissions or content types.
SKIPPED_MODELS = {Session, Permission, ContentType}


def database_state() -> dict:
    """Every row of every table, many-to-many ones included: compared before and after."""
    quote = connection.ops.quote_name
    state = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            if model not in SKIPPED_MODELS:
                table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
                cursor.execute(f"SELECT * FROM {table} ORDER BY {pk}")
                state[model._meta.label] = cursor.fetchall()
    return state


@pytest.fixture
def world(db) -> World:
    project = factories.ProjectFactory(slug="newsroom")
    document = factories.DocumentFactory(text="Токаев считает, что АЭС нужна. Смайл 😀.")
    factories.ProjectDocumentFactory(project=project, document=document)
    users = {"anonymous": None, "outsider": factories.UserFactory(username="outsider")}
    for role in ("annotator", "reviewer", "manager"):
        users[role] = factories.MembershipFactory(
            project=project, role=role, user__username=role
        ).user
    manager = users["manager"]
    manager.is_staff = True
    manager.save()
    manager.user_permissions.set(Permission.objects.all())
    label = factories.project_label(project)
    kept = annotation_create(
        project=project,
        document=document,
        annotator=users["annotator"],
        label=label,
        start=0,
        end=6,
    )
    doomed = annotation_create(
        project=project,
        document=document,
        annotator=users["annotator"],
        label=label,
        start=7,
        end=14,
    )
    annotation_delete(annotation=doomed, actor=users["annotator"])
    objects = {
        "auth_user": factories.UserFactory(username="spare"),
        "auth_group": Group.objects.create(name="Analysts"),
        "axes_accessattempt": AccessAttempt.objects.create(
            username="spare", ip_address="10.0.0.1", failures_since_start=1
        ),
        "axes_accesslog": AccessLog.objects.create(username="spare", ip_address="10.0.0.1"),
        "axes_accessfailurelog": AccessFailureLog.objects.create(
            username="spare", ip_address="10.0.0.1"
        ),
    }
    return World(
        project=project,
        document=document,
        annotation=kept,
        users=users,
        delete_event=AnnotationEvent.objects.get(action="delete"),
        objects=objects,
    )


def client_for(world: World, role: str, **options) -> Client:
    client = Client(**options)
    if world.users[role] is not None:
        client.force_login(world.users[role])
    return client


def assert_outcome(response, expected) -> None:
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")
    elif expected == ADMIN_LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login") + "?next=")
    else:
        assert response.status_code == expected


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)(?![^>]*application/json)")


def assert_no_inline_code(response) -> None:
    """The CSP forbids inline scripts and styles: pages must not rely on them."""
    if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        return
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html), "inline <script> without a nonce"
    assert "<style" not in html
    assert not re.search(r"<[^>]+\sstyle=", html), "style attribute"


CASES = [(name, method, role) for (name, method), case in TABLE.items() for role in ROLES]


@pytest.mark.parametrize(("name", "method", "role"), CASES, ids=lambda v: str(v))
def test_access(world, name, method, role):
    case = TABLE[name, method]
    expected = case.expect[role]
    client = client_for(world, role)
    url = reverse(name, kwargs=case.kwargs(world))
    before = database_state()

    response = getattr(client, method.lower())(url, case.data(world))

    assert_outcome(response, expected)
    assert_no_inline_code(response)
    if expected in REFUSALS or case.writes is False:
        assert database_state() == before, "the request changed the database"
    elif case.writes:
        assert database_state() != before, "an allowed write changed nothing"


POSTS = [
    (name, next(r for r in reversed(ROLES) if case.expect[r] not in REFUSALS))
    for (name, method), case in TABLE.items()
    if method == "POST" and case.writes
]


@pytest.mark.parametrize(("name", "role"), POSTS)
def test_writes_need_a_csrf_token(world, name, role):
    case = TABLE[name, "POST"]
    client = client_for(world, role, enforce_csrf_checks=True)
    before = database_state()
    response = client.post(reverse(name, kwargs=case.kwargs(world)), case.data(world))
    assert response.status_code == 403
    assert database_state() == before


def test_htmx_writes_send_the_token_from_the_page_header(world):
    """htmx posts carry the token that base.html puts in ``hx-headers`` on <body>."""
    client = client_for(world, "manager", enforce_csrf_checks=True)
    page = client.get(reverse("project_history", kwargs={"slug": world.project.slug}))
    token = re.search(r'hx-headers=\'\{"x-csrftoken": "([^"]+)"\}\'', page.content.decode())[1]
    url = reverse(
        "history_restore", kwargs={"slug": world.project.slug, "event_id": world.delete_event.pk}
    )
    response = client.post(url, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 302
    assert AnnotationEvent.objects.filter(action="restore").exists()
