"""What a receiver sees of one delivery: the alert's idempotency key, and how long we wait for it.

A receiver slower than Apprise's default 4 s read timeout used to get every alert twice: Apprise
gave up waiting while the receiver went on, the attempt counted as failed and the retry sent it
again. Two changes make a slow receiver see an alert once:

- each target waits :data:`READ_TIMEOUT_S` for an answer unless its URL sets ``rto`` itself;
- every delivery carries the key of :func:`monitor.alerts.keys.idempotency_key`, the same on every
  retry: JSON webhooks get it as the ``Idempotency-Key`` header and an ``idempotency_key`` field,
  other webhooks (form, XML) as the header, email as its ``Message-ID``. A receiver that keeps the
  keys it has seen drops a second delivery even when a retry cannot be avoided.
"""

from __future__ import annotations

import json
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from apprise import URLBase
from apprise.plugins.custom_json import NotifyJSON

from monitor.alerts.keys import idempotency_key

with warnings.catch_warnings():  # Apprise's email plugin imports the deprecated imghdr module
    warnings.filterwarnings("ignore", category=DeprecationWarning, message=".*imghdr")
    import apprise.plugins.email.base as _email_base

HEADER = "Idempotency-Key"
FIELD = "idempotency_key"
MESSAGE_ID_DOMAIN = "rare-earth-monitor"
READ_TIMEOUT_S = 30.0  # a webhook doing real work (a ticket, a chat post) answers well within this
_APPRISE_DEFAULT_RTO = float(URLBase.socket_read_timeout)
_SENDING = threading.Lock()  # the key is set on the (shared) service object for one send at a time
_local = threading.local()
_apprise_make_msgid = _email_base.make_msgid  # type: ignore[attr-defined]


def key_of(kind: str, rule: str, alert_id: int, payload: str | None) -> str:
    """The key of an outbox row: a story alert's rule and story; any other alert's own row id."""
    if kind == "story" and payload:
        story = json.loads(payload).get("story_id")
        if isinstance(story, int):
            return idempotency_key(rule, story)
    return idempotency_key(f"{kind}:{rule}", alert_id)


def apply_timeouts(service: Any) -> None:
    """A longer read timeout for a target whose URL kept Apprise's default (``rto`` not set)."""
    if float(getattr(service, "socket_read_timeout", READ_TIMEOUT_S)) == _APPRISE_DEFAULT_RTO:
        service.socket_read_timeout = READ_TIMEOUT_S


def _make_msgid(*args: Any, **kwargs: Any) -> str:
    # Apprise builds the Message-ID itself (after any custom header, so a header cannot replace it):
    # while a keyed send runs on this thread, the ID is the key. tests/security checks it arrives.
    key = getattr(_local, "key", None)
    return f"<{key}@{MESSAGE_ID_DOMAIN}>" if key else str(_apprise_make_msgid(*args, **kwargs))


_email_base.make_msgid = _make_msgid  # type: ignore[attr-defined]


@contextmanager
def carrying(service: Any, key: str | None) -> Iterator[None]:
    """Within the block, a send through ``service`` carries ``key`` (see the module docstring)."""
    if key is None:
        yield
        return
    with _SENDING:
        headers = getattr(service, "headers", None)
        extras = getattr(service, "payload_extras", None) if isinstance(service, NotifyJSON) else None
        is_email = isinstance(service, _email_base.NotifyEmail)
        saved_headers = dict(headers) if isinstance(headers, dict) else None
        saved_extras = dict(extras) if isinstance(extras, dict) else None
        if isinstance(headers, dict) and not is_email:
            headers[HEADER] = key
        if isinstance(extras, dict):
            extras[FIELD] = key
        _local.key = key if is_email else None
        try:
            yield
        finally:
            _local.key = None
            if saved_headers is not None and isinstance(headers, dict):
                headers.clear()
                headers.update(saved_headers)
            if saved_extras is not None and isinstance(extras, dict):
                extras.clear()
                extras.update(saved_extras)
