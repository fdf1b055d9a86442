"""Error pages that say what went wrong and offer a way back.

Django's own pages are a bare "Forbidden" or "Not Found" with no header and no link;
these keep the site's header, say why in a sentence, and link to the user's projects
(and back to the page they came from, when it is on this site). The 500 page is built
from a template that needs neither the database nor the request, as either may be
what failed.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import defaults

from annotator.web.middleware import too_large_response

StrOrPromise = str | Promise

FORBIDDEN_REASON = _("Your account may not open this page.")
NOT_FOUND_REASON = _(
    "There is no page at this address, or it belongs to a project you are not a member of."
)
CSRF_REASON = _(
    "The form was sent from a page that has expired (or the session ended). "
    "Go back, reload the page and try again."
)


def _back_url(request: HttpRequest) -> str:
    """The page the user came from, when it is on this site (else "")."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return ""


def _error_page(
    request: HttpRequest, *, status: int, title: StrOrPromise, reason: StrOrPromise
) -> HttpResponse:
    """``web/error.html``: the title, the reason, and the ways back."""
    context = {"status": status, "title": title, "reason": reason, "back": _back_url(request)}
    return render(request, "web/error.html", context, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Form fields over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` get a 413 page; the rest Django's 400."""
    if isinstance(exception, RequestDataTooBig):
        return too_large_response(request, size=None, limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """403 with the reason the check gave: the app's ``PermissionDenied`` messages are
    written for the user ("Only the project's managers can see this.")."""
    message = str(exception) if isinstance(exception, PermissionDenied) else ""
    return _error_page(
        request, status=403, title=_("Not allowed"), reason=message or FORBIDDEN_REASON
    )


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404. The exception's message is not shown: it names models and lookups."""
    return _error_page(request, status=404, title=_("Page not found"), reason=NOT_FOUND_REASON)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """403 for a form whose CSRF token no longer matches (``CSRF_FAILURE_VIEW``)."""
    return _error_page(request, status=403, title=_("The page has expired"), reason=CSRF_REASON)


def server_error(request: HttpRequest) -> HttpResponse:
    """500 from ``web/500.html``, rendered without the request's context."""
    return HttpResponseServerError(loader.get_template("web/500.html").render())
