"""The statements written out for the save path (annotator.fastpath.rows) answer as the ORM does.

Each test runs the written-out statement and the ORM query it stands for on the same
data, on SQLite and on PostgreSQL, and compares every field.
"""

import datetime
import random

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.signals import post_save, pre_save
from django.http import Http404
from django.utils import timezone

from annotator.access import document_for_member, member_document, project_for_member
from annotator.accounts.auth import AccountBackend
from annotator.accounts.tokens import api_token_create, api_token_revoke, key_sha256
from annotator.fastpath.rows import Columns, insert
from annotator.fastpath.sessions import SessionStore
from annotator.fastpath.statements import (
    SENTENCE_BATCH,
    annotation_rows,
    api_token_by_sha256,
    holder_names,
    labels_version_bump,
    project_labels,
    project_members,
    sentences_insert,
)
from annotator.models import (
    Annotation,
    AnnotationEvent,
    ApiToken,
    Document,
    Project,
    ProjectDocument,
    Sentence,
    Suggestion,
)
from annotator.workspace.selectors import next_in_reading_order
from tests.support import factories

pytestmark = pytest.mark.django_db


def values(instance) -> dict:
    """Every stored field of a model instance, as Python values."""
    return {
        field.attname: getattr(instance, field.attname)
        for field in type(instance)._meta.concrete_fields
    }


def test_columns_build_instances_with_the_orm_conversions():
    project = factories.ProjectFactory(show_all_annotations=True)
    document = factories.DocumentFactory(published_on=datetime.date(2024, 6, 3))
    event = factories.AnnotationEventFactory(
        project=project, document=document, after={"label": "opinion", "quote": "«тихая» 😀"}
    )
    for model, pk in ((Project, project.pk), (Document, document.pk), (AnnotationEvent, event.pk)):
        columns = Columns(model, "t")
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {columns.sql(connection)} FROM {model._meta.db_table} t WHERE t.id = %s",
                [pk],
            )
            built = columns.instance(connection, cursor.fetchone())
        fetched = model.objects.get(pk=pk)
        assert values(built) == values(fetched)
        assert {k: type(v) for k, v in values(built).items()} == {
            k: type(v) for k, v in values(fetched).items()
        }
        assert built._state.adding is False
    assert built.after == {"label": "opinion", "quote": "«тихая» 😀"}


def _orm_access(user, slug, document_id):
    project, membership = project_for_member(user, slug)
    return (
        project,
        membership,
        document_for_member(project, membership, document_id, with_source=False),
    )


def _outcome(lookup, *args):
    try:
        return tuple(values(instance) for instance in lookup(*args))
    except Http404:
        return "404"


@pytest.mark.parametrize("role", ["annotator", "reviewer", "manager", None])
@pytest.mark.parametrize("assigned", ["nobody", "this user", "someone else"])
@pytest.mark.parametrize("linked", [True, False])
def test_member_document_answers_as_the_orm_lookups(role, assigned, linked):
    project = factories.ProjectFactory()
    user, other = factories.UserFactory(), factories.UserFactory()
    if role:
        factories.MembershipFactory(project=project, user=user, role=role)
    factories.MembershipFactory(project=project, user=other)
    document = factories.DocumentFactory()
    if linked:
        factories.ProjectDocumentFactory(project=project, document=document)
    else:  # the document is in another project
        factories.ProjectDocumentFactory(document=document)
    spare = factories.DocumentFactory()
    factories.ProjectDocumentFactory(project=project, document=spare)
    if assigned == "this user":
        factories.AssignmentFactory(project=project, document=document, annotator=user)
    elif assigned == "someone else":
        factories.AssignmentFactory(project=project, document=spare, annotator=other)

    for slug, document_id in (
        (project.slug, document.pk),
        (project.slug, 10**9),
        ("no-such-project", document.pk),
    ):
        expected = _outcome(_orm_access, user, slug, document_id)
        assert _outcome(member_document, user, slug, document_id) == expected

    visible = role in ("reviewer", "manager") or assigned != "someone else"
    assert (_outcome(member_document, user, project.slug, document.pk) != "404") == (
        bool(role) and linked and visible
    )


def test_member_document_links_the_membership_to_its_project():
    membership = factories.MembershipFactory()
    document = factories.DocumentFactory()
    factories.ProjectDocumentFactory(project=membership.project, document=document)
    project, found, _ = member_document(membership.user, membership.project.slug, document.pk)
    assert found.project is project
    assert found.pk == membership.pk


def test_project_labels_come_in_display_order():
    project = factories.ProjectFactory()
    project.labels.all().delete()
    for name, order in (("b", 2), ("a", 2), ("c", 1), ("d", 0)):
        factories.LabelFactory(project=project, name=name, title=name, order=order, hotkey="")
    factories.LabelFactory(name="elsewhere")  # another project's label
    labels = project_labels(project)
    assert [label.name for label in labels.values()] == ["d", "c", "a", "b"]
    assert [values(label) for label in labels.values()] == [
        values(label) for label in project.labels.in_display_order()
    ]


def test_annotation_rows_match_the_orm_for_every_range():
    rng = random.Random(3)
    project = factories.ProjectFactory()
    document = factories.DocumentFactory(text="слово " * 80)
    factories.ProjectDocumentFactory(project=project, document=document)
    users = [factories.UserFactory() for _ in range(3)]
    labels = list(project.labels.all())
    for _ in range(60):
        start = rng.randrange(0, 470)
        kind = rng.choice(["author", "attributed", "unclear"])
        factories.AnnotationFactory(
            project=project,
            document=document,
            annotator=rng.choice(users),
            label=rng.choice(labels),
            start=start,
            end=start + rng.randrange(1, 12),
            holder_kind=kind,
            holder="" if kind == "author" else rng.choice(["Токаев", "эксперты", ""]),
        )
    factories.AnnotationFactory(annotator=users[0])  # another document
    fields = ["id", "start", "end", "quote", "note", "label_id", "annotator_id"]
    fields += ["holder_kind", "holder"]
    for start, end in ((0, None), (0, 100), (35, 36), (120, 300), (479, 480), (200, None)):
        everyone = Annotation.objects.filter(project=project, document=document)
        if start:
            everyone = everyone.filter(end__gt=start)
        if end is not None:
            everyone = everyone.filter(start__lt=end)
        everyone = everyone.order_by("start", "end", "id")
        assert annotation_rows(project.pk, document.pk, None, start, end) == [
            tuple(row) for row in everyone.values_list(*fields, "annotator__username")
        ]
        for user in users:
            assert annotation_rows(project.pk, document.pk, user.pk, start, end) == [
                tuple(row) for row in everyone.filter(annotator=user).values_list(*fields)
            ]


def test_next_in_reading_order_asks_the_database_when_nothing_nearby_follows():
    project = factories.ProjectFactory()
    document = factories.DocumentFactory(text="слово " * 40)
    user = factories.UserFactory()
    make = lambda start, end, who=user: factories.AnnotationFactory(  # noqa: E731
        project=project, document=document, annotator=who, start=start, end=end
    )
    saved = make(6, 11)
    make(60, 65, who=factories.UserFactory())  # another annotator's span comes first
    later, _ = make(120, 125), make(180, 185)
    assert next_in_reading_order(saved, [], nearby_end=20) == later.pk
    assert next_in_reading_order(later, [], nearby_end=190) is None


def test_insert_stores_what_save_stores_and_sends_the_same_signals():
    project = factories.ProjectFactory()
    document = factories.DocumentFactory()
    factories.ProjectDocumentFactory(project=project, document=document)
    user = factories.UserFactory()
    label = project.labels.first()
    heard = []

    def listen(signal):
        def receiver(sender, instance, **kwargs):
            heard.append((signal, sender, instance.pk, kwargs.get("created")))

        return receiver

    on_pre, on_post = listen("pre"), listen("post")
    pre_save.connect(on_pre, sender=Annotation)
    post_save.connect(on_post, sender=Annotation)
    try:
        version = ProjectDocument.objects.get(document=document).labels_version
        fields = {
            "project": project,
            "document": document,
            "annotator": user,
            "label": label,
            "note": "н",
        }
        inserted = Annotation(start=0, end=6, quote=document.text[0:6], **fields)
        insert(inserted)
        saved = Annotation(start=7, end=9, quote=document.text[7:9], **fields)
        saved.save()
    finally:
        pre_save.disconnect(on_pre, sender=Annotation)
        post_save.disconnect(on_post, sender=Annotation)

    assert inserted.pk and inserted._state.adding is False and inserted._state.db == "default"
    assert heard == [
        ("pre", Annotation, None, None),
        ("post", Annotation, inserted.pk, True),
        ("pre", Annotation, None, None),
        ("post", Annotation, saved.pk, True),
    ]
    stored, other = Annotation.objects.get(pk=inserted.pk), Annotation.objects.get(pk=saved.pk)
    assert values(stored) == values(inserted)
    ignored = {"id", "start", "end", "quote", "created_at", "updated_at"}
    assert {k: v for k, v in values(stored).items() if k not in ignored} == {
        k: v for k, v in values(other).items() if k not in ignored
    }
    assert abs(stored.created_at - other.created_at) < datetime.timedelta(seconds=5)
    # Both bumped the document's profile version (the post_save receiver).
    assert ProjectDocument.objects.get(document=document).labels_version == version + 2


def test_insert_keeps_json_and_raises_integrity_errors():
    annotation = factories.AnnotationFactory()
    event = AnnotationEvent(
        annotation_id=annotation.pk,
        project_id=annotation.project_id,
        document_id=annotation.document_id,
        action="create",
        after={"quote": "«кавычки» 😀", "n": [1, 2]},
    )
    insert(event)
    assert AnnotationEvent.objects.get(pk=event.pk).after == {"quote": "«кавычки» 😀", "n": [1, 2]}
    twin = Annotation(
        **{k: v for k, v in values(annotation).items() if k not in {"id", "created_at"}}
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        insert(twin)


def test_sessions_load_until_they_expire():
    store = SessionStore()
    store["answer"] = "сорок два"
    store.create()
    key = store.session_key
    assert SessionStore(key).load() == {"answer": "сорок два"}

    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    expired = SessionStore(key)
    assert expired.load() == {}
    assert expired.session_key is None
    assert SessionStore("no-such-session-key-at-all-000000").load() == {}


def test_account_backend_loads_active_users_only():
    backend = AccountBackend()
    user = factories.UserFactory(first_name="Анна", is_staff=True)
    loaded = backend.get_user(user.pk)
    assert values(loaded) == values(get_user_model().objects.get(pk=user.pk))
    assert backend.get_user(str(user.pk)).pk == user.pk
    assert backend.get_user(10**9) is None
    assert backend.get_user("not a number") is None
    user.is_active = False
    user.save()
    assert backend.get_user(user.pk) is None


def test_a_signed_out_session_stays_signed_out(client):
    user = factories.UserFactory()
    factories.MembershipFactory(user=user)
    assert client.login(username=user.username, password=factories.PASSWORD)
    cookie = client.cookies["sessionid"].value
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")
    client.cookies["sessionid"] = cookie
    assert client.get("/").status_code == 302


def test_labels_version_bump_matches_the_orm_update():
    document = factories.DocumentFactory()
    item = factories.ProjectDocumentFactory(document=document)
    other = factories.ProjectDocumentFactory(document=document)  # another project's copy
    labels_version_bump(item.project_id, document.pk)
    item.refresh_from_db()
    other.refresh_from_db()
    assert (item.labels_version, other.labels_version) == (2, 1)
    ProjectDocument.objects.filter(project_id=item.project_id, document_id=document.pk).update(
        labels_version=F("labels_version") + 1
    )
    item.refresh_from_db()
    assert item.labels_version == 3


def test_api_token_by_sha256_matches_the_orm_lookup():
    user = factories.UserFactory(username="скрипт", is_staff=True)
    token, key = api_token_create(user=user, name="nightly")
    api_token_revoke(token=token)
    other, _ = api_token_create(user=factories.UserFactory(), name="other")

    for digest in (key_sha256(key), other.key_sha256, "0" * 64):
        built = api_token_by_sha256(digest)
        fetched = ApiToken.objects.select_related("user").filter(key_sha256=digest).first()
        if fetched is None:
            assert built is None
            continue
        assert values(built) == values(fetched)
        assert values(built.user) == values(fetched.user)
    assert api_token_by_sha256(key_sha256(key)).revoked_at is not None


def _sentence_rows(document_ids) -> list[tuple]:
    return list(
        Sentence.objects.filter(document_id__in=document_ids)
        .order_by("document_id", "index")
        .values_list("document_id", "index", "start", "end")
    )


@pytest.mark.parametrize("count", [1, SENTENCE_BATCH + 7])
def test_sentences_insert_stores_what_bulk_create_stores(count):
    written, orm = factories.DocumentFactory(), factories.DocumentFactory()
    Sentence.objects.filter(document__in=[written, orm]).delete()
    spans = [(index, 3 * index, 3 * index + 2) for index in range(count)]

    sentences_insert([(written.pk, index, start, end) for index, start, end in spans])
    Sentence.objects.bulk_create(
        [Sentence(document=orm, index=index, start=start, end=end) for index, start, end in spans]
    )

    stored = _sentence_rows([written.pk])
    assert [row[1:] for row in stored] == [row[1:] for row in _sentence_rows([orm.pk])]
    assert {row[0] for row in stored} == {written.pk}
    with pytest.raises(IntegrityError), transaction.atomic():  # (document, index) is unique
        sentences_insert([(written.pk, 0, 0, 1)])


def test_holder_names_are_the_two_orm_queries_written_out():
    project = factories.ProjectFactory()
    document, other = factories.DocumentFactory(), factories.DocumentFactory()
    user = factories.UserFactory()
    names = ["Токаев", "эксперты", "Путин", "источник", "Токаев", "", "МИД"]
    for i, name in enumerate(names):
        factories.AnnotationFactory(
            project=project,
            document=(document, other)[i % 2],
            annotator=user,
            start=i,
            end=i + 3,
            holder_kind="attributed" if name else "author",
            holder=name,
        )
    factories.AnnotationFactory(holder_kind="attributed", holder="Другой проект")
    suggested = {"Касым-Жомарт Токаев": document, "": document, None: document, "Лавров": other}
    for name, on in suggested.items():
        Suggestion.objects.create(
            project=project, document=on, start=0, end=3, quote="", score=0.5,
            agent="holders", holder_kind="attributed", holder=name,
        )  # fmt: skip
    Suggestion.objects.create(
        project=project, document=document, start=0, end=3, quote="", score=0.5,
        agent="cues", holder_kind="attributed", holder="Не из подсказчика голосов",
    )  # fmt: skip
    for limit in (0, 1, 3, 200):
        found = Suggestion.objects.filter(project=project, document=document, agent="holders")
        found = found.exclude(holder__isnull=True).exclude(holder="")
        used = Annotation.objects.filter(project=project).exclude(holder="").order_by("holder")
        expected = set(found.values_list("holder", flat=True))
        expected |= set(used.values_list("holder", flat=True).distinct()[:limit])
        assert holder_names(project.pk, document.pk, limit) == expected, limit
    if connection.vendor == "sqlite":  # the project's holders come from the partial index
        from annotator.fastpath.statements import _holder_names_sql

        with connection.cursor() as cursor:
            cursor.execute(
                "EXPLAIN QUERY PLAN " + _holder_names_sql("sqlite"), [1, 1, project.pk, 5]
            )
            plan = " ".join(str(row) for row in cursor.fetchall())
        assert "annotation_project_holders" in plan


def test_project_members_are_the_orm_query_written_out():
    project = factories.ProjectFactory()
    for name, role in [("рита", "reviewer"), ("anna", "annotator"), ("Boris", "manager")]:
        user = factories.UserFactory(username=name)
        factories.MembershipFactory(project=project, user=user, role=role)
    factories.MembershipFactory()  # another project's
    orm = project.memberships.order_by("user__username")
    expected = [tuple(row) for row in orm.values_list("user__username", "role", "user_id")]
    assert len(expected) == 3
    assert [tuple(row) for row in project_members(project.pk)] == expected
