"""Full-text search indexes (annotator.search): PostgreSQL GIN indexes over the Russian
text-search vectors the search queries compute, or, on SQLite, FTS5 tables over the
documents and annotations kept in step by triggers (every writer, the importer's
bulk_create and the save path's written-out SQL included, goes through them)."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

# (table, FTS5 table, indexed columns) — the columns match annotator.search.selectors.
SQLITE_TABLES = [
    ("annotator_document", "annotator_document_fts", ("title", "text")),
    ("annotator_annotation", "annotator_annotation_fts", ("quote", "note")),
]
POSTGRES_INDEXES = [
    ("Document", "document_search", ("title", "text")),
    ("Annotation", "annotation_search", ("quote", "note")),
]


def _sqlite_statements(table: str, fts: str, columns: tuple[str, ...]) -> list[str]:
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    delete = f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old});"
    insert = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new});"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, content='{table}', content_rowid='id',"
        " tokenize='unicode61')",
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {names} ON {table}"
        f" BEGIN {delete} {insert} END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for table, fts, columns in SQLITE_TABLES:
            for statement in _sqlite_statements(table, fts, columns):
                schema_editor.execute(statement)
    elif vendor == "postgresql":
        for model_name, name, columns in POSTGRES_INDEXES:
            model = apps.get_model("annotator", model_name)
            index = GinIndex(SearchVector(*columns, config="russian"), name=name)
            schema_editor.add_index(model, index)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for _, fts, _ in SQLITE_TABLES:
            for trigger in ("insert", "delete", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {fts}_{trigger}")
            schema_editor.execute(f"DROP TABLE IF EXISTS {fts}")
    elif vendor == "postgresql":
        for _, name, _ in POSTGRES_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("annotator", "0007_stories_consensus_tallies"),
    ]

    operations = [migrations.RunPython(create, drop)]
