"""Which label a sentence carries: for one coder (``sentence_labels``), and for several
(``majority``).

A sentence's label for one coder (an annotator, or gold) is the label whose spans cover
the most of its characters, provided they cover more than half of the sentence; otherwise
the sentence has no label (None). Overlapping spans of the same label count each
character once.

The majority of several coders is the one rule every page and file uses (review's
suggestion and "accept majority", the export's ``majority_label``): the label that more
coders gave than any other answer, where "no label" counts as an answer, and that at
least ``min_votes`` coders gave. A tie, or "no label" ahead, is no majority (None).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence


def merge_intervals(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def coverage_by_sentence(
    sentences: Sequence[tuple[int, int]], intervals: Iterable[tuple[int, int]]
) -> list[int]:
    """Characters of each sentence covered by the union of ``intervals``.

    ``sentences`` are sorted by start and do not overlap (as stored).
    """
    merged = merge_intervals(intervals)
    covered = [0] * len(sentences)
    i = 0
    for index, (s_start, s_end) in enumerate(sentences):
        while i < len(merged) and merged[i][1] <= s_start:
            i += 1
        j = i
        while j < len(merged) and merged[j][0] < s_end:
            covered[index] += min(s_end, merged[j][1]) - max(s_start, merged[j][0])
            j += 1
    return covered


def sentence_labels[L: Hashable](
    sentences: Sequence[tuple[int, int]],
    spans: Iterable[tuple[int, int, L]],
    label_order: Sequence[L] = (),
) -> list[L | None]:
    """The label of each sentence (see module docstring).

    Ties between labels with equal coverage go to the label earlier in ``label_order``
    (then by name), so the result does not depend on span order.
    """
    by_label: dict[L, list[tuple[int, int]]] = defaultdict(list)
    for start, end, label in spans:
        by_label[label].append((start, end))
    rank = {label: i for i, label in enumerate(label_order)}
    labels = sorted(by_label, key=lambda label: (rank.get(label, len(rank)), str(label)))
    coverage = {label: coverage_by_sentence(sentences, by_label[label]) for label in labels}
    result: list[L | None] = []
    for index, (start, end) in enumerate(sentences):
        best, best_covered = None, 0
        for label in labels:
            if coverage[label][index] > best_covered:
                best, best_covered = label, coverage[label][index]
        result.append(best if best_covered * 2 > end - start else None)
    return result


def majority[L: Hashable](answers: Iterable[L | None], *, min_votes: int = 1) -> L | None:
    """The majority label among coders' answers for one sentence (see module docstring)."""
    ranked = Counter(answers).most_common(2)
    if not ranked:
        return None
    label, count = ranked[0]
    if label is None or count < min_votes:
        return None
    if len(ranked) > 1 and ranked[1][1] == count:
        return None
    return label
