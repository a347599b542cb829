"""What a page fetch means for its queued entry, and when a failed page is tried again (pure).

A page that arrived is stored; 404/410 is gone for good; a refusal that asking again cannot
change (robots.txt says no, a blocked address, not an article's content type) is skipped; a
request the Fetcher did not send because of Retry-After waits without counting as an attempt;
anything else is retried, ``page_retry_delay × 2^(attempts−1)`` later (at most ``cap``, never
before a Retry-After), until ``page_attempts`` attempts have failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.fetch.client import ROBOTS_DISALLOWED
from monitor.models import FetchResult

PAGE = "page"
WAIT = "wait"  # not sent (Retry-After): try again then, no attempt counted
GONE = "gone"
SKIP = "skip"
RETRY = "retry"

_PERMANENT_REFUSALS = (
    "blocked: ", "invalid URL", "unexpected content type", "too large", "binary content refused"
)
_MAX_EXPONENT = 30


@dataclass(frozen=True, slots=True)
class Verdict:
    kind: str
    reason: str | None = None
    wait: float = 0.0  # seconds; for WAIT, and the floor of a RETRY's delay (Retry-After)


def judge(result: FetchResult) -> Verdict:
    if result.deferred is not None:
        return Verdict(WAIT, result.error, result.deferred)
    if result.ok:
        return Verdict(PAGE) if result.body.strip() else Verdict(RETRY, "empty page")
    reason = result.error or f"HTTP {result.status}"
    if result.status in (404, 410):
        return Verdict(GONE, reason)
    if reason == ROBOTS_DISALLOWED or reason.startswith(_PERMANENT_REFUSALS):
        return Verdict(SKIP, reason)
    return Verdict(RETRY, reason, result.retry_after or 0.0)


def retry_delay(attempts: int, base: float, cap: float, floor: float = 0.0) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt (1 is the first)."""
    delay = min(base * float(2 ** min(max(attempts - 1, 0), _MAX_EXPONENT)), cap)
    return max(delay, floor)


def later(now: str, seconds: float) -> str:
    return (datetime.fromisoformat(now) + timedelta(seconds=seconds)).isoformat(timespec="seconds")
