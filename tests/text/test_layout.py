import random
import time
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.text.layout import Layout, Span
from annotator.text.sentences import sentence_spans


class Coverage(HTMLParser):
    """Rebuilds the text from rendered HTML and records which mark ids cover each character."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text = []
        self.covering = []
        self.marks = []
        self.sentences = []
        self.stack = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.stack.append(tag)
        if tag == "mark":
            self.marks.append(int(attrs["data-id"]))
        if tag == "span" and attrs.get("class") == "sent":
            self.sentences.append((len(self.text), int(attrs["data-s"]), int(attrs["data-e"])))

    def handle_endtag(self, tag):
        assert self.stack.pop() == tag, "tags must nest"
        if tag == "mark":
            self.marks.pop()

    def handle_data(self, data):
        for char in data:
            self.text.append(char)
            self.covering.append(frozenset(self.marks))


def parse(markup):
    parser = Coverage()
    parser.feed(markup)
    parser.close()
    assert parser.stack == []
    return parser


def expected_cover(text, spans, i):
    return frozenset(s.id for s in spans if s.start <= i < s.end and text[i] != "\n")


def test_overlapping_spans_nest_and_all_stay_visible():
    text = "Токаев считает, что нужен консорциум."
    spans = [Span(1, 0, 14, "opinion"), Span(2, 7, 25, "fact", 1), Span(3, 7, 14, "fact")]
    result = parse(Layout(text, ()).render(spans))
    assert "".join(result.text) == text
    for i in range(len(text)):
        assert result.covering[i] == expected_cover(text, spans, i)


def test_text_is_escaped_and_carriage_returns_survive():
    text = "<script>alert(1)</script> & <b>жирный</b>\r\nвторая"
    markup = Layout(text, ()).render([Span(7, 0, 8, "fact")])
    assert "<script>" not in markup and "<b>" not in markup
    assert "&lt;script&gt;" in markup and "&#13;" in markup
    assert "".join(parse(markup).text) == text


def test_lines_sentences_and_classes():
    text = "Первое. Второе.\n\nТретье 😀 тут."
    markup = Layout(text, sentence_spans(text)).render([Span(5, 3, 22, "spec<x>", "by 1")])
    assert '<span class="line" id="line-0" data-start="0">' in markup
    assert '<span class="line" id="line-2" data-start="17">' in markup
    assert 'id="line-1"' not in markup  # the empty line is just a newline
    assert '<span class="sent" data-i="2" data-s="17" data-e="30">' in markup
    assert 'class="ann lab-spec_x_ by-by_1" data-id="5"' in markup
    result = parse(markup)
    assert [(s, e) for _, s, e in result.sentences] == list(sentence_spans(text))
    assert all(text_at == s for text_at, s, _ in result.sentences)
    assert markup.count('data-id="5"') == 4  # split at two sentence ends and one line end


def test_render_lines_matches_the_whole_render():
    text = "Раз два.\nТри четыре.\n\nПять шесть."
    layout = Layout(text, sentence_spans(text))
    spans = [Span(1, 4, 14, "fact"), Span(2, 22, 26, "opinion")]
    whole = layout.render(spans)
    parts = layout.render_lines(spans, 10, 12)
    assert [number for number, _ in parts] == [1]
    assert parts[0][1] in whole
    assert [n for n, _ in layout.render_lines(spans, 0, len(text))] == [0, 1, 3]
    assert list(layout.line_range(8, 9)) == [0]  # the newline belongs to the line it ends


@st.composite
def documents(draw):
    text = draw(st.text(alphabet=st.sampled_from(list("аб .\n😀<&\r\u0301")), max_size=60))
    spans = []
    for n in range(draw(st.integers(0, 8))):
        start = draw(st.integers(0, max(len(text) - 1, 0)))
        end = draw(st.integers(start, len(text)))
        spans.append(Span(n + 1, start, end, draw(st.sampled_from(["a", "b"]))))
    return text, spans


@settings(max_examples=200, deadline=None)
@given(documents())
def test_every_character_is_covered_by_exactly_its_spans(document):
    text, spans = document
    result = parse(Layout(text, sentence_spans(text)).render(spans))
    assert "".join(result.text) == text
    for i in range(len(text)):
        assert result.covering[i] == expected_cover(text, spans, i)


def test_large_document_renders_quickly():
    rng = random.Random(3)
    words = ["Токаев", "считает,", "что", "😀", "консорциум.", "Путин", "сказал"]
    lines = [" ".join(rng.choice(words) for _ in range(60)) for _ in range(520)]
    text = "\n\n".join(lines)[:200_000]
    spans = []
    for n in range(5000):
        start = rng.randrange(len(text) - 300)
        spans.append(Span(n, start, start + rng.randrange(1, 300), n % 3, n % 4))
    began = time.perf_counter()
    markup = Layout(text, sentence_spans(text)).render(spans)
    elapsed = time.perf_counter() - began
    assert "".join(parse(markup).text) == text
    assert elapsed < 2.0, f"rendering took {elapsed:.2f}s"
