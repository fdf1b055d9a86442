"""Sentence splitting of a large batch on every core gives what splitting one by one gives."""

from __future__ import annotations

import pytest

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


def test_with_helpers_off_a_large_batch_is_split_here(monkeypatch):
    """The web server's setting (project.wsgi): no helper process is ever started."""

    def no_pool(workers):
        raise AssertionError("a helper process was started")

    monkeypatch.setattr(sentences, "PARALLEL_CHARS", 1)
    monkeypatch.setattr(sentences, "_pool", no_pool)
    monkeypatch.setattr(sentences, "_helpers_allowed", True)
    sentences.helpers_off()
    assert sentences._helpers_allowed is False
    assert sentence_spans_many(TEXTS) == [list(sentence_spans(text)) for text in TEXTS]


# The child only writes to a pipe and leaves: no lock of another thread is needed.
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded")
def test_a_forked_process_starts_helpers_of_its_own(monkeypatch):
    """A server worker forked from a master that had helpers does not use the master's."""
    import os

    monkeypatch.setattr(sentences, "_helpers", object())
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: reports what it sees, then leaves at once
        os.write(write, b"none" if sentences._helpers is None else b"inherited")
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    assert os.read(read, 20) == b"none"
    assert sentences._helpers is not None  # the parent's own are untouched
