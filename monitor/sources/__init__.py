"""Sources: where entries come from. One module per kind; ``files`` is local, the rest are web.

The pipeline asks a source kind for a :class:`Listing` and never looks inside the kind.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.models import Entry, FetchResult


@dataclass(frozen=True, slots=True)
class SourceState:
    """What the ``sources`` table remembers about a source between passes."""

    etag: str | None = None
    last_modified: str | None = None
    redirect_url: str | None = None  # a permanent redirect to use instead of the configured URL
    error_count: int = 0


@dataclass(frozen=True, slots=True)
class Listing:
    """What one pass over a source's index produced."""

    entries: tuple[Entry, ...]
    fetches: tuple[FetchResult, ...] = ()  # every request made, for the fetches table
    state: SourceState = SourceState()
    error: str | None = None  # set when the listing failed and the source is unhealthy
    total: int | None = None  # entries the source listed before any were left out (None: len(entries))
    deferred: float | None = None  # not asked: seconds until the server's Retry-After lets us

    @property
    def listed(self) -> int:
        return len(self.entries) if self.total is None else self.total
