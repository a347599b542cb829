"""One exception hierarchy for the whole monitor.

The CLI turns every ``MonitorError`` into a one-line message and an exit code;
anything else is a bug and gets a traceback.

    MonitorError
    ├── ConfigError        feeds.toml (or a file it names) is invalid: carries file, line, key
    │   └── ConfigErrors   several of them at once (``monitor config check`` shows them all)
    ├── ServeError         Datasette cannot start (its address is taken)
    ├── StoreError         the database cannot be opened, migrated or locked
    │   ├── LockedError    another ``monitor run`` already owns this database
    │   └── BusyError      another process kept the database's write lock past the wait
    ├── FetchError         a request failed (network, status, limits, policy)
    │   ├── BlockedError   the URL is not allowed (scheme, SSRF guard, robots.txt)
    │   └── TooLargeError  the body or its decompressed form is over the cap
    ├── ParseError         a feed, sitemap, OPML or page could not be understood
    ├── UsageError         a command's input cannot be used (a file the user named is missing)
    └── DeliveryError      an alert could not be delivered to a target
"""

from __future__ import annotations


class MonitorError(Exception):
    """Base of every error the monitor raises on purpose."""

    exit_code = 1


class ConfigError(MonitorError):
    """Raised when a configuration file is invalid; names file, line and key."""

    exit_code = 2

    def __init__(self, message: str, *, file: str = "", line: int | None = None, key: str = "") -> None:
        self.message = message
        self.file = file
        self.line = line
        self.key = key
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where = f"{where}:{self.line}"
        parts = [p for p in (where, self.key) if p]
        return ": ".join([*parts, self.message])


class ConfigErrors(ConfigError):
    """Every problem found in one file, in file order; behaves as the first for code that wants one."""

    def __init__(self, errors: list[ConfigError]) -> None:
        self.errors = list(errors)
        first = self.errors[0]
        super().__init__(first.message, file=first.file, line=first.line, key=first.key)

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


class ServeError(MonitorError):
    """Raised when Datasette cannot serve: its host and port are taken or cannot be bound.

    Its own exit code, so a systemd unit can stop restarting (``RestartPreventExitStatus=3``).
    """

    exit_code = 3


class StoreError(MonitorError):
    """Raised when the database cannot be opened, migrated or written."""


class LockedError(StoreError):
    """Raised when a second daemon tries to run on a database that is already owned."""


class BusyError(StoreError):
    """Raised when another process held SQLite's write lock longer than ``[monitor] write_wait``."""


class FetchError(MonitorError):
    """Raised when a request fails; ``FetchResult.error`` carries the message instead in the pipeline."""


class BlockedError(FetchError):
    """Raised when a URL is refused by policy: scheme, SSRF guard or robots.txt."""


class TooLargeError(FetchError):
    """Raised when a response body, raw or decompressed, exceeds the configured cap."""


class ParseError(MonitorError):
    """Raised when a feed, sitemap, OPML file or page cannot be parsed."""


class UsageError(MonitorError):
    """Raised when a command's input cannot be used: a missing or unreadable file, no database yet."""


class DeliveryError(MonitorError):
    """Raised when an alert cannot be delivered to one of its targets."""
