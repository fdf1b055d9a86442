"""What a profile shows: each label's share with its interval, from per-document counts.

Two readings of the same labels are given side by side:

- *by sentences*: each sentence's label (``annotator.stats.sentence_labels``; with several
  annotators, their majority, ``annotator.stats.consensus``); shares are over the
  sentences that got a label;
- *by annotated characters*: characters whose label is that label, over all labelled
  characters.

Every share is a ratio of sums over documents, and its 95% interval comes from a cluster
bootstrap over those documents (``annotator.stats.bootstrap``): sentences of one article
are not independent evidence, so the document is the unit. Fewer than three documents
give the share with no interval. No database here: ``annotator.reports.profiles`` reads
the stored tallies and hands their rows to ``Evidence``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext

from annotator.stats.bootstrap import Interval, cluster_bootstrap_together

SENTENCES, CHARACTERS = "sentences", "characters"
MEASURES = (SENTENCES, CHARACTERS)

# A DocumentTally row's numbers, in this order: characters, sentences, touched sentences,
# tied sentences, tied characters.
TallyRow = Sequence[int]


@dataclass(frozen=True)
class LabelInfo:
    id: int
    name: str
    title: str
    color: str
    neutral: bool = False  # its passages are not listed as strongest findings


@dataclass(frozen=True)
class Share:
    label: LabelInfo
    value: float
    low: float | None
    high: float | None
    n: int  # sentences the share rests on (labelled, or touched by the labelled characters)
    documents: int = 0  # documents the share rests on: the bootstrap resamples them
    x: float = 0.0  # where its bar segment starts, in percent of the bar

    @property
    def counted(self) -> bool:
        """Whether anything is labelled: without labels there is no share at all."""
        return self.documents > 0


@dataclass
class Counts:
    """The numbers a profile shows, summed from per-document tallies, with intervals."""

    documents: int = 0
    annotated_documents: int = 0
    gold_documents: int = 0
    text_chars: int = 0
    covered_chars: int = 0
    labelled_sentences: int = 0
    touched_sentences: int = 0
    tied_sentences: int = 0
    tied_chars: int = 0
    chars: Counter = field(default_factory=Counter)  # label id -> characters
    votes: Counter = field(default_factory=Counter)  # label id -> sentences
    # measure -> label id -> 95% interval (empty: fewer than three documents)
    intervals: dict[str, dict[int, Interval]] = field(default_factory=dict)
    # measure -> documents with labels in that measure
    evidence: dict[str, int] = field(default_factory=dict)

    def add(self, gold: bool, row: TallyRow) -> None:
        """Add one document's DocumentTally row without a label (its totals)."""
        chars, sentences, touched, tied, tied_chars = row
        self.annotated_documents += 1
        self.gold_documents += 1 if gold else 0
        self.covered_chars += chars
        self.labelled_sentences += sentences
        self.touched_sentences += touched
        self.tied_sentences += tied
        self.tied_chars += tied_chars


class Evidence:
    """A group's per-document counts (a source, a month, an annotator's documents): their
    sums, and the intervals of the shares they make."""

    def __init__(self) -> None:
        self.counts = Counts()
        self._documents: list[int] = []
        self._labels: list[int] = []
        self._votes: list[int] = []
        self._chars: list[int] = []

    def add(self, document: int, label_id: int | None, gold: bool, row: TallyRow) -> None:
        """Add a DocumentTally row of ``document`` (an id: a document's or its item's)."""
        if label_id is None:
            self.counts.add(gold, row)
        else:
            self._documents.append(document)
            self._labels.append(label_id)
            self._votes.append(row[1])
            self._chars.append(row[0])

    def finish(self) -> Counts:
        """The counts, with each measure's intervals (the per-document rows are dropped)."""
        counts = self.counts
        counts.evidence = {SENTENCES: 0, CHARACTERS: 0}
        counts.intervals = {SENTENCES: {}, CHARACTERS: {}}
        if not self._documents:
            return counts
        documents, row = np.unique(np.array(self._documents), return_inverse=True)
        labels, column = np.unique(np.array(self._labels), return_inverse=True)
        matrices = []
        for values in (self._votes, self._chars):
            matrix = np.zeros((len(documents), len(labels)))
            np.add.at(matrix, (row, column), values)
            matrices.append(matrix)
        ids = labels.tolist()
        for measure, matrix, counter in zip(
            MEASURES, matrices, (counts.votes, counts.chars), strict=True
        ):
            counter.update({k: int(v) for k, v in zip(ids, matrix.sum(axis=0), strict=True) if v})
            counts.evidence[measure] = int((matrix.sum(axis=1) > 0).sum())
        for measure, bounds in zip(MEASURES, cluster_bootstrap_together(matrices), strict=True):
            counts.intervals[measure] = dict(zip(ids, bounds, strict=True)) if bounds else {}
        self._documents, self._labels, self._votes, self._chars = [], [], [], []
        return counts


def shares(counts: Counts, measure: str, labels: Sequence[LabelInfo]) -> list[Share]:
    """Each label's share of ``measure``, with its interval, laid out as a bar."""
    counter = counts.votes if measure == SENTENCES else counts.chars
    n = counts.labelled_sentences if measure == SENTENCES else counts.touched_sentences
    documents = counts.evidence.get(measure, 0)
    intervals = counts.intervals.get(measure, {})
    total = sum(counter[label.id] for label in labels)
    result, x = [], 0.0
    for label in labels:
        value = counter[label.id] / total if total else 0.0
        low, high = intervals.get(label.id, (None, None)) if total else (None, None)
        if low is None and intervals and total:
            low = high = 0.0  # a label none of the documents used: its share is 0 in every resample
        result.append(Share(label, value, low, high, n, documents, x=round(x * 100, 3)))
        x += value
    return result


@dataclass
class Profile:
    key: Hashable
    name: str
    counts: Counts
    by_chars: list[Share]
    by_sentences: list[Share]
    basis: str

    @property
    def documents(self) -> int:
        return self.counts.documents

    @property
    def annotated_documents(self) -> int:
        return self.counts.annotated_documents

    @property
    def coverage(self) -> float:
        counts = self.counts
        return counts.covered_chars / counts.text_chars if counts.text_chars else 0.0


GOLD_BASIS, ANNOTATORS_BASIS, MIXED_BASIS = "gold", "annotators", "mixed"


def basis_kind(counts: Counts) -> str | None:
    """``gold``, ``annotators`` or ``mixed`` (the profiles command's JSON); None: no labels."""
    annotated, gold = counts.annotated_documents, counts.gold_documents
    if not annotated:
        return None
    if gold == annotated:
        return GOLD_BASIS
    return ANNOTATORS_BASIS if not gold else MIXED_BASIS


def basis_of(counts: Counts, annotator: str | None = None) -> str:
    if annotator:
        return gettext("%(annotator)s's labels") % {"annotator": annotator}
    kind = basis_kind(counts)
    if kind is None:
        return gettext("no labels yet")
    if kind == GOLD_BASIS:
        return gettext("gold")
    if kind == ANNOTATORS_BASIS:
        return gettext("annotators' majority")
    return gettext(
        "gold for %(gold)d of %(documents)d documents, annotators' majority for the rest"
    ) % {"gold": counts.gold_documents, "documents": counts.annotated_documents}


def make_profile(
    key: Hashable, name: str, counts: Counts, labels: Sequence[LabelInfo], annotator: str | None
) -> Profile:
    return Profile(
        key=key,
        name=name,
        counts=counts,
        by_chars=shares(counts, CHARACTERS, labels),
        by_sentences=shares(counts, SENTENCES, labels),
        basis=basis_of(counts, annotator),
    )


def share_figures(chosen: Sequence[Share]) -> dict[str, dict]:
    """Label name -> {"share", "low", "high"} (low and high None: no interval)."""
    return {
        share.label.name: {
            "share": round(share.value, 6),
            "low": None if share.low is None else round(share.low, 6),
            "high": None if share.high is None else round(share.high, 6),
        }
        for share in chosen
    }


def profile_figures(profile: Profile) -> dict:
    """A source's figures as the ``profiles`` command's JSON gives them (a contract: keys
    are added, never renamed)."""
    counts = profile.counts
    return {
        "source": profile.name,
        "documents": counts.documents,
        "sentences": counts.labelled_sentences,
        "basis": basis_kind(counts),
        "shares": {
            "by_sentences": share_figures(profile.by_sentences),
            "by_characters": share_figures(profile.by_chars),
        },
        "labelled_documents": counts.annotated_documents,
        "gold_documents": counts.gold_documents,
        "interval_documents": {
            "by_sentences": counts.evidence.get(SENTENCES, 0),
            "by_characters": counts.evidence.get(CHARACTERS, 0),
        },
        "characters": sum(counts.chars.values()),
        "tied_sentences": counts.tied_sentences,
        "tied_characters": counts.tied_chars,
        "basis_text": profile.basis,
    }
