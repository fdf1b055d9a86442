"""Every URL, tried as every kind of user.

One table (TABLE) names, for each URL name and method, the status each role gets. Each
(URL, method, role) runs as its own test on a fresh database: the status must match,
a refusal must leave the database unchanged, and an allowed write must change it.
`test_every_url_is_in_the_table` fails when a URL exists that the table does not cover,
so a new view cannot ship without its access rules being written down here.

Writes are tried with valid data (admin forms as the manager's browser would fill them),
so that "refused" means the rule refused it, not the form. The manager is a campaign
manager as load_demo makes one (staff in the "Campaign managers" group, not superuser).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from annotator.accounts.services import managers_group_get_or_create
from annotator.accounts.tokens import api_token_create
from annotator.datasets.export.plan import ExportFilters
from annotator.jobs.services import job_start_export
from annotator.jobs.tasks import run_job
from annotator.models import (
    Annotation,
    AnnotationEvent,
    Cue,
    Document,
    GoldAnnotation,
    Membership,
    Project,
    Story,
    Suggestion,
    SuggestionDecision,
)
from annotator.reports.tallies import tallies_refresh
from annotator.review.services import gold_create
from annotator.workspace.annotations import annotation_create, annotation_delete
from tests.support import factories

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
    users: dict  # by role, and "colleague": a second annotator
    delete_event: AnnotationEvent  # the annotator deleted another annotation
    colleague_span: Annotation  # the colleague's, not in the gold standard yet
    gold: GoldAnnotation  # the reviewer's
    objects: dict = field(default_factory=dict)  # by admin model label, and spares


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


def suggestion(w: World) -> dict:
    return document(w) | {"suggestion_id": w.objects["annotator_suggestion"].pk}


def gold(w: World) -> dict:
    return document(w) | {"gold_id": w.gold.pk}


def job(w: World) -> dict:
    return {"job_id": w.objects["annotator_job"].pk}


def api_token(w: World) -> dict:
    return {"token_id": w.objects["annotator_apitoken"].pk}  # the annotator's


def label_pk(w: World, name: str) -> int:
    return w.project.labels.get(name=name).pk


def new_span(w: World) -> dict:
    return {
        "label": label_pk(w, "opinion"),
        "start": 16,
        "end": 22,
        "quote": w.document.text[16:22],
    }


LOGGED_IN = roles(LOGIN, 200, 200, 200, 200)
OWN_JOB = roles(LOGIN, 404, 404, 200, 404)  # the reviewer started it
MEMBERS = roles(LOGIN, 404, 200, 200, 200)
MANAGERS = roles(LOGIN, 404, 403, 403, 200)
# Every annotator's work: for the project's reviewers and managers.
REVIEWERS = roles(LOGIN, 404, 403, 200, 200)
REVIEW_WRITES = roles(LOGIN, 404, 403, 302, 302)  # back to the review page
# Source profiles name no project: whoever reviews none is refused.
PROFILES = roles(LOGIN, 403, 403, 200, 200)
STAFF = roles(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200)
POST_ONLY = roles(LOGIN, 405, 405, 405, 405)


def post_only(name: str, expect: dict, kwargs, data=lambda w: {}) -> dict:
    """A write's rows: the POST with valid data, and the GET every user is refused."""
    return {
        (name, "POST"): Case(expect, kwargs, data, writes=True),
        (name, "GET"): Case(POST_ONLY, kwargs),
    }


class FormFields(HTMLParser):
    """The (name, value) pairs a browser submits from the form with id ``form_id``."""

    BUTTONS = {"submit", "button", "image", "reset", "file"}

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.pairs: list[tuple[str, str]] = []
        self.textarea: list | None = None  # [name, text so far]
        self.select: tuple | None = None  # (name, multiple, [(value, selected)])

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        elif tag == "option" and self.select is not None:
            self.select[2].append((a.get("value", ""), "selected" in a))
        elif not self.inside or "disabled" in a or not a.get("name"):
            return
        elif tag == "input" and a.get("type") in ("checkbox", "radio"):
            if "checked" in a:
                self.pairs.append((a["name"], a.get("value", "on")))
        elif tag == "input" and a.get("type") not in self.BUTTONS:
            self.pairs.append((a["name"], a.get("value") or ""))
        elif tag == "textarea":
            self.textarea = [a["name"], ""]
        elif tag == "select":
            self.select = (a["name"], "multiple" in a, [])

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            # Browsers drop the line break that opens a textarea's content.
            self.pairs.append((name, text[1:] if text.startswith("\n") else text))
            self.textarea = None
        elif tag == "select" and self.select is not None:
            name, multiple, options = self.select
            chosen = [value for value, selected in options if selected]
            if not chosen and not multiple and options:
                chosen = [options[0][0]]
            self.pairs += [(name, value) for value in chosen]
            self.select = None
        elif tag == "form":
            self.inside = False


def form_fields(html: str, form_id: str) -> dict[str, list[str]]:
    parser = FormFields(form_id)
    parser.feed(html)
    parser.close()
    fields: dict[str, list[str]] = {}
    for name, value in parser.pairs:
        fields.setdefault(name, []).append(value)
    return fields


def admin_form(label: str, page: str, values: Callable[[World], dict]):
    """POST data for an admin add or change page as the manager's browser sends it: every
    field as the page shows it, with ``values`` filled in. When the manager may not open
    the page, only ``values``: that POST must be refused all the same."""

    def data(w: World) -> dict:
        kwargs = {} if page == "add" else {"object_id": w.objects[label].pk}
        response = client_for(w, "manager").get(reverse(f"admin:{label}_{page}", kwargs=kwargs))
        if response.status_code != 200:
            return values(w)
        shown = form_fields(response.content.decode(), f"{label.split('_', 1)[1]}_form")
        assert shown, f"no form on the {label} {page} page"
        return shown | values(w)

    return data


@dataclass(frozen=True)
class AdminModel:
    add: Callable[[World], dict]  # what a valid add form needs
    change: Callable[[World], dict]  # a change a valid change form makes
    # What the manager may not do: "add", "change", "delete", or "view" (nothing at all).
    refused: tuple[str, ...] = ()


def admin_model(label: str, spec: AdminModel) -> dict:
    """The admin pages of one registered model (``label`` like ``annotator_source``) for
    the object ``w.objects[label]``. A POST the manager may make saves and redirects."""

    def expect(page: str, status: int = 200) -> dict:
        return STAFF | {"manager": 403 if {page, "view"} & set(spec.refused) else status}

    def obj(w: World) -> dict:
        return {"object_id": w.objects[label].pk}

    def url(page: str) -> str:
        return f"admin:{label}_{page}"

    return {
        (url("changelist"), "GET"): Case(expect("view")),
        (url("add"), "GET"): Case(expect("add")),
        (url("add"), "POST"): Case(
            expect("add", 302), data=admin_form(label, "add", spec.add), writes=True
        ),
        (url("change"), "GET"): Case(expect("view"), obj),
        (url("change"), "POST"): Case(
            expect("change", 302), obj, admin_form(label, "change", spec.change), writes=True
        ),
        (url("history"), "GET"): Case(expect("view"), obj),
        (url("delete"), "GET"): Case(expect("delete"), obj),
        (url("delete"), "POST"): Case(
            expect("delete", 302), obj, lambda w: {"post": "yes"}, writes=True
        ),
    }


def in_document(w: World) -> dict:
    return {"project": w.project.pk, "document": w.document.pk}


PASSWORD = "Vybory-2024-dolgie!"
READ_ONLY = ("add", "change", "delete")
AXES_RECORD = {"username": "spare", "ip_address": "10.0.0.2"}

# Every model registered in the admin: its forms' valid data, what the manager may not do.
ADMIN_MODELS = {
    "annotator_source": AdminModel(
        add=lambda w: {"name": "РБК", "kind": "news_site"},
        change=lambda w: {"description": "Государственное агентство"},
    ),
    "annotator_document": AdminModel(
        add=lambda w: {"source": w.document.source_id, "text": "Новый текст. Второе."},
        change=lambda w: {"title": "Заявление Токаева"},
    ),
    "annotator_project": AdminModel(
        add=lambda w: {"name": "Выборы", "slug": "elections"},
        change=lambda w: {"description": "Кампания 2024 года"},
    ),
    "annotator_story": AdminModel(
        add=lambda w: {"name": "Визит Токаева"},
        change=lambda w: {"description": "Пять изданий о визите"},
    ),
    "annotator_projectdocument": AdminModel(
        add=lambda w: {"project": w.project.pk, "document": w.objects["spare_document"].pk},
        change=lambda w: {"reviewed_by": w.users["reviewer"].pk},
    ),
    "annotator_membership": AdminModel(
        add=lambda w: {"project": w.project.pk, "user": w.objects["auth_user"].pk},
        change=lambda w: {"role": "reviewer"},
    ),
    "annotator_label": AdminModel(
        add=lambda w: {"project": w.project.pk, "name": "irony", "title": "Irony", "hotkey": "4"},
        change=lambda w: {"title": "Guess"},
    ),
    "annotator_assignment": AdminModel(
        add=lambda w: in_document(w) | {"annotator": w.users["reviewer"].pk},
        change=lambda w: {"annotator": w.users["reviewer"].pk},
    ),
    "annotator_documentprogress": AdminModel(
        add=lambda w: in_document(w) | {"annotator": w.users["annotator"].pk},
        change=lambda w: {"done_at_0": "2024-05-01", "done_at_1": "12:00:00"},
    ),
    # Spans are made in the workspace (offsets from a selection); the admin edits labels.
    "annotator_annotation": AdminModel(
        add=lambda w: in_document(w) | {"label": label_pk(w, "fact"), "start": 7, "end": 14},
        change=lambda w: {"label": label_pk(w, "opinion"), "note": "проверено"},
        refused=("add",),
    ),
    "annotator_goldannotation": AdminModel(
        add=lambda w: in_document(w) | {"label": label_pk(w, "fact"), "start": 7, "end": 14},
        change=lambda w: {"label": label_pk(w, "fact")},
        refused=("add",),
    ),
    # Written by the application: viewed, never edited.
    "annotator_sentence": AdminModel(
        add=lambda w: {"document": w.document.pk, "index": 2, "start": 0, "end": 6},
        change=lambda w: {"end": 20},
        refused=READ_ONLY,
    ),
    "annotator_annotationevent": AdminModel(
        add=lambda w: in_document(w) | {"action": "create", "annotation_id": 1},
        change=lambda w: {"action": "restore"},
        refused=READ_ONLY,
    ),
    # Managers extend the cue lexicon; suggestions and decisions are the suggesters' and
    # the annotators' records, viewed only.
    "annotator_cue": AdminModel(
        add=lambda w: {
            "project": w.project.pk,
            "phrase": "сомнительный",
            "label": "speculation",
            "weight": "1.5",
            "active": "on",
        },
        change=lambda w: {"weight": "2"},
    ),
    "annotator_suggestion": AdminModel(
        add=lambda w: in_document(w) | {"start": 0, "end": 6, "score": "0.5", "agent": "cues"},
        change=lambda w: {"score": "0.9"},
        refused=READ_ONLY,
    ),
    "annotator_suggestiondecision": AdminModel(
        add=lambda w: {"verdict": "accepted"},
        change=lambda w: {"verdict": "accepted"},
        refused=READ_ONLY,
    ),
    "auth_user": AdminModel(
        add=lambda w: {"username": "newcomer", "password1": PASSWORD, "password2": PASSWORD},
        change=lambda w: {"email": "spare@newsroom.example"},
    ),
    # Managers see groups but cannot change them (nor so widen their own permissions).
    "auth_group": AdminModel(
        add=lambda w: {"name": "Editors"},
        change=lambda w: {"name": "Аналитики"},
        refused=READ_ONLY,
    ),
    # Background jobs: listed and deleted, never written by hand (the worker writes them).
    "annotator_job": AdminModel(
        add=lambda w: {"kind": "rebuild_profiles"},
        change=lambda w: {"state": "failed"},
        refused=("add", "change"),
    ),
    # Tokens are made by their owners (the key is shown once); a manager revokes them.
    "annotator_apitoken": AdminModel(
        add=lambda w: {"user": w.users["annotator"].pk, "name": "script"},
        change=lambda w: {"name": "renamed"},
        refused=("add", "change"),
    ),
    # The task queue's own records (django-tasks-db): superusers only.
    "django_tasks_database_dbtaskresult": AdminModel(
        add=lambda w: {"task_path": "annotator.jobs.tasks.run_job"},
        change=lambda w: {"priority": 1},
        refused=("view",),
    ),
    # django-axes' records of login attempts: campaign managers have no permission on them.
    **{
        f"axes_{model}": AdminModel(
            add=lambda w: AXES_RECORD, change=lambda w: AXES_RECORD, refused=("view",)
        )
        for model in ("accessattempt", "accesslog", "accessfailurelog")
    },
}

OWN_NOTE = "Моя заметка"
COLLEAGUE_NOTE = "Заметка коллеги"

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
    # Discussion: every member comments (an annotator's comments are about their own work);
    # only reviewers and managers send a document back; everyone reads their mentions.
    **post_only(
        "comment_add",
        roles(LOGIN, 404, 302, 302, 302),  # back to the document page
        document,
        lambda w: {"text": "Это мнение?"},
    ),
    **post_only(
        "document_reopen",
        roles(LOGIN, 404, 403, 302, 302),
        document,
        lambda w: {"annotator": w.users["annotator"].pk, "text": "Пропущено мнение."},
    ),
    ("mentions", "GET"): Case(LOGGED_IN),
    ("mentions_read", "POST"): Case(roles(LOGIN, 302, 302, 302, 302), writes=None),
    ("mentions_read", "GET"): Case(POST_ONLY),
    # Suggestions: every member who sees them; the annotator has rejected the only one
    # already (400: nothing to answer), and it scores under the threshold (0.8).
    ("suggestion_list", "GET"): Case(MEMBERS, document),
    **post_only("suggestion_accept", roles(LOGIN, 404, 400, 200, 200), suggestion),
    **post_only("suggestion_reject", roles(LOGIN, 404, 400, 200, 200), suggestion),
    **post_only("suggestion_accept_all", roles(LOGIN, 404, 400, 400, 400), document),
    # Source profiles, agreement and review (adjudication into gold)
    ("sources", "GET"): Case(PROFILES),
    ("source", "GET"): Case(PROFILES, lambda w: {"source_id": w.document.source_id}),
    ("agreement", "GET"): Case(REVIEWERS, slug),
    ("team_progress", "GET"): Case(REVIEWERS, slug),
    # The suggesters' evaluation; retraining is queued by managers (the tests' task
    # backend runs jobs at once, so nothing is queued: nothing changes either way).
    ("suggestions", "GET"): Case(REVIEWERS, slug),
    ("suggestions_retrain", "POST"): Case(roles(LOGIN, 404, 403, 403, 302), slug, writes=None),
    ("suggestions_retrain", "GET"): Case(POST_ONLY, slug),
    # Everyone in the project searches; what they find is their own (tests/search).
    ("search", "GET"): Case(MEMBERS, slug, data=lambda w: {"q": "Токаев"}),
    ("review", "GET"): Case(REVIEWERS, document),
    **post_only(
        "review_accept",
        REVIEW_WRITES,
        document,
        lambda w: {"annotation": w.colleague_span.pk},
    ),
    **post_only("review_majority", REVIEW_WRITES, document, lambda w: {"min_agree": 2}),
    **post_only(
        "review_gold_add",
        REVIEW_WRITES,
        document,
        lambda w: {"label": "speculation", "start": 0, "end": 6, "quote": "Токаев"},
    ),
    **post_only(
        "review_gold_edit",
        REVIEW_WRITES,
        gold,
        lambda w: {"label": "fact", "start": 20, "end": 23},
    ),
    **post_only("review_gold_delete", REVIEW_WRITES, gold),
    # Undo: nobody here changed gold through review, so there is nothing to undo.
    ("review_gold_undo", "POST"): Case(REVIEW_WRITES, document, writes=None),
    ("review_gold_undo", "GET"): Case(POST_ONLY, document),
    **post_only("review_reviewed", REVIEW_WRITES, document, lambda w: {"reviewed": "1"}),
    # Undo: the reviewer's latest gold action was adding the gold span; the manager has none
    # (refused with a message on the review page, nothing written).
    ("review_undo", "POST"): Case(REVIEW_WRITES, document, writes=None),
    ("review_undo", "GET"): Case(POST_ONLY, document),
    ("review_agreement", "GET"): Case(REVIEWERS, document),
    # Dataset export: the download itself, and the Label Studio config
    ("export_dataset", "GET"): Case(REVIEWERS, slug, lambda w: {"format": "jsonl"}),
    ("export_label_studio_config", "GET"): Case(REVIEWERS, slug),
    # Production: health check, the audit trail
    ("healthz", "GET"): Case(each(200)),
    ("healthz", "POST"): Case(each(405)),
    ("favicon", "GET"): Case(each(200)),
    ("project_history", "GET"): Case(MANAGERS, slug),
    ("history_restore", "POST"): Case(
        roles(LOGIN, 404, 403, 403, 302),
        lambda w: {"slug": w.project.slug, "event_id": w.delete_event.pk},
        writes=True,
    ),
    ("history_restore", "GET"): Case(
        POST_ONLY, lambda w: {"slug": w.project.slug, "event_id": w.delete_event.pk}
    ),
    # Background jobs: each user sees only the jobs they started (the reviewer's export).
    ("jobs", "GET"): Case(LOGGED_IN),
    ("job", "GET"): Case(OWN_JOB, job),
    ("job_progress", "GET"): Case(OWN_JOB, job),
    ("job_download", "GET"): Case(OWN_JOB, job),
    # Personal API tokens: each user's own (another's token is not found).
    ("api_tokens", "GET"): Case(LOGGED_IN),
    ("api_tokens", "POST"): Case(
        roles(LOGIN, 200, 200, 200, 200), data=lambda w: {"name": "nightly"}, writes=True
    ),
    ("api_token_revoke", "POST"): Case(roles(LOGIN, 404, 302, 404, 404), api_token, writes=True),
    ("api_token_revoke", "GET"): Case(POST_ONLY, api_token),
    # Accounts (django.contrib.auth)
    ("login", "GET"): Case(each(200)),
    ("logout", "POST"): Case(each(302), writes=None),
    ("logout", "GET"): Case(each(405)),
    ("password_change", "GET"): Case(LOGGED_IN),
    ("password_change", "POST"): Case(LOGGED_IN),  # empty form: errors, nothing changes
    ("password_change_done", "GET"): Case(LOGGED_IN),
    # One's own profile (language, time zone) and the header's language switch
    ("profile", "GET"): Case(LOGGED_IN),
    ("profile", "POST"): Case(
        roles(LOGIN, 302, 302, 302, 302),
        data=lambda w: {"language": "ru", "time_zone": "Europe/Moscow"},
        writes=True,
    ),
    ("language_set", "POST"): Case(each(302), data=lambda w: {"language": "ru"}, writes=None),
    ("language_set", "GET"): Case(each(405)),
    # The admin: staff only. The manager is a campaign manager as load_demo makes one:
    # staff, not superuser, in the "Campaign managers" group.
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
    ("admin:annotator_document_import", "GET"): Case(STAFF),
    ("admin:annotator_document_import", "POST"): Case(
        STAFF | {"manager": 200},  # the page with the import's report
        data=lambda w: {
            "upload": SimpleUploadedFile("news.txt", "Новый текст из файла.".encode()),
            "project": w.project.pk,
            "default_source": "Архив",
        },
        writes=True,
    ),
    # The guidelines' live preview renders the POSTed markdown and stores nothing.
    ("admin:annotator_project_guidelines_preview", "POST"): Case(
        STAFF | {"manager": 200}, data=lambda w: {"guidelines": "**Факт**"}
    ),
    ("admin:annotator_project_guidelines_preview", "GET"): Case(STAFF | {"manager": 405}),
    ("admin:annotator_story_suggest", "GET"): Case(STAFF, data=lambda w: {"days": 3}),
    # Creates the ticked suggestions, if the corpus suggests any, and goes back to the list.
    ("admin:annotator_story_suggest", "POST"): Case(
        STAFF | {"manager": 302},
        data=lambda w: {"days": 3, "min_shared": 3, "chosen": "0"},
        writes=None,
    ),
    **{
        key: case
        for label, spec in ADMIN_MODELS.items()
        for key, case in admin_model(label, spec).items()
    },
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
    # The API's URLs (api-...) have a table of their own: tests/api/test_permissions.py.
    names = [name for name in url_names() if not name.startswith("api-")]
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
    link = factories.ProjectDocumentFactory(project=project, document=document)
    users = {"anonymous": None, "outsider": factories.UserFactory(username="outsider")}
    memberships = {
        username: factories.MembershipFactory(project=project, role=role, user__username=username)
        for username, role in (
            ("annotator", Membership.Role.ANNOTATOR),
            ("reviewer", Membership.Role.REVIEWER),
            ("manager", Membership.Role.MANAGER),
            ("colleague", Membership.Role.ANNOTATOR),
        )
    }
    users |= {username: membership.user for username, membership in memberships.items()}
    manager = users["manager"]  # a campaign manager, as load_demo makes one
    manager.is_staff = True
    manager.save()
    manager.groups.add(managers_group_get_or_create())
    span = partial(
        annotation_create,
        project=project,
        document=document,
        label=factories.project_label(project),
    )
    kept = span(annotator=users["annotator"], start=0, end=6, note=OWN_NOTE)
    # Both annotators label the second sentence «fact»: a majority the reviewer can accept.
    span(annotator=users["annotator"], start=31, end=39)
    colleague_span = span(annotator=users["colleague"], start=31, end=39, note=COLLEAGUE_NOTE)
    doomed = span(annotator=users["annotator"], start=7, end=14)
    annotation_delete(annotation=doomed, actor=users["annotator"])
    gold = gold_create(
        project=project,
        document=document,
        reviewer=users["reviewer"],
        label=factories.project_label(project, "opinion"),
        start=20,
        end=23,
    )
    delete_event = AnnotationEvent.objects.get(action="delete")
    assignments = [
        factories.AssignmentFactory(project=project, document=document, annotator=users[name])
        for name in ("annotator", "colleague")
    ]
    story = Story.objects.create(name="Визиты")
    story.documents.add(document)
    suggestion = Suggestion.objects.create(
        project=project,
        document=document,
        start=0,
        end=6,
        quote=document.text[0:6],
        label=factories.project_label(project, "opinion"),
        score=0.7,
        agent="cues",
    )
    objects = {
        "annotator_source": factories.SourceFactory(name="Спутник"),  # no documents
        "annotator_document": document,
        "annotator_story": story,
        "annotator_project": project,
        "annotator_projectdocument": link,
        "annotator_membership": memberships["colleague"],
        "annotator_label": factories.project_label(project, "speculation"),  # unused
        "annotator_assignment": assignments[0],
        "annotator_documentprogress": factories.DocumentProgressFactory(
            project=project, document=document, annotator=users["colleague"], done_at=timezone.now()
        ),
        "annotator_annotation": kept,
        "annotator_goldannotation": gold,
        "annotator_sentence": document.sentences.first(),
        "annotator_annotationevent": delete_event,
        "annotator_cue": Cue.objects.create(project=project, phrase="якобы", label="speculation"),
        "annotator_suggestion": suggestion,
        "annotator_suggestiondecision": SuggestionDecision.objects.create(
            suggestion=suggestion, annotator=users["annotator"], verdict="rejected"
        ),
        "spare_document": factories.DocumentFactory(source=document.source),  # in no project
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
    objects["annotator_job"] = job_start_export(
        started_by=users["reviewer"],
        project=project,
        fmt="jsonl",
        filters=ExportFilters(),
        filename="newsroom.jsonl",
    )
    objects["annotator_apitoken"] = api_token_create(user=users["annotator"], name="script")[0]
    # A task waiting in the database queue (the tests otherwise run jobs at once).
    objects["django_tasks_database_dbtaskresult"] = DBTaskResult.objects.get(
        pk=DatabaseBackend("default", {}).enqueue(run_job, (0,), {}).id
    )
    tallies_refresh(project)  # counted up front: reading a profile page then writes nothing
    return World(
        project=project,
        document=document,
        annotation=kept,
        users=users,
        delete_event=delete_event,
        colleague_span=colleague_span,
        gold=gold,
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
    data = case.data(world)  # first: reading an admin form logs the manager in
    before = database_state()

    response = getattr(client, method.lower())(url, data)

    assert_outcome(response, expected)
    assert_no_inline_code(response)
    if expected in REFUSALS or case.writes is False:
        assert database_state() == before, "the request changed the database"
    elif case.writes:
        assert database_state() != before, "an allowed write changed nothing"


# Ids no row can have: past the databases' 64-bit bound, zero, negative, other scripts' digits.
ODD_IDS = (str(2**63), str(2**64), "0", "-1", "٣", "３")
PLACEHOLDER = 7_777_777_777_777


def path_ids(patterns=None, prefix="") -> dict[str, list[str]]:
    """The app's URL names (not the admin's) and the ids in their paths, from the resolver."""
    found = {}
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver) and not pattern.namespace:
            found |= path_ids(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and pattern.name:
            found[pattern.name] = re.findall(r"<(\w+):(\w+_id)>", route)
    return found


ID_URLS = [
    (name, method, key) for (name, method) in TABLE for converter, key in path_ids().get(name, [])
]


def test_every_id_in_a_path_is_bounded():
    """Ids are read by the ``id`` converter (annotator/ids.py): 1 to 2**63 - 1, ASCII digits."""
    converters = {converter for ids in path_ids().values() for converter, _ in ids}
    assert converters == {"id"}
    assert len(ID_URLS) > 20


@pytest.mark.parametrize(("name", "method", "key"), ID_URLS, ids=lambda v: str(v))
def test_an_id_no_row_can_have_matches_no_url(world, name, method, key):
    """Whoever asks, and whatever the other ids are: 404, and nothing is written."""
    case = TABLE[name, method]
    url = reverse(name, kwargs=case.kwargs(world) | {key: PLACEHOLDER})
    data = case.data(world)
    clients = {role: client_for(world, role) for role in ROLES}  # logging in writes
    before = database_state()
    for role, client in clients.items():
        for odd in ODD_IDS:
            odd_url = url.replace(str(PLACEHOLDER), quote(odd))
            response = getattr(client, method.lower())(odd_url, data)
            assert response.status_code == 404, (role, odd_url)
    assert database_state() == before


def allowed(case: Case) -> list[str]:
    return [role for role in ROLES if case.expect[role] not in REFUSALS]


# Each write that someone may make, by the last role allowed (the most privileged).
POSTS = [
    (name, allowed(case)[-1])
    for (name, method), case in TABLE.items()
    if method == "POST" and case.writes and allowed(case)
]


@pytest.mark.parametrize(("name", "role"), POSTS)
def test_writes_need_a_csrf_token(world, name, role):
    case = TABLE[name, "POST"]
    client = client_for(world, role, enforce_csrf_checks=True)
    data = case.data(world)
    before = database_state()
    response = client.post(reverse(name, kwargs=case.kwargs(world)), data)
    assert response.status_code == 403
    assert database_state() == before


def content(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode()


def page(world: World, name: str, role: str) -> str:
    case = TABLE[name, "GET"]
    response = client_for(world, role).get(
        reverse(name, kwargs=case.kwargs(world)), case.data(world)
    )
    assert response.status_code == 200
    return content(response)


# The pages annotators open, as each member who may open them.
MEMBER_PAGES = [
    (name, role)
    for (name, method), case in TABLE.items()
    if method == "GET" and case.expect["annotator"] == 200
    for role in ("annotator", "reviewer", "manager")
    if case.expect[role] == 200
]


@pytest.mark.parametrize(("name", "role"), MEMBER_PAGES)
def test_members_pages_never_show_a_colleagues_annotations(world, name, role):
    """Annotation is blind (the project does not show all annotations): a note shows
    only on its own annotator's pages."""
    assert COLLEAGUE_NOTE not in page(world, name, role)


def test_notes_show_on_their_own_annotators_document_page(world):
    assert OWN_NOTE in page(world, "document", "annotator")
    assert COLLEAGUE_NOTE in page(world, "document", "colleague")


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


@pytest.mark.parametrize("path", ["/accounts/password_reset/", "/accounts/reset/MQ/set-password/"])
def test_there_is_no_self_service_password_reset(client, path):
    """Managers set passwords in the admin; a reset form would need a mail server."""
    assert client.get(path).status_code == 404
