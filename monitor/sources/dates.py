"""Dates from feeds, pages, sitemaps and text to ISO 8601 UTC, the one form the store keeps.

:func:`publication` is the gate every article's ``published`` passes: normalised to UTC, the
offset it was written with kept beside it, and dates that cannot be a publication time (in the
future, before the web) turned away with a flag instead of sorting the article to the top.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

FUTURE_SLACK = timedelta(hours=2)  # clocks and mislabelled zones: a little ahead is tolerated
EARLIEST_YEAR = 1990  # no web news before this; older dates are typos or template defaults
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, slots=True)
class Published:
    """A publication time as stored: UTC, the offset it was written with, or why it was refused."""

    utc: str | None = None  # ISO 8601 UTC, seconds
    offset: str | None = None  # "+08:00" as written; None when the source gave no zone or no time
    problem: str | None = None  # "future_date" or "impossible_date" when a date was refused


def _parse(text: str) -> datetime | None:
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    try:  # RFC 822 dates of RSS feeds, "Mon, 01 Dec 2025 08:00:00 +0800"
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None


def iso_utc(text: str | None) -> str | None:
    """``2024-05-01T09:30:00+00:00`` from W3C/ISO/RFC 822 forms (date only, Z, offsets); else None."""
    if not text or not text.strip():
        return None
    when = _parse(text)
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="seconds")


def offset_of(text: str | None) -> str | None:
    """The UTC offset a date was written with (``+08:00``), None when it named no zone or no time."""
    if not text or _DATE_ONLY.match(text.strip()):
        return None
    when = _parse(text)
    if when is None or when.tzinfo is None:
        return None
    delta = when.utcoffset() or timedelta(0)
    minutes = int(delta.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def publication(text: str | None, now: str | datetime) -> Published:
    """The stored form of a claimed publication time, checked against ``now`` (the fetch time)."""
    utc = iso_utc(text)
    if utc is None:
        return Published()
    when = datetime.fromisoformat(utc)
    moment = _parse(now) if isinstance(now, str) else now
    moment = moment if moment is None or moment.tzinfo else moment.replace(tzinfo=UTC)
    if moment is not None and when > moment + FUTURE_SLACK:
        return Published(problem="future_date")
    if when.year < EARLIEST_YEAR:
        return Published(problem="impossible_date")
    return Published(utc, offset_of(text))
