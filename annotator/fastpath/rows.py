"""Model instances from hand-written SQL, for the few statements on the hottest paths.

Saving a span is the request analysts make most. Building its access check with the
ORM (a join and three EXISTS clauses) costs over a millisecond of CPU, many times the
database's own work, so the statements on that path are written out once and their rows
turned into ordinary model instances here. Every such statement is tested against the
ORM query it stands for, on SQLite and PostgreSQL.

``Columns(Document, "d")`` gives ``d."id", d."source_id", ...`` for a SELECT list, and
``instance(connection, row, offset)`` the ``Document`` built from those values, with the
same database converters the ORM applies (dates, booleans, JSON).
"""

from __future__ import annotations

from typing import cast

from django.db import connections, models
from django.db.models import signals


class Columns[M: models.Model]:
    """A model's concrete columns in a SELECT list under a table alias."""

    def __init__(self, model: type[M], alias: str) -> None:
        self.model, self.alias = model, alias
        self.fields = model._meta.concrete_fields
        self.names = [field.attname for field in self.fields]
        self._converters: dict[str, list] = {}
        self._sql: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self.fields)

    def sql(self, connection) -> str:
        """The SELECT list (built once per database vendor)."""
        if connection.vendor not in self._sql:
            quote = connection.ops.quote_name
            self._sql[connection.vendor] = ", ".join(
                f"{self.alias}.{quote(field.column)}" for field in self.fields
            )
        return self._sql[connection.vendor]

    def converters(self, connection) -> list:
        """``(position, converters, column)`` for the fields whose values need converting."""
        if connection.vendor not in self._converters:
            found = []
            for position, field in enumerate(self.fields):
                column = field.get_col(self.model._meta.db_table)
                functions = connection.ops.get_db_converters(column) + column.get_db_converters(
                    connection
                )
                if functions:
                    found.append((position, functions, column))
            self._converters[connection.vendor] = found
        return self._converters[connection.vendor]

    def instance(self, connection, row, offset: int = 0) -> M:
        """The instance whose values start at ``row[offset]``."""
        values = list(row[offset : offset + len(self.fields)])
        for position, functions, column in self.converters(connection):
            value = values[position]
            for function in functions:
                value = function(value, column, connection)
            values[position] = value
        return self.model.from_db(connection.alias, self.names, values)


_INSERTS: dict[tuple, tuple[str, list]] = {}


def insert(instance: models.Model, using: str = "default") -> None:
    """Store a new ``instance`` with a written-out INSERT, as ``instance.save()`` would
    for a new row: the fields' ``pre_save`` (``auto_now_add``...), their database
    values, the ``pre_save``/``post_save`` signals, and the new primary key set."""
    connection = connections[using]
    model = type(instance)
    key = (model, connection.vendor)
    if key not in _INSERTS:
        meta = model._meta
        fields = [field for field in meta.concrete_fields if not field.primary_key]
        # A concrete field always has a column (the stubs allow None for any field).
        columns = [cast(str, f.column) for f in fields]
        quote = connection.ops.quote_name
        _INSERTS[key] = (
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)})"
            f" VALUES ({', '.join(['%s'] * len(fields))})"
            f" RETURNING {quote(cast(str, meta.pk.column))}",
            fields,
        )
    sql, fields = _INSERTS[key]
    signals.pre_save.send(
        sender=model, instance=instance, raw=False, using=using, update_fields=None
    )
    params = [
        field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        instance.pk = cursor.fetchone()[0]
    instance._state.adding = False
    instance._state.db = using
    signals.post_save.send(
        sender=model, instance=instance, created=True, update_fields=None, raw=False, using=using
    )
