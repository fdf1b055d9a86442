"""Keeps SQLite's full-text index whole after every ``migrate``.

Migration 0008 creates the FTS5 tables and the triggers that keep them in step with the
documents and annotations. SQLite cannot alter most columns in place, so Django's schema
editor rebuilds a table (copy, drop, rename) whenever a later migration adds or changes a
field of it, and the rebuild drops the table's triggers with it: after such a migration new
annotations would silently go unindexed. This module restores what is missing after each
``migrate`` (``post_migrate``) and rebuilds an index whose triggers were gone, so no
migration has to remember it; the index's vocabulary table (migration 0021) is restored
with it. PostgreSQL's indexes survive ``ALTER TABLE``: nothing to do.
"""

from __future__ import annotations

from typing import Any

from django.db import connections

from annotator.search.fts import vocabulary

# (table, FTS5 table, indexed columns): the columns annotator.search.selectors queries.
SQLITE_TABLES = [
    ("annotator_document", "annotator_document_fts", ("title", "text")),
    ("annotator_annotation", "annotator_annotation_fts", ("quote", "note")),
]


def _triggers(table: str, fts: str, columns: tuple[str, ...]) -> dict[str, str]:
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    delete = f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old});"
    insert = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new});"
    return {
        f"{fts}_insert": f"AFTER INSERT ON {table} BEGIN {insert} END",
        f"{fts}_delete": f"AFTER DELETE ON {table} BEGIN {delete} END",
        f"{fts}_update": f"AFTER UPDATE OF {names} ON {table} BEGIN {delete} {insert} END",
    }


def sqlite_index_repair(*, using: str = "default") -> list[str]:
    """Create the FTS tables and triggers that are missing and rebuild the indexes that
    lost a trigger; the names of the repaired indexes (none on PostgreSQL)."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return []
    repaired = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = {row[0] for row in cursor.fetchall()}
        for table, fts, columns in SQLITE_TABLES:
            if table not in present:
                continue
            missing = False
            if fts not in present:
                names = ", ".join(columns)
                cursor.execute(
                    f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, content='{table}',"
                    " content_rowid='id', tokenize='unicode61')"
                )
                missing = True
            if vocabulary(fts) not in present:
                cursor.execute(
                    f"CREATE VIRTUAL TABLE {vocabulary(fts)} USING fts5vocab({fts}, instance)"
                )
            for name, body in _triggers(table, fts, columns).items():
                if name not in present:
                    cursor.execute(f"CREATE TRIGGER {name} {body}")
                    missing = True
            if missing:
                cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
                repaired.append(fts)
    return repaired


def repair_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """``post_migrate`` receiver."""
    sqlite_index_repair(using=using)
