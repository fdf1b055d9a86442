"""Personal API tokens: made, named, shown once, revoked; found by their key's hash.

A key is 40 random URL-safe characters; only its SHA-256 is stored, so a database dump
holds no usable key. A token that is revoked stays listed (when it was used last) and is
refused. The REST API's authentication (``annotator.api.authentication``) looks keys up
here; ``manage.py create_api_token`` and the "API tokens" page make them.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from annotator.errors import Rejected
from annotator.fastpath.statements import api_token_by_sha256
from annotator.models import ApiToken

NAME_MAX = 100
PREFIX_CHARS = 8
SCHEMES = ("token", "bearer")  # Authorization: Token <key>, or Bearer <key>
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
        raise TokenRejected(gettext("Give the token a name (what will use it)."))
    if len(name) > NAME_MAX:
        raise TokenRejected(
            gettext("The name is too long (at most %(max)d characters).") % {"max": NAME_MAX}
        )
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


def key_in_header(header: str) -> str | None:
    """The key of an ``Authorization: Token <key>`` (or ``Bearer <key>``) header; None
    when the header names another scheme or is malformed."""
    parts = header.split()
    if len(parts) != 2 or parts[0].lower() not in SCHEMES:
        return None
    return parts[1]


def api_token_for_key(key: str) -> ApiToken | None:
    """The token with this key (with its user), revoked or not; None if there is none.

    Every API request asks, so the query is written out (``annotator.fastpath``)."""
    return api_token_by_sha256(key_sha256(key))


def api_token_user(header: str):
    """The active user whose valid (not revoked) token the ``Authorization`` header
    carries, else None."""
    key = key_in_header(header)
    token = api_token_for_key(key) if key else None
    if token is None or token.revoked or not token.user.is_active:
        return None
    return token.user


def api_token_touch(token: ApiToken) -> None:
    """Note that the token was used now (at most once per ``TOUCH_EVERY``)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        token.last_used_at = now
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
