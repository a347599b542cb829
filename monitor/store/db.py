"""Opening the database: WAL, pragmas, migrations. The worker holds the one writing connection."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from monitor.datasette import bounded
from monitor.errors import StoreError
from monitor.search import register_sql_functions
from monitor.store.migrations import migrations

BUSY_TIMEOUT_MS = 10_000


def open_db(path: Path | str) -> Database:
    """Open (creating if needed) and migrate the database, with WAL so readers never block the writer."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = Database(sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False))
        _pragmas(db)
        register_functions(db.conn)
        migrations.apply(db)
    except (sqlite3.Error, OSError) as exc:
        raise StoreError(f"cannot open database {path}: {exc}") from exc
    return db


def register_functions(conn: sqlite3.Connection) -> None:
    """The SQL functions the views and canned queries call (bounded text windows, safe links, the
    search translator): Datasette's connections get them from the plugins, ours from here, so every
    view can be read from any connection the store opens."""
    bounded.register(conn)
    register_sql_functions(conn)


def _pragmas(db: Database) -> None:
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.enable_wal()
    # NORMAL is durable across application crashes in WAL mode; only power loss can drop the last commit.
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")


def file_name(db: Database) -> str:
    """The file the connection writes, as SQLite resolved it."""
    return str(db.execute("pragma database_list").fetchone()[2])


def ping(db: Database) -> None:
    """Raise if the database cannot answer a trivial query (the daemon's health check)."""
    db.execute("select 1").fetchone()


def now() -> str:
    """The current time as stored everywhere: ISO 8601 UTC, seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")
