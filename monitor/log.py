"""Logging: one line per event, ``event key=value ...``, secrets redacted.

Under systemd (``JOURNAL_STREAM`` set) journald adds its own timestamps, so we
print none; on a terminal each line starts with the time.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from typing import Any

# user:password@ in URLs, and query arguments or headers that carry credentials.
_CREDENTIALS = re.compile(r"(?<=://)[^/\s:@]+(:[^/\s@]*)?@")
# Query arguments such as ?key=...&token=..., and credential-named fields anywhere. A bare ``key=``
# outside a query string is our own log field (a config key), not a secret.
_SECRET_ARGS = re.compile(
    r"(?i)((?<=[?&])(?:key|sig|signature|code|access_token)|\b(?:api[_-]?key|apikey|token|secret|password|"
    r"passwd|pass|auth|authorization|webhook))([=:]\s*)([^&\s,;]+)"
)
_SCHEME_SECRET = re.compile(r"(?i)\b([a-z][a-z0-9+.-]{1,20})://[^\s]+")
_SAFE_SCHEMES = {"http", "https", "file"}


def redact(text: str) -> str:
    """Remove credentials from text that may contain URLs: Apprise URLs are removed whole."""
    text = _SCHEME_SECRET.sub(_redact_url, text)
    text = _CREDENTIALS.sub("***@", text)
    return _SECRET_ARGS.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)


def _redact_url(match: re.Match[str]) -> str:
    # Any non-web URL here is an Apprise target (mailto://, json://, tgram://...): all of it is secret.
    if match.group(1).lower() in _SAFE_SCHEMES:
        return match.group(0)
    return f"{match.group(1)}://***"


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
