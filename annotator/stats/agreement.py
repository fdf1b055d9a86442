"""Inter-annotator agreement on nominal labels: pure functions over numpy arrays.

Two shapes of data are used:

- *codes*: an integer matrix with one row per annotator and one column per item (a
  sentence, or a run of characters). Each cell holds the index of the value the annotator
  gave the item, or ``MISSING`` where the annotator did not code it (for example, never
  worked on that document). ``MISSING`` is not a value: it is left out of every figure.
- *value counts*: one row per item, one column per value, holding how many annotators gave
  the item that value. Krippendorff's coincidences, Gwet's AC1 and observed agreement are
  computed from this form; an item coded by fewer than two annotators carries no
  information about agreement and is left out (it is not "pairable").

Figures that are undefined for the data (no pairable items, or every pairable value the
same, so there is no variation to agree beyond chance on) are ``None``, never NaN.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import krippendorff
import numpy as np

MISSING = -1


def value_counts(codes: np.ndarray, n_values: int) -> np.ndarray:
    """Items × values: how many annotators gave each item each value."""
    codes = np.asarray(codes, dtype=np.int64)
    if codes.ndim != 2:
        raise ValueError("codes must be a matrix: one row per annotator, one column per item.")
    n_items = codes.shape[1]
    items = np.broadcast_to(np.arange(n_items), codes.shape)
    coded = codes != MISSING
    if coded.any() and (codes[coded].min() < 0 or codes[coded].max() >= n_values):
        raise ValueError(f"codes must lie in 0..{n_values - 1} or be MISSING.")
    flat = items[coded] * n_values + codes[coded]
    return np.bincount(flat, minlength=n_items * n_values).reshape(n_items, n_values)


def _pairable(counts: np.ndarray, weights: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    counts = np.asarray(counts, dtype=np.float64)
    keep = counts.sum(axis=1) >= 2
    w = np.ones(len(counts)) if weights is None else np.asarray(weights, dtype=np.float64)
    return counts[keep], w[keep]


def pairable_items(counts: np.ndarray) -> int:
    """How many items were coded by at least two annotators."""
    return int((np.asarray(counts).sum(axis=1) >= 2).sum())


def pairable_values(counts: np.ndarray) -> int:
    """How many labels the pairable items carry (Krippendorff's n)."""
    counts = np.asarray(counts)
    m = counts.sum(axis=1)
    return int(m[m >= 2].sum())


def _has_variation(counts: np.ndarray) -> bool:
    return bool(np.count_nonzero(counts.sum(axis=0)) >= 2)


def krippendorff_alpha(counts: np.ndarray) -> float | None:
    """Krippendorff's alpha for nominal data, computed by the ``krippendorff`` package."""
    counts, _ = _pairable(counts, None)
    if not len(counts) or not _has_variation(counts):
        return None
    return float(krippendorff.alpha(value_counts=counts, level_of_measurement="nominal"))


def weighted_nominal_alpha(counts: np.ndarray, weights: np.ndarray) -> float | None:
    """Krippendorff's nominal alpha where item *u* stands for ``weights[u]`` identical items.

    Character-level agreement has one item per character; runs of characters that every
    annotator coded alike are passed as one weighted item. The result is exactly the
    alpha of the expanded data (the tests check this against the ``krippendorff``
    package), without building an items × values matrix the size of the corpus.
    """
    counts, w = _pairable(counts, weights)
    if not len(counts) or not _has_variation(counts * w[:, None]):
        return None
    m = counts.sum(axis=1)
    # Disagreeing coincidences: sum over c != k of o_ck.
    observed = float((w * (m * m - (counts * counts).sum(axis=1)) / (m - 1)).sum())
    n_c = (counts * w[:, None]).sum(axis=0)
    n = n_c.sum()
    expected = float((n * n - (n_c * n_c).sum()) / (n - 1))
    return 1.0 - observed / expected


class AlphaTally:
    """Krippendorff's nominal alpha over items seen one at a time (a stream of sentences).

    Items with the same value counts are kept as one weighted row, so memory grows with
    the number of distinct rows (few: annotators × values), not with the number of items,
    and the figure is ``weighted_nominal_alpha`` of those rows.
    """

    def __init__(self, n_values: int) -> None:
        self.n_values = n_values
        self.rows: Counter[tuple[int, ...]] = Counter()

    def observe(self, codes: Sequence[int]) -> None:
        """The value indices the annotators gave one item; fewer than two are not pairable."""
        if len(codes) < 2:
            return
        row = [0] * self.n_values
        for code in codes:
            row[code] += 1
        self.rows[tuple(row)] += 1

    @property
    def units(self) -> int:
        """How many pairable items were observed."""
        return self.rows.total()

    @property
    def alpha(self) -> float | None:
        if not self.rows:
            return None
        counts = np.array(list(self.rows), dtype=np.int64)
        return weighted_nominal_alpha(counts, np.array(list(self.rows.values())))


def observed_agreement(counts: np.ndarray, weights: np.ndarray | None = None) -> float | None:
    """The share of agreeing annotator pairs, averaged over pairable items.

    For two annotators this is the plain percent agreement; for more it is the mean over
    items of agreeing pairs / all pairs (Fleiss' P-bar), the ``pa`` of Gwet's AC1.
    """
    counts, w = _pairable(counts, weights)
    if not len(counts):
        return None
    m = counts.sum(axis=1)
    per_item = (counts * (counts - 1)).sum(axis=1) / (m * (m - 1))
    return float((per_item * w).sum() / w.sum())


def gwet_ac1(counts: np.ndarray, n_categories: int | None = None) -> float | None:
    """Gwet's AC1 for any number of annotators, with missing codes (Gwet 2008, 2014).

    ``pa`` is the observed agreement over items coded at least twice; the chance agreement
    is ``pe = sum_k pi_k (1 - pi_k) / (q - 1)`` where ``pi_k`` is the mean share of
    category *k* over items coded at least once and ``q`` the number of categories in the
    scheme (by default the number of value columns).
    """
    counts = np.asarray(counts, dtype=np.float64)
    q = counts.shape[1] if n_categories is None else n_categories
    pa = observed_agreement(counts)
    if pa is None or q < 2:
        return None
    m = counts.sum(axis=1)
    rated = counts[m >= 1] / m[m >= 1, None]
    pi = rated.mean(axis=0)
    pe = float((pi * (1 - pi)).sum() / (q - 1))
    return (pa - pe) / (1 - pe)


def one_vs_rest(counts: np.ndarray, value: int) -> np.ndarray:
    """Counts recoded as two values: ``value`` and anything else."""
    counts = np.asarray(counts)
    chosen = counts[:, value]
    return np.column_stack([chosen, counts.sum(axis=1) - chosen])


@dataclass(frozen=True)
class PairAgreement:
    """Cohen's kappa and percent agreement of two annotators on the items both coded."""

    a: int
    b: int
    kappa: float | None
    observed: float | None
    items: int


def cohen_kappa(
    a: np.ndarray, b: np.ndarray, n_values: int
) -> tuple[float | None, float | None, int]:
    """(kappa, observed agreement, items) of two annotators' codes over the same items."""
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    both = (a != MISSING) & (b != MISSING)
    n = int(both.sum())
    if n == 0:
        return None, None, 0
    table: np.ndarray = np.bincount(a[both] * n_values + b[both], minlength=n_values * n_values)
    table = table.reshape(n_values, n_values) / n
    po = float(np.trace(table))
    pe = float(table.sum(axis=1) @ table.sum(axis=0))
    if np.isclose(pe, 1.0):
        return None, po, n
    return (po - pe) / (1 - pe), po, n


def kappa_matrix(codes: np.ndarray, n_values: int) -> list[PairAgreement]:
    """Cohen's kappa for every pair of annotators (rows of ``codes``), upper triangle."""
    codes = np.asarray(codes, dtype=np.int64)
    pairs = []
    for i in range(len(codes)):
        for j in range(i + 1, len(codes)):
            kappa, observed, items = cohen_kappa(codes[i], codes[j], n_values)
            pairs.append(PairAgreement(i, j, kappa, observed, items))
    return pairs


def item_agreement(counts: np.ndarray) -> np.ndarray:
    """Per item: agreeing pairs / all pairs (NaN for items coded fewer than twice)."""
    counts = np.asarray(counts, dtype=np.float64)
    m = counts.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (counts * (counts - 1)).sum(axis=1) / (m * (m - 1))


def group_slices(groups: np.ndarray) -> list[tuple[int, slice]]:
    """(group, slice) for each run of equal values in a sorted ``groups`` array."""
    groups = np.asarray(groups)
    if not len(groups):
        return []
    edges = np.flatnonzero(np.diff(groups)) + 1
    starts = np.concatenate([[0], edges])
    ends = np.concatenate([edges, [len(groups)]])
    return [(groups[s].item(), slice(s, e)) for s, e in zip(starts, ends, strict=True)]


@dataclass(frozen=True)
class CharacterUnits:
    """Character-level items as weighted runs (see ``character_units``)."""

    counts: np.ndarray  # runs × values
    weights: np.ndarray  # characters in each run
    values: np.ndarray  # the label bitmask each value column stands for
    documents: np.ndarray  # the document (row of ``lengths``) of each run


def character_units(
    lengths: Sequence[int] | np.ndarray, coded: np.ndarray, spans: np.ndarray
) -> CharacterUnits:
    """Every character of every document as an item, its value the set of labels on it.

    ``lengths``: text length of each document. ``coded``: documents × annotators, True
    where the annotator coded the document. ``spans``: rows of (document, annotator,
    label, start, end), ``label`` a small index (below 62). A character's value for an
    annotator is the bitmask of the labels whose spans cover it (0 for none), so two
    annotators who both put opinion and speculation on the same words agree.

    The text is cut at every span boundary; each run between cuts is one weighted item.
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    coded = np.asarray(coded, dtype=bool)
    spans = np.asarray(spans, dtype=np.int64).reshape(-1, 5)
    n_annotators = coded.shape[1]
    if len(spans) and spans[:, 2].max() >= 62:
        raise ValueError("Character-level agreement supports at most 62 labels.")
    doc_start = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    g_start = doc_start[spans[:, 0]] + spans[:, 3]
    g_end = doc_start[spans[:, 0]] + spans[:, 4]
    bounds = np.unique(np.concatenate([doc_start, doc_start + lengths, g_start, g_end]))
    weights = np.diff(bounds)
    run_doc = np.searchsorted(doc_start, bounds[:-1], side="right") - 1
    n_runs = len(weights)
    first = np.searchsorted(bounds, g_start)
    last = np.searchsorted(bounds, g_end)
    masks = np.zeros((n_annotators, n_runs), dtype=np.int64)
    for label in np.unique(spans[:, 2]):
        chosen = spans[:, 2] == label
        delta = np.zeros((n_annotators, n_runs + 1), dtype=np.int32)
        np.add.at(delta, (spans[chosen, 1], first[chosen]), 1)
        np.add.at(delta, (spans[chosen, 1], last[chosen]), -1)
        covered = np.cumsum(delta, axis=1)[:, :n_runs] > 0
        masks |= covered.astype(np.int64) << int(label)
    run_coded = coded[run_doc].T if n_runs else np.zeros((n_annotators, 0), dtype=bool)
    values = np.unique(masks[run_coded]) if run_coded.any() else np.zeros(0, dtype=np.int64)
    codes = np.where(run_coded, np.searchsorted(values, masks), MISSING)
    return CharacterUnits(value_counts(codes, max(len(values), 1)), weights, values, run_doc)
