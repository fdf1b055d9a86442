"""Sentence splitting: razdel on each paragraph, offsets in code points.

razdel is pure Python and takes most of an import's time (about 0.4 s for 6 million
characters), so a large batch of texts is split on every core: this process splits its
share while helper processes (started once per process, on the first large batch) split
the rest.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Iterable
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from razdel import sentenize

# Below this many characters, handing texts to another process costs more than it saves.
PARALLEL_CHARS = 1_000_000

_helpers: Executor | None = None
_helpers_lock = threading.Lock()


def sentence_spans(text: str) -> Iterable[tuple[int, int]]:
    """Sentence (start, end) code-point offsets; each paragraph is split on its own.

    razdel splits Russian sentences; splitting per line keeps headlines and
    list items from being glued to the next paragraph.
    """
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            for sentence in sentenize(line):
                yield offset + sentence.start, offset + sentence.stop
        offset += len(line) + 1


def _split_all(texts: list[str]) -> list[list[tuple[int, int]]]:
    return [list(sentence_spans(text)) for text in texts]


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _pool(workers: int) -> Executor:
    global _helpers
    with _helpers_lock:
        if _helpers is None:
            # spawn: a clean interpreter that imports razdel alone (forking a threaded
            # server process could copy a lock held by another thread).
            context = multiprocessing.get_context("spawn")
            _helpers = ProcessPoolExecutor(max_workers=workers, mp_context=context)
        return _helpers


def _shares(texts: list[str], parts: int) -> list[list[str]]:
    """``texts`` cut into ``parts`` consecutive runs of about equal length in characters."""
    total = sum(len(text) for text in texts)
    shares: list[list[str]] = [[]]
    filled = 0
    for text in texts:
        if filled >= total * len(shares) / parts and len(shares) < parts:
            shares.append([])
        shares[-1].append(text)
        filled += len(text)
    return shares


def sentence_spans_many(texts: list[str]) -> list[list[tuple[int, int]]]:
    """``sentence_spans`` of each text (as lists), on every core for a large batch."""
    global _helpers
    cores = _cores()
    if cores < 2 or sum(len(text) for text in texts) < PARALLEL_CHARS:
        return _split_all(texts)
    own, *others = _shares(texts, cores)
    try:
        pending = [_pool(cores - 1).submit(_split_all, share) for share in others]
        spans = _split_all(own)
        for future in pending:
            spans += future.result()
    except (BrokenProcessPool, OSError):  # a helper died or could not start: split here
        with _helpers_lock:
            _helpers = None
        return _split_all(texts)
    return spans
