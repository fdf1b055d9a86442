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


def test_a_batch_is_cut_into_runs_of_about_the_same_length():
    runs = sentences._runs(["a" * 10, "b" * 10, "c" * 30, "d" * 10, "e"], 20)
    assert runs == [["a" * 10, "b" * 10], ["c" * 30], ["d" * 10, "e"]]
    assert sentences._runs([], 20) == [[]]


def test_runs_no_helper_began_are_split_by_the_caller(monkeypatch):
    """The caller splits what the helpers have not begun, and the order is kept."""
    monkeypatch.setattr(sentences, "PARALLEL_CHARS", 1)
    monkeypatch.setattr(sentences, "CHUNK_CHARS", 500)
    splitting = sentences.Splitting(TEXTS)
    assert len(splitting.runs) > 10
    assert splitting.result() == [list(sentence_spans(text)) for text in TEXTS]
    assert any(future.cancelled() for future in splitting.pending if future is not None)


def test_a_helper_that_cannot_start_leaves_the_splitting_to_the_caller(monkeypatch):
    def no_helpers(workers):
        raise OSError("no processes left")

    monkeypatch.setattr(sentences, "PARALLEL_CHARS", 1)
    monkeypatch.setattr(sentences, "_pool", no_helpers)
    assert sentence_spans_many(TEXTS) == [list(sentence_spans(text)) for text in TEXTS]
