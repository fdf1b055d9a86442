import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.text.snapping import snap

CASES = json.loads(
    (Path(__file__).parents[1] / "support" / "snap_cases.json").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("case", CASES, ids=[case["why"] for case in CASES])
def test_snap_cases(case):
    start, end = snap(case["text"], case["start"], case["end"])
    assert case["text"][start:end] == case["quote"]


ALPHABET = st.sampled_from(list("аб cд-’.,:«»!?\n\r😀\u0301\u00a017$"))


@st.composite
def selections(draw):
    text = draw(st.text(alphabet=ALPHABET, min_size=1, max_size=40))
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, len(text)))
    return text, start, end


@given(selections())
def test_snap_is_idempotent_and_never_cuts_words(selection):
    text, start, end = selection
    snapped = snap(text, start, end)
    s, e = snapped
    assert 0 <= s <= e <= len(text)
    assert snap(text, s, e) == snapped
    if s < e:
        assert not text[s].isspace() and not text[e - 1].isspace()
        assert not (s > 0 and text[s - 1].isalpha() and text[s].isalpha())
        assert not (e < len(text) and text[e - 1].isalpha() and text[e].isalpha())
