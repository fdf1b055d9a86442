"""Quotes shortened for display keep whole letters: a combining mark never loses its base."""

from types import SimpleNamespace

from annotator.workspace.side_list import QUOTE_SHOWN, item_html
from annotator.workspace.views import undo_description

# «й» written as «и» and a combining breve: two code points, one letter.
SHORT_I = "и\u0306"


def deleted(quote: str) -> SimpleNamespace:
    return SimpleNamespace(action="delete", after=None, before={"quote": quote})


def side_list_entry(quote: str) -> str:
    annotation = SimpleNamespace(
        pk=1, label_id=2, label="Fact", quote=quote, note="", holder_kind="author", holder=""
    )
    return item_html(annotation)


def test_undo_shortens_a_long_quote_to_forty_characters():
    assert undo_description(deleted("x" * 41)) == f"deleting «{'x' * 39}…»"
    assert undo_description(deleted("x" * 40)) == f"deleting «{'x' * 40}»"


def test_undo_counts_letters_not_combining_marks():
    assert undo_description(deleted(SHORT_I * 40)) == f"deleting «{'й' * 40}»"


def test_side_list_counts_letters_not_combining_marks():
    assert f"<q>{'й' * QUOTE_SHOWN}</q>" in side_list_entry(SHORT_I * QUOTE_SHOWN)
    assert f"<q>{'й' * (QUOTE_SHOWN - 1)}…</q>" in side_list_entry(SHORT_I * (QUOTE_SHOWN + 1))
