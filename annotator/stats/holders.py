"""Agreement on holders: whose voice annotators who marked the same passage say it is.

Two figures over the passages (sentences) that two or more annotators marked:
Krippendorff's alpha of the holder kind (author, attributed, unclear; nominal), and the
exact-holder agreement: of the pairs of those annotators on a passage, leaving out pairs
where both say it is the author's, the share that give the same kind and the same holder
(compared without case or «ё», spaces collapsed).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from annotator.stats.agreement import krippendorff_alpha, pairable_items, pairable_values

KINDS = ("author", "attributed", "unclear")


def normalise_holder(holder: str) -> str:
    """A holder as compared: «Касым-Жомарт  Токаев» and «касым-жомарт токаев» are one."""
    return " ".join(holder.lower().replace("ё", "е").split())


@dataclass(frozen=True)
class HolderAgreement:
    kind_alpha: float | None
    items: int  # passages marked by two or more annotators
    values: int  # the holder kinds those passages carry
    pairs: int  # annotator pairs on them, both-author pairs left out
    exact_pairs: int  # of those, the pairs with the same kind and holder
    exact: float | None  # exact_pairs / pairs


def holder_agreement(items: Sequence[Sequence[tuple[str, str]]]) -> HolderAgreement:
    """``items``: per passage, each annotator's ``(holder_kind, holder)``."""
    shared = [coders for coders in items if len(coders) >= 2]
    counts = np.zeros((len(shared), len(KINDS)), dtype=np.int64)
    pairs = exact_pairs = 0
    for row, coders in enumerate(shared):
        for kind, _ in coders:
            counts[row, KINDS.index(kind)] += 1
        for (kind_a, holder_a), (kind_b, holder_b) in combinations(coders, 2):
            if kind_a == kind_b == "author":
                continue
            pairs += 1
            same = kind_a == kind_b and normalise_holder(holder_a) == normalise_holder(holder_b)
            exact_pairs += same
    return HolderAgreement(
        kind_alpha=krippendorff_alpha(counts) if len(shared) else None,
        items=pairable_items(counts),
        values=pairable_values(counts),
        pairs=pairs,
        exact_pairs=exact_pairs,
        exact=exact_pairs / pairs if pairs else None,
    )


def sentence_holders[T](
    sentences: Sequence[tuple[int, int]], spans: Sequence[tuple[int, int, T]]
) -> list[T | None]:
    """Per sentence, the value of the span that covers most of it (the earliest on a tie),
    or None: one coder's holder of each sentence. ``sentences`` sorted by start."""
    result: list[T | None] = [None] * len(sentences)
    best: list[tuple[int, int]] = [(0, -(10**12))] * len(sentences)
    starts = [start for start, _ in sentences]
    for start, end, value in spans:
        first = max(bisect_right(starts, start) - 1, 0)
        for i in range(first, len(sentences)):
            s_start, s_end = sentences[i]
            if s_start >= end:
                break
            overlap = min(end, s_end) - max(start, s_start)
            if overlap > 0 and (overlap, -start) > best[i]:
                best[i], result[i] = (overlap, -start), value
    return result
