"""One document's label counts, as the profiles add them up.

The stored tallies (``annotator.reports.tallies``) count each document with ``Tally``
and the profiles (``annotator.reports.profiles``) read those counts back; both build on
this module, which imports neither.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

from annotator.stats.sentence_labels import coverage_by_sentence, merge_intervals, sentence_labels

GOLD = "gold"

Span = tuple[int, int, int]  # start, end, label id


@dataclass
class Tally:
    """Running sums for one profile (a source, a document, an annotator)."""

    documents: set[int] = field(default_factory=set)
    annotated_documents: set[int] = field(default_factory=set)
    gold_documents: set[int] = field(default_factory=set)
    text_chars: int = 0
    covered_chars: int = 0
    sentences: int = 0  # sentences of the annotated documents
    labelled_sentences: int = 0  # n of the sentence shares
    touched_sentences: int = 0  # n of the character shares: sentences any span touches
    chars: Counter = field(default_factory=Counter)  # label id -> characters
    votes: Counter = field(default_factory=Counter)  # label id -> coder-sentence labels

    def add_text(self, document_id: int, length: int) -> None:
        if document_id not in self.documents:
            self.documents.add(document_id)
            self.text_chars += length

    def add_labels(
        self,
        document_id: int,
        sentences: Sequence[tuple[int, int]],
        spans_by_coder: dict[Hashable, list[Span]],
        label_order: Sequence[int],
        *,
        gold: bool,
    ) -> list[tuple[int, Counter, int]]:
        """Count one document's labels; returns (sentence, votes by label, coders) rows."""
        if not spans_by_coder:
            return []
        self.annotated_documents.add(document_id)
        if gold:
            self.gold_documents.add(document_id)
        self.sentences += len(sentences)
        votes_by_sentence: list[Counter] = [Counter() for _ in sentences]
        all_spans: list[tuple[int, int]] = []
        for spans in spans_by_coder.values():
            for label, index in _each_label(sentences, spans, label_order):
                votes_by_sentence[index][label] += 1
                self.votes[label] += 1
            by_label: dict[int, list[tuple[int, int]]] = defaultdict(list)
            for start, end, label in spans:
                by_label[label].append((start, end))
                all_spans.append((start, end))
            for label, intervals in by_label.items():
                self.chars[label] += sum(e - s for s, e in merge_intervals(intervals))
        self.covered_chars += sum(e - s for s, e in merge_intervals(all_spans))
        self.labelled_sentences += sum(1 for votes in votes_by_sentence if votes)
        self.touched_sentences += sum(1 for c in coverage_by_sentence(sentences, all_spans) if c)
        coders = len(spans_by_coder)
        return [(i, votes, coders) for i, votes in enumerate(votes_by_sentence) if votes]


def _each_label(
    sentences: Sequence[tuple[int, int]], spans: list[Span], label_order: Sequence[int]
) -> Iterable[tuple[int, int]]:
    for index, label in enumerate(sentence_labels(sentences, spans, label_order)):
        if label is not None:
            yield label, index
