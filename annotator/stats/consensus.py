"""What a set of coders says about one document, the document counted once.

A coder set is one annotator, gold, or all of a document's annotators together. Source
profiles add documents up, so a document read by three analysts must not weigh three
times as much as a document read by one: for each sentence the set's answer is the
``majority`` of its coders' sentence labels (``annotator.stats.sentence_labels``, the
project's one rule; "no label" is an answer too), and for each character the majority of
the labels the coders put on it. Where the top answers are equally frequent the set is
*tied*: neither label is counted, and the tie is counted apart (shown as such). One coder
is never tied, so gold and a single annotator count exactly their own labels.

A coder's label on a character is the label of the shortest of their spans covering it
(the most specific; label order breaks a tie), so each character carries one label.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

from annotator.stats.sentence_labels import (
    coverage_by_sentence,
    majority,
    merge_intervals,
    sentence_labels,
)

type Piece[L] = tuple[int, int, L]  # start, end, label: characters carrying one label


def is_tie(answers: Iterable[Hashable | None]) -> bool:
    """Whether the most frequent answers (``None``, no label, is one) are equally frequent."""
    ranked = Counter(answers).most_common(2)
    return len(ranked) == 2 and ranked[0][1] == ranked[1][1]


@dataclass(frozen=True)
class Reading[L: Hashable]:
    """One coder's reading of a document: a label (or None) per sentence, labelled
    characters as disjoint pieces, and the spans' extents."""

    sentence_labels: list[L | None]
    pieces: list[Piece[L]]
    extents: list[tuple[int, int]]


def read[L: Hashable](
    sentences: Sequence[tuple[int, int]],
    spans: Iterable[tuple[int, int, L]],
    label_order: Sequence[L] = (),
) -> Reading[L]:
    """One coder's spans over a document with these ``sentences`` (sorted, disjoint)."""
    spans = list(spans)
    return Reading(
        sentence_labels=sentence_labels(sentences, spans, label_order),
        pieces=label_pieces(spans, label_order),
        extents=[(start, end) for start, end, _ in spans],
    )


def label_pieces[L: Hashable](
    spans: Iterable[tuple[int, int, L]], label_order: Sequence[L] = ()
) -> list[Piece[L]]:
    """Characters under ``spans`` as disjoint pieces in text order, each with the label of
    the shortest span covering it (then the label earlier in ``label_order``)."""
    ordered = sorted(spans, key=lambda span: span[0])
    if not ordered:
        return []
    rank = {label: i for i, label in enumerate(label_order)}
    points = sorted({p for start, end, _ in ordered for p in (start, end)})
    active: list[tuple[int, int, str, int, L]] = []  # length, rank, name, end, label
    pieces: list[Piece[L]] = []
    following = 0
    for a, b in zip(points, points[1:], strict=False):
        while following < len(ordered) and ordered[following][0] <= a:
            start, end, label = ordered[following]
            order = rank.get(label, len(rank))
            heapq.heappush(active, (end - start, order, str(label), end, label))
            following += 1
        while active and active[0][3] <= a:  # ended: left in the heap until it surfaces
            heapq.heappop(active)
        if not active:
            continue
        label = active[0][4]
        if pieces and pieces[-1][1] == a and pieces[-1][2] == label:
            pieces[-1] = (pieces[-1][0], b, label)
        else:
            pieces.append((a, b, label))
    return pieces


@dataclass
class DocumentCounts[L: Hashable]:
    """A coder set's counts for one document (see the module docstring)."""

    votes: Counter[L] = field(default_factory=Counter)  # label -> sentences it is the answer
    chars: Counter[L] = field(default_factory=Counter)  # label -> characters it is the answer
    labelled_sentences: int = 0
    tied_sentences: int = 0
    tied_chars: int = 0
    covered_chars: int = 0  # characters under any coder's span
    touched_sentences: int = 0  # sentences any coder's span touches
    # (sentence, how many coders gave each label, coders) for each sentence any coder labelled
    passages: list[tuple[int, dict[L, int], int]] = field(default_factory=list)


def count_document[L: Hashable](
    sentences: Sequence[tuple[int, int]], readings: Sequence[Reading[L]]
) -> DocumentCounts[L]:
    """The set of coders ``readings``' counts for one document."""
    counts: DocumentCounts[L] = DocumentCounts()
    if not readings:
        return counts
    coders = len(readings)
    if coders == 1:  # the majority of one answer is that answer: count it directly
        (reading,) = readings
        for index, label in enumerate(reading.sentence_labels):
            if label is not None:
                counts.votes[label] += 1
                counts.passages.append((index, {label: 1}, 1))
        for start, end, label in reading.pieces:
            if label is not None:  # gold's "no label": decided, and not a labelled character
                counts.chars[label] += end - start
    else:
        by_sentence = zip(*(reading.sentence_labels for reading in readings), strict=True)
        for index, answers in enumerate(by_sentence):
            given: dict[L, int] = {}
            for answer in answers:
                if answer is not None:
                    given[answer] = given.get(answer, 0) + 1
            if not given:
                continue
            counts.passages.append((index, given, coders))
            label = majority(answers)
            if label is not None:
                counts.votes[label] += 1
            elif is_tie(answers):
                counts.tied_sentences += 1
        for start, end, pieces in _segments([reading.pieces for reading in readings]):
            label = majority(pieces)
            if label is not None:
                counts.chars[label] += end - start
            elif is_tie(pieces):
                counts.tied_chars += end - start
    counts.labelled_sentences = sum(counts.votes.values())
    extents = [extent for reading in readings for extent in reading.extents]
    counts.covered_chars = sum(end - start for start, end in merge_intervals(extents))
    counts.touched_sentences = sum(1 for c in coverage_by_sentence(sentences, extents) if c)
    return counts


def _segments[L](
    coders: Sequence[list[Piece[L]]],
) -> Iterable[tuple[int, int, list[L | None]]]:
    """Stretches of text on which every coder's label stays the same, with those labels
    (None: no label), where at least one coder has a label."""
    points = sorted({p for pieces in coders for start, end, _ in pieces for p in (start, end)})
    at = [0] * len(coders)
    for a, b in zip(points, points[1:], strict=False):
        answers: list[L | None] = []
        for k, pieces in enumerate(coders):
            while at[k] < len(pieces) and pieces[at[k]][1] <= a:
                at[k] += 1
            inside = at[k] < len(pieces) and pieces[at[k]][0] <= a
            answers.append(pieces[at[k]][2] if inside else None)
        if any(answer is not None for answer in answers):
            yield a, b, answers
