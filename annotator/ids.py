"""Database ids as requests give them: in URL paths, query strings and form fields.

An id is written in ASCII digits and lies between 1 and ``ID_MAX`` (2**63 - 1, the
largest value of SQLite's INTEGER and PostgreSQL's bigint). Anything else names no row,
and is refused where it enters: a path with such an id matches no URL (404), a query
parameter or form field holding one is a bad request (400). Past that point, code may
put ids into written-out SQL: a larger integer would make SQLite's driver raise
OverflowError (a 500) where PostgreSQL finds nothing; and ``str.isdigit`` accepts digits
of other scripts, which ``int()`` reads ("٣" is 3) or refuses ("³": ValueError).

The ``id`` path converter (``<id:document_id>``) is registered by ``AnnotatorConfig.ready``.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import BadRequest, ValidationError

ID_MAX = 2**63 - 1


def parse_id(value: object) -> int | None:
    """The id ``value`` spells (a ``str`` of ASCII digits, 1 to ``ID_MAX``), else None."""
    if not isinstance(value, str) or not (value.isascii() and value.isdigit()):
        return None
    digits = value.lstrip("0")
    if not digits or len(digits) > 19:  # 0, or more digits than ID_MAX has: not read
        return None
    number = int(digits)
    return number if number <= ID_MAX else None


def query_id(query, name: str) -> int | None:
    """The id in query parameter ``name`` (None when absent or empty); BadRequest (400)
    when it is there and not an id."""
    value = query.get(name)
    if value is None or value == "":
        return None
    number = parse_id(value)
    if number is None:
        raise BadRequest(f"The {name} parameter is not an id: {value[:30]!r}.")
    return number


class IdConverter:
    """``<id:name>`` in a URL pattern: an id as ``parse_id`` reads it; no match otherwise."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValueError(f"not an id: {value[:30]}")  # the URL does not match: 404
        return number

    def to_url(self, value: int) -> str:
        return str(value)


INVALID_ID = "Enter an id: a whole number from 1 to 9223372036854775807, in digits 0-9."


class IdField(forms.IntegerField):
    """A form field for an id: refuses (with ``INVALID_ID``) what ``parse_id`` refuses."""

    default_error_messages = {"invalid": INVALID_ID}

    def __init__(self, **kwargs) -> None:
        super().__init__(min_value=1, max_value=ID_MAX, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        number = parse_id(str(value).strip())
        if number is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class IdChoiceField(forms.ModelChoiceField):
    """A ``ModelChoiceField`` chosen by id: refuses what ``parse_id`` refuses before the
    database is asked (Django would read "٣" as 3)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if parse_id(str(value)) is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return super().to_python(value)
