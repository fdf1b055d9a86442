"""Runs of paragraphs printed twice in a row inside one document.

Scraped pages sometimes carry a whole body twice, which would count every label on it
twice; a headline printed twice is common and harmless. The document importer reports every
repeated run long enough to matter, and removes the second copy when asked.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from django.utils.translation import gettext

# A repeated run of paragraphs is reported when it holds at least this many
# characters: a headline printed twice is common and harmless, a repeated body is not.
MIN_REPEAT_CHARS = 200


@dataclass(frozen=True)
class Repeat:
    """A run of paragraphs immediately repeated: 1-based line numbers of both copies."""

    first: tuple[int, int]
    second: tuple[int, int]
    cut: tuple[int, int]  # the character range that removing the second copy deletes

    def describe(self) -> str:
        if self.first[0] == self.first[1]:
            return gettext("line %(first)d repeats as line %(second)d") % {
                "first": self.first[0],
                "second": self.second[0],
            }
        return gettext("lines %(a)d-%(b)d repeat as lines %(c)d-%(d)d") % {
            "a": self.first[0],
            "b": self.first[1],
            "c": self.second[0],
            "d": self.second[1],
        }


def _paragraphs(text: str) -> list[tuple[str, int, int, int]]:
    """Non-blank lines as (line, line number, start offset, end offset)."""
    paragraphs = []
    offset = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            paragraphs.append((line, number, offset, offset + len(line)))
        offset += len(line) + 1
    return paragraphs


def find_repeats(text: str) -> list[Repeat]:
    """Runs of paragraphs (non-blank lines) followed at once by an exact copy of
    themselves, holding at least ``MIN_REPEAT_CHARS`` characters."""
    paragraphs = _paragraphs(text)
    ids: dict[str, int] = {}
    keys = [ids.setdefault(line, len(ids)) for line, *_ in paragraphs]
    positions: dict[int, list[int]] = {}
    for index, key in enumerate(keys):
        positions.setdefault(key, []).append(index)
    lengths = [0]
    for line, *_ in paragraphs:
        lengths.append(lengths[-1] + len(line))

    repeats = []
    i = 0
    while i < len(keys):
        found = None
        later = positions[keys[i]]
        for j in later[bisect_right(later, i) :]:
            size = j - i
            if j + size > len(keys):
                break
            if lengths[j] - lengths[i] >= MIN_REPEAT_CHARS and keys[i:j] == keys[j : j + size]:
                found = j
                break
        if found is None:
            i += 1
            continue
        size = found - i
        last = found + size - 1
        repeats.append(
            Repeat(
                first=(paragraphs[i][1], paragraphs[found - 1][1]),
                second=(paragraphs[found][1], paragraphs[last][1]),
                cut=(paragraphs[found - 1][3], paragraphs[last][3]),
            )
        )
        i = last + 1
    return repeats


def remove_repeats(text: str) -> tuple[str, list[Repeat]]:
    """The text with the repeated copies found by ``find_repeats`` removed, until
    none is left (a run printed three times loses two copies)."""
    removed: list[Repeat] = []
    while repeats := find_repeats(text):
        for repeat in reversed(repeats):
            start, end = repeat.cut
            text = text[:start] + text[end:]
        removed += repeats
    return text, removed
