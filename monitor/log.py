"""Logging: one line per event, ``event key=value ...``, secrets redacted (:mod:`monitor.redact`).

Under systemd (``JOURNAL_STREAM`` set) journald adds its own timestamps, so we
print none; on a terminal each line starts with the time.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

from monitor.redact import redact

__all__ = ["event", "format_event", "redact", "setup"]


def _quote(value: Any) -> str:
    text = redact(str(value))
    if text == "" or any(c in text for c in ' "=\n\t'):
        text = '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return text


def format_event(event: str, fields: dict[str, Any]) -> str:
    parts = [event] + [f"{k}={_quote(v)}" for k, v in fields.items() if v is not None]
    return " ".join(parts)


def event(logger: logging.Logger, name: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log one event as ``name key=value ...``."""
    if logger.isEnabledFor(level):
        logger.log(level, "%s", format_event(name, fields))


class _RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def setup(level: str = "INFO") -> None:
    """Send logs to stderr, one line per event; no timestamps under journald."""
    fmt = "%(levelname)s %(name)s %(message)s"
    if not os.environ.get("JOURNAL_STREAM"):
        fmt = "%(asctime)s " + fmt
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_RedactingFormatter(fmt, datefmt="%Y-%m-%dT%H:%M:%S"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore", "apscheduler.executors", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
