"""``python manage.py backup``: a snapshot that restores with every annotation."""

import io
import re
import secrets
import sqlite3
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from annotator.management.commands.backup import postgres_tool
from annotator.models import Annotation
from annotator.workspace.annotations import annotation_create
from tests.support import factories

ROWS = """SELECT a.id, a.start, a."end", a.quote, a.note, l.name
FROM annotator_annotation a JOIN annotator_label l ON l.id = a.label_id"""


def backup(**options) -> str:
    out = io.StringIO()
    call_command("backup", stdout=out, **options)
    return out.getvalue()


def restored_rows_sqlite(path: Path) -> set[tuple]:
    """Restore as the README says (copy the file in place of the database) and read it."""
    restored = path.with_name("db.sqlite3")
    restored.write_bytes(path.read_bytes())
    with sqlite3.connect(restored) as db:
        return set(db.execute(ROWS).fetchall())


def restored_rows_postgresql(path: Path) -> set[tuple]:
    """Restore with pg_restore into a new database, as the README says, and read it."""
    params = connection.settings_dict
    server = {
        "host": params["HOST"],
        "port": params["PORT"],
        "user": params["USER"],
        "password": params["PASSWORD"],
    }
    name = f"restore_check_{secrets.token_hex(4)}"
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            subprocess.run(
                [
                    postgres_tool("pg_restore"),
                    "--no-owner",
                    f"--dbname=postgresql://{server['user']}@{server['host']}:{server['port']}/{name}",
                    str(path),
                ],
                env={"PGPASSWORD": server["password"] or ""},
                check=True,
                capture_output=True,
            )
            with psycopg.connect(dbname=name, **server) as db:
                return set(db.execute(ROWS).fetchall())
        finally:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_with_every_annotation(tmp_path):
    project = factories.ProjectFactory()
    document = factories.DocumentFactory(text="Смайл 😀 и Токаев\r\nсчитает иначе.")
    for user, (label, start, end, note) in zip(
        factories.UserFactory.create_batch(3),
        [("fact", 0, 5, ""), ("opinion", 6, 7, "эмодзи"), ("speculation", 10, 25, "две\nстроки")],
        strict=True,
    ):
        annotation_create(
            project=project,
            document=document,
            annotator=user,
            label=factories.project_label(project, label),
            start=start,
            end=end,
            note=note,
        )
    expected = {
        (a.pk, a.start, a.end, a.quote, a.note, a.label.name)
        for a in Annotation.objects.select_related("label")
    }
    assert len(expected) == 3

    path = tmp_path / f"snapshot-{connection.vendor}"
    message = backup(out=str(path))

    assert f"Backup written to {path} (" in message
    restore = {"sqlite": restored_rows_sqlite, "postgresql": restored_rows_postgresql}
    assert restore[connection.vendor](path) == expected
    assert [p.name for p in tmp_path.iterdir() if ".partial" in p.name] == []


@pytest.mark.django_db(transaction=True)
def test_a_bare_file_name_goes_to_the_backup_dir_and_no_name_gets_a_dated_one(tmp_path, settings):
    settings.BACKUP_DIR = tmp_path / "backups"
    factories.AnnotationFactory()
    backup(out="nightly.bak")
    assert (settings.BACKUP_DIR / "nightly.bak").stat().st_size > 0
    message = backup()
    suffix = {"sqlite": "sqlite3", "postgresql": "dump"}[connection.vendor]
    written = re.search(r"Backup written to (\S+) \(", message).group(1)
    assert re.fullmatch(rf".*/backups/backup-\d{{8}}-\d{{6}}\.{suffix}", written)
    assert Path(written).exists()


@pytest.mark.django_db(transaction=True)
def test_the_sqlite_backup_is_one_self_contained_checked_file(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite backups")
    factories.AnnotationFactory()
    message = backup(out=str(tmp_path / "one.sqlite3"))
    assert "(1 annotation, " in message
    with sqlite3.connect(tmp_path / "one.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


@pytest.mark.django_db
def test_a_missing_pg_dump_is_a_clear_error(monkeypatch):
    monkeypatch.setattr("shutil.which", lambda name: None)
    monkeypatch.setattr("glob.glob", lambda pattern: [])
    with pytest.raises(CommandError, match="pg_dump was not found: install PostgreSQL's client"):
        postgres_tool("pg_dump")
