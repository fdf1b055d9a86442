"""``/favicon.ico``: browsers ask for it on pages without an icon link (the admin's)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

ICON = Path(__file__).resolve().parent.parent / "static" / "annotator" / "favicon.svg"


@cache
def _icon() -> bytes:
    return ICON.read_bytes()


@require_GET
@cache_control(public=True, max_age=86400)
def favicon(request: HttpRequest) -> HttpResponse:
    """The site's icon (SVG, which browsers accept at this address too)."""
    return HttpResponse(_icon(), content_type="image/svg+xml")
