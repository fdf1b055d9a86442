"""Query parameters that filter lists, checked like any input (400 with the reason)."""

from __future__ import annotations

from datetime import UTC, datetime, time

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from rest_framework.exceptions import ValidationError

from annotator import ids
from annotator.corpus.sources import source_name_key, sources_by_name


def bad(name: str, message: str) -> ValidationError:
    return ValidationError({name: [message]})


def parse_since(params, name: str = "updated_since") -> datetime | None:
    """``2025-01-31`` (from midnight UTC) or an ISO 8601 time (``2025-01-31T12:00:00Z``)."""
    value = params.get(name)
    if not value:
        return None
    try:
        moment = parse_datetime(value)
        day = None if moment else parse_date(value)
    except ValueError:
        moment = day = None
    if moment is None and day is None:
        raise bad(name, f"'{value[:40]}' is not a date or time (use 2025-01-31 or ISO 8601).")
    if moment is None:
        assert day is not None
        moment = datetime.combine(day, time.min)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    return moment


def parse_day(params, name: str):
    value = params.get(name)
    if not value:
        return None
    try:
        day = parse_date(value)
    except ValueError:
        day = None
    if day is None:
        raise bad(name, f"'{value[:40]}' is not a date (use 2025-01-31).")
    return day


def parse_id(params, name: str) -> int | None:
    """The id in query parameter ``name`` (None when absent), read as ``annotator.ids``
    reads every id."""
    value = params.get(name)
    if not value:
        return None
    number = ids.parse_id(value)
    if number is None:
        raise bad(name, f"'{value[:40]}' is not an id.")
    return number


def choice(params, name: str, choices) -> str:
    value = params.get(name, "")
    if value and value not in choices:
        raise bad(name, f"'{value[:40]}' is not one of: {', '.join(choices)}.")
    return value


def flag(params, name: str) -> bool:
    value = params.get(name, "").lower()
    if value in ("", "0", "false", "no"):
        return False
    if value in ("1", "true", "yes"):
        return True
    raise bad(name, f"'{value[:40]}' is not true or false.")


def source_named(params, name: str = "source") -> int | None:
    """The id of the source named in ``params[name]``, matched as the importer matches
    source names (``source_name_key``); 0 when no source has that name."""
    value = params.get(name)
    if not value:
        return None
    source = sources_by_name().get(source_name_key(value))
    return source.pk if source else 0
