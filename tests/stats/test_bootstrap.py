"""The cluster bootstrap over documents behind every share's interval."""

import numpy as np
import pytest

from annotator.stats import bootstrap
from annotator.stats.bootstrap import (
    MAX_DRAWS,
    MIN_RESAMPLES,
    RESAMPLES,
    cluster_bootstrap,
    cluster_bootstrap_together,
    resamples_for,
)


def documents(n: int, seed: int = 3) -> np.ndarray:
    """``n`` documents of 10-40 labelled sentences, about a third of them opinion."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(10, 40, size=n)
    opinion = rng.binomial(sizes, rng.uniform(0.1, 0.6, size=n))
    return np.column_stack([sizes - opinion, opinion])


def width(interval) -> float:
    low, high = interval
    return high - low


def test_one_or_two_documents_give_no_interval():
    # One document of 40 sentences: as many sentences as 40 short documents, but one
    # author and one story; there is nothing to resample.
    assert cluster_bootstrap([[36, 4]]) is None
    assert cluster_bootstrap([[36, 4], [10, 10]]) is None
    assert cluster_bootstrap(documents(3)) is not None


def test_documents_without_labels_do_not_count_towards_the_minimum():
    assert cluster_bootstrap([[36, 4], [10, 10], [0, 0], [0, 0]]) is None


def test_forty_documents_give_a_narrower_interval_than_four():
    four = cluster_bootstrap(documents(4))
    forty = cluster_bootstrap(documents(40))
    for column in range(2):
        assert width(forty[column]) < width(four[column]) / 2


def test_a_fixed_seed_gives_the_same_numbers():
    counts = documents(25)
    assert cluster_bootstrap(counts) == cluster_bootstrap(counts.copy())
    assert cluster_bootstrap(counts, seed=1) != cluster_bootstrap(counts)


def test_the_interval_surrounds_the_ratio_of_sums_and_stays_in_0_1():
    counts = documents(30)
    share = counts[:, 1].sum() / counts.sum()
    ((fact_low, fact_high), (low, high)) = cluster_bootstrap(counts)
    assert 0 <= low < share < high <= 1
    assert fact_low == pytest.approx(1 - high) and fact_high == pytest.approx(1 - low)


def test_identical_documents_give_a_point_interval():
    # Every resample has the same share: the documents leave no doubt about it.
    assert cluster_bootstrap([[3, 1]] * 5) == [(0.75, 0.75), (0.25, 0.25)]


def test_a_category_no_document_uses_gets_zero():
    counts = np.column_stack([documents(10), np.zeros(10)])
    assert cluster_bootstrap(counts)[2] == (0.0, 0.0)


def test_bad_counts_are_refused():
    with pytest.raises(ValueError, match="^Counts cannot be negative.$"):
        cluster_bootstrap([[1, -1], [2, 2], [3, 3]])
    with pytest.raises(ValueError, match="^Counts are a matrix"):
        cluster_bootstrap([1, 2, 3])


def test_many_documents_get_fewer_resamples_within_the_draw_budget():
    assert resamples_for(40) == RESAMPLES
    assert resamples_for(MAX_DRAWS // 1000) == 1000
    assert resamples_for(10**6) == MIN_RESAMPLES
    assert resamples_for(0) == 0


def test_large_sources_are_resampled_in_chunks_with_the_same_result(monkeypatch):
    counts = documents(200)
    whole = cluster_bootstrap(counts)
    monkeypatch.setattr(bootstrap, "CHUNK_DRAWS", 200 * 7)  # 7 resamples at a time
    assert cluster_bootstrap(counts) == whole


def test_two_readings_of_the_same_documents_share_the_resamples():
    sentences = documents(12)
    characters = sentences * 40 + 3
    together = cluster_bootstrap_together([sentences, characters])
    assert together == [cluster_bootstrap(sentences), cluster_bootstrap(characters)]


def test_together_each_reading_needs_its_own_three_documents():
    sentences = [[3, 1], [0, 0], [0, 0], [2, 2]]  # two documents with labelled sentences
    characters = [[30, 10], [5, 5], [8, 0], [20, 20]]
    (by_sentences, by_characters) = cluster_bootstrap_together([sentences, characters])
    assert by_sentences is None
    assert by_characters == cluster_bootstrap(characters)


def test_together_resamples_without_counts_in_one_reading_are_skipped():
    # Only three of twenty documents have labelled sentences: some resamples draw none of
    # them and have no share; the interval comes from the others.
    sentences = [[1, 1]] * 3 + [[0, 0]] * 17
    characters = [[5, 5]] * 20
    by_sentences, _ = cluster_bootstrap_together([sentences, characters])
    assert by_sentences == [(0.5, 0.5), (0.5, 0.5)]


def test_together_the_readings_have_the_same_documents():
    with pytest.raises(ValueError, match="^Every matrix has one row per document"):
        cluster_bootstrap_together([[[1, 1]] * 3, [[1, 1]] * 4])
