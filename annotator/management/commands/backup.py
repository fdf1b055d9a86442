"""``python manage.py backup [--out PATH]``: a consistent snapshot of the database.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies the committed state
of the live database while analysts keep working; the copy is checked and made
self-contained (no -wal file needed).
PostgreSQL: ``pg_dump --format=custom`` (restore with ``pg_restore``).
The file is written beside its target and renamed into place only when complete.
"""

from __future__ import annotations

import datetime as dt
import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.template.defaultfilters import filesizeformat

from annotator.models import Annotation

SUFFIXES = {"sqlite": ".sqlite3", "postgresql": ".dump"}


def postgres_tool(name: str) -> str:
    """The path of a PostgreSQL client program (PATH first, then Debian's folders)."""
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        raise CommandError(
            f"{name} was not found: install PostgreSQL's client programs "
            "(apt-get install postgresql-client) or put them on PATH."
        )
    return found


def backup_path(out: str | None, vendor: str) -> Path:
    """``--out`` as given; a bare file name or no name at all goes to ``BACKUP_DIR``."""
    if not out:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
        return Path(settings.BACKUP_DIR) / f"backup-{stamp}{SUFFIXES[vendor]}"
    path = Path(out).expanduser()
    if path.parent == Path("."):
        return Path(settings.BACKUP_DIR) / path
    return path


def backup_sqlite(connection, target: Path) -> str:
    # A connection of its own copies what is committed, whatever this process is doing.
    source = sqlite3.connect(connection.settings_dict["NAME"], timeout=60)
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)
        # One self-contained file: no -wal/-shm companions needed to open it.
        destination.execute("PRAGMA journal_mode=DELETE")
        (check,) = destination.execute("PRAGMA integrity_check").fetchone()
        if check != "ok":
            raise CommandError(f"The backup failed its integrity check: {check}")
        (count,) = destination.execute(
            f'SELECT count(*) FROM "{Annotation._meta.db_table}"'
        ).fetchone()
    finally:
        destination.close()
        source.close()
    return f"{count} annotation{'s' if count != 1 else ''}"


def backup_postgresql(connection, target: Path) -> str:
    params = connection.settings_dict
    command = [postgres_tool("pg_dump"), "--format=custom", "--no-password"]
    command += [f"--file={target}", f"--dbname={params['NAME']}"]
    if params.get("HOST"):
        command.append(f"--host={params['HOST']}")
    if params.get("PORT"):
        command.append(f"--port={params['PORT']}")
    if params.get("USER"):
        command.append(f"--username={params['USER']}")
    env = dict(os.environ)
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = str(params["PASSWORD"])
    if sslmode := params.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = sslmode
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
    return "pg_dump custom format; restore with pg_restore"


class Command(BaseCommand):
    help = (
        "Write a consistent snapshot of the database: SQLite's online backup, or pg_dump "
        "(custom format) on PostgreSQL. See README, Production, for restoring."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--out",
            help=(
                "file to write; a bare file name goes to BACKUP_DIR (default: "
                "BACKUP_DIR/backup-<UTC time>.sqlite3, or .dump on PostgreSQL)"
            ),
        )
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args, out: str | None, database: str, **options) -> None:
        connection = connections[database]
        if connection.vendor not in SUFFIXES:
            raise CommandError(f"Backups of {connection.vendor} databases are not supported.")
        path = backup_path(out, connection.vendor)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.partial")
        partial.unlink(missing_ok=True)
        try:
            if connection.vendor == "sqlite":
                summary = backup_sqlite(connection, partial)
            else:
                summary = backup_postgresql(connection, partial)
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)
        size = filesizeformat(path.stat().st_size)
        self.stdout.write(f"Backup written to {path} ({summary}, {size}).")
