from annotator.stats.sentence_labels import (
    contradicting_sentences,
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


def test_nested_spans_the_most_specific_wins():
    # A paragraph-long speculation with a specific opinion inside sentence 1: both cover
    # more than half of sentence 1, the shorter (the opinion) labels it.
    spans = [(0, 32, "speculation"), (11, 20, "opinion")]
    assert sentence_labels(SENTENCES, spans) == ["speculation", "opinion", "speculation"]
    assert sentence_labels(SENTENCES, list(reversed(spans))) == [
        "speculation",
        "opinion",
        "speculation",
    ]


def test_a_nested_span_covering_half_or_less_does_not_label_the_sentence():
    spans = [(0, 32, "speculation"), (11, 16, "opinion")]
    assert sentence_labels(SENTENCES, spans) == ["speculation"] * 3


def test_overlapping_spans_the_shorter_wins_even_if_it_covers_less():
    # The fact span covers 9 of the 10 characters, the opinion 7: both more than half,
    # and the opinion, the shorter span, is the more specific.
    spans = [(0, 9, "fact"), (3, 10, "opinion")]
    assert sentence_labels(SENTENCES[:1], spans) == ["opinion"]


def test_equal_lengths_follow_label_order():
    spans = [(0, 8, "opinion"), (2, 10, "fact")]
    assert sentence_labels(SENTENCES[:1], spans, ["fact", "opinion"]) == ["fact"]
    assert sentence_labels(SENTENCES[:1], spans, ["opinion", "fact"]) == ["opinion"]


def test_touching_spans_of_one_label_are_one_span():
    # Two touching fact spans make one 10-character span; the 9-character opinion is
    # shorter, so it wins; apart they would each cover half or less.
    assert sentence_labels(SENTENCES[:1], [(0, 5, "fact"), (5, 10, "fact")]) == ["fact"]
    spans = [(0, 5, "fact"), (5, 10, "fact"), (1, 10, "opinion")]
    assert sentence_labels(SENTENCES[:1], spans) == ["opinion"]


def test_sentence_labelled_in_pieces_gets_the_label_covering_most():
    # No single span covers more than half (4 + 4 of 10, a gap between), together they do.
    assert sentence_labels(SENTENCES[:1], [(0, 4, "fact"), (5, 9, "fact")]) == ["fact"]
    spans = [(0, 4, "fact"), (5, 9, "fact"), (4, 5, "opinion")]
    assert sentence_labels(SENTENCES[:1], spans) == ["fact"]


def test_a_no_label_span_is_the_most_specific_answer():
    # Gold's explicit "no label" over sentence 1 inside a longer speculation.
    spans = [(0, 32, "speculation"), (11, 21, None)]
    assert sentence_labels(SENTENCES, spans) == ["speculation", None, "speculation"]


def test_spans_sharing_most_of_a_sentence_contradict_there():
    # Opinion 0–10 and speculation 2–30 share 2–10: 8 of sentence 0's 10 characters.
    assert contradicting_sentences(SENTENCES, (0, 10), (2, 30)) == [0]
    assert contradicting_sentences(SENTENCES, (0, 32), (0, 31)) == [0, 1, 2]


def test_a_short_span_nested_in_a_long_one_contradicts_nothing():
    assert contradicting_sentences(SENTENCES, (0, 32), (12, 16)) is None
    assert contradicting_sentences(SENTENCES, (0, 5), (5, 10)) is None  # they only touch


def test_the_same_short_passage_twice_contradicts_without_a_sentence():
    assert contradicting_sentences(SENTENCES, (12, 16), (12, 17)) == []
    assert contradicting_sentences(SENTENCES, (12, 16), (15, 19)) is None
