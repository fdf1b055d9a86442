"""Error pages that say what went wrong."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.views import defaults

from annotator.web.middleware import too_large_response


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Form fields over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` get a 413 page; the rest Django's 400."""
    if isinstance(exception, RequestDataTooBig):
        return too_large_response(request, size=None, limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    return defaults.bad_request(request, exception)
