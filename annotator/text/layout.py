"""Document text with its annotations as HTML: lines kept, overlaps nested, always escaped.

Usage (the workspace and the review screen both do this)::

    from annotator.text.layout import Layout, Span

    layout = Layout(document.text, sentences=[(s.start, s.end), ...])
    html = layout.render([Span(id=a.pk, start=a.start, end=a.end, label=a.label_id,
                               annotator=0), ...])

``html`` is a ``SafeString`` whose text content equals ``document.text`` exactly, so a
browser can turn a DOM selection back into offsets by walking its text nodes (style the
container with ``white-space: pre-wrap``, or the lines with it and ``display: block``).
The markup:

- each non-empty line (the text between ``\\n``) is ``<span class="line" id="line-N"
  data-start="S">`` where N is the line number and S its code-point offset;
  the ``\\n`` between lines stays plain text;
- each sentence inside a line is ``<span class="sent" data-i="I" data-s="S" data-e="E">``
  (S/E: code-point offsets; I: the sentence's index, given as a third item of each
  ``sentences`` entry or else its position there). Sentences that cross a line end or
  overlap the previous one are not wrapped;
- each span is ``<mark class="ann lab-LABEL by-ANNOTATOR" data-id="ID">``. Where spans
  overlap the marks nest; a span crossing a line, a sentence or a span it overlaps is
  split into several marks with the same ``data-id``. ``label`` and ``annotator``
  only name CSS classes (``lab-12``, ``by-3``): the page's stylesheet gives them
  colours and underline styles, so any number of annotators can be shown at once.

``Layout.render_lines(spans, start, end)`` renders just the lines touching
``[start, end)`` as ``(line_number, html)`` pairs, for swapping only what changed after
an edit. A ``Layout`` depends only on the text and sentences, so it can be kept per
document version. Work is O((text + spans + sentences) log) with no per-character
Python objects.
"""

from __future__ import annotations

import heapq
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from typing import NamedTuple

from django.utils.safestring import SafeString, mark_safe

_UNSAFE_CLASS = re.compile(r"[^-\w]")


class Span(NamedTuple):
    """One highlighted passage: ``text[start:end]`` in code points."""

    id: int
    start: int
    end: int
    label: int | str
    annotator: int | str = 0


def escape_text(text: str) -> str:
    """Escape text for an HTML text node, keeping ``\\r`` (the HTML parser drops raw ones)."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def _css_name(value: int | str) -> str:
    return _UNSAFE_CLASS.sub("_", str(value))


class Layout:
    """A document version's lines and sentences, ready to be rendered with any spans."""

    def __init__(
        self, text: str, sentences: Iterable[tuple[int, int] | tuple[int, int, int]] = ()
    ) -> None:
        self.text = text
        self.lines: list[tuple[int, int]] = []
        offset = 0
        for line_text in text.split("\n"):
            self.lines.append((offset, offset + len(line_text)))
            offset += len(line_text) + 1
        self.line_starts = [start for start, _ in self.lines]
        self.sentences: list[tuple[int, int, int]] = []  # (start, end, index)
        previous_end = 0
        for position, (start, end, *given) in enumerate(sentences):
            index = given[0] if given else position
            line = self.line_of(start)
            if start >= previous_end and start < end <= self.lines[line][1]:
                self.sentences.append((start, end, index))
                previous_end = end
        self.sentence_starts = [start for start, _, _ in self.sentences]

    def line_of(self, offset: int) -> int:
        """The number of the line holding ``offset``."""
        return max(bisect_right(self.line_starts, offset) - 1, 0)

    def line_range(self, start: int, end: int) -> range:
        """Numbers of the lines that ``[start, end)`` touches."""
        return range(self.line_of(start), self.line_of(max(end - 1, start)) + 1)

    def render(self, spans: Iterable[Span]) -> SafeString:
        """The whole text as HTML (see the module docstring)."""
        rendered = dict(self._render(spans, range(len(self.lines))))
        return mark_safe("\n".join(rendered.get(n, "") for n in range(len(self.lines))))

    def render_lines(
        self, spans: Iterable[Span], start: int, end: int, attrs: str = ""
    ) -> list[tuple[int, str]]:
        """``(line_number, html)`` of each non-empty line touching ``[start, end)``.

        ``attrs`` (trusted markup, e.g. ``hx-swap-oob="true"``) is added to each line.
        """
        return self._render(spans, self.line_range(start, end), attrs)

    def _render(
        self, spans: Iterable[Span], lines: range, attrs: str = ""
    ) -> list[tuple[int, str]]:
        first, last = self.lines[lines.start], self.lines[lines.stop - 1]
        ordered = sorted(
            (
                span
                for span in spans
                if span.start < span.end and span.start < last[1] and span.end > first[0]
            ),
            key=lambda span: span.start,
        )
        classes: dict[tuple, str] = {}
        tags = []  # the opening <mark> of each span, by its position in ordered
        for span in ordered:
            key = (span.label, span.annotator)
            if key not in classes:
                classes[key] = f"ann lab-{_css_name(span.label)} by-{_css_name(span.annotator)}"
            tags.append(f'<mark class="{classes[key]}" data-id="{span.id}">')
        active: list[tuple[int, int]] = []  # heap of (end, position in ordered)
        result = []
        next_span = 0
        for number in lines:
            line_start, line_end = self.lines[number]
            if line_start == line_end:
                continue
            while next_span < len(ordered) and ordered[next_span].start < line_end:
                heapq.heappush(active, (ordered[next_span].end, next_span))
                next_span += 1
            while active and active[0][0] <= line_start:
                heapq.heappop(active)
            here = [position for _, position in active]
            result.append((number, self._line_html(number, ordered, here, tags, attrs)))
        return result

    def _line_html(
        self, number: int, spans: list[Span], here: list[int], tags: list[str], attrs: str
    ) -> str:
        """One line's element; ``here`` are the positions in ``spans`` of those overlapping it."""
        line_start, line_end = self.lines[number]
        text = self.text
        opens: dict[int, list[int]] = {}
        closes: dict[int, list[int]] = {}
        for n in here:
            span = spans[n]
            opens.setdefault(max(span.start, line_start), []).append(n)
            closes.setdefault(min(span.end, line_end), []).append(n)
        first = bisect_left(self.sentence_starts, line_start)
        last = bisect_left(self.sentence_starts, line_end)
        sentences = self.sentences[first:last]
        sentence_at = {start: (start, end, index) for start, end, index in sentences}
        sentence_ends = {end for _, end, _ in sentences}
        cuts = sorted({line_start, line_end, *opens, *closes, *sentence_at, *sentence_ends})

        extra = f" {attrs}" if attrs else ""
        out = [f'<span class="line" id="line-{number}" data-start="{line_start}"{extra}>']
        stack: list[int] = []  # open marks (positions in spans), outermost first
        depth: dict[int, int] = {}  # position in spans -> index in stack
        pending: list[int] = []  # active spans whose mark is not open

        def close_from(index: int) -> None:
            while len(stack) > index:
                n = stack.pop()
                del depth[n]
                out.append("</mark>")
                pending.append(n)

        def outer_first(n: int) -> tuple[int, int, int]:
            span = spans[n]
            return (-span.end, span.start, n)

        for cut, next_cut in zip(cuts, [*cuts[1:], None], strict=True):
            ending = closes.get(cut)
            if ending:
                close_from(min((depth[n] for n in ending if n in depth), default=len(stack)))
                if pending:
                    gone = set(ending)
                    pending[:] = [n for n in pending if n not in gone]
            if cut in sentence_ends or cut in sentence_at:
                close_from(0)
                if cut in sentence_ends:
                    out.append("</span>")
                if cut in sentence_at:
                    start, end, index = sentence_at[cut]
                    out.append(
                        f'<span class="sent" data-i="{index}" data-s="{start}" data-e="{end}">'
                    )
            if next_cut is None:
                break
            starting = opens.get(cut)
            if starting:
                pending.extend(starting)
            if pending:
                if len(pending) > 1:
                    pending.sort(key=outer_first)
                for n in pending:
                    depth[n] = len(stack)
                    stack.append(n)
                    out.append(tags[n])
                pending.clear()
            out.append(escape_text(text[cut:next_cut]))
        close_from(0)
        out.append("</span>")
        return "".join(out)
