"""A local HTTP/1.1 server on 127.0.0.1 that can misbehave at the socket level.

It runs its own asyncio loop in a thread, so sync and async tests alike can use it::

    with serve({"/feed": Reply(200, {"Content-Type": "application/rss+xml"}, RSS)}) as server:
        server.url("/feed")          # http://127.0.0.1:PORT/feed
        server.requests              # every request received: Request(method, path, headers)

Routes map a path to a behaviour: ``Reply`` (keep-alive), ``Drip``, ``Stall``, ``Reset``,
``Stream`` (a huge body generated lazily), ``Flaky`` (fails n times, then answers) or a function
``Request -> Behaviour``. A route
may also be keyed by ``"host/path"`` to serve several virtual hosts (the Host header decides).
"""

from __future__ import annotations

import asyncio
import gzip
import socket
import struct
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names

    @property
    def host(self) -> str:
        return self.headers.get("host", "").split(":")[0]


@dataclass(frozen=True)
class Reply:
    """A normal response with Content-Length; the connection stays open for the next request."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass(frozen=True)
class Drip:
    """Headers at once, then the body one byte every ``interval`` seconds, forever."""

    interval: float = 0.2


@dataclass(frozen=True)
class Stall:
    """Accept the request, then send nothing for ``seconds``."""

    seconds: float = 30.0


@dataclass(frozen=True)
class Reset:
    """Close the connection with a TCP RST before any response."""


@dataclass(frozen=True)
class Stream:
    """``size`` bytes of body generated chunk by chunk, announced or not by Content-Length."""

    size: int
    content_type: str = "text/html"
    announce_length: bool = False


@dataclass(frozen=True)
class Slow:
    """``reply`` after ``seconds``: keeps a request in flight (see ``LocalServer.peak_in_flight``)."""

    reply: Reply
    seconds: float


Behaviour = Reply | Drip | Stall | Reset | Stream | Slow
Handler = Behaviour | Callable[[Request], Behaviour]


class Flaky:
    """A route that answers ``status`` (503 by default) to its first ``failures`` requests, then ``reply``.

    Set ``healthy = True`` to stop failing at once (a site that recovered).
    """

    def __init__(
        self, failures: int, reply: Behaviour, status: int = 503, headers: dict[str, str] | None = None
    ) -> None:
        self.left = failures
        self.reply = reply
        self.failure = Reply(status, headers or {"Content-Type": "text/plain"}, b"try again later")
        self.healthy = False

    def __call__(self, request: Request) -> Behaviour:
        if self.left > 0 and not self.healthy:
            self.left -= 1
            return self.failure
        return self.reply


def gzip_bomb(size: int = 100_000_000) -> bytes:
    """``size`` zero bytes, gzipped (100 MB → about 100 kB)."""
    return gzip.compress(b"\0" * size, compresslevel=9)


def redirect(location: str, status: int = 302) -> Reply:
    return Reply(status, {"Location": location})


_REASONS = {
    200: "OK", 301: "Moved", 302: "Found", 304: "Not Modified", 404: "Not Found", 429: "Too Many",
    503: "Unavailable",
}


class LocalServer:
    def __init__(
        self, routes: dict[str, Handler], fallback: Callable[[Request], Behaviour] | None = None
    ) -> None:
        self.routes = dict(routes)
        self.fallback = fallback  # answers paths no route names (generated sites, benchmarks)
        self.requests: list[Request] = []
        self.port = 0
        self.in_flight = 0
        self.peak_in_flight = 0  # most requests being answered at once
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def hits(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path == path)

    def start(self) -> None:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._start(), self._loop)
        future.result(timeout=5)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, backlog=1024)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in asyncio.all_tasks():
            if task is not asyncio.current_task():
                task.cancel()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while await self._one(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        request = await _read_request(reader)
        if request is None:
            return False
        self.requests.append(request)
        behaviour = self._behaviour(request)
        if isinstance(behaviour, Slow):
            behaviour = await self._slow(behaviour)
        if isinstance(behaviour, Reply):
            writer.write(
                _head(behaviour.status, {**behaviour.headers, "Content-Length": str(len(behaviour.body))})
            )
            writer.write(behaviour.body)
            await writer.drain()
            return True
        await _misbehave(behaviour, writer)
        return False

    async def _slow(self, slow: Slow) -> Reply:
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            await asyncio.sleep(slow.seconds)
        finally:
            self.in_flight -= 1
        return slow.reply

    def _behaviour(self, request: Request) -> Behaviour:
        handler = self.routes.get(f"{request.host}{request.path}") or self.routes.get(request.path)
        if handler is None and self.fallback is not None:
            return self.fallback(request)
        if handler is None:
            return Reply(404, {"Content-Type": "text/plain"}, b"not found")
        return handler(request) if callable(handler) else handler


async def _read_request(reader: asyncio.StreamReader) -> Request | None:
    line = await reader.readline()
    if not line.strip():
        return None
    method, path, _ = line.decode("latin-1").split(" ", 2)
    headers = {}
    while (header := await reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = header.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    return Request(method, path, headers)


def _head(status: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def _misbehave(behaviour: Behaviour, writer: asyncio.StreamWriter) -> None:
    if isinstance(behaviour, Stall):
        await asyncio.sleep(behaviour.seconds)
    elif isinstance(behaviour, Reset):
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    elif isinstance(behaviour, Drip):
        writer.write(_head(200, {"Content-Type": "text/html", "Content-Length": "100000"}))
        while True:
            writer.write(b"x")
            await writer.drain()
            await asyncio.sleep(behaviour.interval)
    elif isinstance(behaviour, Stream):
        await _stream(behaviour, writer)


async def _stream(behaviour: Stream, writer: asyncio.StreamWriter) -> None:
    headers = {"Content-Type": behaviour.content_type, "Connection": "close"}
    if behaviour.announce_length:
        headers["Content-Length"] = str(behaviour.size)
    writer.write(_head(200, headers))
    chunk = b"<p>" + b"x" * 65_530 + b"</p>\n"
    sent = 0
    while sent < behaviour.size:
        piece = chunk[: behaviour.size - sent]
        writer.write(piece)
        await writer.drain()
        sent += len(piece)


@contextmanager
def serve(
    routes: dict[str, Handler] | None = None, fallback: Callable[[Request], Behaviour] | None = None
) -> Iterator[LocalServer]:
    """A running LocalServer for the duration of the block."""
    server = LocalServer(routes or {}, fallback)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def wait_ok(url: str, process: subprocess.Popen[Any], timeout: float = 60.0) -> int:
    """GET ``url`` until it answers 200, ``process`` exits or ``timeout`` passes; returns the last status."""
    status, deadline = 0, time.monotonic() + timeout
    while status != 200 and time.monotonic() < deadline and process.poll() is None:
        with suppress(httpx.TransportError):
            status = httpx.get(url, timeout=2).status_code
        time.sleep(0.1)
    return status
