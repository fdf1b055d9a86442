"""Request guards that run before any view reads the request."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat


def too_large_response(request: HttpRequest, *, size: int | None, limit: int) -> HttpResponse:
    """``annotator/too_large.html`` (HTTP 413): what was sent and what the limit is."""
    return render(
        request,
        "annotator/too_large.html",
        {"size": filesizeformat(size) if size else None, "limit": filesizeformat(limit)},
        status=413,
    )


class UploadSizeLimitMiddleware:
    """Refuses oversized requests with a clear 413 page before any view runs.

    - A body over ``IMPORT_UPLOAD_MAX_BYTES`` (Content-Length) is refused unread: this is
      the limit on an import upload, as Django's own limit leaves files out.
    - Form fields over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` are caught while the form is parsed
      here (CsrfViewMiddleware would parse it next anyway).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.IMPORT_UPLOAD_MAX_BYTES
        try:
            size = int(request.headers.get("content-length") or 0)
        except ValueError:
            size = 0
        if size > limit:
            return too_large_response(request, size=size, limit=limit)
        if request.method == "POST":
            try:
                request.POST  # noqa: B018 (parse now to catch RequestDataTooBig)
            except RequestDataTooBig:
                return too_large_response(
                    request, size=None, limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE
                )
        return self.get_response(request)
