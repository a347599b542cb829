"""The ``health_events`` table: one row per problem episode (a failing or silent source, a target
that stopped working), open while ``resolved`` is empty. The rules of an episode live in
``monitor.alerts.health``; this module only reads and writes rows, inside the caller's transaction."""

from __future__ import annotations

from sqlite_utils import Database


def open_event(db: Database, kind: str, subject: str) -> int | None:
    """The id of the open episode of ``kind`` about ``subject``, if there is one."""
    row = db.execute(
        "select id from health_events where kind = ? and subject = ? and resolved is null"
        " order by id desc limit 1",
        [kind, subject],
    ).fetchone()
    return int(row[0]) if row else None


def add_event(db: Database, kind: str, subject: str, message: str, created: str) -> int:
    cursor = db.execute(
        "insert into health_events (created, kind, subject, message) values (?, ?, ?, ?)",
        [created, kind, subject, message],
    )
    return int(cursor.lastrowid or 0)


def resolve_event(db: Database, event_id: int, resolved: str) -> None:
    db.execute("update health_events set resolved = ? where id = ?", [resolved, event_id])


def quiet_since(db: Database, source: str) -> str | None:
    """When the source last added an article (or was added, if never)."""
    row = db.execute("select coalesce(last_new, added) from sources where name = ?", [source]).fetchone()
    return str(row[0]) if row and row[0] else None
