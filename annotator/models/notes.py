"""The rule for a span's note, wherever a note is written.

A note reaches the database from the workspace, the review page, the admin and the
annotation importer; each path calls ``check_note`` (``SpanModel.clean`` does for
model forms), so a note refused on one path is refused on every other. NUL cannot be
stored by PostgreSQL (a DataError, not a message) and no analyst means to type it;
the length keeps a pasted article out of a field meant for a remark.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

NOTE_MAX = 5000


class NoteValidationError(ValidationError):
    """A note that cannot be stored; its message says why."""


def check_note(note: str) -> None:
    """Raise NoteValidationError unless ``note`` can be stored."""
    if len(note) > NOTE_MAX:
        raise NoteValidationError(
            gettext("The note is too long (at most %(max)d characters).") % {"max": NOTE_MAX}
        )
    if "\x00" in note:
        raise NoteValidationError(gettext("The note contains a NUL character (U+0000); remove it."))
