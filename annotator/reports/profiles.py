"""Source profiles: how much of a source's text is fact, opinion or speculation.

Two readings of the same labels are given side by side:

- *by annotated characters*: characters under each label's spans over all labelled
  characters (overlapping spans of one label by one coder count once);
- *by sentences*: each sentence gets the label covering more than half of it
  (``annotator.stats.sentence_labels``); shares are over sentences that got a label.

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

from django.core.cache import cache
from django.db import models
from django.db.models import Count, F, FloatField, Max, Q, QuerySet, Sum
from django.db.models.functions import Cast

from annotator.models import (
    Document,
    DocumentTally,
    PassageVote,
    Project,
    ProjectDocument,
    Source,
)
from annotator.stats.sentence_labels import coverage_by_sentence, merge_intervals, sentence_labels

Z95 = 1.959963984540054
GOLD = "gold"

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
    neutral: bool = False  # its passages are not listed as strongest findings


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
class Counts:
    """The numbers a profile shows, summed from per-document tallies."""

    documents: int = 0
    annotated_documents: int = 0
    gold_documents: int = 0
    text_chars: int = 0
    covered_chars: int = 0
    labelled_sentences: int = 0
    touched_sentences: int = 0
    chars: Counter = field(default_factory=Counter)
    votes: Counter = field(default_factory=Counter)

    @classmethod
    def of(cls, tally: Tally) -> Counts:
        return cls(
            documents=len(tally.documents),
            annotated_documents=len(tally.annotated_documents),
            gold_documents=len(tally.gold_documents),
            text_chars=tally.text_chars,
            covered_chars=tally.covered_chars,
            labelled_sentences=tally.labelled_sentences,
            touched_sentences=tally.touched_sentences,
            chars=tally.chars,
            votes=tally.votes,
        )

    def add(self, label_id: int | None, gold: bool, row: Sequence[int]) -> None:
        """Add a DocumentTally sum: (characters, sentences, touched sentences, rows)."""
        chars, sentences, touched, rows = row
        if label_id is None:
            self.annotated_documents += rows
            self.gold_documents += rows if gold else 0
            self.covered_chars += chars
            self.labelled_sentences += sentences
            self.touched_sentences += touched
        else:
            self.chars[label_id] += chars
            self.votes[label_id] += sentences


@dataclass
class Profile:
    key: Hashable
    name: str
    counts: Counts
    by_chars: list[Share]
    by_sentences: list[Share]
    basis: str

    @property
    def documents(self) -> int:
        return self.counts.documents

    @property
    def annotated_documents(self) -> int:
        return self.counts.annotated_documents

    @property
    def coverage(self) -> float:
        counts = self.counts
        return counts.covered_chars / counts.text_chars if counts.text_chars else 0.0


def _share_json(share: Share) -> dict:
    return {
        "label": share.label.name,
        "share": share.value,
        "low": share.low,
        "high": share.high,
        "n": share.n,
    }


def profile_json(profile: Profile) -> dict:
    """A profile's figures as JSON: what its chart and table on the Sources page show."""
    counts = profile.counts
    return {
        "id": profile.key,
        "name": profile.name,
        "documents": counts.documents,
        "annotated_documents": counts.annotated_documents,
        "gold_documents": counts.gold_documents,
        "text_chars": counts.text_chars,
        "covered_chars": counts.covered_chars,
        "coverage": profile.coverage,
        "labelled_sentences": counts.labelled_sentences,
        "basis": profile.basis,
        "by_sentences": [_share_json(share) for share in profile.by_sentences],
        "by_characters": [_share_json(share) for share in profile.by_chars],
    }


def basis_of(tally: Tally | Counts, annotator: str | None = None) -> str:
    if annotator:
        return f"{annotator}'s labels"
    counts = Counts.of(tally) if isinstance(tally, Tally) else tally
    annotated, gold = counts.annotated_documents, counts.gold_documents
    if not annotated:
        return "no labels yet"
    if gold == annotated:
        return "gold"
    if not gold:
        return "all annotators"
    return f"gold for {gold} of {annotated} documents, all annotators for the rest"


def make_profile(
    key: Hashable, name: str, counts: Counts, labels: Sequence[LabelInfo], annotator: str | None
) -> Profile:
    return Profile(
        key=key,
        name=name,
        counts=counts,
        by_chars=shares(counts.chars, labels, counts.touched_sentences),
        by_sentences=shares(counts.votes, labels, counts.labelled_sentences),
        basis=basis_of(counts, annotator),
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


def label_infos(project: Project) -> list[LabelInfo]:
    """The project's labels in display order, as the profiles show them."""
    rows = project.labels.in_display_order().values_list("id", "name", "title", "color", "neutral")
    return [LabelInfo(*row) for row in rows]


def _scope(f: ProfileFilter) -> QuerySet[ProjectDocument]:
    """The project's documents in the filter's date range (and source)."""
    return _filtered(f, ProjectDocument.objects.filter(project=f.project))


def _filtered[M: models.Model](f: ProfileFilter, rows: QuerySet[M]) -> QuerySet[M]:
    """``rows`` in the filter's date range and source (their stored copies of both)."""
    if f.date_from:
        rows = rows.filter(published_on__gte=f.date_from)
    if f.date_to:
        rows = rows.filter(published_on__lte=f.date_to)
    if f.source_id:
        rows = rows.filter(source_id=f.source_id)
    return rows.order_by()


def _in_scope[M: models.Model](
    f: ProfileFilter, rows: QuerySet[M], *, each_annotator: bool = False
) -> QuerySet[M]:
    """Tally rows (DocumentTally, PassageVote) of the filter's documents and coders.

    The coders: the chosen annotator; else each annotator apart (``each_annotator``);
    else the preferred basis (gold where a document has it, else all annotators).
    """
    # An annotator's own rows are never the preferred ones: saying so lets the indexes
    # (project, preferred, source, ...) serve every case.
    rows = rows.filter(project=f.project)
    if f.annotator_id is not None:
        rows = rows.filter(preferred=False, annotator_id=f.annotator_id)
    elif each_annotator:
        rows = rows.filter(preferred=False, annotator__isnull=False)
    else:
        rows = rows.filter(preferred=True)
    return _filtered(f, rows)


SUMS = {
    "sum_chars": Sum("chars"),
    "sum_sentences": Sum("sentences"),
    "sum_touched": Sum("touched"),
    "rows": Count("id"),
}


def _fresh(project: Project) -> tuple[int, ...]:
    """Recount the project's stale documents; returns the version of its stored tallies.

    The version changes whenever a document's tallies do (every recount follows a bump
    of ``labels_version``), or a document joins or leaves the project.
    """
    from annotator.reports.tallies import tallies_refresh  # it builds on this module's Tally

    stale = ~Q(profiled_version=F("labels_version"))
    for _ in range(2):
        version = ProjectDocument.objects.filter(project=project).aggregate(
            stale=Count("id", filter=stale),
            items=Count("id"),
            labels=Sum("labels_version", default=0),
            documents=Sum("document_id", default=0),
            last=Max("id", default=0),
        )
        if not version.pop("stale") or not tallies_refresh(project):
            break
    return (project.pk, project.created_at.timestamp(), *version.values())


CACHE_SECONDS = 24 * 3600


def _source_counts(f: ProfileFilter) -> dict[int, Counts]:
    """Per source in scope: its documents' counts (cached per version of the tallies)."""
    version = _fresh(f.project)
    key = ":".join(map(str, ("source-counts", *version, f.date_from, f.date_to, f.annotator_id)))
    counts: dict[int, Counts] | None = cache.get(key)
    if counts is not None:
        return counts
    counts = defaultdict(Counts)
    for source_id, documents, text in (
        _scope(f).values_list("source_id").annotate(documents=Count("id"), text=Sum("text_length"))
    ):
        counts[source_id].documents = documents
        counts[source_id].text_chars = text
    # Grouped in the order of the index tally_source (annotator is one value per query).
    for source_id, _, label_id, gold, *row in (
        _in_scope(f, DocumentTally.objects)
        .values_list("source_id", "annotator_id", "label_id", "gold")
        .annotate(**SUMS)
    ):
        if source_id in counts:
            counts[source_id].add(label_id, gold, row)
    counts = dict(counts)
    cache.set(key, counts, CACHE_SECONDS)
    return counts


def source_profiles(f: ProfileFilter, labels: list[LabelInfo] | None = None) -> list[Profile]:
    """One profile per source with documents in scope, by source name."""
    counts = _source_counts(f)
    names = dict(
        Source.objects.filter(id__in=_scope(f).values("source_id")).values_list("id", "name")
    )
    labels = label_infos(f.project) if labels is None else labels
    return sorted(
        (
            make_profile(
                source_id,
                names[source_id],
                counts.get(source_id, Counts()),
                labels,
                f.annotator_name,
            )
            for source_id in names
        ),
        key=lambda profile: (profile.name.lower(), profile.key),
    )


def source_documents(
    f: ProfileFilter, source_ids: Iterable[int], *, limit: int
) -> dict[int, list[tuple[int, str]]]:
    """Per source, its first ``limit`` documents in scope (id, title), by id.

    One query: each source's first documents are read off the index item_source, and
    only those rows are looked up (no sort of the whole project's documents).
    """
    scope = _scope(f)
    firsts = Q(pk__in=[])
    for source_id in source_ids:
        first = scope.filter(source_id=source_id).order_by("document_id").values("pk")[:limit]
        firsts |= Q(pk__in=first)
    rows = (
        ProjectDocument.objects.filter(firsts)
        .values_list("source_id", "document_id", "document__title")
        .order_by("document_id")
    )
    result: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for source_id, doc_id, title in rows:
        result[source_id].append((doc_id, title))
    return result


@dataclass
class SourceDetail:
    profile: Profile | None
    documents: list[Profile]
    annotators: list[Profile]
    passages: dict[str, list[Passage]]  # label title -> strongest passages


def source_detail(f: ProfileFilter, *, passages_per_label: int = 5) -> SourceDetail:
    """A source's profile, per document, per annotator, and its strongest passages."""
    _fresh(f.project)
    labels = label_infos(f.project)
    total = Counts()
    per_document: dict[int, Counts] = {}
    titles: dict[int, str] = {}
    names = set()
    for doc_id, title, length, source_name in _scope(f).values_list(
        "document_id", "document__title", "text_length", "source__name"
    ):
        names.add(source_name)
        per_document[doc_id] = Counts(documents=1, text_chars=length)
        titles[doc_id] = title or f"Document {doc_id}"
        total.documents += 1
        total.text_chars += length
    for doc_id, label_id, gold, *row in _in_scope(f, DocumentTally.objects).values_list(
        "item__document_id", "label_id", "gold", "chars", "sentences", "touched"
    ):
        per_document[doc_id].add(label_id, gold, [*row, 1])
        total.add(label_id, gold, [*row, 1])
    profile = None
    if per_document:
        profile = make_profile(f.source_id, names.pop(), total, labels, f.annotator_name)
    documents = [
        make_profile(doc_id, titles[doc_id], counts, labels, None)
        for doc_id, counts in per_document.items()
    ]
    documents.sort(key=lambda p: (p.name.lower(), p.key))
    return SourceDetail(
        profile=profile,
        documents=documents,
        annotators=_annotator_profiles(f, labels),
        passages=_strongest(f, labels, passages_per_label),
    )


def _annotator_profiles(f: ProfileFilter, labels: list[LabelInfo]) -> list[Profile]:
    """Each annotator's own labels over the documents they labelled."""
    rows = _in_scope(f, DocumentTally.objects, each_annotator=True)
    counts: dict[int, Counts] = defaultdict(Counts)
    names: dict[int, str] = {}
    for annotator_id, name, label_id, text, *row in rows.values_list(
        "annotator_id", "annotator__username", "label_id"
    ).annotate(text=Sum("item__text_length"), **SUMS):
        names[annotator_id] = name
        counts[annotator_id].add(label_id, False, row)
        if label_id is None:
            counts[annotator_id].documents = row[-1]
            counts[annotator_id].text_chars = text
    return sorted(
        (make_profile(uid, names[uid], counts[uid], labels, names[uid]) for uid in names),
        key=lambda p: p.name,
    )


def _strongest(f: ProfileFilter, labels: list[LabelInfo], limit: int) -> dict[str, list[Passage]]:
    """Per non-neutral label: passages most annotators agree on (gold first), longest first."""
    strength = Cast("votes", FloatField()) / F("coders")
    result = {}
    for label in labels:
        if label.neutral:
            continue
        rows = (
            _in_scope(f, PassageVote.objects)
            .filter(label_id=label.id)
            .order_by(
                "-gold",
                (-strength).asc(),
                "-votes",
                (F("start") - F("end")).asc(),
                "item__document_id",
                "sentence",
            )
            .values_list("item__document_id", "sentence", "start", "end", "votes", "coders", "gold")
        )
        result[label.title] = [Passage(label, *row) for row in rows[:limit]]
    return _with_quotes(result)


def _with_quotes(passages: dict[str, list[Passage]]) -> dict[str, list[Passage]]:
    ids = {p.document_id for chosen in passages.values() for p in chosen}
    texts = dict(Document.objects.filter(id__in=ids).values_list("id", "text")) if ids else {}
    return {
        title: [replace(p, quote=texts[p.document_id][p.start : p.end]) for p in chosen]
        for title, chosen in passages.items()
    }


def profiles_json(f: ProfileFilter) -> dict:
    """Every source's profile in scope as JSON (the figures of the Sources page)."""
    labels = label_infos(f.project)
    return {
        "project": f.project.slug,
        "filters": {
            "date_from": f.date_from.isoformat() if f.date_from else None,
            "date_to": f.date_to.isoformat() if f.date_to else None,
            "annotator": f.annotator_name,
        },
        "labels": [label.name for label in labels],
        "sources": [profile_json(profile) for profile in source_profiles(f, labels)],
    }
