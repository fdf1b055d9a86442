"""The holders suggester: whose voice each sentence is in, from natasha's named entities
and dependency parse with rules for Russian reporting constructions.

The rules, in the order a sentence's candidates are ranked (highest score wins, the
earlier cue on a tie):

- a speech or opinion verb with its subject: «Токаев считает, что…», «Путин отметил:
  "…"», «"…", — сказал Путин», «как сообщает X» (the parser hangs the last two off the
  main clause as ``parataxis``; the subject is still the verb's ``nsubj``). A subject that
  is a named person (or a noun with one in apposition: «Президент Казахстана Касым-Жомарт
  Токаев») is that person; a pronoun («Он полагает») or a description («Политолог
  подчеркнул», «российский президент») is the nearest person named before it; a vague
  subject («эксперты», «некоторые наблюдатели», «многие») makes the holder ``unclear``;
  «мы»/«я», a first-person verb («Напомним») or «думается» are the author's own voice;
- «по словам X», «по мнению X», «по информации X», «по данным X»;
- an impersonal report («сообщалось», «было объявлено»): ``unclear``, no holder;
- «якобы» with nothing else: ``unclear``;
- a quotation over several sentences («"…. …", — заявил Путин», or a quote followed by a
  line «- Владимир Путин») gives every sentence inside it the holder of its closing one.

A person's name is given in the nominative and in its fullest form in the document
(«Путин» after «Владимир Путин» is «Владимир Путин»).

natasha loads ~270 MB of models: they are loaded on first use, only in the process that
suggests (a command or the task worker), never at import time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from annotator.suggestions.lemmas import analyse, analyzer

AGENT_VERSION = "holders-1"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


SPEECH_VERBS = _words(
    """заявить заявлять считать полагать отметить отмечать подчеркнуть подчёркивать
    подчеркивать сказать говорить сообщить сообщать добавить добавлять заметить замечать
    заключить продолжить рассказать рассказывать высказать высказаться высказывать
    утверждать признать признавать объяснить объяснять пояснить пояснять указать
    указывать напомнить напоминать думать предположить предполагать констатировать
    выразить выражать оценить оценивать спросить ответить назвать подтвердить
    подтверждать предложить предлагать призвать призывать уверять заверить убеждать
    писать написать объявить объявлять прокомментировать комментировать допустить
    допускать опасаться надеяться уточнить"""
)
IMPERSONAL_AUTHOR = frozenset({"думаться", "представляться", "казаться"})
BY_NOUNS = _words("слово мнение информация данные оценка заявление сообщение")
BY_PREPOSITIONS = frozenset({"по", "согласно", "из"})
# A report with no one named: «по сообщениям», «из поступавших сообщений».
REPORT_NOUNS = frozenset({"сообщение", "информация"})
VAGUE = _words(
    """эксперт источник аналитик наблюдатель многие некоторый кто-то специалист слух сми
    собеседник осведомлённый осведомленный"""
)
DESCRIPTIONS = _words(
    """президент политолог политик лидер министр глава директор премьер премьер-министр
    спикер представитель помощник руководитель канцлер председатель депутат посол
    губернатор мэр эксперт аналитик коллега сенатор генсек секретарь"""
)
FIRST_PERSON = frozenset({"я", "мы"})
RELATIVE = frozenset({"что", "который", "это", "то", "кто", "всё", "все"})
PERSON_PRONOUNS = frozenset({"он", "она"})
QUOTES_OPEN = '«„“"'
QUOTES_CLOSE = '»“”"'
DASH = re.compile(r"\s*[-—–]\s*")
# Verbs that report speech only with reported content (a clause, a quotation, «как …»):
# «Россия заключила договор», «продолжил работу» are not reports.
NEEDS_CONTENT = _words(
    """заключить продолжить добавить ответить указать указывать назвать признать признавать
    писать написать объявить"""
)

SCORE_NAMED = 0.9
SCORE_BY = 0.85
SCORE_RESOLVED = 0.7
SCORE_QUOTE = 0.75
SCORE_OTHER = 0.6
SCORE_VAGUE = 0.6
SCORE_AUTHOR = 0.55
SCORE_IMPERSONAL = 0.5
SCORE_YAKOBY = 0.45


@dataclass(frozen=True, slots=True)
class Attribution:
    """A sentence's holder: ``start``/``end`` are the sentence's offsets in the text."""

    start: int
    end: int
    holder_kind: str  # author, attributed, unclear
    holder: str
    cue_start: int | None
    cue_end: int | None
    score: float
    rule: str


@dataclass(slots=True)
class _Token:
    index: int
    text: str
    start: int
    end: int
    head: int  # index in the sentence, -1 for the root
    rel: str
    pos: str
    feats: dict[str, str]
    lemma: str


@dataclass(frozen=True, slots=True)
class _Person:
    start: int
    end: int
    name: str  # nominative
    key: str  # the surname's nominative, lower case


@cache
def _natasha() -> tuple[Any, Any, Any, Any]:
    from natasha import (
        NewsEmbedding,
        NewsMorphTagger,
        NewsNERTagger,
        NewsSyntaxParser,
        Segmenter,
    )

    embedding = NewsEmbedding()
    return (
        Segmenter(),
        NewsMorphTagger(embedding),
        NewsSyntaxParser(embedding),
        NewsNERTagger(embedding),
    )


def parse(
    text: str, bounds: Sequence[tuple[int, int]]
) -> tuple[list[list[_Token]], list[tuple[int, int, str]]]:
    """natasha's parse of each sentence of ``text`` (``bounds``: the stored sentences, so
    that a rule never reaches across them): tokens with heads, relations, parts of speech,
    features and lemmas, and the named entities ``(start, end, type)``, all with offsets
    into ``text``."""
    from natasha import Doc
    from natasha.doc import DocSent, DocToken

    segmenter, morph, syntax, ner = _natasha()
    doc = Doc(text)
    doc.tokens = [DocToken(t.start, t.stop, t.text) for t in segmenter.tokenize(text)]
    doc.sents = [DocSent(start, end, text[start:end]) for start, end in bounds]
    doc.envelop_sent_tokens()
    doc.sents = [sent for sent in doc.sents if sent.tokens]
    # One pass over all sentences: the taggers work in batches.
    doc.tag_morph(morph)
    doc.parse_syntax(syntax)
    doc.tag_ner(ner)
    sentences = []
    for sent in doc.sents:
        ids = {token.id: i for i, token in enumerate(sent.tokens)}
        sentences.append(
            [
                _Token(
                    index=i,
                    text=token.text,
                    start=token.start,
                    end=token.stop,
                    head=ids.get(token.head_id, -1),
                    rel=token.rel or "",
                    pos=token.pos or "",
                    feats=dict(token.feats or {}),
                    lemma=analyse(token.text.lower())[0],
                )
                for i, token in enumerate(sent.tokens)
            ]
        )
    entities = [(span.start, span.stop, span.type) for span in doc.spans]
    return sentences, entities


CASES = {"Nom": "nomn", "Gen": "gent", "Dat": "datv", "Acc": "accs", "Ins": "ablt", "Loc": "loct"}
GENDERS = {"Masc": "masc", "Fem": "femn"}


def nominative(words: str, feats: Sequence[dict[str, str]] = ()) -> str:
    """A person's name in the nominative: «Касым-Жомартом Токаевым» → «Касым-Жомарт
    Токаев», «Амиржана Косанова» → «Амиржан Косанов». ``feats``: natasha's features of
    each word (its case and gender pick pymorphy's reading: «Токаева» is a man's name in
    the genitive after «президента РК», a woman's in the nominative elsewhere)."""
    result = []
    for i, word in enumerate(words.split()):
        known = feats[i] if i < len(feats) else {}
        case, gender = CASES.get(known.get("Case", "")), GENDERS.get(known.get("Gender", ""))
        parses = [
            p
            for p in analyzer().parse(word)
            if {"Name", "Surn", "Patr"} & set(p.tag.grammemes) and p.tag.number != "plur"
        ]
        fitting = [
            p
            for p in parses
            if (case is None or p.tag.case == case) and (gender is None or p.tag.gender == gender)
        ]
        chosen = (fitting or parses or [None])[0]
        form = chosen.inflect({"nomn"}) if chosen else None
        if form is None:
            result.append(word)
            continue
        # pymorphy gives lower case: keep the written capitals (also of hyphenated parts).
        parts, originals = form.word.split("-"), word.split("-")
        if len(parts) == len(originals):
            result.append(
                "-".join(
                    p.capitalize() if o[:1].isupper() else p
                    for p, o in zip(parts, originals, strict=True)
                )
            )
        else:
            result.append(form.word.capitalize())
    return " ".join(result)


def _people(
    text: str, entities: list[tuple[int, int, str]], parsed: list[list[_Token]]
) -> list[_Person]:
    """The document's named persons in order, each with its fullest name in the text."""
    feats = {token.start: token.feats for tokens in parsed for token in tokens}
    mentions = []
    for start, end, kind in entities:
        if kind != "PER":
            continue
        words = list(re.finditer(r"\S+", text[start:end]))
        name = nominative(text[start:end], [feats.get(start + m.start(), {}) for m in words])
        mentions.append((start, end, name, name.split()[-1].lower().replace("ё", "е")))
    fullest: dict[str, str] = {}
    for *_, name, key in mentions:
        if len(name.split()) > len(fullest.get(key, "").split()):
            fullest[key] = name
    return [_Person(start, end, fullest[key], key) for start, end, _, key in mentions]


class _Sentence:
    """One parsed sentence with the helpers the rules need."""

    def __init__(self, tokens: list[_Token], people: list[_Person]) -> None:
        self.tokens, self.people = tokens, people

    def children(self, token: _Token, *rels: str) -> list[_Token]:
        return [
            t
            for t in self.tokens
            if t.head == token.index and (not rels or t.rel.split(":")[0] in rels)
        ]

    def person_in(self, token: _Token, depth: int = 2) -> _Person | None:
        """The named person the token is part of, or one in apposition, a name or a
        modifier under it (``depth`` levels down)."""
        for person in self.people:
            if person.start <= token.start < person.end:
                return person
        if depth:
            for child in self.children(token, "appos", "flat", "nmod"):
                found = self.person_in(child, depth - 1)
                if found:
                    return found
        return None

    def reports(self, verb: _Token) -> bool:
        """Whether a verb has reported content: a clause, a quotation or a colon after
        it, or «как» before it, or it hangs off a quotation (``parataxis``)."""
        if verb.rel == "parataxis" or self.children(verb, "ccomp"):
            return True
        if any(t.lemma == "как" for t in self.children(verb, "mark", "advmod")):
            return True
        after = [t.text for t in self.tokens if t.start >= verb.end][:1]
        return bool(after) and (after[0] == ":" or after[0][:1] in QUOTES_OPEN)

    def quoted(self, token: _Token) -> bool:
        """Whether the token is between quotation marks of its sentence (a closing mark
        of a quotation opened in an earlier sentence does not open one)."""
        before = [t.text for t in self.tokens if t.end <= token.start]
        after = [t.text for t in self.tokens if t.start >= token.end]
        straight = sum(t in ('"', "“", "”") for t in before)
        if straight % 2 == 1 and any(t in ('"', "“", "”") for t in after):
            return True
        depth = sum(t in ("«", "„") for t in before) - sum(t == "»" for t in before)
        return depth > 0 and "»" in after

    def person_before(self, verb: _Token) -> _Token | None:
        """The last token of a named person before the verb, outside quotations."""
        found = None
        for t in self.tokens:
            if t.start >= verb.start:
                break
            if not self.quoted(t) and any(p.start <= t.start < p.end for p in self.people):
                found = t
        return found

    def phrase(self, token: _Token) -> str:
        """The token with its modifiers («некоторые наблюдатели», «члены ОДКБ»)."""
        parts = [token, *self.children(token, "amod", "det", "nummod", "nmod", "flat", "appos")]
        parts.sort(key=lambda t: t.start)
        return " ".join(t.text for t in parts)


@lru_cache(maxsize=20_000)
def verb_tags(word: str) -> tuple[str | None, str | None]:
    """A verb form's tense and person by pymorphy's dictionary (natasha's tagger reads
    «сообщалось» as a first-person future)."""
    for reading in analyzer().parse(word):
        if reading.tag.POS == "VERB":
            return reading.tag.tense, reading.tag.person
    return None, None


def _nearest_person(people: list[_Person], before: int) -> _Person | None:
    earlier = [p for p in people if p.end <= before]
    return earlier[-1] if earlier else None


def _negated(sentence: _Sentence, verb: _Token) -> bool:
    return any(t.lemma == "не" for t in sentence.children(verb, "advmod", "discourse"))


def _subject(sentence: _Sentence, verb: _Token) -> _Token | None:
    for candidate in (verb, sentence.tokens[verb.head] if verb.head >= 0 else None):
        if candidate is None:
            continue
        found = [t for t in sentence.children(candidate) if t.rel == "nsubj"]
        if found:
            return found[0]
        if candidate is verb and verb.rel.split(":")[0] not in ("xcomp", "conj", "advcl"):
            break
    return None


def _holder_of(
    sentence: _Sentence, subject: _Token, people: list[_Person]
) -> tuple[str, str, float, str]:
    """``(kind, holder, score, rule)`` for a reporting verb's subject."""
    person = sentence.person_in(subject)
    if person:
        return "attributed", person.name, SCORE_NAMED, "named"
    lemma = subject.lemma
    if lemma in FIRST_PERSON:
        return "author", "", SCORE_AUTHOR, "first-person"
    if lemma in PERSON_PRONOUNS:
        nearest = _nearest_person(people, subject.start)
        if nearest:
            return "attributed", nearest.name, SCORE_RESOLVED, "pronoun"
        return "unclear", "", SCORE_VAGUE, "pronoun"
    modifiers = {t.lemma for t in sentence.children(subject, "amod", "det")}
    if lemma in VAGUE or "некоторый" in modifiers or lemma in {"они", "кто-то"}:
        holder = "" if subject.pos == "PRON" else sentence.phrase(subject)
        return "unclear", holder, SCORE_VAGUE, "vague"
    if lemma in DESCRIPTIONS and subject.feats.get("Number") != "Plur":
        nearest = _nearest_person(people, subject.start)
        if nearest:
            return "attributed", nearest.name, SCORE_RESOLVED, "description"
    return "attributed", sentence.phrase(subject), SCORE_OTHER, "subject"


def _candidates(sentence: _Sentence, people: list[_Person]) -> list[tuple]:
    """Every reporting construction of a sentence: ``(score, cue start, cue end, kind,
    holder, rule)``."""
    found = []
    for token in sentence.tokens:
        if token.lemma in BY_NOUNS and any(
            t.lemma in BY_PREPOSITIONS for t in sentence.children(token, "case")
        ):
            by = next(t for t in sentence.children(token, "case") if t.lemma in BY_PREPOSITIONS)
            owner = next(iter(sentence.children(token, "nmod")), None)
            if owner is None and token.lemma in REPORT_NOUNS:  # «по сообщениям», «по информации»
                found.append(
                    (SCORE_IMPERSONAL, by.start, token.end, "unclear", "", "by-impersonal")
                )
            if owner is not None:
                kind, holder, score, rule = _holder_of(sentence, owner, people)
                if kind != "author":
                    score = max(score, SCORE_BY) if rule == "named" else score
                    found.append((score, by.start, token.end, kind, holder, "by-" + rule))
            continue
        if token.lemma in IMPERSONAL_AUTHOR and not sentence.children(token, "nsubj"):
            found.append((SCORE_AUTHOR, token.start, token.end, "author", "", "impersonal"))
            continue
        base = token.lemma[:-2] if token.lemma.endswith(("ся", "сь")) else token.lemma
        if token.lemma not in SPEECH_VERBS and base not in SPEECH_VERBS:
            continue
        if token.pos not in ("VERB", "AUX") or _negated(sentence, token):
            continue
        conv = token.feats.get("VerbForm") == "Conv"  # «…, отметив, что…»
        tense, person = verb_tags(token.text.lower())
        if tense == "futr" and person != "1per":  # «расскажут», «ответит»: not a report
            continue
        passive = token.lemma.endswith(("ся", "сь")) or token.feats.get("Voice") == "Pass"
        if token.lemma in NEEDS_CONTENT and not passive and not sentence.reports(token):
            continue
        subject = _subject(sentence, token)
        if subject is not None and subject.lemma in RELATIVE:
            continue  # «что может говорить о…», «которая указывает»: not a holder
        if subject is not None and sentence.quoted(subject):
            # «X отметил: "… уровень …"»: the parser took a word of the quotation.
            subject = sentence.person_before(token)
        if subject is not None:
            kind, holder, score, rule = _holder_of(sentence, subject, people)
            if token.feats.get("VerbForm") == "Inf" and kind != "author":
                continue  # «Токаев может высказать…»: a guess about a report, not one
        elif conv:
            continue
        elif person == "1per":
            kind, holder, score, rule = "author", "", SCORE_AUTHOR, "first-person"
        elif token.lemma not in SPEECH_VERBS or token.feats.get("Voice") == "Pass":
            kind, holder, score, rule = "unclear", "", SCORE_IMPERSONAL, "impersonal"
        else:
            continue
        found.append((score - 0.05 * conv, token.start, token.end, kind, holder, rule))
    for token in sentence.tokens:
        if token.lemma == "якобы":
            found.append((SCORE_YAKOBY, token.start, token.end, "unclear", "", "yakoby"))
    return found


def _open_quote(text: str) -> bool:
    """Whether a sentence opens a quotation it does not close."""
    stripped = text.lstrip()
    if not stripped or stripped[0] not in QUOTES_OPEN:
        return False
    straight = stripped.count('"')
    return straight % 2 == 1 if stripped[0] == '"' else stripped.count("«") > stripped.count("»")


QUOTE_END = re.compile(r"[»”\"]\s*[,.!?]?\s*(?:[-—–]|$)")


def _closes_quote(text: str, opener: str) -> bool:
    """Whether a sentence inside a quotation closes it: a closing mark before a dash
    («…", - сказал он») or at the end, or an unmatched closing mark."""
    if QUOTE_END.search(text.rstrip()):
        return True
    if opener == '"':
        return text.count('"') % 2 == 1
    return text.count("»") > text.count("«")


def attribute(text: str, bounds: Sequence[tuple[int, int]]) -> list[Attribution]:
    """The holder of each sentence of ``text`` (``bounds``: the sentences' offsets) that
    has a reporting construction, in sentence order."""
    parsed, entities = parse(text, bounds)
    people = _people(text, entities, parsed)
    best: dict[int, Attribution] = {}
    for tokens in parsed:
        sentence = _Sentence(tokens, people)
        for score, cue_start, cue_end, kind, holder, rule in _candidates(sentence, people):
            index = _sentence_at(bounds, cue_start)
            if index is None:
                continue
            start, end = bounds[index]
            current = best.get(index)
            if current is None or (score, -cue_start) > (current.score, -(current.cue_start or 0)):
                best[index] = Attribution(
                    start, end, kind, holder, cue_start, cue_end, round(score, 4), rule
                )
    _quotations(text, bounds, best, people)
    return [best[i] for i in sorted(best)]


def _sentence_at(bounds: Sequence[tuple[int, int]], offset: int) -> int | None:
    for i, (start, end) in enumerate(bounds):
        if start <= offset < end:
            return i
    return None


def _forward(
    text: str, bounds: Sequence[tuple[int, int]], best: dict[int, Attribution], i: int
) -> int:
    """A sentence that reports a quotation it leaves open gives its holder to the
    sentences up to the one that closes it; returns the next sentence to look at."""
    sentence = text[slice(*bounds[i])]
    opening = best.get(i)
    straight = sentence.count('"') % 2 == 1
    if opening is None or opening.holder_kind == "author":
        return i + 1
    if not straight and sentence.count("«") <= sentence.count("»"):
        return i + 1
    last = i + 1
    while last < len(bounds) and not _closes_quote(
        text[slice(*bounds[last])], '"' if straight else "«"
    ):
        last += 1
    if last >= len(bounds):
        return i + 1
    for inside in range(i + 1, last + 1):
        best[inside] = Attribution(
            *bounds[inside], opening.holder_kind, opening.holder, opening.cue_start,
            opening.cue_end, min(opening.score, SCORE_QUOTE), "quotation",
        )  # fmt: skip
    return last + 1


def _quotations(
    text: str,
    bounds: Sequence[tuple[int, int]],
    best: dict[int, Attribution],
    people: list[_Person],
) -> None:
    """Give the sentences of a quotation that runs over several sentences the holder of
    the sentence that closes it (or of a «- Name» line right after it), or of the one
    that opens it («Токаев подчеркнул: "… . … ."»)."""
    i = 0
    while i < len(bounds):
        start, end = bounds[i]
        if not _open_quote(text[start:end]):
            i = _forward(text, bounds, best, i)
            continue
        opener = text[start:end].lstrip()[0]
        last = i + 1
        while last < len(bounds) and not _closes_quote(text[slice(*bounds[last])], opener):
            last += 1
        if last >= len(bounds):
            break
        closing = best.get(last)
        if (closing is None or closing.holder_kind == "author") and last + 1 < len(bounds):
            after_start, after_end = bounds[last + 1]
            dash = DASH.match(text, after_start, after_end)
            person = next((p for p in people if after_start <= p.start < after_end), None)
            if dash and person:
                closing = Attribution(
                    *bounds[last], "attributed", person.name, person.start, person.end,
                    SCORE_QUOTE, "quote-line",
                )  # fmt: skip
                best[last] = closing
        if closing is not None and closing.holder_kind != "author":
            for inside in range(i, last):
                best[inside] = Attribution(
                    *bounds[inside], closing.holder_kind, closing.holder, closing.cue_start,
                    closing.cue_end, min(closing.score, SCORE_QUOTE), "quotation",
                )  # fmt: skip
        i = last + 1
