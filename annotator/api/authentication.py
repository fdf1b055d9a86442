"""Who is calling: a personal API token, or the browser's session (with its CSRF check).

``Authorization: Token <key>`` and ``Authorization: Bearer <key>`` are both accepted. A
wrong or revoked key is refused with 401 and the reason; repeated wrong keys from one
address are throttled (429) like repeated wrong passwords on the login page.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from annotator.accounts.tokens import SCHEMES, api_token_for_key, api_token_touch


def _failures_key(request) -> str:
    return f"api-token-failures:{request.META.get('REMOTE_ADDR', '')}"


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode("latin-1").lower() not in SCHEMES:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Invalid Authorization header: give it as 'Token <key>' or 'Bearer <key>'."
            )
        failures_key = _failures_key(request)
        if (cache.get(failures_key) or 0) >= settings.API_FAILED_TOKEN_LIMIT:
            raise exceptions.Throttled(
                detail="Too many attempts with wrong API keys from this address; wait a while."
            )
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            key = ""
        token = api_token_for_key(key) if key else None
        if token is None or token.revoked or not token.user.is_active:
            cache.add(failures_key, 0, settings.API_FAILED_TOKEN_SECONDS)
            try:
                cache.incr(failures_key)
            except ValueError:  # expired meanwhile
                cache.set(failures_key, 1, settings.API_FAILED_TOKEN_SECONDS)
            if token is not None and token.revoked:
                raise exceptions.AuthenticationFailed("This API token has been revoked.")
            raise exceptions.AuthenticationFailed("Invalid API token.")
        api_token_touch(token)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword


class SessionAuthentication(authentication.SessionAuthentication):
    """The browser's login session; writes need the CSRF token, as on the pages."""


class TokenScheme(OpenApiAuthenticationExtension):
    """How the schema (and Swagger UI's Authorize button) describes the token header."""

    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A personal API token: `Token <key>` (or `Bearer <key>`).",
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = SessionAuthentication
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
