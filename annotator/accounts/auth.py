"""Authentication: django-axes' login throttling, and loading the signed-in user."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from axes.conf import settings  # Django's settings, with django-axes' defaults filled in
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from annotator.fastpath.statements import user_by_pk


class LoginThrottleBackend(AxesStandaloneBackend):
    """Refuses logins for a user name and address locked out after repeated failures.

    Every login form (the app's and the admin's) passes the request. A call to
    ``authenticate()`` without one (the shell, the test client's ``login()``) has no
    client to throttle, so it is left to the next backend instead of failing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class AccountBackend(ModelBackend):
    """Django's ``ModelBackend`` (user names and passwords, permissions), with the user of
    every signed-in request loaded by one written-out SELECT (see annotator.fastpath.rows)."""

    def get_user(self, user_id):
        try:
            user_id = get_user_model()._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        user = user_by_pk(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """``registration/locked_out.html`` (HTTP 429): who is blocked and for how long."""
    cool_off = get_cool_off(request)
    return render(
        request,
        "registration/locked_out.html",
        {
            "username": get_client_username(request, credentials) or "",
            "failure_limit": get_failure_limit(request, credentials),
            "minutes": round(cool_off.total_seconds() / 60) if cool_off else None,
        },
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
