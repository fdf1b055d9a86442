"""One base for every refusal the interface shows a user.

A service refuses a write by raising a subclass of ``Rejected`` with a message written for
the person who asked (it is shown as it is: in the page's status line, the admin's message
area, a command's error line). Views catch ``Rejected`` rather than each feature's class,
so a new refusal needs no new ``except`` clause anywhere. Programming errors are not
``Rejected``: they stay exceptions and end as a 500 with the traceback logged.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError


class Rejected(Exception):
    """A write refused for a reason the user can act on; ``str(error)`` is that reason."""


def validation_message(exc: ValidationError) -> str:
    """A model's ValidationError as one line: «field: message; field: message»."""
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items()
        )
    return " ".join(exc.messages)
