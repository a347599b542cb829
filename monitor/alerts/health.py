"""The monitor's own health: a failing or silent source, an alert target that stopped working.

A problem is an *episode*: one open ``health_events`` row (``resolved`` empty) per kind and
subject. Opening one enqueues one notice; closing it enqueues one more ("works again"). While an
episode is open nothing more is said about it, so a source failing for a week sends two messages.
Everything here runs inside the caller's transaction.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from monitor import log
from monitor.alerts import outbox, render

logger = logging.getLogger("monitor.alerts.health")
DEFAULT_FAILURE_THRESHOLD = 3

_TITLES = {
    "source_failing": ("Source {subject} is failing", "Source {subject} works again"),
    "source_silent": ("Source {subject} has added nothing new", "Source {subject} has new articles again"),
    "delivery_failing": ("Alerts to {subject} are failing", "Alerts to {subject} are delivered again"),
}


def source_pass(
    db: Database, config: Any, source_name: str, error: str | None, consecutive_errors: int, when: str
) -> None:
    """After a pass over a source: open or close its failing and silent episodes."""
    threshold = getattr(config.fetch, "failure_threshold", DEFAULT_FAILURE_THRESHOLD)
    if error and consecutive_errors >= threshold:
        message = f"{consecutive_errors} passes in a row failed; last error: {log.redact(error)}"
        open_episode(db, "source_failing", source_name, message, when)
    elif not error:
        close_episode(db, "source_failing", source_name, when)
    silent_after = int(getattr(config.monitor, "silent_after", 0) or 0)
    if silent_after:
        _check_silence(db, source_name, silent_after, when)


def _check_silence(db: Database, source_name: str, silent_after: int, when: str) -> None:
    row = db.execute("select coalesce(last_new, added) from sources where name = ?", [source_name]).fetchone()
    if not row or not row[0]:
        return
    quiet_since = outbox.iso(row[0])
    if datetime.fromisoformat(quiet_since) + timedelta(seconds=silent_after) <= datetime.fromisoformat(
        outbox.iso(when)
    ):
        open_episode(db, "source_silent", source_name, f"no new article since {quiet_since}", when)
    else:
        close_episode(db, "source_silent", source_name, when)


def delivery_failed(db: Database, target: str, error: str | None, when: str) -> None:
    """An alert was given up on for this target."""
    open_episode(db, "delivery_failing", target, f"last error: {log.redact(error or 'unknown')}", when)


def delivery_ok(db: Database, target: str, when: str) -> None:
    close_episode(db, "delivery_failing", target, when)


def open_episode(db: Database, kind: str, subject: str, message: str, when: str) -> int | None:
    """Record a problem and enqueue its notice, unless it is already open. Returns the new event id."""
    if _open_event(db, kind, subject) is not None:
        return None
    cursor = db.execute(
        "insert into health_events (created, kind, subject, message) values (?, ?, ?, ?)",
        [outbox.iso(when), kind, subject, message],
    )
    event_id = int(cursor.lastrowid or 0)
    title = _TITLES[kind][0].format(subject=subject)
    outbox.enqueue_notice(
        db, f"health:{kind}:{subject}:{event_id}", title, message, render.notice(title, message), when
    )
    log.event(logger, "health_problem", logging.WARNING, kind=kind, subject=subject, message=message)
    return event_id


def close_episode(db: Database, kind: str, subject: str, when: str) -> bool:
    """Resolve an open problem and enqueue the all-clear. Returns whether one was open."""
    event_id = _open_event(db, kind, subject)
    if event_id is None:
        return False
    db.execute("update health_events set resolved = ? where id = ?", [outbox.iso(when), event_id])
    title = _TITLES[kind][1].format(subject=subject)
    outbox.enqueue_notice(
        db, f"health:{kind}:{subject}:{event_id}:resolved", title, title, render.notice(title, title), when
    )
    log.event(logger, "health_resolved", kind=kind, subject=subject)
    return True


def _open_event(db: Database, kind: str, subject: str) -> int | None:
    row = db.execute(
        "select id from health_events where kind = ? and subject = ? and resolved is null"
        " order by id desc limit 1",
        [kind, subject],
    ).fetchone()
    return int(row[0]) if row else None
