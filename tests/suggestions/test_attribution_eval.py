"""``manage.py attribution_eval``: the scoring on a stand-in suggester (hand-worked), the
committed set fitting the seed texts, and the figures of the real suggester."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from annotator.suggestions.evaluation import evaluate
from annotator.suggestions.holders import Attribution
from annotator.text.sentences import sentence_spans

SET = Path(__file__).parent / "data" / "attribution_set.json"
TEXT = "Путин отметил, что всё хорошо. Эксперты считают иначе. Небо синее. Мы полагаем, что да."


def write_set(tmp_path, entries):
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "t.txt").write_text(TEXT, encoding="utf-8")
    path = tmp_path / "set.json"
    path.write_text(json.dumps({"sentences": entries}, ensure_ascii=False), encoding="utf-8")
    return path, tmp_path / "seeds"


def test_scores_are_counted_per_sentence(tmp_path):
    path, seeds = write_set(
        tmp_path,
        [
            {"file": "t.txt", "anchor": "Путин отметил", "holder_kind": "attributed",
             "holder": "Владимир Путин", "also": ["Путин"]},
            {"file": "t.txt", "anchor": "Эксперты", "holder_kind": "unclear", "holder": "эксперты"},
            {"file": "t.txt", "anchor": "Мы полагаем", "holder_kind": "author", "holder": ""},
        ],
    )  # fmt: skip
    said = {
        "Путин": ("attributed", "ПУТИН"),  # an accepted holder, compared without case
        "Небо": ("attributed", "Небо"),  # a false alarm
        "Мы": ("author", ""),
    }  # «Эксперты» is missed

    def stand_in(text, bounds):
        found = []
        for start, end in bounds:
            for word, (kind, holder) in said.items():
                if text[start:end].startswith(word):
                    found.append(Attribution(start, end, kind, holder, None, None, 0.9, "x"))
        return found

    scores = evaluate(path, seeds, stand_in)
    assert scores.sentences == len(list(sentence_spans(TEXT))) == 4
    assert (scores.true_positive, scores.false_positive, scores.false_negative) == (1, 1, 1)
    assert (scores.precision, scores.recall, scores.exact_accuracy) == (0.5, 0.5, 1.0)
    assert scores.kind_accuracy == pytest.approx(2 / 3)


def test_an_anchor_found_nowhere_is_refused(tmp_path):
    path, seeds = write_set(
        tmp_path, [{"file": "t.txt", "anchor": "Токаев", "holder_kind": "author"}]
    )
    with pytest.raises(CommandError, match="t.txt: no sentence contains 'Токаев'"):
        call_command("attribution_eval", "--set", str(path), "--seeds", str(seeds))


def test_the_committed_set_covers_the_five_seed_texts():
    entries = json.loads(SET.read_text(encoding="utf-8"))["sentences"]
    assert len({entry["file"] for entry in entries}) == 5
    assert {entry["holder_kind"] for entry in entries} == {"author", "attributed", "unclear"}


def test_the_holders_suggester_on_the_seed_set():
    out = StringIO()
    call_command("attribution_eval", "--format", "json", stdout=out)
    figures = json.loads(out.getvalue())
    assert figures["listed"] == 83 and figures["sentences"] == 200
    # The rules were written on these texts: the figures guard against regressions.
    assert figures["precision"] >= 0.95
    assert figures["recall"] >= 0.95
    assert figures["exact_holder_accuracy"] >= 0.95
