"""Read-only summaries of the database for ``monitor status``.

No secrets are stored (the store redacts them); errors pass :func:`monitor.redact.redact` again all the
same, so a row written by an older version cannot print one.
"""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from monitor.redact import redact_optional
from monitor.store import entries

SOURCE_COLUMNS = (
    "name",
    "kind",
    "enabled",
    "last_attempt",
    "last_ok",
    "last_error",
    "error_count",
    "next_due",
    "articles_added",
    "warning",
    "pending_entries",
    "failed_entries",
)
TROUBLES_SHOWN = 10  # entries waiting for a retry or given up on, listed by ``monitor status``


def summary(db: Database) -> dict[str, Any]:
    """Counts, the last pass, every source's health, the entry queue and the outbox, as plain data."""
    return {
        "articles": _count(db, "select count(*) from articles"),
        "stories": _count(db, "select count(*) from stories"),
        "copies": _count(db, "select count(*) from copies"),
        "last_pass": db.execute("select max(last_attempt) from sources").fetchone()[0],
        "alerts": {
            status: _count(db, "select count(*) from alerts where status = ?", [status])
            for status in ("pending", "sending", "digest", "digested", "sent", "failed")
        },
        "sources": [_source(row) for row in _sources(db)],
        "entries": entries.totals(db),
        "entry_troubles": entries.troubles(db, TROUBLES_SHOWN),
    }


def pending_alerts(db: Database) -> int:
    return _count(db, "select count(*) from alerts where status = 'pending'")


def _source(row: tuple[Any, ...]) -> dict[str, Any]:
    source = dict(zip(SOURCE_COLUMNS, row, strict=True))
    source["last_error"] = redact_optional(source["last_error"])
    return source


def _sources(db: Database) -> list[tuple[Any, ...]]:
    return db.execute(f"select {', '.join(SOURCE_COLUMNS)} from sources order by name").fetchall()


def _count(db: Database, sql: str, params: list[Any] | None = None) -> int:
    return int(db.execute(sql, params or []).fetchone()[0])


def pass_counts(db: Database, article_ids: list[int]) -> tuple[int, int]:
    """(stories started, alerts raised) by the articles a pass stored, for the end-of-run summary."""
    if not article_ids:
        return 0, 0
    marks = ", ".join("?" * len(article_ids))
    stories = _count(db, f"select count(*) from stories where first_article_id in ({marks})", article_ids)
    alerts = _count(db, f"select count(*) from alerts where article_id in ({marks})", article_ids)
    return stories, alerts
