"""The rules exports are built on, as plain functions: offset units, majority, BIO."""

import pytest

from annotator.datasets.export.formats.conll import bio_tags
from annotator.datasets.export.formats.csv import sentence_index_at
from annotator.datasets.export.plan import Span
from annotator.stats.sentence_labels import majority
from annotator.text.offsets import OffsetError, Utf16Offsets

TEXT = "a😀b🇰🇿c"  # the emoji is 2 UTF-16 units, the flag 4 (two regional indicators)


@pytest.mark.parametrize(
    ("code_point", "utf16"), [(0, 0), (1, 1), (2, 3), (3, 4), (4, 6), (5, 8), (6, 9)]
)
def test_code_points_and_utf16_units_convert_both_ways(code_point, utf16):
    offsets = Utf16Offsets(TEXT)
    assert offsets.to_utf16(code_point) == utf16
    assert offsets.from_utf16(utf16) == code_point
    assert len(TEXT[:code_point].encode("utf-16-le")) // 2 == utf16


@pytest.mark.parametrize("utf16", [2, 5, 7])
def test_utf16_offset_inside_a_surrogate_pair_is_refused(utf16):
    with pytest.raises(OffsetError) as excinfo:
        Utf16Offsets(TEXT).from_utf16(utf16)
    assert str(excinfo.value) == (
        f"UTF-16 offset {utf16} falls inside a character (the two halves of an emoji or flag)."
    )


def test_utf16_offsets_outside_the_text_keep_their_distance():
    offsets = Utf16Offsets(TEXT)
    assert offsets.from_utf16(12) == 9  # 3 units past the end (9 units) → 3 past 6 code points
    assert offsets.from_utf16(-1) == -1
    assert Utf16Offsets("abc").from_utf16(7) == 7


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (["fact", "fact", "opinion"], "fact"),
        (["fact", None, None], None),  # two of three gave no label
        (["fact", "fact", None], "fact"),
        (["fact", "opinion"], None),
        (["fact", "opinion", None, "opinion"], "opinion"),
        ([None, None], None),
        ([], None),
    ],
)
def test_majority_label_is_the_one_majority_rule(labels, expected):
    assert majority(labels) == expected


def span(start, end, label):
    return Span(start, end, label, "", "anna", "", None, None)


def test_bio_tags_first_span_wins_longer_first_then_label_order():
    tokens = [(0, 2), (3, 5), (6, 8), (9, 11)]
    spans = [span(3, 5, "opinion"), span(3, 11, "fact"), span(10, 11, "speculation")]
    assert bio_tags(tokens, spans, ["fact", "opinion", "speculation"]) == [
        "O",
        "B-fact",
        "I-fact",
        "I-fact",
    ]
    same = [span(3, 8, "opinion"), span(3, 8, "fact")]
    assert bio_tags(tokens, same, ["fact", "opinion"]) == ["O", "B-fact", "I-fact", "O"]


def test_bio_tags_adjacent_spans_of_one_label_start_anew():
    tokens = [(0, 2), (3, 5), (6, 8)]
    spans = [span(0, 5, "fact"), span(6, 8, "fact")]
    assert bio_tags(tokens, spans, ["fact"]) == ["B-fact", "I-fact", "B-fact"]


def test_sentence_index_at_offsets_inside_and_between_sentences():
    sentences = [(0, 0, 10), (1, 11, 20), (2, 22, 30)]
    assert [sentence_index_at(sentences, o) for o in (0, 9, 10, 11, 21, 29, 35)] == [
        0,
        0,
        1,
        1,
        2,
        2,
        2,
    ]
    assert sentence_index_at([], 3) is None
