"""robots.txt per RFC 9309: parsing and matching (pure), and a per-host cache with a TTL.

Matching: the group naming our product token (case-insensitive) wins, else the ``*``
group; among its rules the longest matching path wins and ``Allow`` wins a tie;
``*`` matches any run of characters and a trailing ``$`` anchors the end.
Fetch outcomes (RFC 9309 §2.3.1): 2xx → the rules; 4xx → allow everything;
5xx, 429 or unreachable → disallow everything (for a short while, then retry).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import quote, unquote, urlsplit

MAX_ROBOTS_BYTES = 512 * 1024  # RFC 9309 §2.5: parse at least 500 KiB


@dataclass(frozen=True, slots=True)
class Rule:
    allow: bool
    path: str


@dataclass(slots=True)
class _Group:
    agents: list[str] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    crawl_delay: float | None = None


@dataclass(frozen=True, slots=True)
class Robots:
    """The rules that apply to one user agent token on one host."""

    rules: tuple[Rule, ...] = ()
    crawl_delay: float | None = None
    disallow_all: bool = False  # robots.txt was unreachable
    reason: str | None = None  # why everything is disallowed, when it is not robots.txt itself

    def allows(self, url: str) -> bool:
        if self.disallow_all:
            return False
        path = _path_of(url)
        if path == "/robots.txt":
            return True
        best: Rule | None = None
        for rule in self.rules:
            if rule.path and _matches(rule.path, path) and _beats(rule, best):
                best = rule
        return best is None or best.allow


ALLOW_ALL = Robots()
DISALLOW_ALL = Robots(disallow_all=True)


def _beats(rule: Rule, best: Rule | None) -> bool:
    if best is None or len(rule.path) > len(best.path):
        return True
    return len(rule.path) == len(best.path) and rule.allow and not best.allow


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    path = _normalize(parts.path or "/")
    return f"{path}?{parts.query}" if parts.query else path


def _normalize(path: str) -> str:
    # Compare in one canonical percent-encoding so "/a%2fb" style differences don't matter.
    return quote(unquote(path), safe="/?=&*$:@!,;+~-._")


@lru_cache(maxsize=4096)
def _pattern(rule_path: str) -> re.Pattern[str]:
    anchored = rule_path.endswith("$")
    body = rule_path[:-1] if anchored else rule_path
    regex = ".*".join(re.escape(part) for part in body.split("*"))
    return re.compile(regex + ("$" if anchored else ""))


def _matches(rule_path: str, path: str) -> bool:
    return _pattern(rule_path).match(path) is not None


def parse(text: str, agent_token: str) -> Robots:
    """The rules in ``text`` that apply to ``agent_token`` (e.g. "RareEarthMonitor")."""
    groups = _groups(text)
    token = agent_token.lower()
    mine = [g for g in groups if token in g.agents]
    chosen = mine or [g for g in groups if "*" in g.agents]
    rules = tuple(rule for g in chosen for rule in g.rules)
    delays = [g.crawl_delay for g in chosen if g.crawl_delay is not None]
    return Robots(rules=rules, crawl_delay=max(delays) if delays else None)


def _groups(text: str) -> list[_Group]:
    groups: list[_Group] = []
    current: _Group | None = None
    in_agents = False  # consecutive user-agent lines share one group
    for key, value in _lines(text):
        if key == "user-agent":
            if current is None or not in_agents:
                current = _Group()
                groups.append(current)
            current.agents.append(value.split("/")[0].strip().lower())
            in_agents = True
            continue
        in_agents = False
        if current is not None:
            _add_line(current, key, value)
    return groups


def _add_line(group: _Group, key: str, value: str) -> None:
    if key in ("allow", "disallow"):
        path = _normalize(value) if value else ""
        group.rules.append(Rule(allow=key == "allow", path=path))
    elif key == "crawl-delay":
        with contextlib.suppress(ValueError):
            group.crawl_delay = max(0.0, float(value))


def _lines(text: str) -> list[tuple[str, str]]:
    pairs = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if ":" in line:
            key, value = line.split(":", 1)
            pairs.append((key.strip().lower(), value.strip()))
    return pairs


def verdict(status: int, body: bytes, agent_token: str) -> Robots:
    """What a robots.txt response means for us (status 0: unreachable)."""
    if 200 <= status < 300:
        return parse(body[:MAX_ROBOTS_BYTES].decode("utf-8", "replace"), agent_token)
    if 400 <= status < 500 and status != 429:
        return ALLOW_ALL
    return DISALLOW_ALL


def robots_url(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"


Loader = Callable[[str], Awaitable[Robots]]


@dataclass(slots=True)
class _Cached:
    robots: Robots
    expires: float


class RobotsCache:
    """robots.txt per origin, fetched once (concurrent askers wait for the same fetch), kept ``ttl`` s."""

    def __init__(self, ttl: float, failure_ttl: float, clock: Callable[[], float]) -> None:
        self._ttl = ttl
        self._failure_ttl = failure_ttl
        self._clock = clock
        self._entries: dict[str, _Cached] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def get(self, url: str, load: Loader, partition: str = "") -> Robots:
        """The rules for ``url``'s origin; ``partition`` keeps differently guarded callers apart."""
        key = f"{partition}|{robots_url(url)}"
        async with self._locks.setdefault(key, asyncio.Lock()):
            cached = self._entries.get(key)
            if cached is not None and cached.expires > self._clock():
                return cached.robots
            robots = await load(robots_url(url))
            ttl = self._failure_ttl if robots.disallow_all else self._ttl
            self._entries[key] = _Cached(robots, self._clock() + ttl)
            return robots
