"""The names a text mentions (people, places, organisations), roughly and without a model.

Enough to tell that two news items cover the same event: words written with a capital
letter where a sentence does not begin (``Путин``, ``Астане``, ``ОДКБ``), reduced to a
crude stem (the first ``STEM`` letters, lower-cased, ё as е) so that Russian case endings
meet: «Путин», «Путина» and «Путиным» are one name. No NLP model runs in the web process;
a wrong stem only weakens a suggestion a manager reviews anyway.
"""

from __future__ import annotations

import re
from collections import Counter

STEM = 5
# A word: letters, with inner hyphens or apostrophes (Нур-Султан, O'Brien).
WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
# What ends a sentence: the next word is capitalised for that reason only.
SENTENCE_END = re.compile(r"(?:[.!?…:][\"'»”)\]]*\s+|\n\s*)[«\"„“'(\[—–•-]*\s*$")


def stem(word: str) -> str:
    return word.lower().replace("ё", "е")[:STEM]


def names(text: str) -> Counter[str]:
    """Stem -> how often a capitalised word with that stem occurs inside a sentence."""
    found: Counter[str] = Counter()
    previous_end = 0
    for match in WORD.finditer(text):
        word = match.group()
        between = text[previous_end : match.start()]
        starts_sentence = previous_end == 0 or SENTENCE_END.search(between) is not None
        previous_end = match.end()
        if word[0].isupper() and not starts_sentence:
            found[stem(word)] += 1
    return found


def surface_forms(text: str) -> dict[str, str]:
    """Stem -> the form of it the text uses most, to name a group readably."""
    forms: dict[str, Counter[str]] = {}
    for match in WORD.finditer(text):
        word = match.group()
        if word[0].isupper():
            forms.setdefault(stem(word), Counter())[word] += 1
    return {key: counter.most_common(1)[0][0] for key, counter in forms.items()}
