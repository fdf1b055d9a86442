"""The user's language and time zone, applied to every request they make.

Read from the profile once, at login, into the session (the session is read on every
request anyway, by one written-out query), so a request costs no extra query. The
profile page and the language switch write both the profile and the session.
Without a choice of their own a user gets the browser's language (Accept-Language,
read by Django's LocaleMiddleware) and UTC.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from annotator.models import UserProfile

LANGUAGE_KEY = "annotator_language"
TIME_ZONE_KEY = "annotator_time_zone"


def preferences_remember(request: HttpRequest, *, language: str, time_zone: str) -> None:
    """Put the user's choices into their session (empty: the browser's language, UTC)."""
    request.session[LANGUAGE_KEY] = language
    request.session[TIME_ZONE_KEY] = time_zone


@receiver(user_logged_in, dispatch_uid="annotator_preferences_login")
def preferences_at_login(sender, request: HttpRequest | None, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    profile = UserProfile.objects.filter(user=user).first()
    preferences_remember(
        request,
        language=profile.language if profile else "",
        time_zone=profile.time_zone if profile else "",
    )


class PreferencesMiddleware:
    """Activates the session's language and time zone (after LocaleMiddleware, which
    chose the browser's language)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.languages = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        language = session.get(LANGUAGE_KEY) if session is not None else None
        zone = session.get(TIME_ZONE_KEY) if session is not None else None
        if language in self.languages:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        if zone:
            try:
                timezone.activate(zoneinfo.ZoneInfo(zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
