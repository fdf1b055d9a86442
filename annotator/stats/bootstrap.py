"""Intervals for shares whose evidence comes in documents: a cluster bootstrap.

A source's share of, say, opinion is a ratio of sums over its documents (opinion
sentences over labelled sentences). Sentences of one article are not independent (one
author, one topic, one annotator's habits), so an interval that treats them as
independent draws is far too narrow: one article of 40 sentences would look like strong
evidence. The source's output is a sample of documents, so the documents are resampled:

1. a matrix of per-document counts, one row per document, one column per category;
2. ``resamples`` times: draw as many documents as there are, with replacement;
3. each category's ratio of sums over the drawn documents;
4. the 2.5th and 97.5th percentiles of those ratios are the 95% interval.

Seeded (a fixed numpy Generator seed), so the same counts always give the same interval
and a page does not flicker between views. Fewer than ``MIN_DOCUMENTS`` documents give
no interval: resampling one or two documents says nothing about the source.

The work is resamples × documents random draws. A source with thousands of documents
gets fewer resamples (never under ``MIN_RESAMPLES``): its interval is narrow, so the
percentiles' Monte-Carlo wobble is far below the figures' displayed precision.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

RESAMPLES = 2000
MIN_RESAMPLES = 400
MAX_DRAWS = 500_000  # resamples × documents per interval, at most (when over MIN_RESAMPLES)
CHUNK_DRAWS = 500_000  # resamples × documents held in memory at once
MIN_DOCUMENTS = 3
SEED = 20_131_113
LEVEL = 0.95

Interval = tuple[float, float]


def resamples_for(documents: int, resamples: int = RESAMPLES) -> int:
    """How many resamples an interval over ``documents`` documents gets."""
    if documents <= 0:
        return 0
    return max(min(resamples, MIN_RESAMPLES), min(resamples, MAX_DRAWS // documents))


def cluster_bootstrap(
    counts: np.ndarray | Sequence[Sequence[float]],
    *,
    resamples: int = RESAMPLES,
    seed: int = SEED,
    level: float = LEVEL,
    min_documents: int = MIN_DOCUMENTS,
) -> list[Interval] | None:
    """Each column's interval of its share of the row totals (see module docstring).

    ``counts`` has one row per document and one column per category; the share of a
    category is its column sum over the sum of all columns. Documents whose row is all
    zero carry no evidence and are left out. Returns one (low, high) per column, or None
    when fewer than ``min_documents`` documents remain.
    """
    (result,) = cluster_bootstrap_together(
        [counts], resamples=resamples, seed=seed, level=level, min_documents=min_documents
    )
    return result


def cluster_bootstrap_together(
    matrices: Sequence[np.ndarray | Sequence[Sequence[float]]],
    *,
    resamples: int = RESAMPLES,
    seed: int = SEED,
    level: float = LEVEL,
    min_documents: int = MIN_DOCUMENTS,
) -> list[list[Interval] | None]:
    """``cluster_bootstrap`` of several readings of the same documents (row i of every
    matrix is document i: sentences and characters), from the same resamples.

    The documents resampled are those with a count in any matrix; a document with none in
    one matrix is drawn all the same and adds nothing to that matrix's sums (the rare
    resample where that leaves a matrix empty has no share, and is skipped). A matrix
    gets None when fewer than ``min_documents`` documents have counts in it.
    """
    arrays = [_matrix(counts) for counts in matrices]
    if len({array.shape[0] for array in arrays}) > 1:
        raise ValueError("Every matrix has one row per document: the same documents.")
    evidence = [array.sum(axis=1) > 0 for array in arrays]
    wanted = [int(rows.sum()) >= max(min_documents, 1) for rows in evidence]
    if not any(wanted):
        return [None] * len(arrays)
    chosen = [array for array, ok in zip(arrays, wanted, strict=True) if ok]
    keep = np.logical_or.reduce([rows for rows, ok in zip(evidence, wanted, strict=True) if ok])
    combined = np.hstack(chosen)[keep]
    sums = _resampled_sums(combined, resamples_for(combined.shape[0], resamples), seed)
    tail = (1 - level) / 2
    results: list[list[Interval] | None] = []
    first = 0
    for array, ok in zip(arrays, wanted, strict=True):
        if not ok:
            results.append(None)
            continue
        block = sums[:, first : first + array.shape[1]]
        first += array.shape[1]
        totals = block.sum(axis=1, keepdims=True)
        shares = block[totals[:, 0] > 0] / totals[totals[:, 0] > 0]
        low, high = np.quantile(shares, [tail, 1 - tail], axis=0)
        results.append([(float(lo), float(hi)) for lo, hi in zip(low, high, strict=True)])
    return results


def _matrix(counts: np.ndarray | Sequence[Sequence[float]]) -> np.ndarray:
    matrix = np.asarray(counts, dtype=np.float64)
    if matrix.ndim != 2:
        raise ValueError("Counts are a matrix: one row per document, one column per category.")
    if (matrix < 0).any():
        raise ValueError("Counts cannot be negative.")
    return matrix


def _resampled_sums(matrix: np.ndarray, resamples: int, seed: int) -> np.ndarray:
    """(resamples × categories) column sums, each over one resample of the documents."""
    rng = np.random.default_rng(seed)
    documents = matrix.shape[0]
    per_chunk = max(1, CHUNK_DRAWS // documents)
    sums = np.empty((resamples, matrix.shape[1]))
    for first in range(0, resamples, per_chunk):
        rows = min(per_chunk, resamples - first)
        drawn = rng.integers(0, documents, size=(rows, documents))
        # How often each resample drew each document: one bincount over all rows, with
        # each row's draws shifted into its own block of ``documents`` bins.
        drawn += np.arange(rows)[:, None] * documents
        weights = np.bincount(drawn.ravel(), minlength=rows * documents)
        sums[first : first + rows] = weights.reshape(rows, documents).astype(np.float64) @ matrix
    return sums
