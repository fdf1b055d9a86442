"""Request guards that run before any view reads the request."""

from __future__ import annotations

import os
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import MemoryFileUploadHandler
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


def _content_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def make_upload_folder() -> None:
    """Make ``FILE_UPLOAD_TEMP_DIR`` (readable by this user only) if it is missing: at
    startup (Django's checks want it), and again before a staff upload is spooled."""
    os.makedirs(settings.FILE_UPLOAD_TEMP_DIR, mode=0o700, exist_ok=True)


class UploadSizeLimitMiddleware:
    """Refuses oversized requests with a clear 413 page before any view runs, and keeps
    bodies from anyone but staff small and off the disk.

    - A body over ``IMPORT_UPLOAD_MAX_BYTES`` (Content-Length) is refused unread: this is
      the limit on an import upload, as Django's own limit leaves files out.
    - Only signed-in staff (the admin's import) may send more than
      ``DATA_UPLOAD_MAX_MEMORY_SIZE``, the limit of a form without files: anyone else's
      larger body is refused unread, before login, CSRF and views, so an anonymous
      client cannot make the server read megabytes. What others send stays in memory
      (no upload handler that writes files); staff uploads over
      ``FILE_UPLOAD_MAX_MEMORY_SIZE`` spool into ``FILE_UPLOAD_TEMP_DIR`` (the app's
      own data folder), never the system's shared temp folder.
    - Form fields over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` are caught while the form is parsed
      here (CsrfViewMiddleware would parse it next anyway).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        size = _content_length(request)
        if size > settings.IMPORT_UPLOAD_MAX_BYTES:
            return too_large_response(request, size=size, limit=settings.IMPORT_UPLOAD_MAX_BYTES)
        if request.user.is_active and request.user.is_staff:
            if size > settings.FILE_UPLOAD_MAX_MEMORY_SIZE:
                make_upload_folder()
        elif size > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return too_large_response(
                request, size=None, limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            )
        else:
            request.upload_handlers = [MemoryFileUploadHandler(request)]
        if request.method == "POST":
            try:
                request.POST  # noqa: B018 (parse now to catch RequestDataTooBig)
            except RequestDataTooBig:
                return too_large_response(
                    request, size=None, limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE
                )
        return self.get_response(request)
