"""Hourly housekeeping of a database that lives for months: prune old HTML and request logs,
checkpoint the WAL so it does not grow without bound, and let SQLite refresh its statistics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

KEEP_FETCHES_DAYS = 90  # the request log behind Datasette's health views; older rows only cost disk


@dataclass(frozen=True, slots=True)
class MaintenanceReport:
    pages_pruned: int
    fetches_pruned: int
    wal_busy: bool  # a reader (Datasette) held the WAL; the checkpoint was partial, retried next hour
    wal_frames: int


def maintain(db: Database, keep_html_days: int, now: datetime) -> MaintenanceReport:
    """One maintenance pass; ``keep_html_days = 0`` keeps raw HTML forever."""
    pages = 0
    if keep_html_days > 0:
        pages = _delete_before(db, "pages", "stored", now - timedelta(days=keep_html_days))
    fetches = _delete_before(db, "fetches", "started", now - timedelta(days=KEEP_FETCHES_DAYS))
    db.execute("PRAGMA optimize")  # before the checkpoint: it may write fresh statistics
    busy, frames, _ = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return MaintenanceReport(pages, fetches, bool(busy), int(frames))


def _delete_before(db: Database, table: str, column: str, cutoff: datetime) -> int:
    # Times are stored as ISO 8601 UTC strings, which sort like the times they name.
    with db.atomic():
        cutoff_text = cutoff.isoformat(timespec="seconds")
        cursor = db.execute(f"delete from [{table}] where [{column}] < ?", [cutoff_text])
    return int(cursor.rowcount)
