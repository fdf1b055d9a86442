"""The document page's reads about the member, the document and their progress, in one
written-out statement.

The document page is the page analysts open most, and the one measured against other
tools. Built with the ORM, the membership, the document with its source, the member's
progress on it, the document they opened last and their queue's counts took six
queries whose building cost several times the database's own work. Here they are one
statement (see annotator.fastpath.rows), built from the access rule's written-out form
(``annotator.access.visible_document_sql``) and tested against the ORM reads it stands
for: ``project_for_member``, ``document_for_member``, ``selectors.opened`` and
``selectors.queue_progress``, and whether anyone commented on the document (most
documents have no discussion, and the page then skips reading it).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from annotator.access import (
    MEMBER_DOCUMENT_COLUMNS,
    member_document_row,
    sees_every_document_sql,
    visible_document_sql,
)
from annotator.fastpath.rows import Columns
from annotator.models import (
    Assignment,
    Comment,
    Document,
    DocumentProgress,
    Membership,
    Project,
    ProjectDocument,
    Source,
)
from annotator.workspace.selectors import QueueProgress

_SOURCE = Columns(Source, "s")
_DONE_AT = DocumentProgress._meta.get_field("done_at")


@dataclass
class DocumentPageRows:
    """What the page knows before it reads the annotations.

    ``document`` has its ``source`` loaded and ``done_at`` set (None when not done);
    ``last_opened_at`` is when the member last opened it, ``last_opened_id`` the
    document they opened last in the project; ``commented``: whether the document has any
    comment in the project (whoever may read it).
    """

    project: Project
    membership: Membership
    document: Document
    last_opened_at: datetime | None
    last_opened_id: int | None
    progress: QueueProgress
    commented: bool


@functools.cache
def _sql(vendor: str) -> str:
    table = {
        model: model._meta.db_table
        for model in (Membership, Project, Document, Source, DocumentProgress)
    }
    progress, linked = table[DocumentProgress], ProjectDocument._meta.db_table
    assigned = Assignment._meta.db_table
    mine = "project_id = p.id AND {alias}.annotator_id = m.user_id"
    return (
        f"SELECT {', '.join(columns.sql(connection) for columns in MEMBER_DOCUMENT_COLUMNS)}, "
        f"{_SOURCE.sql(connection)}, "
        "pr.done_at, pr.last_opened_at, "
        # the document the member opened last (the index on project, annotator, time)
        f"(SELECT lo.document_id FROM {progress} lo WHERE lo.{mine.format(alias='lo')}"
        " AND lo.last_opened_at IS NOT NULL ORDER BY lo.last_opened_at DESC LIMIT 1), "
        # documents of the queue marked done: from the member's own progress rows
        f"(SELECT COUNT(*) FROM {progress} dn WHERE dn.{mine.format(alias='dn')}"
        f" AND dn.done_at IS NOT NULL AND {visible_document_sql('dn.document_id')}), "
        # documents in the queue: the project's, or the member's assignments
        f"CASE WHEN {sees_every_document_sql()}"
        f" THEN (SELECT COUNT(*) FROM {linked} pl WHERE pl.project_id = p.id)"
        f" ELSE (SELECT COUNT(*) FROM {assigned} mya WHERE mya.{mine.format(alias='mya')}"
        f" AND EXISTS (SELECT 1 FROM {linked} pl WHERE pl.project_id = p.id"
        " AND pl.document_id = mya.document_id)) END, "
        # any comment on the document (the index on project, document, concerning)
        f"EXISTS (SELECT 1 FROM {Comment._meta.db_table} c WHERE c.project_id = p.id"
        " AND c.document_id = d.id) "
        f"FROM {table[Membership]} m "
        f"JOIN {table[Project]} p ON p.id = m.project_id "
        f"LEFT JOIN {table[Document]} d ON d.id = %s AND {visible_document_sql('d.id')} "
        f"LEFT JOIN {table[Source]} s ON s.id = d.source_id "
        f"LEFT JOIN {progress} pr ON pr.project_id = p.id AND pr.document_id = d.id"
        " AND pr.annotator_id = m.user_id "
        "WHERE p.slug = %s AND m.user_id = %s"
    )


def _datetime(value) -> datetime | None:
    """A progress time as the ORM gives it (SQLite returns text)."""
    column = _DONE_AT.get_col(DocumentProgress._meta.db_table)
    for convert in connection.ops.get_db_converters(column) + column.get_db_converters(connection):
        value = convert(value, column, connection)
    return value


def document_page_rows(user, slug: str, document_id: int) -> DocumentPageRows:
    """The member's project, membership and document (404 as ``project_for_member`` and
    ``document_for_member`` give it), with their progress and whether the document has
    any comment: one statement."""
    with connection.cursor() as cursor:
        cursor.execute(_sql(connection.vendor), [document_id, slug, user.pk])
        row = cursor.fetchone()
    project, membership, document = member_document_row(row)
    offset = sum(len(columns) for columns in MEMBER_DOCUMENT_COLUMNS)
    document.source = _SOURCE.instance(connection, row, offset)
    offset += len(_SOURCE)
    done_at, last_opened_at, last_opened_id, done, total, commented = row[offset:]
    document.done_at = _datetime(done_at)  # type: ignore[attr-defined]
    return DocumentPageRows(
        project=project,
        membership=membership,
        document=document,
        last_opened_at=_datetime(last_opened_at),
        last_opened_id=last_opened_id,
        progress=QueueProgress(done=done, total=total),
        commented=bool(commented),
    )
