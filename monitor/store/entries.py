"""The ``entries`` table: the durable work queue of every entry a source listed.

An entry is recorded (``pending``) before its page is fetched and leaves the queue in one of
the final states below, in the same transaction as its article. A failed page stays
``pending`` with ``attempts`` and ``next_try``, so it is retried on a later pass, after a
restart, and whatever the feed's ETag says. Writes run inside the caller's transaction when
there is one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from monitor.models import Entry

PENDING = "pending"
STORED = "stored"  # an article was stored (new, joined a story, or updated)
COPY = "copy"  # the text was already stored under another URL
GONE = "gone"  # the page answered 404 or 410
SKIPPED = "skipped"  # never to be fetched or stored; ``reason`` says why (robots.txt, no article text)
FAILED = "failed"  # every attempt failed; ``last_error`` says how the last one did
STATES = (PENDING, STORED, COPY, GONE, SKIPPED, FAILED)


@dataclass(frozen=True, slots=True)
class Queued:
    """One pending entry as the queue holds it."""

    id: int
    key: str
    entry: Entry
    attempts: int


def states_of(db: Database, source: str, keys: Iterable[str]) -> dict[str, str]:
    """The state of each of ``keys`` that the queue holds for ``source``."""
    found: dict[str, str] = {}
    keys = list(keys)
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = db.execute(
            f"select key, state from entries where source = ? and key in ({marks})", [source, *chunk]
        ).fetchall()
        found.update({row[0]: row[1] for row in rows})
    return found


def enqueue(
    db: Database, source: str, items: Iterable[tuple[str, Entry]], when: str, keep_content: bool
) -> int:
    """Record new entries as pending, due at once; entries already queued are left alone. Returns how many."""
    rows = [
        (
            source,
            key,
            e.url,
            e.guid,
            e.title,
            e.published,
            e.content if keep_content else None,
            e.content_type,
            int(e.complete),
            when,
            when,
            when,
        )
        for key, e in items
    ]
    before = db.conn.total_changes
    db.conn.executemany(
        "insert or ignore into entries (source, key, url, guid, title, published, content, content_type,"
        " complete, state, next_try, listed, updated) values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
        rows,
    )
    return db.conn.total_changes - before


def due(db: Database, source: str, now: str, limit: int) -> list[Queued]:
    """Pending entries of ``source`` whose next try has come, oldest first."""
    rows = db.execute(
        "select id, key, url, guid, title, published, content, content_type, complete, attempts"
        " from entries where source = ? and state = 'pending' and (next_try is null or next_try <= ?)"
        " order by next_try, id limit ?",
        [source, now, limit],
    ).fetchall()
    return [_queued(row) for row in rows]


def pending(db: Database, source: str, keys: list[str], now: str) -> list[Queued]:
    """The pending, due entries among ``keys`` (a files source works on the files it read)."""
    wanted = set(keys)
    rows = db.execute(
        "select id, key, url, guid, title, published, content, content_type, complete, attempts"
        " from entries where source = ? and state = 'pending' and (next_try is null or next_try <= ?)"
        " order by id",
        [source, now],
    ).fetchall()
    return [_queued(row) for row in rows if row[1] in wanted]


def _queued(row: tuple[Any, ...]) -> Queued:
    entry = Entry(
        url=row[2],
        guid=row[3],
        title=row[4],
        published=row[5],
        content=row[6],
        content_type=row[7] or "text/html",
        complete=bool(row[8]),
    )
    return Queued(id=row[0], key=row[1], entry=entry, attempts=row[9])


def finish(
    db: Database,
    entry_id: int,
    state: str,
    when: str,
    *,
    article_id: int | None = None,
    reason: str | None = None,
) -> None:
    """A final state; the feed text kept for the entry is dropped (the article holds what was stored)."""
    assert state in STATES and state != PENDING
    db.execute(
        "update entries set state = ?, article_id = ?, reason = ?, content = null, next_try = null,"
        " updated = ? where id = ?",
        [state, article_id, reason, when, entry_id],
    )


def retry(db: Database, entry_id: int, when: str, next_try: str, error: str, *, attempt: bool) -> None:
    """Still pending: try again at ``next_try``. ``attempt`` is False when nothing was sent (deferred)."""
    db.execute(
        "update entries set next_try = ?, last_error = ?, attempts = attempts + ?, updated = ? where id = ?",
        [next_try, error, int(attempt), when, entry_id],
    )


def count(db: Database, source: str, state: str) -> int:
    row = db.execute(
        "select count(*) from entries where source = ? and state = ?", [source, state]
    ).fetchone()
    return int(row[0])


def totals(db: Database) -> dict[str, int]:
    """Entries in each state, over all sources."""
    found = dict(db.execute("select state, count(*) from entries group by state").fetchall())
    return {state: int(found.get(state, 0)) for state in STATES}


def troubles(db: Database, limit: int) -> list[dict[str, Any]]:
    """Entries waiting for a retry or given up on, most attempted first, for ``monitor status``."""
    rows = db.execute(
        "select source, url, state, attempts, next_try, coalesce(last_error, reason) from entries"
        " where (state = 'pending' and attempts > 0) or state = 'failed'"
        " order by state = 'failed' desc, attempts desc, updated desc limit ?",
        [limit],
    ).fetchall()
    names = ("source", "url", "state", "attempts", "next_try", "error")
    return [dict(zip(names, row, strict=True)) for row in rows]
