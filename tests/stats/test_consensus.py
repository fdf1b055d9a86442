"""A coder set's counts for one document: the majority per sentence and per character,
ties counted apart, the document counted once however many coders read it."""

from collections import Counter

from annotator.stats.consensus import count_document, is_tie, label_pieces, read

SENTENCES = [(0, 10), (11, 21), (22, 32)]
ORDER = ["fact", "opinion", "speculation"]


def counts(*coders):
    return count_document(SENTENCES, [read(SENTENCES, spans, ORDER) for spans in coders])


def test_is_tie():
    assert is_tie(["fact", "opinion"])
    assert is_tie(["opinion", None])  # one coder labelled, the other did not
    assert is_tie(["fact", "opinion", "speculation"])
    assert not is_tie(["fact", "fact", "opinion"])
    assert not is_tie(["fact", None, None])  # "no label" is ahead: no label, no tie
    assert not is_tie(["fact"])
    assert not is_tie([])


def test_label_pieces_give_each_character_its_most_specific_label():
    spans = [(0, 20, "speculation"), (5, 10, "opinion"), (30, 35, "fact")]
    assert label_pieces(spans, ORDER) == [
        (0, 5, "speculation"),
        (5, 10, "opinion"),
        (10, 20, "speculation"),
        (30, 35, "fact"),
    ]


def test_label_pieces_merge_one_labels_overlaps_and_break_ties_by_label_order():
    assert label_pieces([(11, 15, 3), (12, 14, 3)]) == [(11, 15, 3)]
    assert label_pieces([(0, 10, "opinion"), (0, 10, "fact")], ORDER) == [(0, 10, "fact")]
    assert label_pieces([]) == []


def test_three_annotators_count_as_one_document():
    anna = [(0, 10, "fact"), (11, 21, "opinion")]
    boris = [(0, 10, "fact"), (11, 21, "speculation")]
    vera = [(0, 10, "opinion")]
    result = counts(anna, boris, vera)
    # Sentence 0: fact, fact, opinion -> fact. Sentence 1: opinion, speculation, none ->
    # a three-way tie, counted apart. Sentence 2: nobody labelled it.
    assert result.votes == Counter({"fact": 1})
    assert (result.labelled_sentences, result.tied_sentences) == (1, 1)
    # The same by characters: 10 of fact, 10 tied.
    assert result.chars == Counter({"fact": 10})
    assert result.tied_chars == 10
    assert (result.covered_chars, result.touched_sentences) == (20, 2)
    # Strongest passages still see every coder's label.
    assert result.passages == [
        (0, Counter({"fact": 2, "opinion": 1}), 3),
        (1, Counter({"opinion": 1, "speculation": 1}), 3),
    ]


def test_one_of_two_annotators_labelling_a_sentence_is_a_tie():
    result = counts([(0, 10, "opinion")], [(22, 32, "fact")])
    assert result.votes == Counter()
    assert result.tied_sentences == 2
    assert result.chars == Counter() and result.tied_chars == 20


def test_no_label_ahead_is_no_label_not_a_tie():
    result = counts([(0, 10, "opinion")], [(22, 32, "fact")], [(22, 32, "fact")])
    # Sentence 0: opinion, none, none -> none. Sentence 2: none, fact, fact -> fact.
    assert result.votes == Counter({"fact": 1})
    assert result.tied_sentences == 0
    assert result.chars == Counter({"fact": 10}) and result.tied_chars == 0


def test_one_coder_counts_exactly_their_labels():
    boris = [(0, 10, "fact"), (11, 15, "speculation"), (12, 14, "speculation")]
    result = counts(boris)
    # Sentence 1 is only 4 of 10 characters speculation: no label.
    assert result.votes == Counter({"fact": 1})
    assert result.chars == Counter({"fact": 10, "speculation": 4})
    assert (result.tied_sentences, result.tied_chars) == (0, 0)
    assert (result.covered_chars, result.touched_sentences) == (14, 2)


def test_characters_follow_each_coders_most_specific_label():
    # anna: opinion inside speculation; boris: the same speculation only.
    anna = [(0, 10, "speculation"), (2, 6, "opinion")]
    boris = [(0, 10, "speculation")]
    result = counts(anna, boris)
    assert result.chars == Counter({"speculation": 6})
    assert result.tied_chars == 4  # anna's opinion against boris's speculation


def test_no_coders_no_counts():
    result = count_document(SENTENCES, [])
    assert (result.votes, result.chars, result.covered_chars, result.passages) == (
        Counter(),
        Counter(),
        0,
        [],
    )
