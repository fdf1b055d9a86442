"""The cue suggester: Russian hedging and opinion cues found on lemmas, so «можем
предположить», «предположил» and «предполагают» all match the lexicon's «предположить».

The lexicon is ``lexicon.json`` (the seed, versioned with the code) plus the cues that
managers add in the admin (``Cue`` rows, passed in as ``extra``): a row with the same
phrase replaces the file's entry, an inactive row removes it. One rule is code, not
lexicon: the modal «мочь» (может, могут, можем...) followed by an infinitive within two
words («могут не выдержать», «может быть») suggests speculation.

A sentence's scores: with W the summed weight of its cues and w_l that of label l's,
label l scores (1 - e^-W) · w_l / W, and the neutral label 0.5 · e^-W, so a sentence
without cues gets the neutral label at 0.5 and every further cue makes the cue label
surer. The top label is the one with the highest score (no threshold here).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from annotator.suggestions.lemmas import Token, lemma_phrase, tokens

LEXICON_FILE = Path(__file__).with_name("lexicon.json")
MODAL_LEMMA = "мочь"
MODAL_WEIGHT = 1.0
MODAL_REACH = 2  # words between the modal and its infinitive, e.g. «может и не быть»
NEUTRAL_SCORE = 0.5


@dataclass(frozen=True, slots=True)
class CueEntry:
    phrase: str
    label: str
    weight: float
    active: bool = True


@dataclass(frozen=True, slots=True)
class CueMatch:
    start: int
    end: int
    label: str
    weight: float
    phrase: str


@dataclass(slots=True)
class Lexicon:
    """Cues indexed by their first lemma."""

    entries: list[CueEntry]
    version: str
    by_first: dict[str, list[tuple[tuple[str, ...], CueEntry]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for entry in self.entries:
            lemmas = lemma_phrase(entry.phrase)
            if lemmas:
                self.by_first.setdefault(lemmas[0], []).append((lemmas, entry))
        for candidates in self.by_first.values():
            candidates.sort(key=lambda item: -len(item[0]))  # longest phrase first

    @property
    def labels(self) -> list[str]:
        return sorted({entry.label for entry in self.entries})


def file_entries(path: Path = LEXICON_FILE) -> list[CueEntry]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [CueEntry(c["phrase"], c["label"], float(c["weight"])) for c in data["cues"]]


def lexicon(extra: Iterable[CueEntry] = (), path: Path = LEXICON_FILE) -> Lexicon:
    """The file's cues with the admin's additions applied (see the module docstring)."""
    entries = {" ".join(lemma_phrase(e.phrase)): e for e in file_entries(path)}
    for entry in extra:
        key = " ".join(lemma_phrase(entry.phrase))
        if entry.active:
            entries[key] = entry
        else:
            entries.pop(key, None)
    active = sorted(entries.values(), key=lambda e: (e.label, e.phrase))
    digest = hashlib.sha256(
        json.dumps([[e.phrase, e.label, e.weight] for e in active], ensure_ascii=False).encode()
    ).hexdigest()
    return Lexicon(active, version=f"lexicon-{digest[:10]}")


def match_tokens(words: Sequence[Token], lex: Lexicon) -> list[CueMatch]:
    """The cues among ``words`` (one sentence's): lexicon phrases and the modal rule."""
    matches = []
    i = 0
    while i < len(words):
        matched = 0
        for lemmas, entry in lex.by_first.get(words[i].lemma, ()):
            n = len(lemmas)
            if tuple(w.lemma for w in words[i : i + n]) == lemmas:
                matches.append(
                    CueMatch(
                        words[i].start,
                        words[i + n - 1].end,
                        entry.label,
                        entry.weight,
                        entry.phrase,
                    )
                )
                matched = n
                break
        if not matched and words[i].lemma == MODAL_LEMMA:
            for j in range(i + 1, min(i + 2 + MODAL_REACH, len(words))):
                if words[j].infinitive:
                    matches.append(
                        CueMatch(
                            words[i].start, words[j].end, "speculation", MODAL_WEIGHT, "мочь + инф."
                        )
                    )
                    break
        i += matched or 1
    return matches


def match(text: str, start: int = 0, end: int | None = None, *, lex: Lexicon) -> list[CueMatch]:
    return match_tokens(tokens(text, start, end), lex)


@dataclass(frozen=True, slots=True)
class SentenceScores:
    scores: dict[str | None, float]  # label name (None: no neutral label known) -> score
    top: str | None
    top_score: float
    cue: CueMatch | None  # the heaviest cue of the top label


def score(matches: Sequence[CueMatch], neutral: str | None) -> SentenceScores:
    weights: dict[str, float] = defaultdict(float)
    for m in matches:
        weights[m.label] += m.weight
    total = sum(weights.values())
    strength = 1 - math.exp(-total)
    scores: dict[str | None, float] = {
        label: round(strength * w / total, 4) for label, w in weights.items()
    }
    scores[neutral] = max(scores.get(neutral, 0.0), round(NEUTRAL_SCORE * math.exp(-total), 4))
    top = max(scores, key=lambda label: (scores[label], label is not None, label or ""))
    cue = max(
        (m for m in matches if m.label == top), key=lambda m: (m.weight, -m.start), default=None
    )
    return SentenceScores(scores, top, scores[top], cue)
