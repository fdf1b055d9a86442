"""Sentence splitting: razdel on each paragraph, offsets in code points."""

from __future__ import annotations

from collections.abc import Iterable

from razdel import sentenize


def sentence_spans(text: str) -> Iterable[tuple[int, int]]:
    """Sentence (start, end) code-point offsets; each paragraph is split on its own.

    razdel splits Russian sentences; splitting per line keeps headlines and
    list items from being glued to the next paragraph.
    """
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            for sentence in sentenize(line):
                yield offset + sentence.start, offset + sentence.stop
        offset += len(line) + 1
