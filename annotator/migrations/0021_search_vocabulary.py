"""The vocabularies of the SQLite full-text indexes (annotator.search.fts): an
``fts5vocab`` table beside each FTS5 table of migration 0008, from which a search word's
indexed forms are read. Such a table stores nothing; it reads its index. PostgreSQL
searches its GIN indexes with prefix queries: nothing to add there. The post-migrate repair
of the SQLite indexes (``annotator.search.index``) makes these tables again after any
``migrate``, a backward one too: without them a search falls back to prefix queries."""

from django.db import migrations

FTS_TABLES = ["annotator_document_fts", "annotator_annotation_fts"]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for fts in FTS_TABLES:
            schema_editor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts}_vocab USING fts5vocab({fts}, instance)"
            )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for fts in FTS_TABLES:
            schema_editor.execute(f"DROP TABLE IF EXISTS {fts}_vocab")


class Migration(migrations.Migration):
    dependencies = [
        ("annotator", "0020_annotation_project_holders"),
    ]

    operations = [migrations.RunPython(create, drop)]
