"""Opening the database: WAL, pragmas, migrations, and write transactions that wait politely.

Several processes may write one database: the daemon, ``monitor ingest``, ``once``, ``retag``.
SQLite serialises them with one write lock; each process keeps its transactions short (one
article each) and starts them with ``BEGIN IMMEDIATE``, so a writer asks for the lock
before it reads, and waits for it. (A plain ``BEGIN`` reads first and asks later; when another
process committed in between, SQLite refuses at once with "database is locked" without
waiting: the traceback two ``ingest`` runs used to end in.) A writer that waits longer than
``[monitor] write_wait`` seconds gives up with :class:`BusyError`, which the CLI prints as
one line.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Generator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from monitor.datasette import bounded
from monitor.errors import BusyError, StoreError
from monitor.search import register_sql_functions
from monitor.store.migrations import migrations

DEFAULT_WRITE_WAIT = 20.0  # seconds; the default of [monitor] write_wait
_RETRY_PAUSE = 0.05


class WritingDatabase(Database):
    """A sqlite-utils Database whose ``atomic()`` takes the write lock first, waiting a bounded time."""

    def __init__(self, conn: sqlite3.Connection, write_wait: float = DEFAULT_WRITE_WAIT) -> None:
        super().__init__(conn)
        self.write_wait = write_wait

    @contextmanager
    def atomic(self) -> Generator[Database, None, None]:
        if self.conn.in_transaction:  # nested: a savepoint inside the outer transaction
            with super().atomic():
                yield self
            return
        self._begin_immediate()
        try:
            yield self
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            if is_busy(exc):
                raise _busy(exc, self.write_wait) from exc
            raise

    def _begin_immediate(self) -> None:
        """BEGIN IMMEDIATE; SQLite's busy handler waits, and we retry the refusals it does not wait on."""
        deadline = time.monotonic() + self.write_wait
        while True:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if not is_busy(exc):
                    raise
                if time.monotonic() >= deadline:
                    raise _busy(exc, self.write_wait) from exc
                time.sleep(_RETRY_PAUSE)


def is_busy(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def _busy(exc: BaseException, waited: float) -> BusyError:
    return BusyError(
        f"database busy: another process (monitor run, ingest, once or retag) kept it locked for over"
        f" {waited:g}s ({exc}); nothing was lost, run the command again ([monitor] write_wait sets the wait)"
    )


def open_db(path: Path | str, write_wait: float = DEFAULT_WRITE_WAIT) -> WritingDatabase:
    """Open (creating if needed) and migrate the database, with WAL so readers never block the writer."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=write_wait, check_same_thread=False)
        db = WritingDatabase(conn, write_wait)
        _pragmas(db, write_wait)
        register_functions(db.conn)
        if migrations.pending(db):
            # A migration may rebuild a table others refer to (SQLite's procedure: new table, copy, drop,
            # rename), which foreign key enforcement would refuse at the drop; the pragma only changes
            # outside a transaction. Rebuilds copy the keys, so nothing dangles afterwards.
            db.execute("PRAGMA foreign_keys = OFF")
            try:
                with db.atomic():  # one process migrates; another waits, then finds nothing pending
                    migrations.apply(db)
            finally:
                db.execute("PRAGMA foreign_keys = ON")
            # Old row versions (e.g. the credentials m009 redacted) must not live on in the WAL.
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except BusyError:
        raise
    except (sqlite3.Error, OSError) as exc:
        if is_busy(exc):
            raise _busy(exc, write_wait) from exc
        raise StoreError(f"cannot open database {path}: {exc}") from exc
    return db


def register_functions(conn: sqlite3.Connection) -> None:
    """The SQL functions the views and canned queries call (bounded text windows, safe links, the
    search translator): Datasette's connections get them from the plugins, ours from here, so every
    view can be read from any connection the store opens."""
    bounded.register(conn)
    register_sql_functions(conn)


def _pragmas(db: Database, write_wait: float) -> None:
    db.execute(f"PRAGMA busy_timeout = {int(write_wait * 1000)}")
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
