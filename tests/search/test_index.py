"""The SQLite full-text index survives later migrations: a table rebuild (any migration
adding a field to annotations or documents) drops its triggers, and ``post_migrate``
puts them back and reindexes."""

import pytest
from django.core.management import call_command
from django.db import connection

from annotator.search.index import SQLITE_TABLES, sqlite_index_repair
from tests.support import factories

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL's GIN indexes survive ALTER TABLE"
)


def _triggers() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {row[0] for row in cursor.fetchall()}


def _indexed(fts: str, word: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {fts} WHERE {fts} MATCH %s", [word])
        return cursor.fetchone()[0]


def _expected() -> set[str]:
    return {
        f"{fts}_{what}" for _, fts, _ in SQLITE_TABLES for what in ("insert", "delete", "update")
    }


@pytest.mark.django_db
def test_after_every_migration_each_index_has_its_three_triggers():
    assert _expected() <= _triggers()


@pytest.mark.django_db(transaction=True)
def test_a_lost_trigger_is_restored_and_what_it_missed_is_indexed():
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER annotator_annotation_fts_insert")
    unindexed = factories.AnnotationFactory(note="консорциум")
    assert _indexed("annotator_annotation_fts", "консорциум") == 0

    assert sqlite_index_repair() == ["annotator_annotation_fts"]

    assert _expected() <= _triggers()
    assert _indexed("annotator_annotation_fts", "консорциум") == 1
    unindexed.note = "протокол"
    unindexed.save()
    assert _indexed("annotator_annotation_fts", "консорциум") == 0
    assert sqlite_index_repair() == []


@pytest.mark.django_db(transaction=True)
def test_migrate_repairs_the_index():
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER annotator_document_fts_update")
    call_command("migrate", verbosity=0)
    assert _expected() <= _triggers()


@pytest.mark.django_db(transaction=True)
def test_a_lost_vocabulary_is_restored():
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE annotator_document_fts_vocab")
    factories.DocumentFactory(text="Консорциум собрался.")
    assert sqlite_index_repair() == []  # the index itself lost nothing
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT term FROM annotator_document_fts_vocab WHERE term >= 'консорц' LIMIT 1"
        )
        assert cursor.fetchone() == ("консорциум",)
