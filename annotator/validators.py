"""Rules on single values that more than one layer checks.

A label's colour is validated on the model field, and checked again where it is
written into a stylesheet, since rows can be changed without validation.
"""

from __future__ import annotations

from django.core.validators import RegexValidator

validate_colour = RegexValidator(r"\A#[0-9a-fA-F]{6}\Z", "Use a colour like #1565c0.")
