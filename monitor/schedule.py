"""Pure scheduling arithmetic for the daemon: when a source runs next, how late is too late, cron.

No clock and no randomness of its own: callers pass ``now`` and a random source, so every
rule here is a plain table-driven test.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.triggers.cron import CronTrigger

STARTUP_SPREAD = 30.0  # at most this many seconds over which overdue sources start after a restart
SPREAD_PER_SOURCE = 0.05  # seconds: 1,000 overdue sources start over 30 s, a handful at once
MAX_JITTER = 300.0  # seconds; a source never drifts more than this from its interval
_CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def jitter(interval: int) -> float:
    """Up to 10% of the interval (capped): keeps 1,000 sources from firing in lockstep."""
    return min(interval * 0.1, MAX_JITTER)


def misfire_grace(interval: int) -> int:
    """A run delayed by up to half its interval (a busy loop, a suspend) still happens."""
    return max(30, interval // 2)


def parse_time(value: str | None) -> datetime | None:
    """A stored ISO 8601 time, as an aware UTC datetime; None when absent or unreadable."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def startup_spread(sources: int) -> float:
    """Seconds over which overdue sources start: long enough that a restart is no thundering herd."""
    return min(STARTUP_SPREAD, SPREAD_PER_SOURCE * sources)


def first_run(stored_due: str | None, now: datetime, interval: int, rng: random.Random,
              spread: float = STARTUP_SPREAD) -> datetime:
    """The stored ``next_due`` when it lies ahead (so a restart loses no schedule and no backoff);
    otherwise soon, spread over ``spread`` seconds (and a tenth of the interval) so a restart
    does not fire every source at once."""
    due = parse_time(stored_due)
    if due is not None and due > now:
        return due
    return now + timedelta(seconds=rng.uniform(0, min(spread, interval * 0.1)))


def next_run(stored_due: str | None, now: datetime, interval: int, rng: random.Random) -> datetime:
    """After a pass: the ``next_due`` the pipeline stored (it includes error backoff), plus jitter."""
    due = parse_time(stored_due) or now + timedelta(seconds=interval)
    return max(due, now) + timedelta(seconds=rng.uniform(0, jitter(interval)))


def cron_trigger(expression: str, timezone: str | None) -> Any:
    """A CronTrigger from a crontab line with crontab's weekday numbers (0 and 7 are Sunday).

    APScheduler 3 counts weekdays from Monday = 0, so ``0 8 * * 1`` would fire on Tuesdays;
    numeric weekdays are rewritten to names, which both agree on. Raises ValueError.
    """
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"a cron schedule has 5 fields, got {len(fields)}: {expression!r}")
    fields[4] = _weekday_names(fields[4])
    return CronTrigger.from_crontab(" ".join(fields), timezone=timezone or "UTC")


def _weekday_names(field: str) -> str:
    def name(match: re.Match[str]) -> str:
        number = int(match.group(0))
        if number > 7:
            raise ValueError(f"weekday {number} is out of range 0-7")
        return _CRON_DAYS[number]

    # Numbers after "/" are steps, not days.
    return re.sub(r"(?<![/\d])\d+", name, field)
