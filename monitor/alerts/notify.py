"""The outbox sender: due alerts to their Apprise targets, with retries, digests and test messages.

Delivery semantics (see docs/alerts.md):

- An alert is claimed (status ``sending``) before anything is sent, and every send to a target
  is recorded *before* it happens (an attempt row without a result) and completed after.
- A target that has a successful attempt is never sent that alert again, so a partially
  delivered alert only retries the targets that failed.
- If the process dies between sending and recording, the attempt stays without a result; the
  next run records it as interrupted and sends again: **at-least-once** for that one window
  (a duplicate is visible and harmless, a lost alert is not). Everywhere else: exactly once.

Apprise's blocking calls run in worker threads; the database is only touched from the calling
thread (the monitor has one writer). Only target aliases and redacted errors are stored or
logged, never target URLs.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

from monitor import log
from monitor.alerts import health, numbers, receiver, render
from monitor.alerts.targets import Target, Targets, load_targets, structured_fields
from monitor.errors import ConfigError
from monitor.schedule import cron_trigger
from monitor.store import outbox, stories
from monitor.store.outbox import Outgoing

if TYPE_CHECKING:
    from monitor.alerts.rules import Rule
    from monitor.config import Config

logger = logging.getLogger("monitor.alerts.notify")
_LIVE_RUNS: set[str] = set()  # delivery runs of this process; claims of any other run are stale
_DIGEST_STATE = "alerts.last_digest."


@dataclass(frozen=True, slots=True)
class TargetResult:
    """One send to one target."""

    target: str  # the alias, never the URL
    ok: bool
    error: str | None = None


@dataclass(slots=True)
class DeliveryReport:
    """What a delivery run did."""

    sent: int = 0  # alerts now delivered to all their targets
    retrying: int = 0  # alerts with a failed target, to be retried after a backoff
    failed: int = 0  # alerts given up on
    waiting: int = 0  # due alerts left pending because no target is configured at all
    results: list[TargetResult] = field(default_factory=list)

    def add(self, other: DeliveryReport) -> None:
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed
        self.waiting += other.waiting
        self.results += other.results


# Apprise, in worker threads --------------------------------------------------------------------


class _RedactApprise(logging.Filter):
    """Apprise (and urllib3 under it) log request URLs, whose paths often are the secret (webhook
    tokens): web URLs keep only their host, other URLs and credentials go through ``log.redact``."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = _WEB_PATH.sub(r"\1/***", record.getMessage())
        record.msg, record.args = _REQUEST_LINE.sub(r"\1 /***", log.redact(text)), ()
        return True


_WEB_PATH = re.compile(r"(?i)\b(https?://[^/\s?#]+)[/?#][^\s\"')]*")
_REQUEST_LINE = re.compile(r'\b(GET|POST|PUT|PATCH|DELETE|HEAD) /[^\s"]*')


class _ThreadErrors(logging.Handler):
    """Collects Apprise's warnings per thread: Apprise reports only True/False, the reason is logged."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.local = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        bucket = getattr(self.local, "bucket", None)
        if bucket is not None:
            bucket.append(record.getMessage())

    @contextmanager
    def collect(self) -> Iterator[list[str]]:
        self.local.bucket = []
        try:
            yield self.local.bucket
        finally:
            self.local.bucket = None


_ERRORS = _ThreadErrors()
logging.getLogger("apprise").addHandler(_ERRORS)
for _name in ("apprise", "urllib3.connectionpool"):
    logging.getLogger(_name).addFilter(_RedactApprise())


def send_blocking(
    target: Target, title: str, body: str, fields: Mapping[str, Any] | None = None, key: str | None = None
) -> TargetResult:
    """Send one message to one target (blocks; call from a worker thread).

    ``fields``: structured facts a JSON target posts beside the message (other targets ignore them).
    ``key``: the alert's idempotency key, carried to the receiver (see :mod:`monitor.alerts.receiver`).
    """
    with _ERRORS.collect() as errors, structured_fields(target, fields or {}):
        try:  # the service itself, not an Apprise() around it: that would send from its own thread pool
            with receiver.carrying(target.service, key):
                ok = bool(target.service.notify(body=body, title=title, body_format=target.format))
        except Exception as exc:  # a plugin bug must fail the attempt, not the run
            ok, errors[:] = False, [f"{type(exc).__name__}: {exc}"]
    error = None if ok else log.redact("; ".join(errors[-3:]) or "not delivered")
    return TargetResult(target.alias, ok, error)


# The outbox sender ---------------------------------------------------------------------------------


def _stamp(now: datetime | str | None) -> str:
    return outbox.iso(now or datetime.now(UTC))


async def deliver_pending(db: Database, config: Config, now: datetime | None = None) -> DeliveryReport:
    """Send every due alert (pending, next attempt reached) to its targets."""
    stamp, targets = _stamp(now), load_targets(config)
    if not len(targets):
        return _no_targets(db, stamp)
    return await _run(db, config, targets, stamp)


def _no_targets(db: Database, stamp: str) -> DeliveryReport:
    """Without any target alerts stay pending, so nothing is lost until one is configured."""
    due = outbox.due_count(db, stamp)
    if due:
        log.event(
            logger,
            "alerts_waiting",
            logging.WARNING,
            due=due,
            hint="no targets: set monitor.apprise_config or MONITOR_APPRISE_URLS",
        )
    return DeliveryReport(waiting=int(due))


async def _run(db: Database, config: Config, targets: Targets, stamp: str) -> DeliveryReport:
    """Recover stale claims, then claim and deliver batches until nothing is due."""
    run, report = uuid.uuid4().hex, DeliveryReport()
    _LIVE_RUNS.add(run)
    try:
        with db.atomic():
            outbox.recover(db, _LIVE_RUNS)
        while True:
            with db.atomic():
                batch = outbox.claim_due(db, run, stamp)
            if not batch:
                return report
            # Notices raised meanwhile (a target failing or working again) are due now: same run.
            for alert in batch:
                await _deliver(db, config, targets, alert, stamp, report)
    finally:
        _LIVE_RUNS.discard(run)


async def _deliver(
    db: Database, config: Config, targets: Targets, alert: Outgoing, stamp: str, report: DeliveryReport
) -> None:
    chosen = targets.matching(alert.notify)
    done = outbox.delivered_to(db, alert.id)
    failures = []
    for target in chosen:
        if target.alias not in done:
            result = await _attempt(db, config, alert, target, stamp)
            report.results.append(result)
            if not result.ok:
                failures.append(result)
    error = "; ".join(f"{r.target}: {r.error}" for r in failures) or None
    if not chosen:
        error = f"no target has any of the tags {', '.join(alert.notify)}"
    with db.atomic():
        status = outbox.settle(db, alert, error is None, error, stamp)
        if status == "failed":
            for failed in failures or [TargetResult("(no target)", False, error)]:
                health.delivery_failed(db, failed.target, failed.error, stamp)
    _count(report, status)
    log.event(logger, "alert_" + status, alert=alert.id, rule=alert.rule, kind=alert.kind, error=error)


def _count(report: DeliveryReport, status: str) -> None:
    if status == "sent":
        report.sent += 1
    elif status == "failed":
        report.failed += 1
    else:
        report.retrying += 1


async def _attempt(db: Database, config: Config, alert: Outgoing, target: Target, stamp: str) -> TargetResult:
    """One send, recorded before (no result) and after (the result)."""
    with db.atomic():
        attempt = outbox.start_attempt(db, alert.id, target.alias, stamp)
    payload = as_sent(db, alert.payload)
    database_url = config.database_url
    body = render.body(payload, alert.body, target.format, database_url)
    key = receiver.key_of(alert.kind, alert.rule, alert.id, alert.payload)
    fields = _fields(alert, payload, database_url, key)
    title = f"[{alert.rule}] {alert.title}" if target.is_email and alert.kind != "notice" else alert.title
    result = await asyncio.to_thread(send_blocking, target, title, body, fields, key)
    with db.atomic():
        outbox.finish_attempt(db, attempt, result.ok, result.error)
        if result.ok:
            health.delivery_ok(db, target.alias, stamp)
    return result


def as_sent(db: Database, payload: str | None) -> str | None:
    """The stored payload with each story as it stands now: outlets so far, its first copy."""
    if not payload:
        return payload
    data = json.loads(payload)
    if data.get("kind") == "story":
        return _current(db, render.Facts.from_json(payload)).to_json()
    if data.get("kind") == "digest":
        items = [_current(db, render.Facts.from_json(json.dumps(i))) for i in data.get("items", [])]
        return render.digest_payload(str(data.get("rule", "")), items)
    return payload


def _current(db: Database, facts: render.Facts) -> render.Facts:
    now = stories.now(db, facts.story_id)
    if now is None:
        return facts
    return render.with_story(
        facts, now.outlets, now.first_outlet, now.first_published, now.first_estimated, now.first_url
    )


def _fields(alert: Outgoing, payload: str | None, database_url: str, key: str) -> dict[str, Any]:
    """Structured fields for JSON targets: the story's facts, or a digest's stories; always the alert's
    idempotency ``key`` (the one :mod:`monitor.alerts.receiver` also sends as a header)."""
    data = json.loads(payload) if payload else {}
    if data.get("kind") == "story":
        facts = render.structured(render.Facts.from_json(payload or ""), database_url)
        return {**facts, "idempotency_key": key}
    if data.get("kind") == "digest":
        stories = [render.Facts.from_json(json.dumps(item)) for item in data["items"]]
        items = [render.structured(facts, database_url) for facts in stories]
        return {"rule": alert.rule, "stories": items, "idempotency_key": key}
    if data.get("kind") == "number":
        return {**numbers.structured(payload or "", database_url), "idempotency_key": key}
    return {"idempotency_key": key}


# Digests ---------------------------------------------------------------------------------------


def rule_named(config: Config, name: str) -> Rule:
    rule = next((r for r in config.alerts if r.name == name), None)
    if rule is None:
        raise ConfigError(f"no alert rule named {name!r}", file=str(config.path))
    return rule


async def send_digests(
    db: Database, config: Config, rule_name: str, now: datetime | None = None
) -> DeliveryReport:
    """One message with every alert of the rule waiting for its digest, grouped by tag."""
    rule, stamp = rule_named(config, rule_name), _stamp(now)
    with db.atomic():
        digest_id = _roll_up(db, rule, stamp)
        outbox.remember_digest(db, _DIGEST_STATE + rule.name, stamp)
    if digest_id is None:
        return DeliveryReport()
    targets = load_targets(config)
    if not len(targets):
        return _no_targets(db, stamp)
    return await _run(db, config, targets, stamp)  # the digest is due now, with whatever else is


def _roll_up(db: Database, rule: Any, stamp: str) -> int | None:
    rows = outbox.waiting(db, rule.name)
    if not rows:
        return None
    items = [render.Facts.from_json(payload) for _, payload in rows if payload]
    title = render.digest_title(rule.name, len(rows))
    body = render.digest(rule.name, items, "markdown", "")
    payload = render.digest_payload(rule.name, items)
    return outbox.roll_up(db, rule.name, [i for i, _ in rows], rule.notify, title, body, payload, stamp)


def due_digests(rules: Sequence[Any], last_runs: Mapping[str, datetime | None], now: datetime) -> list[str]:
    """Names of the rules whose digest schedule fired after their last run (pure).

    ``last_runs`` holds each rule's last digest, or when its oldest waiting alert arrived; a
    rule absent from it (never sent, nothing waiting) is not due.
    """
    due = []
    for rule in rules:
        last, schedule = last_runs.get(rule.name), rule.digest_schedule
        if last is None or not schedule:
            continue
        trigger = cron_trigger(schedule, rule.timezone)
        fire = trigger.get_next_fire_time(None, last + timedelta(seconds=1))
        if fire is not None and fire <= now:
            due.append(rule.name)
    return due


async def send_due_digests(db: Database, config: Config, now: datetime | None = None) -> DeliveryReport:
    """For ``monitor once``: send the digests whose schedule passed since the last one."""
    moment = datetime.fromisoformat(_stamp(now))
    report = DeliveryReport()
    last_runs = {rule.name: _last_digest(db, rule.name) for rule in config.alerts if rule.digest_schedule}
    for name in due_digests(config.alerts, last_runs, moment):
        report.add(await send_digests(db, config, name, moment))
    return report


def _last_digest(db: Database, rule: str) -> datetime | None:
    # Never sent: the schedule counts from the oldest alert waiting for it.
    last = outbox.last_digest(db, _DIGEST_STATE + rule) or outbox.oldest_waiting(db, rule)
    return datetime.fromisoformat(outbox.iso(last)) if last else None


# Test messages -------------------------------------------------------------------------------------


def send_test(config: Config, rule_name: str | None = None) -> list[TargetResult]:
    """``monitor alert test``: a sample alert to the rule's targets (or all), the result per target."""
    targets = load_targets(config)
    chosen = targets.matching(rule_named(config, rule_name).notify) if rule_name else targets.items
    facts = sample_facts(rule_name or "test")
    results = []
    for target in chosen:
        body = render.RENDERERS.get(target.format, render.markdown)(facts, config.database_url)
        fields = render.structured(facts, config.database_url)
        results.append(send_blocking(target, f"[test] {facts.title}", body, fields))
        log.event(logger, "alert_test", target=target.alias, ok=results[-1].ok, error=results[-1].error)
    return results


def sample_facts(rule: str) -> render.Facts:
    sentence = "China added dysprosium and terbium to its export control list on Friday."
    return render.Facts(
        rule=rule,
        title="Test alert from Rare Earth Monitor",
        url="https://example.org/rare-earths/test",
        outlet="Example News",
        outlets=("Example News", "Example Wire"),
        published=_stamp(None),
        score=0.9,
        reason="a test sent by `monitor alert test`",
        article_id=0,
        story_id=0,
        evidence=(render.Evidence("element:dysprosium", sentence, ("dysprosium",)),),
        first_outlet="Example Wire",
        first_published=_stamp(None),
        lede=f"{sentence} Exporters now need a licence for each shipment.",
        tags=("element:dysprosium", "element:terbium", "theme:export-controls"),
    )
