"""Personal API tokens: made, named, shown once, revoked; found by their key's hash.

A key is 40 random URL-safe characters; only its SHA-256 is stored, so a database dump
holds no usable key. A token that is revoked stays listed (when it was used last) and is
refused. The REST API's authentication (``annotator.api.authentication``) looks keys up
here; ``manage.py create_api_token`` and the "API tokens" page make them.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from annotator.errors import Rejected
from annotator.fastpath.rows import Columns
from annotator.models import ApiToken

NAME_MAX = 100
PREFIX_CHARS = 8
# last_used_at is written at most this often per token: not one write per request.
TOUCH_EVERY = timedelta(minutes=1)


class TokenRejected(Rejected):
    """A token cannot be made as asked; ``str(exc)`` says why."""


def key_sha256(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


@transaction.atomic
def api_token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """A new token of ``user`` and its key (the only time the key is known)."""
    name = " ".join(str(name).split())
    if not name:
        raise TokenRejected("Give the token a name (what will use it).")
    if len(name) > NAME_MAX:
        raise TokenRejected(f"The name is too long (at most {NAME_MAX} characters).")
    key = secrets.token_urlsafe(30)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[:PREFIX_CHARS], key_sha256=key_sha256(key)
    )
    return token, key


def api_token_revoke(*, token: ApiToken) -> None:
    """Refuse the token from now on (revoking twice keeps the first time)."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=token.revoked_at
        )


@functools.cache
def _columns() -> tuple[Columns, Columns]:
    return Columns(ApiToken, "t"), Columns(get_user_model(), "u")


def api_token_for_key(key: str) -> ApiToken | None:
    """The token with this key (with its user), revoked or not; None if there is none.

    Every API request asks, so the query is written out (see annotator.fastpath.rows).
    """
    token_columns, user_columns = _columns()
    users = user_columns.model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {token_columns.sql(connection)}, {user_columns.sql(connection)}"
            f" FROM {ApiToken._meta.db_table} t JOIN {users.db_table} u"
            f" ON u.{connection.ops.quote_name(users.pk.column)} = t.user_id"
            " WHERE t.key_sha256 = %s",
            [key_sha256(key)],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    token = token_columns.instance(connection, row)
    token.user = user_columns.instance(connection, row, len(token_columns))
    return token


def api_token_touch(token: ApiToken) -> None:
    """Note that the token was used now (at most once per ``TOUCH_EVERY``)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        token.last_used_at = now
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
