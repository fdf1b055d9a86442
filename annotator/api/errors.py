"""Every error as JSON: ``{"detail": "...", "errors": {field: ["...", ...]}}``.

``detail`` is one sentence for a person; ``errors`` names each bad field (nested and
listed items as ``field.sub`` or ``3.field``) with its reasons, and is ``{}`` when no
field is to blame. A service's refusal (``Rejected``: a stale quote, a duplicate span, a
bad import line) is a 400 with its message, and has written nothing.
"""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from annotator.errors import Rejected

NON_FIELD = "non_field_errors"


def flatten(errors, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error structure as ``{"a.b": [messages]}``."""
    if isinstance(errors, dict):
        flat: dict[str, list[str]] = {}
        for key, value in errors.items():
            flat.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(errors, list) and any(isinstance(item, (dict, list)) for item in errors):
        flat = {}
        for index, value in enumerate(errors):
            if value:
                flat.update(flatten(value, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    items = errors if isinstance(errors, list) else [errors]
    return {prefix or NON_FIELD: [str(item) for item in items]}


def exception_handler(exc, context):
    if isinstance(exc, Rejected):
        exc = exceptions.ValidationError({NON_FIELD: [str(exc)]})
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a programming error: Django's 500 (logged with its traceback)
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten(exc.detail)
        first = next(iter(errors.values()), ["Invalid input."])[0]
        field = next(iter(errors), NON_FIELD)
        detail = first if field == NON_FIELD else f"{field}: {first}"
        response.data = {"detail": detail, "errors": errors}
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        if isinstance(detail, dict | list):
            errors = flatten(detail)
            detail = next(iter(errors.values()), [""])[0]
        else:
            errors = {}
        response.data = {"detail": str(detail), "errors": errors}
    return response
