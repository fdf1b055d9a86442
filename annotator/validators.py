"""Rules on single values that more than one layer checks.

A label's colour is validated on the model field, and checked again where it is
written into a stylesheet, since rows can be changed without validation.
"""

from __future__ import annotations

import re

from django.core.validators import RegexValidator

COLOUR_PATTERN = r"\A#[0-9a-fA-F]{6}\Z"
COLOUR = re.compile(COLOUR_PATTERN)
validate_colour = RegexValidator(COLOUR_PATTERN, "Use a colour like #1565c0.")
