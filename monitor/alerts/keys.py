"""The idempotency key of an alert: the same for every delivery attempt of one rule firing for one story."""

from __future__ import annotations

import hashlib


def idempotency_key(rule: str, story_id: int) -> str:
    """Stable across retries and restarts, so a receiver can recognise a second delivery."""
    digest = hashlib.sha256(f"{rule}\x00{story_id}".encode()).hexdigest()[:24]
    return f"rem-{digest}"
