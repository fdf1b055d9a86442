"""Database sessions, read with a written-out statement.

Every request reads its session, so this is Django's database session store with the
read done by one prepared SELECT instead of an ORM query (see annotator.fastpath.rows). Sessions
stay in ``django_session`` with the same keys, expiry and signing; logging out or
changing a password ends a session at once for every server process.
"""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        key = self.session_key
        if key is None:  # a new session: nothing stored yet
            return None
        connection = connections[router.db_for_read(self.model)]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {self.model._meta.db_table}"
                " WHERE session_key = %s AND expire_date > %s",
                [key, now],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return self.model(session_key=key, session_data=row[0])
