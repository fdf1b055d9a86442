"""CoNLL: razdel tokens a line, one BIO tag column per annotator (and for gold)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from typing import cast

from annotator.datasets.export.plan import ExportPlan, Span, iter_documents


def bio_tags(tokens: Sequence[tuple[int, int]], spans: Sequence[Span], label_order) -> list[str]:
    """BIO tags of tokens; a token inside several spans takes the first one.

    Spans are ranked by start, then the longer first, then label order; a token is
    inside a span when their characters overlap.
    """
    if not spans:
        return ["O"] * len(tokens)
    rank = {name: i for i, name in enumerate(label_order)}
    ranked = sorted(spans, key=lambda s: (s.start, s.start - s.end, rank.get(s.label, len(rank))))
    starts = [start for start, _ in tokens]
    ends = [end for _, end in tokens]
    owner: list[Span | None] = [None] * len(tokens)
    painted: set[int] = set()
    for span in reversed(ranked):  # paint the lowest rank first, so the first one wins
        covered = range(bisect_right(ends, span.start), bisect_left(starts, span.end))
        painted.update(covered)
        for i in covered:
            owner[i] = span
    tags = ["O"] * len(tokens)
    for i in painted:
        span = cast(Span, owner[i])  # a painted token has its span
        tags[i] = ("I-" if i and owner[i - 1] is span else "B-") + span.label
    return tags


def conll_columns(plan: ExportPlan) -> list[str]:
    return ["token", *plan.annotator_usernames()] + (["gold"] if plan.include_gold else [])


def conll_chunks(plan: ExportPlan, progress=None) -> Iterator[str]:
    """``# columns = …`` once, then per document ``# doc_id = N`` and one token a line.

    A tag column is ``_`` throughout a document its annotator put no span on (or,
    for gold, a document not adjudicated); a blank line ends each sentence.
    """
    from razdel import tokenize

    columns = conll_columns(plan)
    annotators = columns[1:-1] if plan.include_gold else columns[1:]
    yield f"# columns = {' '.join(columns)}\n\n"
    for record in iter_documents(plan, sentences=True, progress=progress):
        sentences = [
            [(start + t.start, start + t.stop) for t in tokenize(record.text[start:end])]
            for _, start, end in record.sentences
        ]
        tokens = [token for sentence in sentences for token in sentence]
        by_user = record.annotations_by_user()
        layers = [by_user.get(user) for user in annotators]
        if plan.include_gold:
            layers.append(record.gold if record.adjudicated else None)
        tags = [
            bio_tags(tokens, spans, plan.label_order) if spans is not None else None
            for spans in layers
        ]
        lines = [f"# doc_id = {record.id}"]
        k = 0
        for sentence in sentences:
            for start, end in sentence:
                cells = [record.text[start:end]] + [t[k] if t is not None else "_" for t in tags]
                lines.append("\t".join(cells))
                k += 1
            lines.append("")
        yield "\n".join(lines) + "\n"
