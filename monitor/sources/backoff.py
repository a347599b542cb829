"""When to visit a source next, and what its listings say about its health.

A source is visited at its interval when healthy, with exponential backoff when failing.
Pure: the caller passes the clock. A failing source is retried sooner than never and
later than hammering: ``interval × 2^(errors-1)``, capped (default 6 h, the ``[fetch]``
``backoff_cap``), and never before the server's Retry-After.
"""

from __future__ import annotations

from datetime import datetime, timedelta

DEFAULT_CAP = 21600.0  # seconds; FetchSettings.backoff_cap
_MAX_EXPONENT = 30  # 2^30 × any interval is past every cap; stops float overflow


def backoff(interval: float, error_count: int, cap: float = DEFAULT_CAP) -> float:
    """Seconds to wait after ``error_count`` consecutive failures (0: just the interval)."""
    interval = max(float(interval), 1.0)
    if error_count <= 0:
        return interval
    delay = interval * float(2 ** min(error_count - 1, _MAX_EXPONENT))
    return min(delay, max(cap, interval))


def next_visit(
    now: datetime, interval: float, error_count: int, retry_after: float | None, *, cap: float = DEFAULT_CAP
) -> datetime:
    """The time of the next pass: backoff from ``now``, and not before Retry-After allows."""
    wait = backoff(interval, error_count, cap)
    if retry_after is not None and retry_after > wait:
        wait = retry_after
    return now + timedelta(seconds=wait)


def empty_warning(
    listed_before: int | None, warning_before: str | None, listed_now: int | None
) -> str | None:
    """A warning for a source that listed entries before and now lists none; kept while it stays empty.

    ``listed_now`` is None when this pass listed nothing at all (304, an error): nothing changes.
    """
    if listed_now is None:
        return warning_before
    if listed_now > 0:
        return None
    if warning_before:
        return warning_before
    if listed_before:
        return f"listed no entries (it listed {listed_before} before): feed emptied, moved or broken?"
    return None
