"""The written-out statements of the hottest paths, each beside a note of its ORM twin.

Saving a span is the request analysts make most, every request reads its session and
user, every API request its token and user, and an import inserts tens of thousands of
sentences. Building these queries with the ORM cost more CPU than the database spent running
them (``annotator.fastpath.rows`` says how much), so they are written out here, once, and
turned back into model instances with the ORM's own converters. Each is tested equal to
the ORM query it stands for, on SQLite and PostgreSQL (``tests/fastpath/``). The access
check's statement stays beside its ORM rule in ``annotator.access``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import cast

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Field

from annotator.fastpath.rows import Columns
from annotator.models import (
    Annotation,
    AnnotationEvent,
    ApiToken,
    Label,
    Membership,
    Project,
    ProjectDocument,
    Sentence,
    Suggestion,
)

_LABEL = Columns(Label, "l")
_EVENT = Columns(AnnotationEvent, "e")
# Rows per INSERT where the driver's executemany is not one prepared statement.
SENTENCE_BATCH = 1000


@functools.cache
def _labels_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    return (
        f"SELECT {_LABEL.sql(connection)} FROM {Label._meta.db_table} l"
        f" WHERE l.project_id = %s ORDER BY l.{quote('order')}, l.name, l.id"
    )


def project_labels(project: Project) -> dict[int, Label]:
    """The project's labels by id, in display order: ``project.labels.in_display_order()``
    written out, as it runs on every save."""
    with connection.cursor() as cursor:
        cursor.execute(_labels_sql(connection.vendor), [project.pk])
        rows = cursor.fetchall()
    labels = (_LABEL.instance(connection, row) for row in rows)
    return {label.pk: label for label in labels}


def annotation_rows(project_id, document_id, annotator_id, start, end) -> list[tuple]:
    """``(id, start, end, quote, note, label_id, annotator_id, holder_kind, holder)`` of
    the annotations touching ``[start, end)``, one annotator's or everyone's (``None``,
    then with the annotator's user name last), in reading order. It runs on every save
    and every view of the document page."""
    quote = connection.ops.quote_name
    columns = (
        f"a.id, a.{quote('start')}, a.{quote('end')}, a.quote, a.note, a.label_id,"
        " a.annotator_id, a.holder_kind, a.holder"
    )
    if annotator_id is None:
        user = get_user_model()
        sql = [
            f"SELECT {columns}, u.{quote(user.USERNAME_FIELD)}"
            f" FROM {Annotation._meta.db_table} a JOIN {user._meta.db_table} u"
            " ON u.id = a.annotator_id WHERE a.project_id = %s AND a.document_id = %s"
        ]
        params = [project_id, document_id]
    else:
        sql = [
            f"SELECT {columns} FROM {Annotation._meta.db_table} a WHERE a.project_id = %s"
            " AND a.document_id = %s AND a.annotator_id = %s"
        ]
        params = [project_id, document_id, annotator_id]
    if start:
        sql.append(f"AND a.{quote('end')} > %s")
        params.append(start)
    if end is not None:
        sql.append(f"AND a.{quote('start')} < %s")
        params.append(end)
    sql.append(f"ORDER BY a.{quote('start')}, a.{quote('end')}, a.id")
    with connection.cursor() as cursor:
        cursor.execute(" ".join(sql), params)
        return cursor.fetchall()


def first_annotation_from(
    project_id: int, document_id: int, annotator_id: int, start: int
) -> int | None:
    """The id of the annotator's first annotation (reading order) starting at ``start`` or
    later: ``Annotation.objects.filter(..., start__gte=start).order_by("start", "end",
    "id").values_list("id", flat=True).first()``."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {Annotation._meta.db_table} WHERE project_id = %s"
            f" AND document_id = %s AND annotator_id = %s AND {quote('start')} >= %s"
            f" ORDER BY {quote('start')}, {quote('end')}, id LIMIT 1",
            [project_id, document_id, annotator_id, start],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def labels_version_bump(project_id: int, document_id: int) -> None:
    """Mark a document's profile tallies stale: ``ProjectDocument.objects.filter(project_id=,
    document_id=).update(labels_version=F("labels_version") + 1)``."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {ProjectDocument._meta.db_table} SET labels_version = labels_version + 1"
            " WHERE project_id = %s AND document_id = %s",
            [project_id, document_id],
        )


def latest_events(
    project_id: int, document_id: int, actor_id: int, limit: int, *, gold: bool = False
) -> Iterator[AnnotationEvent]:
    """The actor's latest events on a document, newest first: ``AnnotationEvent.objects
    .filter(project=, document=, actor=, gold=).order_by("-id")[:limit]`` written out, as
    it runs on every view of the document page and every save (the undo button). The rows
    are read at once and made into events as they are asked for: the undo button mostly
    needs the newest, and decoding the snapshots of all was most of this read's time."""
    sql = (
        f"SELECT {_EVENT.sql(connection)} FROM {AnnotationEvent._meta.db_table} e"
        " WHERE e.project_id = %s AND e.document_id = %s AND e.actor_id = %s"
        " AND e.gold = %s ORDER BY e.id DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [project_id, document_id, actor_id, gold, int(limit)])
        rows = cursor.fetchall()
    return (_EVENT.instance(connection, row) for row in rows)


@functools.cache
def _user_columns() -> Columns:
    return Columns(get_user_model(), "u")


def user_by_pk(user_id: int) -> User | None:
    """``get_user_model().objects.filter(pk=user_id).first()``: every signed-in request
    loads its user with it."""
    columns = _user_columns()
    model = columns.model
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns.sql(connection)} FROM {model._meta.db_table} u"
            f" WHERE u.{connection.ops.quote_name(model._meta.pk.column)} = %s",
            [user_id],
        )
        row = cursor.fetchone()
    return None if row is None else columns.instance(connection, row)


@functools.cache
def _token_columns() -> tuple[Columns, Columns]:
    return Columns(ApiToken, "t"), Columns(get_user_model(), "u")


def api_token_by_sha256(digest: str) -> ApiToken | None:
    """``ApiToken.objects.select_related("user").filter(key_sha256=digest).first()``:
    every API request asks it."""
    token_columns, user_columns = _token_columns()
    users = user_columns.model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {token_columns.sql(connection)}, {user_columns.sql(connection)}"
            f" FROM {ApiToken._meta.db_table} t JOIN {users.db_table} u"
            f" ON u.{connection.ops.quote_name(users.pk.column)} = t.user_id"
            " WHERE t.key_sha256 = %s",
            [digest],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    token = token_columns.instance(connection, row)
    token.user = user_columns.instance(connection, row, len(token_columns))
    return token


@functools.cache
def _sentences_insert_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    meta = Sentence._meta
    fields = [meta.get_field(name) for name in ("document", "index", "start", "end")]
    columns = ", ".join(quote(cast(str, cast(Field, field).column)) for field in fields)
    return f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES "


def sentences_insert(rows: list[tuple[int, int, int, int]]) -> None:
    """Store sentences given as ``(document id, index, start, end)``:
    ``Sentence.objects.bulk_create([Sentence(document_id=, index=, start=, end=), ...])``.
    An import stores tens of thousands; building a model instance for each cost it more
    than the database's own work (bulk_create sends no signals, so none are lost)."""
    insert = _sentences_insert_sql(connection.vendor)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":  # one prepared statement, run row by row in C
            cursor.executemany(insert + "(%s, %s, %s, %s)", rows)
            return
        for start in range(0, len(rows), SENTENCE_BATCH):
            batch = rows[start : start + SENTENCE_BATCH]
            cursor.execute(
                insert + ", ".join(["(%s, %s, %s, %s)"] * len(batch)),
                [value for row in batch for value in row],
            )


@functools.cache
def _holder_names_sql(vendor: str) -> str:
    # ``NOT (holder = '')`` as the partial index ``annotation_project_holders`` states it,
    # so that SQLite's planner reads the index (it matches the condition's terms).
    return (
        f"SELECT s.holder FROM {Suggestion._meta.db_table} s WHERE s.project_id = %s"
        " AND s.document_id = %s AND s.agent = 'holders' AND s.holder IS NOT NULL"
        " AND NOT (s.holder = '')"
        " UNION SELECT used.holder FROM (SELECT DISTINCT a.holder"
        f" FROM {Annotation._meta.db_table} a WHERE a.project_id = %s"
        " AND NOT (a.holder = '') ORDER BY a.holder LIMIT %s) used"
    )


def holder_names(project_id: int, document_id: int, limit: int) -> set[str]:
    """The holders the suggester found in a document and the first ``limit`` holders (in
    the database's order) used in the project, as one statement: ``Suggestion.objects
    .filter(project=, document=, agent="holders").exclude(holder__isnull=True)
    .exclude(holder="")`` and ``Annotation.objects.filter(project=).exclude(holder="")
    .order_by("holder").values_list("holder", flat=True).distinct()[:limit]``. It runs
    on every view of the document page, where the two cost 2 ms of query building."""
    with connection.cursor() as cursor:
        cursor.execute(
            _holder_names_sql(connection.vendor), [project_id, document_id, project_id, limit]
        )
        return {name for (name,) in cursor.fetchall()}


def project_members(project_id: int) -> list[tuple[str, str, int]]:
    """``(username, role, user id)`` of a project's members by name: ``Membership.objects
    .filter(project=).order_by("user__username").values_list("user__username", "role",
    "user_id")``, as the discussion panel of every document page reads it."""
    user = get_user_model()
    name = connection.ops.quote_name(user.USERNAME_FIELD)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT u.{name}, m.role, m.user_id FROM {Membership._meta.db_table} m"
            f" JOIN {user._meta.db_table} u ON u.id = m.user_id"
            f" WHERE m.project_id = %s ORDER BY u.{name}",
            [project_id],
        )
        return cursor.fetchall()
