"""Agreement figures against hand-worked and published values."""

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.stats.agreement import (
    MISSING,
    AlphaTally,
    character_units,
    cohen_kappa,
    group_slices,
    gwet_ac1,
    item_agreement,
    kappa_matrix,
    krippendorff_alpha,
    observed_agreement,
    one_vs_rest,
    pairable_items,
    pairable_values,
    value_counts,
    weighted_nominal_alpha,
)

M = MISSING

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", the 4 coders × 12
# units example with missing values; nominal alpha = 0.743. Values 1..5 coded 0..4.
KRIPPENDORFF_2011 = np.array(
    [
        [0, 1, 2, 2, 1, 0, 3, 0, 1, M, M, M],
        [0, 1, 2, 2, 1, 1, 3, 0, 1, 4, M, 2],
        [M, 2, 2, 2, 1, 2, 3, 1, 1, 4, 0, M],
        [0, 1, 2, 2, 1, 3, 3, 0, 1, 4, 0, M],
    ]
)


def table_to_codes(table: list[list[int]]) -> np.ndarray:
    """Two annotators' codes from a contingency table (rows: first, columns: second)."""
    a, b = [], []
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            a += [i] * count
            b += [j] * count
    return np.array([a, b])


# Gwet's irrCAC package, dataset cont3x3abstractors (2 raters, 100 subjects): published
# kappa 0.7964094, AC1 0.8493305, Krippendorff's alpha 0.7972585, percent agreement 0.89.
ABSTRACTORS = table_to_codes([[13, 0, 0], [0, 20, 7], [0, 4, 56]])


def test_value_counts_skips_missing():
    codes = np.array([[0, 1, M], [0, M, M], [2, 1, M]])
    assert value_counts(codes, 3).tolist() == [[2, 0, 1], [0, 2, 0], [0, 0, 0]]


def test_value_counts_rejects_codes_outside_the_values():
    with pytest.raises(ValueError, match=r"codes must lie in 0\.\.1 or be MISSING"):
        value_counts(np.array([[0, 2]]), 2)


def test_textbook_example_with_missing_coders():
    counts = value_counts(KRIPPENDORFF_2011, 5)
    assert krippendorff_alpha(counts) == pytest.approx(0.743, abs=5e-4)
    # Unit 12 has one value only: it is not pairable and does not count.
    assert pairable_items(counts) == 11
    assert pairable_values(counts) == 40


def test_published_two_rater_table():
    counts = value_counts(ABSTRACTORS, 3)
    kappa, observed, items = cohen_kappa(ABSTRACTORS[0], ABSTRACTORS[1], 3)
    assert kappa == pytest.approx(0.7964094, abs=1e-7)
    assert observed == pytest.approx(0.89)
    assert items == 100
    assert gwet_ac1(counts) == pytest.approx(0.8493305, abs=1e-7)
    assert krippendorff_alpha(counts) == pytest.approx(0.7972585, abs=1e-7)
    assert observed_agreement(counts) == pytest.approx(0.89)


def test_hand_worked_kappa_and_ac1():
    # 50 items, yes/yes 20, yes/no 5, no/yes 10, no/no 15: po 0.7, pe 0.5*0.6+0.5*0.4.
    codes = table_to_codes([[20, 5], [10, 15]])
    kappa, observed, _ = cohen_kappa(codes[0], codes[1], 2)
    assert observed == pytest.approx(0.7)
    assert kappa == pytest.approx((0.7 - 0.5) / 0.5)
    # AC1: pi_yes = (25/50 + 30/50) / 2 = 0.55, pe = 2 * 0.55 * 0.45 = 0.495.
    assert gwet_ac1(value_counts(codes, 2)) == pytest.approx((0.7 - 0.495) / 0.505)


def test_perfect_agreement_is_one():
    codes = np.array([[0, 1, 2, 0, 1], [0, 1, 2, 0, 1], [0, 1, 2, M, 1]])
    counts = value_counts(codes, 4)
    assert krippendorff_alpha(counts) == pytest.approx(1.0)
    assert gwet_ac1(counts) == pytest.approx(1.0)
    assert observed_agreement(counts) == 1.0
    assert all(pair.kappa == pytest.approx(1.0) for pair in kappa_matrix(codes, 4))


def test_one_dominant_label_collapses_alpha_and_kappa_but_not_ac1():
    # Everyone says "fact" (0) everywhere: no variation, alpha and kappa are undefined.
    codes = np.zeros((2, 20), dtype=int)
    counts = value_counts(codes, 4)
    assert krippendorff_alpha(counts) is None
    assert cohen_kappa(codes[0], codes[1], 4)[0] is None
    assert gwet_ac1(counts) == pytest.approx(1.0)
    # One disagreement among 20 fact sentences: kappa is 0 (not better than chance),
    # AC1 stays high because agreeing on the dominant label is not all chance.
    codes[1, 0] = 1
    kappa, observed, _ = cohen_kappa(codes[0], codes[1], 4)
    assert observed == pytest.approx(0.95)
    assert kappa == pytest.approx(0.0)
    assert gwet_ac1(value_counts(codes, 4)) > 0.9


def test_missing_annotators_are_left_out_not_counted_as_none():
    # Annotator 2 did not code items 0-1; "none" (3) is a real value.
    codes = np.array([[0, 1, 3, 0], [0, 1, 3, 1], [M, M, 3, 0]])
    counts = value_counts(codes, 4)
    assert counts[0].tolist() == [2, 0, 0, 0]
    assert observed_agreement(counts) == pytest.approx((1 + 1 + 1 + 1 / 3) / 4)
    pairs = {(p.a, p.b): p for p in kappa_matrix(codes, 4)}
    assert pairs[(0, 2)].items == 2
    assert pairs[(0, 2)].observed == 1.0
    assert pairs[(1, 2)].observed == 0.5


def test_nothing_pairable_gives_none():
    counts = value_counts(np.array([[0, M], [M, 1]]), 2)
    assert krippendorff_alpha(counts) is None
    assert observed_agreement(counts) is None
    assert gwet_ac1(counts) is None
    assert cohen_kappa(np.array([0, M]), np.array([M, 1]), 2) == (None, None, 0)


def test_hand_worked_ac1_with_missing_coder():
    # Items: (a, a), (a, b), (b, -) with q = 2.
    codes = np.array([[0, 0, 1], [0, 1, M]])
    counts = value_counts(codes, 2)
    pa = (1 + 0) / 2  # item 3 has one coder only
    pi_a = (1 + 0.5 + 0) / 3  # over items coded at least once
    pe = 2 * pi_a * (1 - pi_a)
    assert gwet_ac1(counts) == pytest.approx((pa - pe) / (1 - pe))


def test_one_vs_rest_alpha_per_label():
    counts = value_counts(KRIPPENDORFF_2011, 5)
    binary = one_vs_rest(counts, 4)
    assert binary[9].tolist() == [3, 0]
    assert binary[0].tolist() == [0, 3]
    # Value 5 (index 4) is used on unit 10 only, by all three coders: perfect.
    assert krippendorff_alpha(binary) == pytest.approx(1.0)
    expected = krippendorff.alpha(
        reliability_data=np.where(KRIPPENDORFF_2011 == M, np.nan, KRIPPENDORFF_2011 == 1),
        level_of_measurement="nominal",
    )
    assert krippendorff_alpha(one_vs_rest(counts, 1)) == pytest.approx(expected)


def test_weighted_alpha_equals_alpha_of_expanded_items():
    rng = np.random.default_rng(7)
    codes = rng.integers(0, 3, size=(3, 30))
    codes[rng.random((3, 30)) < 0.2] = M
    weights = rng.integers(1, 6, size=30)
    expanded = np.repeat(codes, weights, axis=1)
    expected = krippendorff_alpha(value_counts(expanded, 3))
    assert weighted_nominal_alpha(value_counts(codes, 3), weights) == pytest.approx(expected)
    unweighted = weighted_nominal_alpha(value_counts(codes, 3), np.ones(30))
    assert unweighted == pytest.approx(krippendorff_alpha(value_counts(codes, 3)))
    assert observed_agreement(value_counts(codes, 3), weights) == pytest.approx(
        observed_agreement(value_counts(expanded, 3))
    )


def test_item_agreement_and_group_slices():
    counts = np.array([[2, 0], [1, 1], [1, 0]])
    result = item_agreement(counts)
    assert result[:2].tolist() == [1.0, 0.0]
    assert np.isnan(result[2])
    assert group_slices(np.array([4, 4, 7, 9, 9])) == [
        (4, slice(0, 2)),
        (7, slice(2, 3)),
        (9, slice(3, 5)),
    ]
    assert group_slices(np.array([])) == []


def per_character_codes(lengths, coded, spans):
    """The slow, obvious way: one item per character, value = bitmask of labels on it."""
    total = sum(lengths)
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    masks = np.zeros((coded.shape[1], total), dtype=int)
    for doc, annotator, label, start, end in spans:
        masks[annotator, offsets[doc] + start : offsets[doc] + end] |= 1 << label
    doc_of_char = np.repeat(np.arange(len(lengths)), lengths)
    return np.where(coded[doc_of_char].T, masks, M)


def test_character_units_match_one_item_per_character():
    lengths = [10, 7, 5]
    coded = np.array([[True, True, False], [True, True, True], [True, False, True]])
    spans = np.array(
        [
            [0, 0, 0, 0, 4],
            [0, 1, 0, 0, 5],
            [0, 2, 1, 2, 8],
            [0, 2, 0, 6, 10],  # overlaps the label-1 span: characters 6-7 carry both
            [1, 0, 2, 1, 7],
            [1, 1, 2, 1, 6],
            [2, 1, 1, 0, 5],
            [2, 2, 1, 0, 3],
        ]
    )
    units = character_units(lengths, coded, spans)
    assert units.weights.sum() == 22
    per_char = per_character_codes(lengths, coded, spans)
    slow_values = np.unique(per_char[per_char != M])
    assert units.values.tolist() == slow_values.tolist()
    slow_counts = value_counts(
        np.where(per_char == M, M, np.searchsorted(slow_values, per_char)), len(slow_values)
    )
    assert weighted_nominal_alpha(units.counts, units.weights) == pytest.approx(
        krippendorff_alpha(slow_counts)
    )
    assert units.documents.tolist() == sorted(units.documents.tolist())


def test_character_units_without_spans_all_agree_on_none():
    units = character_units([4, 3], np.array([[True, True], [True, True]]), np.zeros((0, 5)))
    assert units.values.tolist() == [0]
    assert units.counts.tolist() == [[2], [2]]
    assert units.weights.tolist() == [4, 3]
    assert weighted_nominal_alpha(units.counts, units.weights) is None
    assert observed_agreement(units.counts, units.weights) == 1.0


@st.composite
def corpora(draw):
    lengths = draw(st.lists(st.integers(1, 30), min_size=1, max_size=4))
    annotators = draw(st.integers(2, 4))
    coded = np.array(
        draw(
            st.lists(
                st.lists(st.booleans(), min_size=annotators, max_size=annotators),
                min_size=len(lengths),
                max_size=len(lengths),
            )
        )
    )
    spans = []
    for _ in range(draw(st.integers(0, 12))):
        doc = draw(st.integers(0, len(lengths) - 1))
        coders = np.flatnonzero(coded[doc])
        if not len(coders):
            continue
        start = draw(st.integers(0, lengths[doc] - 1))
        end = draw(st.integers(start + 1, lengths[doc]))
        spans.append(
            [doc, draw(st.sampled_from(coders.tolist())), draw(st.integers(0, 2)), start, end]
        )
    return lengths, coded, np.array(spans, dtype=int).reshape(-1, 5)


@settings(max_examples=60, deadline=None)
@given(corpora())
def test_character_units_equal_per_character_items_for_any_spans(corpus):
    lengths, coded, spans = corpus
    units = character_units(lengths, coded, spans)
    per_char = per_character_codes(lengths, coded, spans)
    values = np.unique(per_char[per_char != M])
    slow = value_counts(
        np.where(per_char == M, M, np.searchsorted(values, per_char)), max(len(values), 1)
    )
    fast_alpha = weighted_nominal_alpha(units.counts, units.weights)
    slow_alpha = krippendorff_alpha(slow)
    assert (fast_alpha is None) == (slow_alpha is None)
    if fast_alpha is not None:
        assert fast_alpha == pytest.approx(slow_alpha)
    assert units.weights.sum() == sum(lengths)
    fast_observed = observed_agreement(units.counts, units.weights)
    slow_observed = observed_agreement(slow)
    assert (fast_observed is None) == (slow_observed is None)
    if fast_observed is not None:
        assert fast_observed == pytest.approx(slow_observed)


def test_alpha_tally_streamed_equals_krippendorff_package_on_random_data():
    rng = np.random.default_rng(18)
    for _ in range(20):
        n_coders, n_items, n_values = rng.integers(2, 6), rng.integers(5, 60), rng.integers(2, 5)
        data = rng.integers(0, n_values, size=(n_coders, n_items)).astype(float)
        data[rng.random(data.shape) < 0.3] = np.nan
        tally = AlphaTally(n_values)
        for item in data.T:
            tally.observe(item[~np.isnan(item)].astype(int).tolist())
        pairable = int((np.sum(~np.isnan(data), axis=0) >= 2).sum())
        assert tally.units == pairable
        values = np.unique(data[:, np.sum(~np.isnan(data), axis=0) >= 2])
        if len(values[~np.isnan(values)]) < 2:
            assert tally.alpha is None
            continue
        expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
        assert tally.alpha == pytest.approx(expected)


def test_alpha_tally_on_the_published_example():
    tally = AlphaTally(5)
    for item in KRIPPENDORFF_2011.T:
        tally.observe([int(code) for code in item if code != M])
    assert tally.alpha == pytest.approx(0.743, abs=1e-3)
    assert tally.units == 11


def test_alpha_tally_is_undefined_without_pairs_or_variation():
    assert AlphaTally(3).alpha is None
    tally = AlphaTally(3)
    tally.observe([1])
    assert tally.alpha is None and tally.units == 0
    tally.observe([1, 1])
    tally.observe([1, 1, 1])
    assert tally.alpha is None and tally.units == 2
