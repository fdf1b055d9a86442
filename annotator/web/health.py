"""Liveness for load balancers and monitors."""

from __future__ import annotations

from django.db import DatabaseError, connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """``{"status": "ok", "database": "ok"}`` (200), or 503 when the database is unreachable.

    No login: a monitor calls it. Nothing about the error beyond its kind is shown.
    """
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return JsonResponse(
            {"status": "error", "database": "unreachable", "error": type(exc).__name__},
            status=503,
        )
    return JsonResponse({"status": "ok", "database": "ok"})
