"""Where alerts go: Apprise targets from a configuration file or ``MONITOR_APPRISE_URLS``.

Target URLs carry credentials, so they are read from the file or the environment each time and
never stored: the database and the logs only ever see a target's alias (``json-1``,
``mailto-2``, or the name given with a ``name:ALIAS`` tag) and its tags.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import apprise

from monitor.alerts import receiver
from monitor.errors import ConfigError

if TYPE_CHECKING:
    from monitor.config import Config

ENV_VAR = "MONITOR_APPRISE_URLS"
HEALTH_TAG = "health"  # health notices go to targets with this tag, or to every target when none has it
_NAME_TAG = "name:"
# Seconds Apprise waits between two sends to one service (its politeness; 5.5 s for email).
# None keeps each service's own; tests with local servers set 0.
SEND_INTERVAL: float | None = None
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*)://", re.IGNORECASE)
# Entries are separated by whitespace, or by a comma directly followed by another URL (commas also
# occur inside URLs, e.g. mailto's to=a@x,b@y, and between tags: "ops,health=json://...").
_SEPARATOR = re.compile(r"\s+|,(?=[a-z][a-z0-9+.-]*://)", re.IGNORECASE)
_TAGGED = re.compile(r"^([\w.,:-]+)=([a-z][a-z0-9+.-]*://.*)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Target:
    """One Apprise service: its alias (safe to store and log), its tags and the plugin (holds secrets)."""

    alias: str
    tags: frozenset[str]
    service: Any  # an apprise NotifyBase instance

    @property
    def kind(self) -> str:
        """The Apprise scheme: json, mailto, discord, ..."""
        return _scheme(self.service)

    @property
    def is_email(self) -> bool:
        return self.kind in ("mailto", "mailtos")

    @property
    def format(self) -> str:
        """The body format this service wants: markdown, html or text."""
        wanted = self.service.notify_format
        if isinstance(wanted, tuple | list | set | frozenset):  # pass-through services (json) take any
            offered = {str(getattr(f, "value", f)) for f in wanted}
            return next((f for f in ("markdown", "html", "text") if f in offered), "text")
        return str(getattr(wanted, "value", wanted))


@dataclass(frozen=True, slots=True)
class Targets:
    """All configured targets, in file order."""

    items: tuple[Target, ...] = ()

    def __iter__(self) -> Iterator[Target]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def matching(self, notify: Iterable[str]) -> tuple[Target, ...]:
        """Targets with one of the tags; every target when no tag is given."""
        wanted = {t.lower() for t in notify}
        if not wanted:
            return self.items
        found = tuple(t for t in self.items if t.tags & wanted)
        if not found and wanted == {HEALTH_TAG}:
            return self.items
        return found

    def by_alias(self, alias: str) -> Target | None:
        return next((t for t in self.items if t.alias == alias), None)


@contextmanager
def structured_fields(target: Target, fields: Mapping[str, Any]) -> Iterator[None]:
    """For one send, JSON targets (``json://``) post ``fields`` beside title and message (the
    idempotency key's header is :mod:`monitor.alerts.receiver`'s). Sends to one target never overlap
    (the sender awaits each), so the service's extras can be set for the send and restored after it."""
    extras = getattr(target.service, "payload_extras", None)
    if target.kind not in ("json", "jsons") or not fields or extras is None:
        yield
        return
    saved_extras = dict(extras)
    extras.update({k: v for k, v in fields.items() if k not in ("title", "message", "type", "version")})
    try:
        yield
    finally:
        extras.clear()
        extras.update(saved_extras)


def load_targets(config: Config) -> Targets:
    """Targets from ``monitor.apprise_config`` (YAML or text) if set, else from ``MONITOR_APPRISE_URLS``."""
    path = config.monitor.apprise_config
    if path:
        return _from_file(config.resolve(path))
    return from_text(os.environ.get(ENV_VAR, ""))


@contextmanager
def _quiet_plugin_loading() -> Iterator[None]:
    # Apprise loads its plugins on first use; its email plugin imports the deprecated imghdr module.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, message=".*imghdr")
        yield


def _asset() -> Any:
    # Memory only: Apprise would otherwise keep per-service state files on disk.
    return apprise.AppriseAsset(storage_mode="memory")


def _from_file(path: Any) -> Targets:
    if not path.is_file():
        raise ConfigError("Apprise configuration file not found", file=str(path))
    found = apprise.AppriseConfig(asset=_asset())
    found.add(str(path))
    with _quiet_plugin_loading():
        services = list(found.services())
    if not services:
        raise ConfigError(
            "no valid Apprise URL in the file (YAML or text: [tags=]url per line)", file=str(path)
        )
    return _named(services)


def from_text(text: str) -> Targets:
    """Targets from ``url url`` / ``url,url`` / ``tag1,tag2=url`` text (the environment variable)."""
    services = []
    for number, entry in enumerate(e for e in _SEPARATOR.split(text.strip()) if e and e.strip(",")):
        tagged = _TAGGED.match(entry)
        url, tags = (tagged.group(2), tagged.group(1)) if tagged else (entry, None)
        with _quiet_plugin_loading():
            service = apprise.Apprise.instantiate(url, asset=_asset(), tag=tags)
        if service is None:
            raise ConfigError(f"entry {number + 1} is not a valid Apprise URL", file=ENV_VAR)
        services.append(service)
    return _named(services)


def _named(services: list[Any]) -> Targets:
    counts: dict[str, int] = {}
    items = []
    for service in services:
        tags = frozenset(str(t).lower() for t in service.tags)
        if SEND_INTERVAL is not None:
            service.request_rate_per_sec = SEND_INTERVAL
        receiver.apply_timeouts(service)
        scheme = _scheme(service)
        counts[scheme] = counts.get(scheme, 0) + 1
        named = sorted(t[len(_NAME_TAG) :] for t in tags if t.startswith(_NAME_TAG))
        items.append(Target(named[0] if named else f"{scheme}-{counts[scheme]}", tags, service))
    aliases = [t.alias for t in items]
    duplicates = sorted({a for a in aliases if aliases.count(a) > 1})
    if duplicates:
        raise ConfigError(f"two targets are named {duplicates[0]!r}")
    return Targets(tuple(items))


def _scheme(service: Any) -> str:
    found = _SCHEME.match(service.url(privacy=True))
    return found.group(1).lower() if found else "target"
