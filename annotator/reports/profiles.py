"""Source profiles read from the stored tallies: how much of a source's text is fact,
opinion or speculation, per source, per document, per month and per annotator.

A document's labels come from its gold annotations when it has any, otherwise from its
annotators' majority (``annotator.stats.consensus``): each document counts once, however
many analysts read it. Filtering by one annotator shows only that annotator's own labels.
The shares and their intervals (a cluster bootstrap over documents) are made in
``annotator.reports.shares``; here the per-document tally rows are read, in one query per
page section, and each source's figures are cached until its documents' labels change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
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
    Story,
)
from annotator.reports.shares import (
    Counts,
    Evidence,
    LabelInfo,
    Profile,
    make_profile,
)
from annotator.reports.tallies import tallies_refresh

# The numbers of a DocumentTally row, in the order ``Counts.add`` takes them.
ROW = ("chars", "sentences", "touched", "tied", "tied_chars")


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


@dataclass(frozen=True)
class ProfileFilter:
    project: Project
    date_from: date | None = None
    date_to: date | None = None
    annotator_id: int | None = None
    annotator_name: str | None = None
    source_id: int | None = None
    story_id: int | None = None


def label_infos(project: Project) -> list[LabelInfo]:
    """The project's labels in display order, as the profiles show them."""
    rows = project.labels.in_display_order().values_list("id", "name", "title", "color", "neutral")
    return [LabelInfo(*row) for row in rows]


def _scope(f: ProfileFilter) -> QuerySet[ProjectDocument]:
    """The project's documents in the filter's date range, source and story."""
    return _filtered(f, ProjectDocument.objects.filter(project=f.project), "document_id")


def documents_in_scope(f: ProfileFilter) -> QuerySet[ProjectDocument]:
    """The project's documents the filter chooses (what every report on sources reads)."""
    return _scope(f)


def _filtered[M: models.Model](f: ProfileFilter, rows: QuerySet[M], document: str) -> QuerySet[M]:
    """``rows`` in the filter's date range and source (their stored copies of both) and
    story (``document`` names the rows' document id)."""
    if f.date_from:
        rows = rows.filter(published_on__gte=f.date_from)
    if f.date_to:
        rows = rows.filter(published_on__lte=f.date_to)
    if f.source_id:
        rows = rows.filter(source_id=f.source_id)
    if f.story_id:
        story = Story.documents.through.objects.filter(story_id=f.story_id)
        rows = rows.filter(**{f"{document}__in": story.values("document_id")})
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
    return _filtered(f, rows, "item__document_id")


@dataclass(frozen=True)
class SourceRow:
    """A source in scope: its name, documents and text, and the version of their tallies."""

    id: int
    name: str
    documents: int
    text_chars: int
    version: tuple[int, ...]
    fresh: bool  # every document's tallies counted (one may have changed since the recount)


def sources_in_scope(f: ProfileFilter) -> dict[int, SourceRow]:
    """Per source in scope, its row; the project's stale tallies are recounted first.

    Stale documents are looked for in the whole project: a document's stored date and
    source, which the scope filters on, are refreshed by the recount too. A source's
    version changes whenever one of its documents' tallies does (every recount follows a
    bump of ``labels_version``), or a document joins or leaves it.
    """
    tallies_refresh(f.project)
    rows = (
        _scope(f)
        .values_list("source_id")
        .annotate(
            name=Max("source__name"),
            documents=Count("id"),
            text=Sum("text_length"),
            labels=Sum("labels_version"),
            ids=Sum("document_id"),
            last=Max("id"),
            stale=Count("id", filter=~Q(profiled_version=F("labels_version"))),
        )
    )
    return {
        source_id: SourceRow(
            source_id, name, documents, text, (documents, labels, ids, last), fresh=not stale
        )
        for source_id, name, documents, text, labels, ids, last, stale in rows
    }


CACHE_SECONDS = 24 * 3600


def source_cache_key(f: ProfileFilter, source: SourceRow, kind: str = "source-profile") -> str:
    """The cache key of a source's figures of ``kind`` under the filter: it changes with
    the source's version (``sources_in_scope``)."""
    parts = (f.project.pk, f.project.created_at.timestamp(), source.id, *source.version)
    chosen = (f.date_from, f.date_to, f.annotator_id, f.story_id)
    return ":".join(map(str, (kind, *parts, *chosen)))


def _source_counts(f: ProfileFilter, sources: dict[int, SourceRow]) -> dict[int, Counts]:
    """Each source's counts and intervals: cached per source until its tallies change."""
    keys = {source_id: source_cache_key(f, source) for source_id, source in sources.items()}
    cached = cache.get_many(keys.values())
    missing = [source_id for source_id, key in keys.items() if key not in cached]
    counts = {source_id: cached[key] for source_id, key in keys.items() if key in cached}
    if missing:
        rows = _in_scope(f, DocumentTally.objects.all())
        if len(missing) < len(sources):
            rows = rows.filter(source_id__in=missing)
        evidence: dict[int, Evidence] = {source_id: Evidence() for source_id in missing}
        # Streamed: cold, a project of a million spans has hundreds of thousands of rows.
        for source_id, item_id, label_id, gold, *row in rows.values_list(
            "source_id", "item_id", "label_id", "gold", *ROW
        ).iterator(chunk_size=5000):
            evidence[source_id].add(item_id, label_id, gold, row)
        fresh = {source_id: found.finish() for source_id, found in evidence.items()}
        cache.set_many(
            {keys[source_id]: c for source_id, c in fresh.items() if sources[source_id].fresh},
            CACHE_SECONDS,
        )
        counts |= fresh
    for source_id, source in sources.items():
        counts[source_id].documents = source.documents
        counts[source_id].text_chars = source.text_chars
    return counts


def source_profiles(
    f: ProfileFilter,
    labels: list[LabelInfo] | None = None,
    sources: dict[int, SourceRow] | None = None,
) -> list[Profile]:
    """One profile per source with documents in scope, by source name (``sources``:
    ``sources_in_scope(f)`` when the caller has it already)."""
    sources = sources_in_scope(f) if sources is None else sources
    counts = _source_counts(f, sources)
    labels = label_infos(f.project) if labels is None else labels
    return sorted(
        (
            make_profile(source.id, source.name, counts[source.id], labels, f.annotator_name)
            for source in sources.values()
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
    months: list[Profile]  # key: the month's first day; documents without a date left out
    undated: int  # documents in scope without a publication date
    annotators: list[Profile]
    passages: dict[str, list[Passage]]  # label title -> strongest passages


def source_detail(
    f: ProfileFilter,
    labels: list[LabelInfo] | None = None,
    *,
    passages_per_label: int = 5,
    sources: dict[int, SourceRow] | None = None,
) -> SourceDetail:
    """A source's profile, per document, per month, per annotator, and its strongest
    passages (``sources``: ``sources_in_scope(f)`` when the caller has it already)."""
    sources = sources_in_scope(f) if sources is None else sources
    labels = label_infos(f.project) if labels is None else labels
    whole = Evidence()
    per_document: dict[int, Evidence] = {}
    per_month: dict[date, Evidence] = defaultdict(Evidence)
    month_of: dict[int, date | None] = {}
    titles: dict[int, str] = {}
    for doc_id, title, length, published_on in _scope(f).values_list(
        "document_id", "document__title", "text_length", "published_on"
    ):
        per_document[doc_id] = Evidence()
        per_document[doc_id].counts.text_chars = length
        titles[doc_id] = title or f"Document {doc_id}"
        month_of[doc_id] = published_on.replace(day=1) if published_on else None
        if published_on:
            month = per_month[published_on.replace(day=1)].counts
            month.documents += 1
            month.text_chars += length
    for doc_id, label_id, gold, *row in _in_scope(f, DocumentTally.objects.all()).values_list(
        "item__document_id", "label_id", "gold", *ROW
    ):
        month_key = month_of[doc_id]
        in_month = per_month.get(month_key) if month_key is not None else None
        for evidence in (whole, per_document[doc_id], in_month):
            if evidence is not None:
                evidence.add(doc_id, label_id, gold, row)
    documents = []
    for doc_id, evidence in per_document.items():
        evidence.counts.documents = 1
        documents.append(make_profile(doc_id, titles[doc_id], evidence.finish(), labels, None))
    documents.sort(key=lambda p: (p.name.lower(), p.key))
    months = [
        make_profile(month, f"{month:%Y-%m}", per_month[month].finish(), labels, f.annotator_name)
        for month in sorted(per_month)
    ]
    profile = None
    if sources:
        (source,) = sources.values()
        counts = replace(whole.finish(), documents=source.documents, text_chars=source.text_chars)
        profile = make_profile(source.id, source.name, counts, labels, f.annotator_name)
    return SourceDetail(
        profile=profile,
        documents=documents,
        months=months,
        undated=sum(1 for month in month_of.values() if month is None),
        annotators=_annotator_profiles(f, labels),
        passages=_strongest(f, labels, passages_per_label),
    )


def _annotator_profiles(f: ProfileFilter, labels: list[LabelInfo]) -> list[Profile]:
    """Each annotator's own labels over the documents they labelled."""
    rows = _in_scope(f, DocumentTally.objects.all(), each_annotator=True)
    evidence: dict[int, Evidence] = defaultdict(Evidence)
    names: dict[int, str] = {}
    for annotator_id, name, item_id, length, label_id, *row in rows.values_list(
        "annotator_id", "annotator__username", "item_id", "item__text_length", "label_id", *ROW
    ):
        names[annotator_id] = name
        evidence[annotator_id].add(item_id, label_id, False, row)
        if label_id is None:
            evidence[annotator_id].counts.documents += 1
            evidence[annotator_id].counts.text_chars += length
    return sorted(
        (
            make_profile(uid, names[uid], evidence[uid].finish(), labels, names[uid])
            for uid in names
        ),
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
            _in_scope(f, PassageVote.objects.all())
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
