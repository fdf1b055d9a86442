"""Which label a sentence carries: for one coder (``sentence_labels``), and for several
(``majority``); and when two spans would give it different labels
(``contradicting_sentences``, the rule that keeps gold consistent).

A sentence's label for one coder (an annotator, or gold) is that of the *most specific*
span: the shortest span that covers more than half of the sentence. A specific Opinion
inside a paragraph-long Speculation makes its sentence Opinion; equal lengths go to the
label earlier in the label order. Spans of one label that overlap or touch count as one
span. A sentence labelled in pieces (no single span covers more than half of it, but one
label's spans together do) gets the label covering most of it. Otherwise the sentence
has no label (None). A span whose label is None (gold's explicit "no label") takes part
like any other: the shortest span covering the sentence wins, and gives None.

The majority of several coders is the one rule every page and file uses (review's
suggestion and "accept majority", the export's ``majority_label``): the label that more
coders gave than any other answer, where "no label" counts as an answer, and that at
least ``min_votes`` coders gave. A tie, or "no label" ahead, is no majority (None).
"""

from __future__ import annotations

from bisect import bisect_right
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

    ``sentences`` are sorted by start and do not overlap (as stored). Ties between
    labels go to the label earlier in ``label_order`` (then by name), so the result
    does not depend on span order.
    """
    by_label: dict[L, list[tuple[int, int]]] = defaultdict(list)
    for start, end, label in spans:
        by_label[label].append((start, end))
    rank = {label: i for i, label in enumerate(label_order)}
    labels = sorted(by_label, key=lambda label: (rank.get(label, len(rank)), str(label)))
    starts = [start for start, _ in sentences]
    # The most specific span over each sentence: (length, label's rank) of the best so far.
    best: list[tuple[int, int] | None] = [None] * len(sentences)
    for position, label in enumerate(labels):
        for start, end in merge_intervals(by_label[label]):
            index = max(bisect_right(starts, start) - 1, 0)
            while index < len(sentences) and sentences[index][0] < end:
                s_start, s_end = sentences[index]
                if 2 * (min(end, s_end) - max(start, s_start)) > s_end - s_start:
                    key, so_far = (end - start, position), best[index]
                    if so_far is None or key < so_far:
                        best[index] = key
                index += 1
    result: list[L | None] = []
    pieces: dict[L, list[int]] | None = None
    for index, (start, end) in enumerate(sentences):
        found = best[index]
        if found is not None:
            result.append(labels[found[1]])
            continue
        if pieces is None:  # only sentences labelled in pieces need the coverage
            pieces = {label: coverage_by_sentence(sentences, by_label[label]) for label in labels}
        chosen: L | None = None
        covered = 0
        for candidate in labels:
            if pieces[candidate][index] > covered:
                chosen, covered = candidate, pieces[candidate][index]
        result.append(chosen if covered * 2 > end - start else None)
    return result


def contradicting_sentences(
    sentences: Sequence[tuple[int, int]], a: tuple[int, int], b: tuple[int, int]
) -> list[int] | None:
    """Whether two spans of different labels contradict each other, and where.

    They do when the passage they share covers more than half of a sentence (so the two
    labels would compete for it) or more than half of each span (the same passage, twice).
    Returns the positions in ``sentences`` (sorted, not overlapping) of the sentences
    they compete for (``[]`` when only the passage is shared), or None: no contradiction.
    A short span nested in a long one contradicts nothing: it labels no sentence.
    """
    start, end = max(a[0], b[0]), min(a[1], b[1])
    if start >= end:
        return None
    contested = [
        index
        for index, (s_start, s_end) in enumerate(sentences)
        if 2 * (min(end, s_end) - max(start, s_start)) > s_end - s_start
    ]
    if contested:
        return contested
    shared = end - start
    return [] if 2 * shared > a[1] - a[0] and 2 * shared > b[1] - b[0] else None


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
