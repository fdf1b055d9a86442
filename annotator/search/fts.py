"""SQLite's FTS5 tables read from the index side, for the search of a large project.

Two behaviours of FTS5 (SQLite 3.40) made a search of 50,000 documents take a second:

- A prefix query (``"казахст"*``) first merges the lists of every indexed word with that
  prefix into one, however few rows are wanted (90 ms when the words are in every
  document). The same words asked as their indexed forms joined by OR are read lazily, so a
  statement that stops after a thousand rows reads about a thousand. ``match_expression``
  takes the forms from the index's vocabulary (the ``fts5vocab`` tables of migration 0021),
  one seek per form.
- ``id IN (SELECT rowid FROM fts ...)`` is always read whole into a temporary list before
  the first row. ``first_matches`` puts the index first in the join instead (a ``CROSS
  JOIN`` fixes SQLite's join order), so a count stops at its cap; ``queue_page`` walks the
  documents in queue order by index and stops after a page, instead of sorting every match.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import QuerySet

from annotator.models import Source

FORMS_MAX = 64  # forms of one word; past them the prefix query reads no more than they would
# The tokenizer (unicode61) keeps these characters as they are: for them a lower-cased word
# is spelt as in the index. Others (é → e, final ς → σ) are left to a prefix query.
PLAIN = re.compile(r"[0-9a-zа-яё]+")


def vocabulary(fts: str) -> str:
    """The ``fts5vocab`` table listing the words of the FTS5 table ``fts``."""
    return f"{fts}_vocab"


def _forms_sql(fts: str, count: int) -> str:
    # Each step seeks the next indexed word (>= word || NUL: the vocabulary table reads
    # only lower bounds, and no word holds a NUL) until the words stop sharing the prefix.
    vocab = vocabulary(fts)
    parts, ctes = [], []
    for i in range(count):
        ctes.append(
            f"w{i}(n, term) AS (SELECT 0, (SELECT term FROM {vocab} WHERE term >= %s LIMIT 1)"
            f" UNION ALL SELECT n + 1, (SELECT v.term FROM {vocab} v"
            f" WHERE v.term >= w{i}.term || char(0) LIMIT 1) FROM w{i}"
            f" WHERE substr(w{i}.term, 1, %s) = %s AND n < {FORMS_MAX})"
        )
        parts.append(f"SELECT {i}, term FROM w{i} WHERE substr(term, 1, %s) = %s")
    return f"WITH RECURSIVE {', '.join(ctes)} {' UNION ALL '.join(parts)}"


def match_expression(fts: str, prefixes: list[str]) -> str | None:
    """An FTS5 query for rows holding, for every prefix, a word starting with it; None when
    a prefix starts no indexed word (nothing matches). One statement."""
    prefixes = list(dict.fromkeys(prefixes))  # two words of one stem ask for it once
    plain = [p for p in prefixes if PLAIN.fullmatch(p)]
    forms: dict[str, list[str]] = {p: [] for p in plain}
    if plain:
        params: list = []
        for prefix in plain:
            params += [prefix, len(prefix), prefix]
        for prefix in plain:
            params += [len(prefix), prefix]
        with connection.cursor() as cursor:
            cursor.execute(_forms_sql(fts, len(plain)), params)
            for index, term in cursor.fetchall():
                forms[plain[index]].append(term)
    parts = []
    for prefix in prefixes:
        found = forms.get(prefix)
        if found is None or len(found) > FORMS_MAX:
            parts.append(f'"{prefix}"*')  # \w+ words: no quote or query syntax inside
        elif not found:
            return None
        else:
            quoted = ('"{}"'.format(term.replace('"', '""')) for term in found)
            parts.append(f"({' OR '.join(quoted)})")
    return " AND ".join(parts)


def _pk_sql(rows: QuerySet, *fields: str) -> tuple[str, tuple]:
    sql, params = rows.order_by().values("pk", *fields).query.sql_with_params()
    return sql, tuple(params)


def first_matches(rows: QuerySet, fts: str, expression: str, limit: int) -> list[int]:
    """Ids of ``rows`` (a queryset of the model ``fts`` indexes) matching ``expression``,
    in the index's order, at most ``limit``: reads about as many index entries as it finds
    (plus those of rows outside ``rows``)."""
    sql, params = _pk_sql(rows)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT v.pk FROM {fts} f CROSS JOIN ({sql}) v ON v.pk = f.rowid"
            f" WHERE {fts} MATCH %s LIMIT %s",
            (*params, expression, limit),
        )
        return [row[0] for row in cursor.fetchall()]


class QueuePage:
    """The documents of ``rows`` matching ``expression`` in queue order (source name, date,
    id), sliced as a paginator slices: each slice is one statement that walks the sources
    by name and their documents by the (source, date) index, and stops after the slice."""

    def __init__(self, rows: QuerySet, fts: str, expression: str) -> None:
        sql, params = _pk_sql(rows, "source_id", "published_on")
        self.sql = (
            f"SELECT v.pk FROM {Source._meta.db_table} s CROSS JOIN ({sql}) v ON v.source_id = s.id"
            f" WHERE v.pk IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s)"
            " ORDER BY s.name, v.published_on, v.pk LIMIT %s OFFSET %s"
        )
        self.params = (*params, expression)

    def __getitem__(self, window: slice) -> list[int]:
        start, stop = window.start or 0, window.stop
        with connection.cursor() as cursor:
            cursor.execute(self.sql, (*self.params, stop - start, start))
            return [row[0] for row in cursor.fetchall()]
