"""The ``[fetch]`` table of feeds.toml, declared once: defaults, help and checks (data only).

``monitor.config`` builds it from the file; ``monitor.fetch.client`` reads it. Kept apart from the
client so the configuration does not import the HTTP machinery.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from monitor.settings import non_negative, positive, setting

DEFAULT_USER_AGENT = "RareEarthMonitor/0.1 (+https://github.com/rare-earth-monitor/monitor)"


def _non_empty(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "must be a non-empty string"


def _is_bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _count(value: Any) -> str | None:
    return (
        None if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else "must be 0 or more"
    )


@dataclass(frozen=True, slots=True)
class FetchSettings:
    """The ``[fetch]`` table of feeds.toml."""

    user_agent: str = setting(
        DEFAULT_USER_AGENT, "User-Agent sent with every request; keep a contact URL in it.", _non_empty
    )
    per_host: int = setting(2, "Requests in flight to one host at a time.", positive)
    concurrency: int = setting(16, "Requests in flight in total.", positive)
    min_delay: float = setting(1.0, "Seconds between the starts of two requests to one host.", non_negative)
    connect_timeout: float = setting(10.0, "Seconds to wait for a connection.", positive)
    read_timeout: float = setting(20.0, "Seconds to wait for each read from the server.", positive)
    deadline: float = setting(
        60.0, "Seconds one request (one redirect hop) may take in all, body included.", positive
    )
    max_bytes: int = setting(5_000_000, "Largest body accepted, as sent over the wire.", positive)
    max_decompressed: int = setting(
        20_000_000, "Largest body accepted after gzip/deflate decoding.", positive
    )
    max_redirects: int = setting(5, "Redirects followed per request.", _count)
    respect_robots: bool = setting(True, "Obey robots.txt (RFC 9309), including Crawl-delay.", _is_bool)
    robots_ttl: float = setting(86400.0, "Seconds a fetched robots.txt is kept.", positive)
    max_crawl_delay: float = setting(
        30.0, "Largest robots.txt Crawl-delay honoured, in seconds.", non_negative
    )
    failure_threshold: int = setting(5, "Consecutive failures of a source before a health event.", positive)
    backoff_cap: float = setting(
        21600.0, "Longest wait, in seconds, between retries of a failing source.", positive
    )
    retry_after_cap: float = setting(
        3600.0, "Longest Retry-After honoured, in seconds; a server asking for more gets this.", positive
    )
    page_attempts: int = setting(
        6, "Attempts at an article page before it is marked failed (retried on later passes).", positive
    )
    page_retry_delay: float = setting(
        600.0,
        "Seconds before a failed page is tried again; doubled after each failure, at most backoff_cap.",
        non_negative,
    )

    @property
    def agent_token(self) -> str:
        """The product token robots.txt groups are matched against: "RareEarthMonitor"."""
        return self.user_agent.split("/", 1)[0].split()[0]
