"""Whose voice a source's labelled passages are in: its own (``author``), someone it
quotes (``attributed``) or no one clear (``unclear``), the share of vague holders and of
distancing markers, and who it quotes.

An agency that quotes many politicians is not opinionated for it: these figures split a
source's labelled spans by holder so its own voice can be read apart from what it
reports. The spans counted are those the profiles rest on: a document's gold spans when
it has any, otherwise every annotator's (or, filtered by one annotator, theirs).

- ``voice``: the shares of the source's spans with a non-neutral label by holder kind;
  ``voice_by_label``: the same per label (every label);
- ``vague_holder_share``: of the spans not in the author's voice, the share whose holder
  is ``unclear`` (none named, or «эксперты», «источники»);
- ``distancing_share``: of the source's sentences, the share with a distancing marker
  («якобы», «так называемый», «дескать»), read from the text;
- ``quoted``: the holders of the spans not in the author's voice, with how many spans
  and which labels.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet

from annotator.models import Annotation, Document, GoldAnnotation, HolderKind, Sentence
from annotator.reports.profiles import (
    CACHE_SECONDS,
    ProfileFilter,
    SourceRow,
    documents_in_scope,
    source_cache_key,
    sources_in_scope,
)
from annotator.reports.shares import LabelInfo

DISTANCING = re.compile(r"(?<!\w)(?:якобы|так\s+называем\w*|дескать)(?!\w)", re.IGNORECASE)
DISTANCING_WORDS = ("якобы", "так называем", "дескать")  # what the database is asked first
KINDS = tuple(HolderKind.values)
UNNAMED = ""
TEXTS_AT_ONCE = 200


@dataclass
class Quoted:
    holder: str  # empty: no holder named
    holder_kind: str
    spans: int = 0
    labels: Counter[str] = field(default_factory=Counter)

    def label_counts(self) -> list[tuple[str, int]]:
        """The labels, most used first (a template cannot call ``Counter.most_common``:
        it looks the name up as a key first)."""
        return sorted(self.labels.items(), key=lambda item: (-item[1], item[0]))


@dataclass
class Voice:
    spans: Counter[str] = field(default_factory=Counter)  # non-neutral spans per kind
    by_label: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    sentences: int = 0
    distancing_sentences: int = 0
    quoted: dict[tuple[str, str], Quoted] = field(default_factory=dict)

    def shares(self, counts: Counter[str]) -> dict[str, float] | None:
        total = sum(counts.values())
        if not total:
            return None
        return {kind: round(counts[kind] / total, 4) for kind in KINDS}

    @property
    def span_count(self) -> int:
        return sum(self.spans.values())

    @property
    def voice(self) -> dict[str, float] | None:
        return self.shares(self.spans)

    @property
    def vague_holder_share(self) -> float | None:
        reported = self.spans[HolderKind.ATTRIBUTED] + self.spans[HolderKind.UNCLEAR]
        return round(self.spans[HolderKind.UNCLEAR] / reported, 4) if reported else None

    @property
    def distancing_share(self) -> float | None:
        if not self.sentences:
            return None
        return round(self.distancing_sentences / self.sentences, 4)

    def quoted_table(self) -> list[Quoted]:
        """Who the source quotes, most quoted first."""
        return sorted(self.quoted.values(), key=lambda q: (-q.spans, q.holder.lower()))

    def figures(self) -> dict:
        """The keys the ``profiles`` JSON gains per source."""
        return {
            "voice": self.voice,
            "voice_spans": self.span_count,
            "voice_by_label": {
                name: {**(self.shares(counts) or {}), "spans": sum(counts.values())}
                for name, counts in self.by_label.items()
            },
            "vague_holder_share": self.vague_holder_share,
            "distancing_share": self.distancing_share,
            "distancing_sentences": self.distancing_sentences,
            "quoted": [
                {
                    "holder": q.holder,
                    "holder_kind": q.holder_kind,
                    "spans": q.spans,
                    "labels": dict(sorted(q.labels.items())),
                }
                for q in self.quoted_table()
            ],
        }


def _spans(f: ProfileFilter, documents: QuerySet) -> QuerySet:
    """``(source, label, holder_kind, holder)`` of the spans the profiles rest on, in one
    query (``documents``: the ids of the documents in scope, as a subquery)."""
    fields = ("document__source_id", "label_id", "holder_kind", "holder")
    own = Annotation.objects.filter(project=f.project, document_id__in=documents)
    if f.annotator_id is not None:
        return own.filter(annotator_id=f.annotator_id).values_list(*fields).order_by()
    gold = GoldAnnotation.objects.filter(project=f.project, document_id__in=documents)
    with_gold = GoldAnnotation.objects.filter(project=f.project).values("document_id")
    rows = own.exclude(document_id__in=with_gold).values_list(*fields).order_by()
    return gold.values_list(*fields).order_by().union(rows, all=True).order_by()


def source_voices(
    f: ProfileFilter, labels: list[LabelInfo], sources: dict[int, SourceRow] | None = None
) -> dict[int, Voice]:
    """Per source in the filter's scope, its voice figures: cached per source, as the
    profiles' counts are, until one of its documents' spans changes (every saved or
    deleted span bumps its document's ``labels_version``, see ``reports.tallies``), and
    counted only for the sources not cached. Counting reads every span and sentence of
    those sources: in a project of a million spans the Sources page took 25 s on each
    view before. ``sources``: ``sources_in_scope(f)`` when the caller has it already (the
    profiles read the same)."""
    sources = sources_in_scope(f) if sources is None else sources
    keys = {
        source_id: source_cache_key(f, source, "source-voice")
        for source_id, source in sources.items()
    }
    cached = cache.get_many(keys.values())
    voices: dict[int, Voice] = defaultdict(Voice)
    voices.update({source_id: cached[key] for source_id, key in keys.items() if key in cached})
    missing = [source_id for source_id, key in keys.items() if key not in cached]
    if missing:
        counted = _count_voices(f, labels, missing if len(missing) < len(sources) else None)
        voices.update({source_id: counted[source_id] for source_id in missing})
        fresh = {keys[s]: counted[s] for s in missing if sources[s].fresh}
        cache.set_many(fresh, CACHE_SECONDS)
    return voices


def _count_voices(
    f: ProfileFilter, labels: list[LabelInfo], source_ids: list[int] | None
) -> dict[int, Voice]:
    """The voice figures of the sources in scope (of ``source_ids`` only, when given):
    three queries, a fourth when a text has a distancing marker."""
    scope = documents_in_scope(f)
    if source_ids is not None:
        scope = scope.filter(source_id__in=source_ids)
    documents = scope.values("document_id")
    voices: dict[int, Voice] = defaultdict(Voice)
    by_id = {label.id: label for label in labels}
    # Streamed: a cold count may read a million rows, which must not all sit in memory.
    for source_id, label_id, kind, holder in _spans(f, documents).iterator(chunk_size=5000):
        voice, label = voices[source_id], by_id[label_id]
        voice.by_label[label.name][kind] += 1
        if not label.neutral:
            voice.spans[kind] += 1
        if kind != HolderKind.AUTHOR:
            key = (holder or UNNAMED, kind)
            quoted = voice.quoted.setdefault(key, Quoted(*key))
            quoted.spans += 1
            quoted.labels[label.name] += 1
    _distancing(documents, voices)
    return voices


def _distancing(documents: QuerySet, voices: dict[int, Voice]) -> None:
    """Count each source's sentences and those with a distancing marker; only the
    documents whose text has one are read."""
    counts = (
        Sentence.objects.filter(document_id__in=documents)
        .values_list("document__source_id")
        .annotate(count=Count("id"))
        .order_by()
    )
    for source_id, count in counts:
        voices[source_id].sentences = count
    # Both cases spelt out: SQLite's LIKE ignores case for ASCII letters only.
    any_word = Q()
    for word in DISTANCING_WORDS:
        any_word |= Q(text__contains=word) | Q(text__contains=word.capitalize())
    marked = Document.objects.filter(any_word, pk__in=documents).values_list(
        "id", "source_id", "text"
    )
    # The texts come in runs of TEXTS_AT_ONCE, each run's sentences read then: in a large
    # project most texts may carry a marker, and all of them at once took hundreds of MB.
    texts: dict[int, tuple[int, str]] = {}
    for pk, source_id, text in marked.iterator(chunk_size=TEXTS_AT_ONCE):
        texts[pk] = (source_id, text)
        if len(texts) == TEXTS_AT_ONCE:
            _count_marked(texts, voices)
            texts = {}
    if texts:
        _count_marked(texts, voices)


def _count_marked(texts: dict[int, tuple[int, str]], voices: dict[int, Voice]) -> None:
    """Count the sentences of ``texts`` (``{document id: (source id, text)}``) that hold a
    distancing marker."""
    for document_id, start, end in Sentence.objects.filter(document_id__in=texts).values_list(
        "document_id", "start", "end"
    ):
        source_id, text = texts[document_id]
        if DISTANCING.search(text, start, end):
            voices[source_id].distancing_sentences += 1
