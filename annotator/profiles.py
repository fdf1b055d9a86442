"""Source profiles: how much of a source's text is fact, opinion or speculation.

Two readings of the same labels are given side by side:

- *by annotated characters*: characters under each label's spans over all labelled
  characters (overlapping spans of one label by one coder count once);
- *by sentences*: each sentence gets the label covering more than half of it
  (``annotator.sentence_labels``); shares are over sentences that got a label.

A document's labels come from its gold annotations when it has any, otherwise from every
annotator who labelled it (each annotator's labels count, so a document read by three
analysts weighs three times). Filtering by one annotator shows only that annotator's own
labels. Every share comes with n (the distinct sentences it rests on, and documents) and
a 95% Wilson score interval computed with that n: characters within a sentence are not
independent evidence, so the sentence is the unit, and a source with two documents gets
a wide interval.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Length

from annotator.models import (
    Annotation,
    Document,
    GoldAnnotation,
    Project,
    ProjectDocument,
    Sentence,
)
from annotator.sentence_labels import coverage_by_sentence, merge_intervals, sentence_labels

Z95 = 1.959963984540054
GOLD = "gold"
NEUTRAL_LABEL = "fact"  # passages of every other label are listed as the strongest findings

Span = tuple[int, int, int]  # start, end, label id


def wilson_interval(p: float, n: float, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval of a proportion ``p`` observed over ``n`` items."""
    if n <= 0:
        return None
    if not 0 <= p <= 1:
        raise ValueError("A proportion lies between 0 and 1.")
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class LabelInfo:
    id: int
    name: str
    title: str
    color: str


@dataclass(frozen=True)
class Share:
    label: LabelInfo
    value: float
    low: float | None
    high: float | None
    n: int  # distinct sentences the share rests on
    x: float = 0.0  # where its bar segment starts, in percent of the bar


@dataclass(frozen=True)
class Passage:
    label: LabelInfo
    document_id: int
    sentence: int
    start: int
    end: int
    votes: int
    coders: int
    gold: bool
    quote: str = ""

    @property
    def strength(self) -> float:
        return self.votes / self.coders


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


def shares(counter: Counter, labels: Sequence[LabelInfo], n: int) -> list[Share]:
    """Each label's share of ``counter``'s total, with its interval, laid out as a bar."""
    total = sum(counter[label.id] for label in labels)
    result, x = [], 0.0
    for label in labels:
        value = counter[label.id] / total if total else 0.0
        interval = wilson_interval(value, n) if total else None
        low, high = interval if interval else (None, None)
        result.append(Share(label, value, low, high, n, x=round(x * 100, 3)))
        x += value
    return result


@dataclass
class Profile:
    key: Hashable
    name: str
    tally: Tally
    by_chars: list[Share]
    by_sentences: list[Share]
    basis: str

    @property
    def documents(self) -> int:
        return len(self.tally.documents)

    @property
    def annotated_documents(self) -> int:
        return len(self.tally.annotated_documents)

    @property
    def coverage(self) -> float:
        return self.tally.covered_chars / self.tally.text_chars if self.tally.text_chars else 0.0


def basis_of(tally: Tally, annotator: str | None = None) -> str:
    if annotator:
        return f"{annotator}'s labels"
    annotated, gold = len(tally.annotated_documents), len(tally.gold_documents)
    if not annotated:
        return "no labels yet"
    if gold == annotated:
        return "gold"
    if not gold:
        return "all annotators"
    return f"gold for {gold} of {annotated} documents, all annotators for the rest"


def make_profile(
    key: Hashable, name: str, tally: Tally, labels: Sequence[LabelInfo], annotator: str | None
) -> Profile:
    return Profile(
        key=key,
        name=name,
        tally=tally,
        by_chars=shares(tally.chars, labels, tally.touched_sentences),
        by_sentences=shares(tally.votes, labels, tally.labelled_sentences),
        basis=basis_of(tally, annotator),
    )


# --- reading from the database -------------------------------------------------------


@dataclass(frozen=True)
class ProfileFilter:
    project: Project
    date_from: date | None = None
    date_to: date | None = None
    annotator_id: int | None = None
    annotator_name: str | None = None
    source_id: int | None = None


@dataclass
class ProfileData:
    """What the profile pages read, fetched in a fixed number of queries."""

    labels: list[LabelInfo]
    documents: dict[int, tuple[int, str, str, int]]  # id -> source id, source, title, length
    sentences: dict[int, list[tuple[int, int]]]
    gold: dict[int, list[Span]]
    annotations: dict[int, dict[int, list[Span]]]  # document -> annotator -> spans

    @property
    def label_order(self) -> list[int]:
        return [label.id for label in self.labels]


def project_labels(project: Project) -> list[LabelInfo]:
    return [
        LabelInfo(*row)
        for row in project.labels.order_by("order", "name").values_list(
            "id", "name", "title", "color"
        )
    ]


def load(f: ProfileFilter, *, all_annotators: bool = False) -> ProfileData:
    """Documents in scope, their sentences and spans.

    Annotators' spans are read for documents without gold only, unless one annotator is
    chosen or ``all_annotators`` (the per-annotator breakdown) asks for every one.
    """
    scope = ProjectDocument.objects.filter(project=f.project)
    if f.date_from:
        scope = scope.filter(document__published_on__gte=f.date_from)
    if f.date_to:
        scope = scope.filter(document__published_on__lte=f.date_to)
    if f.source_id:
        scope = scope.filter(document__source_id=f.source_id)
    in_scope = scope.values("document_id")
    documents = {
        row[0]: row[1:]
        for row in scope.annotate(length=Length("document__text")).values_list(
            "document_id",
            "document__source_id",
            "document__source__name",
            "document__title",
            "length",
        )
    }
    gold_spans = GoldAnnotation.objects.filter(project=f.project, document_id__in=in_scope)
    annotations = Annotation.objects.filter(project=f.project, document_id__in=in_scope)
    use_gold = f.annotator_id is None
    if f.annotator_id is not None:
        annotations = annotations.filter(annotator_id=f.annotator_id)
    elif not all_annotators:
        annotations = annotations.exclude(
            Exists(
                GoldAnnotation.objects.filter(
                    project=f.project, document_id=OuterRef("document_id")
                )
            )
        )
    gold: dict[int, list[Span]] = defaultdict(list)
    if use_gold:
        for doc_id, label_id, start, end in gold_spans.values_list(
            "document_id", "label_id", "start", "end"
        ):
            gold[doc_id].append((start, end, label_id))
    by_doc: dict[int, dict[int, list[Span]]] = defaultdict(lambda: defaultdict(list))
    for doc_id, annotator_id, label_id, start, end in annotations.values_list(
        "document_id", "annotator_id", "label_id", "start", "end"
    ):
        by_doc[doc_id][annotator_id].append((start, end, label_id))
    labelled = Q(document_id__in=annotations.values("document_id"))
    if use_gold:
        labelled |= Q(document_id__in=gold_spans.values("document_id"))
    sentences: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for doc_id, start, end in (
        Sentence.objects.filter(labelled)
        .order_by("document_id", "index")
        .values_list("document_id", "start", "end")
    ):
        sentences[doc_id].append((start, end))
    return ProfileData(project_labels(f.project), documents, sentences, gold, by_doc)


def _basis_spans(data: ProfileData, doc_id: int) -> tuple[dict[Hashable, list[Span]], bool]:
    if data.gold.get(doc_id):
        return {GOLD: data.gold[doc_id]}, True
    return dict(data.annotations.get(doc_id, {})), False


def source_profiles(f: ProfileFilter, data: ProfileData | None = None) -> list[Profile]:
    """One profile per source with documents in scope, by source name."""
    data = data or load(f)
    tallies: dict[int, Tally] = defaultdict(Tally)
    names: dict[int, str] = {}
    for doc_id, (source_id, source_name, _, length) in data.documents.items():
        names[source_id] = source_name
        tally = tallies[source_id]
        tally.add_text(doc_id, length)
        spans, gold = _basis_spans(data, doc_id)
        tally.add_labels(doc_id, data.sentences.get(doc_id, []), spans, data.label_order, gold=gold)
    return sorted(
        (
            make_profile(source_id, names[source_id], tally, data.labels, f.annotator_name)
            for source_id, tally in tallies.items()
        ),
        key=lambda profile: (profile.name.lower(), profile.key),
    )


@dataclass
class SourceDetail:
    profile: Profile | None
    documents: list[Profile]
    annotators: list[Profile]
    passages: dict[str, list[Passage]]  # label title -> strongest passages


def source_detail(f: ProfileFilter, *, passages_per_label: int = 5) -> SourceDetail:
    """A source's profile, per document, per annotator, and its strongest passages."""
    data = load(f, all_annotators=True)
    total = Tally()
    per_document: dict[int, Tally] = {}
    per_annotator: dict[int, Tally] = defaultdict(Tally)
    candidates: list[Passage] = []
    labels = {label.id: label for label in data.labels}
    for doc_id, (_, _, _, length) in data.documents.items():
        sentences = data.sentences.get(doc_id, [])
        total.add_text(doc_id, length)
        tally = per_document[doc_id] = Tally()
        tally.add_text(doc_id, length)
        spans, gold = _basis_spans(data, doc_id)
        total.add_labels(doc_id, sentences, spans, data.label_order, gold=gold)
        rows = tally.add_labels(doc_id, sentences, spans, data.label_order, gold=gold)
        for index, votes, coders in rows:
            for label_id, count in votes.items():
                if labels[label_id].name != NEUTRAL_LABEL:
                    start, end = sentences[index]
                    candidates.append(
                        Passage(labels[label_id], doc_id, index, start, end, count, coders, gold)
                    )
        for annotator_id, own in data.annotations.get(doc_id, {}).items():
            per_annotator[annotator_id].add_text(doc_id, length)
            per_annotator[annotator_id].add_labels(
                doc_id, sentences, {annotator_id: own}, data.label_order, gold=False
            )
    profile = None
    if data.documents:
        source_name = next(iter(data.documents.values()))[1]
        profile = make_profile(f.source_id, source_name, total, data.labels, f.annotator_name)
    documents = [
        make_profile(
            doc_id, data.documents[doc_id][2] or f"Document {doc_id}", t, data.labels, None
        )
        for doc_id, t in per_document.items()
    ]
    documents.sort(key=lambda p: (p.name.lower(), p.key))
    return SourceDetail(
        profile=profile,
        documents=documents,
        annotators=_annotator_profiles(per_annotator, data.labels),
        passages=_strongest(candidates, data.labels, passages_per_label),
    )


def _annotator_profiles(per_annotator: dict[int, Tally], labels: list[LabelInfo]) -> list[Profile]:
    names = dict(
        get_user_model().objects.filter(id__in=list(per_annotator)).values_list("id", "username")
    )
    profiles = [
        make_profile(uid, names[uid], tally, labels, names[uid])
        for uid, tally in per_annotator.items()
    ]
    return sorted(profiles, key=lambda p: p.name)


def _strongest(
    candidates: list[Passage], labels: list[LabelInfo], limit: int
) -> dict[str, list[Passage]]:
    """Per non-neutral label: passages most annotators agree on (gold first), longest first."""
    by_label: dict[int, list[Passage]] = defaultdict(list)
    for passage in candidates:
        by_label[passage.label.id].append(passage)
    result = {}
    for label in labels:
        if label.name == NEUTRAL_LABEL:
            continue
        ranked = sorted(
            by_label[label.id],
            key=lambda p: (not p.gold, -p.strength, -p.votes, -(p.end - p.start), p.document_id),
        )
        result[label.title] = ranked[:limit]
    return _with_quotes(result)


def _with_quotes(passages: dict[str, list[Passage]]) -> dict[str, list[Passage]]:
    ids = {p.document_id for chosen in passages.values() for p in chosen}
    texts = dict(Document.objects.filter(id__in=ids).values_list("id", "text")) if ids else {}
    return {
        title: [replace(p, quote=texts[p.document_id][p.start : p.end]) for p in chosen]
        for title, chosen in passages.items()
    }
