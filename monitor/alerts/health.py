"""The monitor's own health: a failing or silent source, an alert target that stopped working.

A problem is an *episode*: one open ``health_events`` row (``resolved`` empty) per kind and
subject. Opening one enqueues one notice; closing it enqueues one more ("works again"). While an
episode is open nothing more is said about it, so a source failing for a week sends two messages.
Everything here runs inside the caller's transaction.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlite_utils import Database

from monitor import log
from monitor.alerts import render
from monitor.store import health_events as events
from monitor.store import outbox

logger = logging.getLogger("monitor.alerts.health")

_TITLES = {
    "source_failing": ("Source {subject} is failing", "Source {subject} works again"),
    "source_silent": ("Source {subject} has added nothing new", "Source {subject} has new articles again"),
    "delivery_failing": ("Alerts to {subject} are failing", "Alerts to {subject} are delivered again"),
}


def source_pass(
    db: Database,
    source_name: str,
    error: str | None,
    consecutive_errors: int,
    when: str,
    *,
    failure_threshold: int,
    silent_after: int,
) -> None:
    """After a pass over a source: open or close its failing and silent episodes.

    ``failure_threshold`` and ``silent_after`` are ``[fetch] failure_threshold`` and ``[monitor]
    silent_after``: their defaults live with their declarations, nowhere else."""
    if error and consecutive_errors >= failure_threshold:
        message = f"{consecutive_errors} passes in a row failed; last error: {log.redact(error)}"
        open_episode(db, "source_failing", source_name, message, when)
    elif not error:
        close_episode(db, "source_failing", source_name, when)
    if silent_after:
        _check_silence(db, source_name, silent_after, when)


def _check_silence(db: Database, source_name: str, silent_after: int, when: str) -> None:
    last = events.quiet_since(db, source_name)
    if not last:
        return
    quiet_since = outbox.iso(last)
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
    if events.open_event(db, kind, subject) is not None:
        return None
    event_id = events.add_event(db, kind, subject, message, outbox.iso(when))
    title = _TITLES[kind][0].format(subject=subject)
    outbox.enqueue_notice(
        db, f"health:{kind}:{subject}:{event_id}", title, message, render.notice(title, message), when
    )
    log.event(logger, "health_problem", logging.WARNING, kind=kind, subject=subject, message=message)
    return event_id


def close_episode(db: Database, kind: str, subject: str, when: str) -> bool:
    """Resolve an open problem and enqueue the all-clear. Returns whether one was open."""
    event_id = events.open_event(db, kind, subject)
    if event_id is None:
        return False
    events.resolve_event(db, event_id, outbox.iso(when))
    title = _TITLES[kind][1].format(subject=subject)
    outbox.enqueue_notice(
        db, f"health:{kind}:{subject}:{event_id}:resolved", title, title, render.notice(title, title), when
    )
    log.event(logger, "health_resolved", kind=kind, subject=subject)
    return True
