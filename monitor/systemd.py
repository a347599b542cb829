"""A tiny sd_notify client: ``READY=1``, ``STATUS=``, ``WATCHDOG=1``, ``STOPPING=1``.

The protocol is one datagram of ``KEY=value`` lines to the Unix socket named by
``NOTIFY_SOCKET`` (a path, or ``@name`` for the abstract namespace), so there is no need
for the python-systemd binding and its C build. Outside systemd every call is a no-op.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

from monitor import log

logger = logging.getLogger("monitor.systemd")


def _address(name: str) -> str | bytes:
    if name.startswith("@"):
        return b"\0" + name[1:].encode()  # abstract namespace: a leading NUL byte, no file
    return name


class Notifier:
    """Sends state changes to the service manager, if there is one."""

    def __init__(self, socket_name: str | None, watchdog_usec: int | None = None) -> None:
        self.socket_name = socket_name or None
        self.watchdog_usec = watchdog_usec
        self._warned = False

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Notifier:
        """Reads NOTIFY_SOCKET and WATCHDOG_USEC (ignored when WATCHDOG_PID names another process)."""
        env = os.environ if env is None else env
        return cls(env.get("NOTIFY_SOCKET"), _watchdog_usec(env))

    @property
    def enabled(self) -> bool:
        return self.socket_name is not None

    @property
    def watchdog_interval(self) -> float | None:
        """Seconds between WATCHDOG=1 pings: half the timeout, as sd_watchdog_enabled(3) advises."""
        return self.watchdog_usec / 2_000_000 if self.watchdog_usec else None

    def ready(self, status: str = "") -> bool:
        return self.send(READY="1", STATUS=status or None)

    def status(self, text: str) -> bool:
        return self.send(STATUS=text)

    def watchdog(self) -> bool:
        return self.send(WATCHDOG="1")

    def stopping(self, status: str = "") -> bool:
        return self.send(STOPPING="1", STATUS=status or None)

    def send(self, **fields: str | None) -> bool:
        """One datagram; False (and one warning) when it cannot be delivered. Never raises."""
        if self.socket_name is None:
            return False
        # A newline inside a value would start a new assignment: keep STATUS to one line.
        lines = [f"{key}={value.replace(chr(10), ' ')}" for key, value in fields.items() if value is not None]
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.sendto("\n".join(lines).encode(), _address(self.socket_name))
        except OSError as exc:
            if not self._warned:
                log.event(logger, "sd_notify_failed", logging.WARNING, socket=self.socket_name, error=exc)
                self._warned = True
            return False
        return True


def _watchdog_usec(env: Mapping[str, str]) -> int | None:
    pid = env.get("WATCHDOG_PID")
    if pid and pid != str(os.getpid()):
        return None  # the watchdog is meant for another process (e.g. our parent)
    try:
        usec = int(env.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    return usec if usec > 0 else None
