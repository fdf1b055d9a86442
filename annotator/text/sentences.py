"""Sentence splitting: razdel on each paragraph, offsets in code points.

razdel is pure Python and takes much of an import's time (about 0.4 s for 6 million
characters), so a large batch of texts is split on every core. ``Splitting`` hands the
batch, in runs of about ``CHUNK_CHARS``, to helper processes (started once per process,
on the first large batch) and returns at once, so that its caller can do other work
meanwhile (an import inserts the documents); ``result()`` then splits here every run no
helper has begun, and waits for the others.

A web server process splits alone (``project.wsgi`` calls ``helpers_off``): a helper and
multiprocessing's resource tracker add about 25 MB to each server process that has
imported a large batch, which the web server's memory budget (250 MB for all its
processes, ``make bench``) cannot spare. Commands and the job worker, where large
imports belong, keep them.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Iterable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from razdel import sentenize

# Below this many characters, handing texts to another process costs more than it saves.
PARALLEL_CHARS = 1_000_000
# The texts of one run handed to a helper: small enough for the work to even out.
CHUNK_CHARS = 250_000

_helpers: Executor | None = None
_helpers_lock = threading.Lock()
_helpers_allowed = True


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


def _runs(texts: list[str], chars: int) -> list[list[str]]:
    """``texts`` cut into consecutive runs of about ``chars`` characters (at least one
    text each)."""
    runs: list[list[str]] = [[]]
    filled = 0
    for text in texts:
        if filled >= chars:
            runs.append([])
            filled = 0
        runs[-1].append(text)
        filled += len(text)
    return runs


def helpers_off() -> None:
    """Split every batch in this process (see the module docstring)."""
    global _helpers_allowed
    _helpers_allowed = False


def _forget_helpers() -> None:
    global _helpers
    with _helpers_lock:
        _helpers = None


def _after_fork() -> None:
    """A forked process (a server worker forked from a master that had split a large
    batch) has no helpers of its own: its first large batch starts them."""
    global _helpers, _helpers_lock
    _helpers, _helpers_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_after_fork)


class Splitting:
    """``sentence_spans`` of each text of a batch (as lists), being computed: by helper
    processes for a large batch (and by this process in ``result()``), at once for a
    small one."""

    def __init__(self, texts: list[str]) -> None:
        self.runs = _runs(texts, CHUNK_CHARS)
        self.pending: list[Future | None] = [None] * len(self.runs)
        cores = _cores()
        if not _helpers_allowed or cores < 2 or sum(len(text) for text in texts) < PARALLEL_CHARS:
            self.done: list[list[tuple[int, int]]] | None = _split_all(texts)
            return
        self.done = None
        try:
            pool = _pool(cores - 1)
            self.pending = [pool.submit(_split_all, run) for run in self.runs]
        except (BrokenProcessPool, OSError):  # helpers could not start: split in result()
            _forget_helpers()

    def result(self) -> list[list[tuple[int, int]]]:
        """Every text's spans, in order. Runs no helper has begun are split here, from
        the last one back (helpers take them from the first), then the helpers' are
        awaited."""
        if self.done is not None:
            return self.done
        runs: list[list[list[tuple[int, int]]] | None] = [None] * len(self.runs)
        for index in reversed(range(len(self.runs))):
            future = self.pending[index]
            if future is None or future.cancel():
                runs[index] = _split_all(self.runs[index])
        for index, future in enumerate(self.pending):
            if runs[index] is None and future is not None:
                try:
                    runs[index] = future.result()
                except BrokenProcessPool:  # a helper died: this run is split here
                    _forget_helpers()
                    runs[index] = _split_all(self.runs[index])
        self.done = [spans for run in runs if run is not None for spans in run]
        return self.done


def sentence_spans_many(texts: list[str]) -> list[list[tuple[int, int]]]:
    """``sentence_spans`` of each text (as lists), on every core for a large batch."""
    return Splitting(texts).result()
