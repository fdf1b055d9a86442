"""``search``: the project's documents (text, title, source) and annotations (quote, note,
label, annotator) matching a query, as the viewer may see them.

Blindness holds here as everywhere: an annotator finds only their own annotations (on the
documents they may open); reviewers and managers find everyone's only when the project
shows all annotations (``access.can_see_everyone``).

The text is matched by the database's full-text index: PostgreSQL's ``russian``
configuration (stems, GIN indexes of migration 0008), or SQLite's FTS5 tables kept by
triggers, queried with word prefixes (a crude stem: FTS5 has no Russian stemmer). Source
names, label names and user names are short lists, matched by substring. Where the passage
lies is found in Python (``passage``), the same way on both databases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from annotator.access import assignment_condition, can_see_everyone, visible_documents
from annotator.models import Annotation, Document, Label, Membership, Project, Source

KINDS = ("documents", "annotations")
PAGE_SIZE = 20
CONTEXT = 80  # characters shown either side of a match
QUERY_MAX = 200
WORD = re.compile(r"\w+", re.UNICODE)
QUEUE_ORDER = ("source__name", "published_on", "id")


@dataclass
class Hit:
    """One result: a document at its first matching passage, or an annotation."""

    document_id: int
    title: str
    source: str
    offset: int  # where the passage starts (code points)
    line: int  # the document page's line holding it (its ``#line-N`` anchor)
    before: str
    match: str
    after: str
    annotation_id: int | None = None
    label: str = ""
    annotator: str = ""
    note: str = ""


@dataclass
class Results:
    query: str
    kind: str
    page: Page | None  # of Hits; None for an empty query
    counts: dict[str, int]  # kind -> number of results


def words(query: str) -> list[str]:
    """The query's words, lower-cased, at most ten."""
    return [w.lower() for w in WORD.findall(query[:QUERY_MAX])][:10]


def stem(word: str) -> str:
    """A prefix standing for the word's forms: long words lose up to two final letters
    (визита, визитом → визит), which covers most Russian endings."""
    return word[: max(4, len(word) - 2)] if len(word) > 5 else word


def passage_pattern(terms: list[str]) -> re.Pattern:
    """Finds any of the terms' forms (a word starting with its stem) in a text."""
    alternatives = "|".join(re.escape(stem(t)) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\w*", re.IGNORECASE)


def passage(text: str, pattern: re.Pattern, start: int = 0) -> tuple[int, str, str, str]:
    """The first match at or after ``start`` (else ``start``) with its surroundings:
    (offset, before, match, after), the surroundings cut to ``CONTEXT`` characters."""
    found = pattern.search(text, start)
    begin, end = (found.start(), found.end()) if found else (start, start)
    before = text[max(0, begin - CONTEXT) : begin]
    after = text[end : end + CONTEXT]
    return (
        begin,
        ("…" if begin > CONTEXT else "") + before,
        text[begin:end],
        after + ("…" if end + CONTEXT < len(text) else ""),
    )


def _fts_query(terms: list[str]) -> str:
    """An FTS5 query: every term's prefix, all required (quoted, so no FTS5 syntax leaks)."""
    return " ".join(f'"{stem(t)}"*' for t in terms)


def _tsquery(terms: list[str]) -> str:
    """A PostgreSQL tsquery: every term's stem as a prefix. Snowball stems a bare word
    shorter than its inflected forms (визит → виз, визитом → визит), so a stem alone would
    miss them. The terms are ``\\w+`` words: no tsquery syntax gets through."""
    return " & ".join(f"{term}:*" for term in terms)


def _text_match(model, columns: tuple[str, str], terms: list[str]) -> Q:
    """Rows of ``model`` whose ``columns`` hold every term (in any form), through the
    full-text index. Only the words count, on both databases: no query syntax."""
    if connection.vendor == "postgresql":
        # The vector is the GIN index's expression (migration 0010), so the index serves it.
        matching = model.objects.annotate(search=SearchVector(*columns, config="russian")).filter(
            search=SearchQuery(_tsquery(terms), config="russian", search_type="raw")
        )
        return Q(pk__in=matching.values("pk"))
    fts = f"{model._meta.db_table}_fts"
    return Q(pk__in=RawSQL(f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s", [_fts_query(terms)]))


def _named(rows, terms: list[str]) -> list[int]:
    """Ids of the ``(id, name, ...)`` rows with a name holding every term, in any case.

    Matched in Python: SQLite's LIKE folds the case of ASCII letters only, and these lists
    (sources, a project's labels and members) are short."""
    return [
        row[0]
        for row in rows
        if any(all(term in (name or "").casefold() for term in terms) for name in row[1:])
    ]


def _documents(project: Project, membership: Membership, terms: list[str]) -> QuerySet:
    sources = _named(Source.objects.values_list("id", "name"), terms)
    return (
        visible_documents(project, membership)
        .filter(_text_match(Document, ("title", "text"), terms) | Q(source__in=sources))
        .order_by(*QUEUE_ORDER)
    )


def _annotations(project: Project, membership: Membership, terms: list[str]) -> QuerySet:
    annotations = Annotation.objects.filter(project=project)
    # The assignments rule on each annotation's document (not ``document IN (visible)``:
    # SQLite would then probe every document × every matching id).
    assigned = assignment_condition(project, membership, OuterRef("document_id"))
    if assigned is not None:
        annotations = annotations.filter(assigned)
    everyone = can_see_everyone(project, membership)
    if not everyone:
        annotations = annotations.filter(annotator_id=membership.user_id)
    labels = _named(Label.objects.filter(project=project).values_list("id", "name", "title"), terms)
    matches = _text_match(Annotation, ("quote", "note"), terms) | Q(label__in=labels)
    if everyone:
        members = Membership.objects.filter(project=project).values_list(
            "user_id", "user__username"
        )
        matches |= Q(annotator__in=_named(members, terms))
    return annotations.filter(matches).order_by("document_id", "start", "id")


def _document_hits(ids: list[int], pattern: re.Pattern) -> list[Hit]:
    rows = {
        row[0]: row
        for row in Document.objects.filter(pk__in=ids).values_list(
            "id", "title", "source__name", "text"
        )
    }
    hits = []
    for pk in ids:
        _, title, source, text = rows[pk]
        offset, before, match, after = passage(text, pattern)
        hits.append(
            Hit(pk, title, source, offset, text.count("\n", 0, offset), before, match, after)
        )
    return hits


def _annotation_hits(ids: list[int]) -> list[Hit]:
    rows = {
        row[0]: row
        for row in Annotation.objects.filter(pk__in=ids).values_list(
            "id",
            "document_id",
            "document__title",
            "document__source__name",
            "document__text",
            "start",
            "end",
            "label__title",
            "annotator__username",
            "note",
        )
    }
    hits = []
    for pk in ids:
        _, document_id, title, source, text, start, end, label, annotator, note = rows[pk]
        hits.append(
            Hit(
                document_id,
                title,
                source,
                start,
                text.count("\n", 0, start),
                ("…" if start > CONTEXT else "") + text[max(0, start - CONTEXT) : start],
                text[start:end],
                text[end : end + CONTEXT] + ("…" if end + CONTEXT < len(text) else ""),
                annotation_id=pk,
                label=label,
                annotator=annotator,
                note=note,
            )
        )
    return hits


def search(
    project: Project,
    viewer: Membership,
    query: str,
    *,
    kind: str = "documents",
    page: int | str | None = 1,
    per_page: int = PAGE_SIZE,
) -> Results:
    """The ``kind`` results (``KINDS``) for ``query`` that ``viewer`` (a membership of
    ``project``) may see, one page of them, and how many there are of each kind.

    A fixed number of queries: two counts, the page's ids, and the page's rows.
    """
    kind = kind if kind in KINDS else KINDS[0]
    terms = words(query)
    if not terms:
        return Results(query=query, kind=kind, page=None, counts=dict.fromkeys(KINDS, 0))
    found = {
        "documents": _documents(project, viewer, terms),
        "annotations": _annotations(project, viewer, terms),
    }
    counts = {name: rows.count() for name, rows in found.items()}
    paginator = Paginator(found[kind].values_list("pk", flat=True), per_page)
    paginator.count = counts[kind]
    result_page = paginator.get_page(page)
    ids = list(result_page.object_list)
    if kind == "documents":
        result_page.object_list = _document_hits(ids, passage_pattern(terms))
    else:
        result_page.object_list = _annotation_hits(ids)
    return Results(query=query, kind=kind, page=result_page, counts=counts)
