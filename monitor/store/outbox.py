"""The outbox: the ``alerts`` table as a small state machine, and ``alert_attempts`` as its log.

    pending ──claim──► sending ──all targets ok──► sent
       ▲                  │ some target failed
       └──── backoff ─────┤
                          └── attempts exhausted ──► failed
    digest ──(digest sent)──► digested        (the digest itself is a row of kind "digest")

Exactly once per rule and story: ``dedup_key`` is unique and rows are inserted with INSERT OR
IGNORE, in the same transaction as the article that caused them. Per target: a target with a
successful attempt is never sent the same alert again. Every function here only issues SQL; the
caller owns the transaction (``enqueue`` runs inside the pipeline's, the rest inside notify's).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlite_utils import Database

from monitor.models import Alert

RETRY_BASE = 60  # seconds before the first retry; doubles each time
RETRY_MAX = 3600  # longest wait between two attempts
MAX_ATTEMPTS = 8  # rounds of attempts before an alert is marked failed (about 2.5 hours)
THROTTLE_WINDOW = timedelta(hours=1)


def iso(when: str | datetime) -> str:
    """A time as stored: ISO 8601 UTC, seconds (so text comparison orders correctly)."""
    moment = datetime.fromisoformat(when) if isinstance(when, str) else when
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def dedup_key(rule: str, story_id: int) -> str:
    return f"{rule}:story:{story_id}"


def enqueue(db: Database, alerts: Iterable[Alert], when: str | datetime) -> int:
    """Add story alerts to the outbox, at most one per rule and story, ever. Returns how many are new."""
    stamp, added = iso(when), 0
    for alert in alerts:
        status = "digest" if alert.mode == "digest" or _throttled(db, alert, stamp) else "pending"
        # A gather window holds the first send back, so copies arriving meanwhile join the message.
        due = iso(datetime.fromisoformat(stamp) + timedelta(seconds=alert.gather))
        cursor = db.execute(
            "insert or ignore into alerts (dedup_key, rule, kind, story_id, article_id, notify, title, body,"
            " reason, created, status, attempts, next_attempt, payload)"
            " values (?, ?, 'story', ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
            [
                dedup_key(alert.rule, alert.story_id),
                alert.rule,
                alert.story_id,
                alert.article_id,
                json.dumps(list(alert.notify)),
                alert.title,
                alert.body,
                alert.reason,
                stamp,
                status,
                due,
                alert.payload or None,
            ],
        )
        added += cursor.rowcount
    return added


def enqueue_number(db: Database, key: str, alert: Alert, when: str | datetime) -> bool:
    """A number alert (issue 16): ``key`` names the rule and the source statement, so the statement
    fires the rule once, whichever copy of the story states it and however often it is re-read."""
    stamp = iso(when)
    due = iso(datetime.fromisoformat(stamp) + timedelta(seconds=alert.gather))
    cursor = db.execute(
        "insert or ignore into alerts (dedup_key, rule, kind, story_id, article_id, notify, title, body,"
        " reason, created, status, attempts, next_attempt, payload)"
        " values (?, ?, 'number', ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)",
        [key, alert.rule, alert.story_id, alert.article_id, json.dumps(list(alert.notify)), alert.title,
         alert.body, alert.reason, stamp, due, alert.payload or None],
    )
    return bool(cursor.rowcount)


def _throttled(db: Database, alert: Alert, stamp: str) -> bool:
    """True when the rule already raised ``throttle`` immediate alerts within the last hour."""
    if not alert.throttle:
        return False
    since = iso(datetime.fromisoformat(stamp) - THROTTLE_WINDOW)
    count = db.execute(
        "select count(*) from alerts where rule = ? and kind = 'story' and created > ?"
        " and status not in ('digest', 'digested')",
        [alert.rule, since],
    ).fetchone()[0]
    return int(count) >= alert.throttle


def enqueue_notice(
    db: Database,
    key: str,
    title: str,
    body: str,
    payload: str,
    when: str | datetime,
    notify: Sequence[str] = ("health",),
) -> bool:
    """A health notice; ``key`` makes it once per episode. Returns whether it is new."""
    stamp = iso(when)
    cursor = db.execute(
        "insert or ignore into alerts (dedup_key, rule, kind, notify, title, body, reason, created, status,"
        " attempts, next_attempt, payload) values (?, 'health', 'notice', ?, ?, ?, ?, ?, 'pending', 0, ?, ?)",
        [key, json.dumps(list(notify)), title, body, title, stamp, stamp, payload],
    )
    return bool(cursor.rowcount)


# Delivery ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A claimed outbox row, as the sender needs it."""

    id: int
    kind: str
    rule: str
    notify: tuple[str, ...]
    title: str
    body: str
    payload: str | None
    attempts: int


def recover(db: Database, live_runs: Iterable[str]) -> int:
    """Release alerts claimed by runs that no longer exist (a crash, a kill): they become pending.

    An attempt left without a result was interrupted between sending and recording: nobody knows
    whether it arrived. It is recorded as failed, so the target is tried again (at-least-once).
    """
    live = list(live_runs)
    marks = ",".join("?" * len(live)) or "''"
    stale = [
        r[0]
        for r in db.execute(
            f"select id from alerts where status = 'sending' and coalesce(claimed_by, '') not in ({marks})",
            live,
        )
    ]
    for alert_id in stale:
        db.execute(
            "update alert_attempts set ok = 0, error = 'interrupted: delivery unknown, sending again'"
            " where alert_id = ? and ok is null",
            [alert_id],
        )
        db.execute("update alerts set status = 'pending', claimed_by = null where id = ?", [alert_id])
    return len(stale)


def claim_due(db: Database, run: str, now: str, limit: int = 100) -> list[Outgoing]:
    """Mark due pending alerts as being sent by this run, and return them (oldest first)."""
    ids = [
        r[0]
        for r in db.execute(
            "select id from alerts where status = 'pending' and next_attempt <= ?"
            " order by next_attempt, id limit ?",
            [now, limit],
        )
    ]
    return [claimed for alert_id in ids if (claimed := claim(db, run, alert_id)) is not None]


def claim(db: Database, run: str, alert_id: int) -> Outgoing | None:
    cursor = db.execute(
        "update alerts set status = 'sending', claimed_by = ? where id = ? and status = 'pending'",
        [run, alert_id],
    )
    if not cursor.rowcount:
        return None
    row = db.execute(
        "select id, kind, rule, notify, title, body, payload, attempts from alerts where id = ?", [alert_id]
    ).fetchone()
    return Outgoing(
        row[0],
        row[1],
        row[2],
        tuple(json.loads(row[3] or "[]")),
        row[4] or "",
        row[5] or "",
        row[6],
        row[7] or 0,
    )


def delivered_to(db: Database, alert_id: int) -> set[str]:
    """Aliases of the targets that already got this alert."""
    return {
        r[0]
        for r in db.execute("select target from alert_attempts where alert_id = ? and ok = 1", [alert_id])
    }


def start_attempt(db: Database, alert_id: int, target: str, when: str) -> int:
    """Record that a send is about to happen (result unknown until :func:`finish_attempt`)."""
    cursor = db.execute(
        "insert into alert_attempts (alert_id, target, attempted) values (?, ?, ?)", [alert_id, target, when]
    )
    return int(cursor.lastrowid or 0)


def finish_attempt(db: Database, attempt_id: int, ok: bool, error: str | None) -> None:
    db.execute("update alert_attempts set ok = ?, error = ? where id = ?", [int(ok), error, attempt_id])


def settle(db: Database, alert: Outgoing, ok: bool, error: str | None, now: str) -> str:
    """After a round of attempts: sent, pending again after a backoff, or failed. Returns the status."""
    attempts = alert.attempts + 1
    if ok:
        db.execute(
            "update alerts set status = 'sent', sent = ?, attempts = ?, claimed_by = null,"
            " last_error = null where id = ?",
            [now, attempts, alert.id],
        )
        return "sent"
    status = "failed" if attempts >= MAX_ATTEMPTS else "pending"
    db.execute(
        "update alerts set status = ?, attempts = ?, next_attempt = ?, last_error = ?, claimed_by = null"
        " where id = ?",
        [status, attempts, retry_at(now, attempts), error, alert.id],
    )
    return status


def retry_at(now: str, attempts: int) -> str:
    """Exponential backoff: 1, 2, 4 ... minutes, at most an hour."""
    delay = min(RETRY_BASE * 2 ** (attempts - 1), RETRY_MAX)
    return iso(datetime.fromisoformat(now) + timedelta(seconds=delay))


# Digests -------------------------------------------------------------------------------------


def waiting(db: Database, rule: str) -> list[tuple[int, str | None]]:
    """(id, payload) of the rule's alerts waiting for its digest, oldest first."""
    return [
        (r[0], r[1])
        for r in db.execute(
            "select id, payload from alerts where rule = ? and status = 'digest' order by id", [rule]
        )
    ]


def oldest_waiting(db: Database, rule: str) -> str | None:
    row = db.execute(
        "select min(created) from alerts where rule = ? and status = 'digest'", [rule]
    ).fetchone()
    return row[0] if row else None


def roll_up(
    db: Database,
    rule: str,
    ids: Sequence[int],
    notify: Sequence[str],
    title: str,
    body: str,
    payload: str,
    now: str,
) -> int:
    """One digest row for the waiting alerts; they are marked digested in the same transaction."""
    cursor = db.execute(
        "insert into alerts (dedup_key, rule, kind, notify, title, body, reason, created, status, attempts,"
        " next_attempt, payload) values (?, ?, 'digest', ?, ?, ?, ?, ?, 'pending', 0, ?, ?)",
        [
            f"{rule}:digest:{ids[0]}-{ids[-1]}",
            rule,
            json.dumps(list(notify)),
            title,
            body,
            f"{len(ids)} stories since the last digest",
            now,
            now,
            payload,
        ],
    )
    digest_id = int(cursor.lastrowid or 0)
    marks = ",".join("?" * len(ids))
    db.execute(
        f"update alerts set status = 'digested', digest_id = ? where id in ({marks})", [digest_id, *ids]
    )
    return digest_id


def due_count(db: Database, now: str) -> int:
    """Pending alerts whose next attempt is due at ``now``."""
    sql = "select count(*) from alerts where status = 'pending' and next_attempt <= ?"
    return int(db.execute(sql, [now]).fetchone()[0])


def remember_digest(db: Database, key: str, when: str) -> None:
    """When a rule's digest was last rolled up (the ``state`` table, under ``key``)."""
    db.execute("insert or replace into state (key, value) values (?, ?)", [key, when])


def last_digest(db: Database, key: str) -> str | None:
    row = db.execute("select value from state where key = ?", [key]).fetchone()
    return str(row[0]) if row and row[0] else None
