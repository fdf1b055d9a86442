"""The holders suggester against a hand-checked set: precision and recall of detecting
that a sentence is not in the author's own voice, and how often the holder is exactly
right.

The set (``tests/suggestions/data/attribution_set.json``) lists every sentence of the seed
texts with reported speech or a speech/opinion verb, each found by an ``anchor`` phrase,
with its ``holder_kind`` and ``holder`` (``also``: other acceptable holders, for a
sentence that reports two people). A sentence the set does not list is the author's.

- detection: a sentence is *attributed* when its kind is ``attributed`` or ``unclear``;
  precision and recall are over the sentences of the texts;
- exact holder: among the attributed sentences found, the share whose kind and holder
  (compared without case, «ё» read as «е») are the set's;
- kind accuracy: over the set's sentences, the share whose kind (author when the
  suggester says nothing) is right.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from annotator.stats.holders import normalise_holder
from annotator.suggestions.holders import Attribution
from annotator.text.sentences import sentence_spans

Attribute = Callable[[str, Sequence[tuple[int, int]]], list[Attribution]]


@dataclass(frozen=True, slots=True)
class Expected:
    file: str
    start: int
    quote: str
    holder_kind: str
    holders: tuple[str, ...]


@dataclass(slots=True)
class Scores:
    sentences: int = 0
    listed: int = 0
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0
    exact: int = 0
    kind_right: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        found = self.true_positive + self.false_positive
        return self.true_positive / found if found else 0.0

    @property
    def recall(self) -> float:
        wanted = self.true_positive + self.false_negative
        return self.true_positive / wanted if wanted else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def exact_accuracy(self) -> float:
        return self.exact / self.true_positive if self.true_positive else 0.0

    @property
    def kind_accuracy(self) -> float:
        return self.kind_right / self.listed if self.listed else 0.0


class SetError(ValueError):
    """The hand-checked set does not fit the texts (an anchor found nowhere, or twice in
    one sentence's place)."""


def expected_sentences(entries: list[dict], texts: dict[str, str]) -> dict[tuple, Expected]:
    """Every listed sentence by ``(file, sentence start)``."""
    found: dict[tuple, Expected] = {}
    for entry in entries:
        text = texts[entry["file"]]
        hits = [
            (start, end)
            for start, end in sentence_spans(text)
            if entry["anchor"] in text[start:end]
        ]
        if not hits:
            raise SetError(f"{entry['file']}: no sentence contains {entry['anchor']!r}")
        for start, end in hits:
            key = (entry["file"], start)
            if key in found:
                raise SetError(f"{entry['file']}: two entries for the sentence at {start}")
            holders = (entry.get("holder", ""), *entry.get("also", ()))
            found[key] = Expected(
                entry["file"], start, text[start:end], entry["holder_kind"], holders
            )
    return found


def evaluate(set_path: Path, seeds: Path, attribute: Attribute) -> Scores:
    """Score ``attribute`` (the suggester, or a stand-in in tests) on the set."""
    entries = json.loads(set_path.read_text(encoding="utf-8"))["sentences"]
    texts = {
        name: (seeds / name).read_text(encoding="utf-8")
        for name in sorted({e["file"] for e in entries})
    }
    expected = expected_sentences(entries, texts)
    scores = Scores(listed=len(expected))
    for name, text in texts.items():
        bounds = list(sentence_spans(text))
        scores.sentences += len(bounds)
        predicted = {a.start: a for a in attribute(text, bounds)}
        for start, end in bounds:
            want = expected.get((name, start))
            got = predicted.get(start)
            want_kind = want.holder_kind if want else "author"
            got_kind = got.holder_kind if got else "author"
            if want:
                scores.kind_right += want_kind == got_kind
            wanted, found = want_kind != "author", got_kind != "author"
            if wanted and found:
                scores.true_positive += 1
                assert want is not None and got is not None
                names = {normalise_holder(h) for h in want.holders}
                if want_kind == got_kind and normalise_holder(got.holder) in names:
                    scores.exact += 1
                else:
                    scores.misses.append(
                        f"{name}@{start} holder {got_kind}/{got.holder!r}, "
                        f"expected {want_kind}/{want.holders[0]!r}: {text[start:end][:70]}"
                    )
            elif found:
                scores.false_positive += 1
                assert got is not None
                scores.misses.append(
                    f"{name}@{start} false alarm {got_kind}/{got.holder!r}: {text[start:end][:70]}"
                )
            elif wanted:
                scores.false_negative += 1
                assert want is not None
                scores.misses.append(
                    f"{name}@{start} missed {want_kind}/{want.holders[0]!r}: {text[start:end][:70]}"
                )
    return scores
