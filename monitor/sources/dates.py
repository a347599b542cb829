"""Dates from feeds and sitemaps to ISO 8601 UTC, the one form the store keeps."""

from __future__ import annotations

from datetime import UTC, datetime


def iso_utc(text: str | None) -> str | None:
    """``2024-05-01T09:30:00+00:00`` from W3C/ISO forms (date only, Z, offsets); None if unreadable."""
    if not text or not text.strip():
        return None
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="seconds")
