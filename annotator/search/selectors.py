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

Counts stop at ``COUNT_CAP`` (a tab then shows "1000+") and only the shown page's texts
are read: a common word is in most of a large project, and counting or ordering all of its
matches cost a second at 50,000 documents. On SQLite, when only the text can match, the
statements of ``annotator.search.fts`` read the index first and stop early.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, cast

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from annotator.access import assignment_condition, can_see_everyone, visible_documents
from annotator.models import Annotation, Document, Label, Membership, Project, Source
from annotator.search.fts import QueuePage, first_matches, match_expression

KINDS = ("documents", "annotations")
PAGE_SIZE = 20
CONTEXT = 80  # characters shown either side of a match
QUERY_MAX = 200
WORD = re.compile(r"\w+", re.UNICODE)
LETTER_OR_DIGIT = re.compile(r"[^\W_]")
QUEUE_ORDER = ("source__name", "published_on", "id")
ANNOTATION_ORDER = ("document_id", "start", "id")
COUNT_CAP = 1000  # matches counted; past it a tab shows "1000+"
# Past the counted matches pages are reached one Next at a time; a page number further
# than this is taken as this one (each page past the cap reads the matches before it).
PAGE_MAX = 1000


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
    counts: dict[str, int]  # kind -> number of results, at most COUNT_CAP + 1

    @property
    def shown_counts(self) -> dict[str, str]:
        """The counts as the tabs show them: "1000+" past the cap."""
        return {
            kind: f"{COUNT_CAP}+" if count > COUNT_CAP else str(count)
            for kind, count in self.counts.items()
        }

    @property
    def capped(self) -> bool:
        """The shown kind has more results than were counted: its last page is unknown."""
        return self.counts[self.kind] > COUNT_CAP


def words(query: str) -> list[str]:
    """The query's words, lower-cased, each once, at most ten. A "word" of underscores
    only is no word: the full-text indexes keep letters and digits only."""
    found = (w.lower() for w in WORD.findall(query[:QUERY_MAX]) if LETTER_OR_DIGIT.search(w))
    return list(dict.fromkeys(found))[:10]


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


def _tsquery(terms: list[str]) -> str:
    """A PostgreSQL tsquery: every term's stem as a prefix. Snowball stems a bare word
    shorter than its inflected forms (визит → виз, визитом → визит), so a stem alone would
    miss them. The terms are ``\\w+`` words: no tsquery syntax gets through."""
    return " & ".join(f"{term}:*" for term in terms)


@dataclass
class _Found:
    """One kind's matches as the viewer may see them."""

    rows: QuerySet  # the matches, in the kind's order
    visible: QuerySet  # what the viewer may see of the kind, whatever the words
    order: tuple[str, ...]
    # SQLite, when only the text can match (no source, label or member by name): the FTS5
    # table and its query, for the statements of annotator.search.fts.
    fts: str = ""
    expression: str = ""


def _text_match(model, columns: tuple[str, str], terms: list[str]) -> tuple[Q, str, str]:
    """Rows of ``model`` whose ``columns`` hold every term (in any form), through the
    full-text index, with the SQLite FTS5 table and query ("" on PostgreSQL or when
    nothing can match). Only the words count, on both databases: no query syntax."""
    if connection.vendor == "postgresql":
        # The vector is the GIN index's expression (migration 0010), so the index serves it.
        matching = model.objects.annotate(search=SearchVector(*columns, config="russian")).filter(
            search=SearchQuery(_tsquery(terms), config="russian", search_type="raw")
        )
        return Q(pk__in=matching.values("pk")), "", ""
    fts = f"{model._meta.db_table}_fts"
    expression = match_expression(fts, [stem(t) for t in terms])
    if expression is None:
        return Q(pk__in=[]), "", ""
    query = RawSQL(f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s", [expression])
    return Q(pk__in=query), fts, expression


def _named(rows, terms: list[str]) -> list[int]:
    """Ids of the ``(id, name, ...)`` rows with a name holding every term, in any case.

    Matched in Python: SQLite's LIKE folds the case of ASCII letters only, and these lists
    (sources, a project's labels and members) are short."""
    return [
        row[0]
        for row in rows
        if any(all(term in (name or "").casefold() for term in terms) for name in row[1:])
    ]


def _documents(project: Project, membership: Membership, terms: list[str]) -> _Found:
    sources = _named(Source.objects.values_list("id", "name"), terms)
    visible = visible_documents(project, membership)
    text, fts, expression = _text_match(Document, ("title", "text"), terms)
    rows = visible.filter(text | Q(source__in=sources)).order_by(*QUEUE_ORDER)
    if sources:
        fts = expression = ""
    return _Found(rows, visible, QUEUE_ORDER, fts, expression)


def _annotations(project: Project, membership: Membership, terms: list[str]) -> _Found:
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
    text, fts, expression = _text_match(Annotation, ("quote", "note"), terms)
    matches = text | Q(label__in=labels)
    named = bool(labels)
    if everyone:
        members = Membership.objects.filter(project=project).values_list(
            "user_id", "user__username"
        )
        annotators = _named(members, terms)
        matches |= Q(annotator__in=annotators)
        named = named or bool(annotators)
    if named:
        fts = expression = ""
    rows = annotations.filter(matches)
    if fts and not everyone and not annotations.exists():
        # (SQLite) A viewer who finds only their own annotations and has none (a manager
        # who does not annotate, in a project that hides others' work): reading the index
        # side would go through every match of the word (half a second for a common one)
        # to find none.
        rows = annotations.none()
        fts = expression = ""
    return _Found(rows.order_by(*ANNOTATION_ORDER), annotations, ANNOTATION_ORDER, fts, expression)


def _matches(found: _Found) -> tuple[int, QuerySet | QueuePage]:
    """How many matches (counted up to ``COUNT_CAP + 1``), and their ids in order as a
    sequence the paginator slices (each slice one statement)."""
    if not found.fts:
        ids = found.rows.values_list("pk", flat=True)
        # Counted without the order (a sliced queryset keeps it, and PostgreSQL would sort).
        counted = found.rows.order_by().values("pk")[: COUNT_CAP + 1].count()
        return counted, ids
    first = first_matches(found.visible, found.fts, found.expression, COUNT_CAP + 1)
    if len(first) <= COUNT_CAP:  # every match is known: only these are put in order
        model = found.visible.model
        ordered = model.objects.filter(pk__in=first).order_by(*found.order)
        return len(first), ordered.values_list("pk", flat=True)
    if found.order == QUEUE_ORDER:
        return len(first), QueuePage(found.visible, found.fts, found.expression)
    # Many annotations match: the page is read in order through the matching ids (the
    # index's whole list of them: the annotations tab of a very common word is the slow one).
    return len(first), found.rows.values_list("pk", flat=True)


def _page(ids: QuerySet | QueuePage, count: int, number: int | str | None, per_page: int) -> Page:
    """The page ``number`` of ``ids``. Past ``COUNT_CAP`` the count is a lower bound: a
    page at or beyond it reads one id more, to learn whether a next page exists."""
    # The paginator only slices ids: their count is given, never taken with len().
    paginator = Paginator(cast(Any, ids), per_page)
    paginator.count = count
    if count > COUNT_CAP:
        try:
            wanted = min(max(1, int(number or 1)), PAGE_MAX)
        except (TypeError, ValueError):
            wanted = 1
        number = wanted
        if wanted * per_page >= count:
            start = (wanted - 1) * per_page
            beyond = len(ids[start : start + per_page + 1])
            if beyond:
                paginator.count = start + beyond
    return paginator.get_page(number)


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

    A fixed number of queries: the word forms and a count for each kind (and, on SQLite,
    whether a viewer who finds only their own annotations has any), the page's ids and the
    page's rows (and one more for a page past ``COUNT_CAP``). A count stops at
    ``COUNT_CAP + 1``: past it the number of matches hardly helps, and counting every
    match of a common word in a large project took most of a second.
    """
    kind = kind if kind in KINDS else KINDS[0]
    terms = words(query)
    if not terms:
        return Results(query=query, kind=kind, page=None, counts=dict.fromkeys(KINDS, 0))
    found = {
        "documents": _documents(project, viewer, terms),
        "annotations": _annotations(project, viewer, terms),
    }
    matches = {name: _matches(rows) for name, rows in found.items()}
    counts = {name: count for name, (count, _) in matches.items()}
    count, ids_in_order = matches[kind]
    result_page = _page(ids_in_order, count, page, per_page)
    ids = list(result_page.object_list)
    if kind == "documents":
        result_page.object_list = _document_hits(ids, passage_pattern(terms))
    else:
        result_page.object_list = _annotation_hits(ids)
    return Results(query=query, kind=kind, page=result_page, counts=counts)
