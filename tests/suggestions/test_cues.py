"""The cue matcher on lemmas: seed sentences, inflected forms, the modal rule, the
admin's additions, and the scores."""

from pathlib import Path

import pytest

from annotator.suggestions import cues

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SPECULATION = (
    "Мы можем предположить, что январские события 2022 года в Казахстане также были "
    "подготовкой к тому, чтобы в казахстанской степи были подняты флаги НАТО над их "
    "военными базами."
)
OPINION = (
    "Президент Казахстана Касым-Жомарт Токаев считает, что для возведения такого важного и "
    "сложного объекта, как АЭС, необходим международный консорциум."
)


@pytest.fixture(scope="module")
def lex():
    return cues.lexicon()


def found(text, lex):
    return [(text[m.start : m.end], m.label) for m in cues.match(text, lex=lex)]


def test_the_seed_sentences_are_in_the_seed_corpus():
    text = (SEEDS / "003_630c0bafdc5be0e1.txt").read_text(encoding="utf-8")
    assert SPECULATION in text
    assert OPINION in text


def test_seed_speculation_is_found_by_its_cues(lex):
    assert found(SPECULATION, lex) == [
        ("можем предположить", "speculation"),
        ("предположить", "speculation"),
    ]
    scored = cues.score(cues.match(SPECULATION, lex=lex), "fact")
    assert scored.top == "speculation"
    assert scored.top_score == pytest.approx(1 - 2.718281828**-2.2, abs=1e-3)


def test_seed_opinion_is_found_by_its_cues(lex):
    assert found(OPINION, lex)[0] == ("считает", "opinion")
    scored = cues.score(cues.match(OPINION, lex=lex), "fact")
    assert scored.top == "opinion"
    assert OPINION[scored.cue.start : scored.cue.end] == "считает"


def test_cues_match_on_lemmas_not_surface_forms(lex):
    assert found("Эксперты полагали, что рынок упадёт.", lex) == [("полагали", "opinion")]
    assert found("По мнению аналитиков, это так.", lex) == [("По мнению", "opinion")]
    assert found("Не исключено, что это так.", lex) == [("Не исключено", "speculation")]


def test_modal_with_infinitive_is_speculation_and_without_is_not(lex):
    assert found("Цены могут и не вырасти.", lex) == [("могут и не вырасти", "speculation")]
    assert found("Он может всё.", lex) == []


def test_a_sentence_without_cues_gets_the_neutral_label_at_one_half(lex):
    text = "Завтра в Казахстан с государственным визитом прибывает президент России."
    scored = cues.score(cues.match(text, lex=lex), "fact")
    assert (scored.top, scored.top_score, scored.cue) == ("fact", 0.5, None)


def test_a_weak_cue_alone_does_not_outweigh_more_cues(lex):
    weak = cues.score(cues.match("Это важный шаг.", lex=lex), "fact")
    strong = cues.score(cues.match("Он считает, что это важный шаг.", lex=lex), "fact")
    assert weak.top == strong.top == "opinion"
    assert strong.top_score > weak.top_score


def test_admin_cues_add_override_and_remove_file_entries():
    extra = [
        cues.CueEntry("сомнительный", "speculation", 1.5),
        cues.CueEntry("считать", "speculation", 2.0),
        cues.CueEntry("якобы", "speculation", 1.0, active=False),
    ]
    lex = cues.lexicon(extra)
    assert found("Сомнительные данные якобы подтвердились, считают они.", lex) == [
        ("Сомнительные", "speculation"),
        ("считают", "speculation"),
    ]
    assert lex.version != cues.lexicon().version
