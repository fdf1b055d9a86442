"""Sentence splitting of a large batch on every core gives what splitting one by one gives."""

from __future__ import annotations

from annotator.text import sentences
from annotator.text.sentences import sentence_spans, sentence_spans_many

TEXTS = [
    f"Заголовок {n}\nТокаев считает, что АЭС нужна. Т. е. решение за ним!\n\nМы можем "
    f"предположить, что визит № {n} удался… Или нет?"
    for n in range(300)
]


def test_a_large_batch_is_split_as_each_text_alone(monkeypatch):
    monkeypatch.setattr(sentences, "PARALLEL_CHARS", 1)  # as if the batch were large
    assert sentence_spans_many(TEXTS) == [list(sentence_spans(text)) for text in TEXTS]


def test_a_batch_is_cut_into_runs_of_about_equal_length():
    shares = sentences._shares(["a" * 10, "b" * 10, "c" * 30, "d" * 10], 2)
    assert [len(share) for share in shares] == [3, 1]
    assert [text for share in shares for text in share][0] == "a" * 10
    assert sentences._shares([], 2) == [[]]
