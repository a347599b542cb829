"""The ``sources`` and ``fetches`` tables: the config mirror, each source's health, every request.

Both tables are served by Datasette, so every URL and error written here goes through
:func:`monitor.redact.redact` first: a feed URL's ``user:pass@`` or ``?apikey=`` stays in the
config (the only place the real URL lives) and never reaches the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlite_utils import Database

from monitor.models import FetchResult, Source, SourceState
from monitor.redact import redact, redact_optional


@dataclass(frozen=True, slots=True)
class PassResult:
    """How one pass over a source ended, for its row."""

    when: str
    error: str | None
    new_articles: int
    entries: int
    next_due: str
    state: SourceState
    listed: int | None = None  # entries in this pass's listing; None when nothing was listed (304, error)
    warning: str | None = None  # a problem that did not fail the pass (a feed that suddenly lists nothing)
    pending_entries: int = 0  # entries waiting for a retry after the pass
    failed_entries: int = 0  # entries given up on, all told
    deferred: bool = False  # the listing was not asked for (Retry-After still ran): health stays as it was


@dataclass(frozen=True, slots=True)
class Listed:
    """What the row remembers of the listings before this pass."""

    listed: int | None
    warning: str | None


def sync_sources(db: Database, sources: Iterable[Source], when: str) -> None:
    """Mirror feeds.toml into ``sources``; health columns of existing rows are kept."""
    with db.atomic():
        for s in sources:
            url = redact_optional(s.url)
            db.execute(
                "insert into sources (name, kind, url, path, outlet, interval, enabled, added)"
                " values (?, ?, ?, ?, ?, ?, ?, ?) on conflict(name) do update set kind = excluded.kind,"
                " url = excluded.url, path = excluded.path, outlet = excluded.outlet,"
                " interval = excluded.interval, enabled = excluded.enabled",
                [s.name, s.kind, url, s.path, s.outlet, s.interval, int(s.enabled), when],
            )
            if url:  # a changed URL forgets the old one's redirect and validators
                db.execute(
                    "update sources set redirect_url = null, etag = null, last_modified = null"
                    " where name = ? and redirect_url is not null and url != ?",
                    [s.name, url],
                )


def load_state(db: Database, name: str) -> SourceState:
    row = db.execute(
        "select etag, last_modified, redirect_url, error_count from sources where name = ?", [name]
    ).fetchone()
    if row is None:
        return SourceState()
    return SourceState(etag=row[0], last_modified=row[1], redirect_url=row[2], error_count=row[3] or 0)


def stored_next_due(db: Database, name: str) -> str | None:
    row = db.execute("select next_due from sources where name = ?", [name]).fetchone()
    return row[0] if row else None


def record_fetches(
    db: Database, source: str, fetches: Iterable[FetchResult], purpose: str, when: str
) -> None:
    db.conn.executemany(
        "insert into fetches (source, url, purpose, started, elapsed_ms, status, bytes, error)"
        " values (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (source, redact(f.url), purpose, when, int(f.elapsed * 1000), f.status,
             len(f.body) if f.size is None else f.size,
             redact_optional(f.error))
            for f in fetches
        ],
    )


def last_listing(db: Database, name: str) -> Listed:
    row = db.execute("select listed, warning from sources where name = ?", [name]).fetchone()
    return Listed(row[0], row[1]) if row else Listed(None, None)


def record_pass(db: Database, name: str, result: PassResult) -> None:
    """Health on the source row: ``error_count`` counts consecutive failed passes."""
    state = result.state
    common = [
        result.when,
        result.next_due,
        state.etag,
        state.last_modified,
        _storable_redirect(state.redirect_url),
        result.entries,
    ]
    db.execute(
        "update sources set listed = coalesce(?, listed), warning = ?, pending_entries = ?,"
        " failed_entries = ? where name = ?",
        [result.listed, result.warning, result.pending_entries, result.failed_entries, name],
    )
    if result.deferred and not result.error:
        db.execute(
            "update sources set last_attempt = ?, next_due = ? where name = ?",
            [result.when, result.next_due, name],
        )
        return
    if result.error:
        db.execute(
            "update sources set last_attempt = ?, next_due = ?, etag = ?, last_modified = ?,"
            " redirect_url = ?,"
            " entries_seen = entries_seen + ?, last_error = ?, error_count = error_count + 1 where name = ?",
            [*common, redact(result.error), name],
        )
        return
    db.execute(
        "update sources set last_attempt = ?, next_due = ?, etag = ?, last_modified = ?,"
        " redirect_url = ?,"
        " entries_seen = entries_seen + ?, last_ok = ?, last_error = null, error_count = 0,"
        " articles_added = articles_added + ?, last_new = case when ? > 0 then ? else last_new end"
        " where name = ?",
        [*common, result.when, result.new_articles, result.new_articles, result.when, name],
    )


def error_count(db: Database, name: str) -> int:
    row = db.execute("select error_count from sources where name = ?", [name]).fetchone()
    return int(row[0] or 0) if row else 0


def _storable_redirect(url: str | None) -> str | None:
    # The stored redirect is fetched instead of the configured URL, so a redacted one would be a broken
    # URL: a redirect that carries a credential is not stored at all (the source follows it each pass).
    return url if url is None or redact(url) == url else None
