from annotator.stats.sentence_labels import (
    coverage_by_sentence,
    majority,
    merge_intervals,
    sentence_labels,
)

SENTENCES = [(0, 10), (11, 21), (22, 32)]


def test_merge_intervals_joins_overlaps_and_touching():
    assert merge_intervals([(5, 8), (0, 3), (2, 4), (8, 9)]) == [(0, 4), (5, 9)]


def test_coverage_counts_overlapping_spans_once():
    assert coverage_by_sentence(SENTENCES, [(0, 6), (3, 8), (20, 25)]) == [8, 1, 3]


def test_label_covering_most_of_the_sentence_wins():
    spans = [(0, 10, "fact"), (11, 15, "opinion"), (15, 21, "speculation")]
    assert sentence_labels(SENTENCES, spans) == ["fact", "speculation", None]


def test_label_covering_half_or_less_gives_none():
    assert sentence_labels(SENTENCES, [(0, 5, "fact")]) == [None, None, None]
    assert sentence_labels(SENTENCES, [(0, 6, "fact")]) == ["fact", None, None]


def test_span_across_sentences_labels_each_it_covers():
    assert sentence_labels(SENTENCES, [(2, 30, "opinion")]) == ["opinion", "opinion", "opinion"]


def test_ties_follow_label_order_not_span_order():
    spans = [(0, 10, "opinion"), (0, 10, "fact")]
    assert sentence_labels(SENTENCES[:1], spans, ["fact", "opinion"]) == ["fact"]
    assert sentence_labels(SENTENCES[:1], list(reversed(spans)), ["fact", "opinion"]) == ["fact"]


def test_no_spans_no_labels():
    assert sentence_labels(SENTENCES, []) == [None, None, None]


def test_majority_is_the_answer_more_coders_gave_than_any_other():
    assert majority(["opinion", "opinion", "fact"]) == "opinion"
    assert majority(["opinion", "opinion", "fact"], min_votes=2) == "opinion"
    assert majority(["opinion", "opinion", "fact"], min_votes=3) is None


def test_majority_counts_no_label_as_an_answer_and_a_tie_as_none():
    assert majority(["opinion", "opinion", "fact", "fact"]) is None  # a tie
    assert majority(["opinion", None]) is None  # one said opinion, one said nothing
    assert majority(["opinion", "opinion", None, None, None]) is None  # most gave no label
    assert majority(["opinion", "opinion", None]) == "opinion"
    assert majority([None, None]) is None
    assert majority([]) is None
