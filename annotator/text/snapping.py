"""Snapping a selection to word boundaries: the rule the page previews and the server applies.

Offsets are code points into the document text. The same rule is implemented in
``static/annotator/text.js`` (``snapSelection``) for the live preview; both are
tested against the cases in ``tests/support/snap_cases.json``.

The rule, in two steps:

1. **Trim**: drop characters at either end that are spaces, punctuation or control
   and format characters (Unicode categories ``Z*``, ``P*``, ``Cc``, ``Cf``).
2. **Widen**: an end that falls inside a word moves outwards to the word's edge, so no
   half words are labelled. A word is a run of letters, digits and combining marks
   (``L*``, ``N*``, ``M*``); a hyphen or apostrophe between two word characters, and a
   ``.``/``,``/``:`` between two digits, belong to the word (``Касым-Жомарт``,
   ``3,5``, ``12:30``).

Everything else (emoji, currency and other symbols) is kept as selected.
Snapping twice gives the same result as snapping once.
"""

from __future__ import annotations

import unicodedata

TRIM_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf"})
JOINERS = frozenset("-\u2010\u2011'\u2019")
DIGIT_JOINERS = frozenset(".,:")


def is_word_char(char: str) -> bool:
    return unicodedata.category(char)[0] in "LNM"


def is_trimmed(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] == "P" or category in TRIM_CATEGORIES


def _in_word(text: str, i: int) -> bool:
    """Whether ``text[i]`` is part of a word (a word character or a joiner inside one)."""
    char = text[i]
    if is_word_char(char):
        return True
    if 0 < i < len(text) - 1:
        before, after = text[i - 1], text[i + 1]
        if char in JOINERS:
            return is_word_char(before) and is_word_char(after)
        if char in DIGIT_JOINERS:
            return unicodedata.category(before) == "Nd" == unicodedata.category(after)
    return False


def snap(text: str, start: int, end: int) -> tuple[int, int]:
    """The selection ``text[start:end]`` snapped to word boundaries (see the module doc).

    Returns ``(start, end)``; they are equal when nothing but spaces and punctuation
    was selected. The caller checks bounds first.
    """
    while start < end and is_trimmed(text[start]):
        start += 1
    while end > start and is_trimmed(text[end - 1]):
        end -= 1
    if start == end:
        return start, start
    while start > 0 and _in_word(text, start - 1) and _in_word(text, start):
        start -= 1
    while end < len(text) and _in_word(text, end - 1) and _in_word(text, end):
        end += 1
    return start, end
