"""Request guards that run before any view reads the request."""

from __future__ import annotations

import os
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext

from annotator.accounts.tokens import api_token_user
from annotator.models import Membership

API_PREFIX = "/api/"


def too_large_response(request: HttpRequest, *, size: int | None, limit: int) -> HttpResponse:
    """``annotator/too_large.html`` (HTTP 413): what was sent and what the limit is."""
    return render(
        request,
        "annotator/too_large.html",
        {"size": filesizeformat(size) if size else None, "limit": filesizeformat(limit)},
        status=413,
    )


def _api_too_large(size: int | None, limit: int) -> JsonResponse:
    """The 413 of an API request: JSON, as every API error is."""
    sent = f" ({filesizeformat(size)} sent)" if size else ""
    detail = gettext("The request body is too large%(sent)s: the limit is %(limit)s.") % {
        "sent": sent,
        "limit": filesizeformat(limit),
    }
    return JsonResponse({"detail": detail, "errors": {}}, status=413)


def _may_send_imports(request: HttpRequest) -> bool:
    """Whether the sender may send an import's body: signed-in staff (the admin's
    import), or an API token's owner who is staff or manages a project (the API's
    document import). The token is only looked up for a body that needs it."""
    user = request.user
    if user.is_active and user.is_staff:
        return True
    if not request.path.startswith(API_PREFIX):
        return False
    owner = api_token_user(request.META.get("HTTP_AUTHORIZATION", ""))
    if owner is None:
        return False
    return owner.is_staff or owner.memberships.filter(role=Membership.Role.MANAGER).exists()


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
    - Only signed-in staff (the admin's import) and API token owners who may import
      (``_may_send_imports``) may send more than ``DATA_UPLOAD_MAX_MEMORY_SIZE``, the
      limit of a form without files: anyone else's larger body is refused unread, before
      login, CSRF and views, so an anonymous client cannot make the server read megabytes.
      What others send stays in memory (no upload handler that writes files); staff
      uploads over
      ``FILE_UPLOAD_MAX_MEMORY_SIZE`` spool into ``FILE_UPLOAD_TEMP_DIR`` (the app's
      own data folder), never the system's shared temp folder.
    - Form fields over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` are caught while the form is parsed
      here (CsrfViewMiddleware would parse it next anyway).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        size = _content_length(request)
        refuse = _api_too_large if request.path.startswith(API_PREFIX) else None
        if size > settings.IMPORT_UPLOAD_MAX_BYTES:
            if refuse:
                return refuse(size, settings.IMPORT_UPLOAD_MAX_BYTES)
            return too_large_response(request, size=size, limit=settings.IMPORT_UPLOAD_MAX_BYTES)
        if size > settings.DATA_UPLOAD_MAX_MEMORY_SIZE and not _may_send_imports(request):
            if refuse:
                return refuse(None, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
            return too_large_response(
                request, size=None, limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            )
        if request.user.is_active and request.user.is_staff:
            if size > settings.FILE_UPLOAD_MAX_MEMORY_SIZE:
                make_upload_folder()
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
