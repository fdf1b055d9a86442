"""Words of a text with their offsets and lemmas (pymorphy3), the form cues are matched on.

pymorphy3 loads its dictionary (~15 MB, 0.4 s) on first use, in the process that suggests
or trains: never at import time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

WORD = re.compile(r"\w+(?:-\w+)*")


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    lemma: str
    infinitive: bool


@cache
def analyzer() -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=200_000)
def analyse(word: str) -> tuple[str, bool]:
    """The lemma of a (lower-case) word, ``ё`` read as ``е``, and whether it is an infinitive."""
    parse = analyzer().parse(word)[0]
    return parse.normal_form.replace("ё", "е"), parse.tag.POS == "INFN"


def tokens(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """The words of ``text[start:end]`` with offsets into ``text``."""
    result = []
    for match in WORD.finditer(text, start, len(text) if end is None else end):
        lemma, infinitive = analyse(match.group().lower())
        result.append(Token(match.start(), match.end(), lemma, infinitive))
    return result


def lemma_phrase(phrase: str) -> tuple[str, ...]:
    """A cue phrase as the lemmas it is matched on (any inflected form may be written)."""
    return tuple(token.lemma for token in tokens(phrase))
