"""The one HTTP client: polite, bounded, guarded, and it never raises.

``Fetcher.get`` returns a ``FetchResult`` for every outcome: network failures, HTTP
errors, limits and policy refusals all land in ``FetchResult.error`` (``status`` 0 when
no response arrived). Redirects are followed here, hop by hop, so each hop passes the
scheme check, robots.txt and the SSRF guard (which runs at connect time, see ssrf.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import httpx

from monitor import log
from monitor.errors import BlockedError, FetchError
from monitor.fetch import robots as robots_txt
from monitor.fetch import ssrf
from monitor.fetch.body import ACCEPT_ENCODING, read_capped
from monitor.fetch.decode import binary_kind, media_type
from monitor.fetch.retry_after import parse_retry_after
from monitor.fetch.settings import FetchSettings
from monitor.fetch.slots import FairSlots
from monitor.fetch.ssrf import AddressPolicy, BlockedAddressError, GuardedTransport, Resolver, system_resolver
from monitor.models import FetchResult

logger = logging.getLogger(__name__)

ROBOTS_DISALLOWED = "blocked by robots.txt"  # the site's rules say no: asking again will not help
ROBOTS_UNREADABLE = "blocked by robots.txt: unreadable (server error or 429), so nothing is allowed for now"
_REDIRECTS = {301, 302, 303, 307, 308}
_PERMANENT = {301, 308}


@dataclass(frozen=True, slots=True)
class Accept:
    """What a caller expects back: the Accept header, the media types allowed, and body sniffs.

    An empty ``types`` accepts anything. A body whose media type is not allowed is still
    accepted when it starts like one that is (feeds served as text/html are common).
    """

    header: str
    types: tuple[str, ...] = ()
    sniffs: tuple[bytes, ...] = ()
    text: bool = False  # refuse a binary body (PDF, image, NUL bytes) whatever its content type says

    def refusal(self, content_type: str | None, body: bytes) -> str | None:
        kind = media_type(content_type)
        wrong_type = f"unexpected content type: {kind}"
        if self.types and kind and kind not in self.types and not kind.endswith(("+xml", "+json")):
            head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
            if not any(head.startswith(s) or s in head[:512] for s in self.sniffs):
                return wrong_type
        binary = binary_kind(body) if self.text else None
        if binary is not None:
            return f"binary content refused: {binary} (content type {kind or 'not given'})"
        return None


ANY = Accept("*/*")
FEED = Accept(
    "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, "
    "text/xml;q=0.9, */*;q=0.5",
    ("application/xml", "text/xml", "application/json", "application/rdf+xml", "application/x-rss+xml"),
    (b"<?xml", b"<rss", b"<feed", b"<rdf:rdf", b"{"),
    text=True,
)
HTML = Accept(
    "text/html, application/xhtml+xml;q=0.9, text/plain;q=0.5, */*;q=0.1",
    ("text/html", "application/xhtml+xml", "text/plain"),
    (b"<!doctype html", b"<html", b"<head", b"<body"),
    text=True,
)
SITEMAP = Accept(
    "application/xml, text/xml;q=0.9, */*;q=0.5",
    (
        "application/xml",
        "text/xml",
        "application/gzip",
        "application/x-gzip",
        "application/octet-stream",
        "text/plain",
    ),
    (b"<?xml", b"<urlset", b"<sitemapindex", b"\x1f\x8b"),
)


HOST_BLOCK_SOURCES = 2  # sources of one host told Retry-After at once before the whole host waits


@dataclass(slots=True)
class _Host:
    """Politeness state of one origin: fair slots, the next start time, and Retry-After blocks."""

    slots: FairSlots
    delay: float
    next_start: float = 0.0
    blocked_until: float = 0.0  # the whole host: several of its sources were told to wait
    source_blocks: dict[str, float] = field(default_factory=dict)  # source -> until (monotonic)

    def wait_for(self, source: str, now: float) -> float:
        """Seconds ``source`` must still wait before it may send to this host (0: go)."""
        return max(self.blocked_until, self.source_blocks.get(source, 0.0)) - now

    def block(self, source: str, until: float, now: float) -> None:
        """Retry-After for one source; the host as a whole when it said so to several sources."""
        self.source_blocks[source] = max(self.source_blocks.get(source, 0.0), until)
        active = [t for t in self.source_blocks.values() if t > now]
        if len(active) >= HOST_BLOCK_SOURCES:
            self.blocked_until = max(self.blocked_until, min(active))


@dataclass(frozen=True, slots=True)
class _Response:
    status: int
    headers: dict[str, str]
    body: bytes
    retry_after: float | None = None


class _Deferred(Exception):
    """Retry-After began for this source (or host) while the request waited for its slot: not sent.

    Not a FetchError, so a robots.txt load that meets it is not taken for an unreachable robots.txt.
    """

    def __init__(self, wait: float) -> None:
        super().__init__(f"deferred {wait:.0f}s")
        self.wait = wait


class _BodyError(FetchError):
    """A response arrived but its body was refused (too large, undecodable)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class _Request:
    """What one ``get`` asked for, carried through its redirect hops."""

    allow_private: bool
    headers: dict[str, str]
    accept: Accept
    log_to: list[FetchResult] | None
    source: str


@dataclass(slots=True)
class _Hops:
    """The redirect chain so far."""

    start: str
    seen: set[str] = field(default_factory=set)
    permanent: str | None = None  # where the leading run of 301/308 hops ended
    only_permanent: bool = True


class Fetcher:
    """An async context manager holding one ``httpx.AsyncClient`` and all politeness state."""

    def __init__(
        self,
        settings: FetchSettings | None = None,
        *,
        policy: AddressPolicy | None = None,
        resolver: Resolver | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings or FetchSettings()
        self._policy = policy or AddressPolicy()
        self._resolver = resolver or system_resolver
        self._clock = clock
        self._client: httpx.AsyncClient | None = None
        self._hosts: dict[str, _Host] = {}
        self._robots = robots_txt.RobotsCache(
            self.settings.robots_ttl, min(600.0, self.settings.robots_ttl), clock
        )
        self._slots: asyncio.Semaphore | None = None

    async def __aenter__(self) -> Fetcher:
        s = self.settings
        limits = httpx.Limits(max_connections=s.concurrency, max_keepalive_connections=s.concurrency)
        transport = GuardedTransport(resolver=self._resolver, policy=self._policy, limits=limits)
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(s.read_timeout, connect=s.connect_timeout, pool=None),
            headers={"User-Agent": s.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            follow_redirects=False,
            trust_env=False,  # an environment proxy would bypass the SSRF guard
        )
        self._slots = asyncio.Semaphore(s.concurrency)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def get(
        self,
        url: str,
        *,
        allow_private: bool = False,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: Accept = ANY,
        log_to: list[FetchResult] | None = None,
        source: str = "",
    ) -> FetchResult:
        """GET ``url``; never raises. Side requests (robots.txt) are appended to ``log_to``.

        ``source`` names who asks: a host's slots are shared fairly among its sources, and a
        Retry-After defers the source that was told, not its neighbours on the host.
        """
        started = self._clock()
        request = _Request(allow_private, _conditional(etag, last_modified), accept, log_to, source)
        try:
            result = await self._get(url, request)
        except Exception as exc:  # the last line of defence: a bug must not take a source down
            logger.exception("fetch_bug url=%s", url)
            result = FetchResult(url=url, final_url=url, error=f"internal error: {exc!r}")
        result = _with_elapsed(result, self._clock() - started)
        log.event(
            logger,
            "fetch",
            logging.DEBUG,
            url=url,
            status=result.status,
            error=result.error,
            bytes=len(result.body),
            ms=int(result.elapsed * 1000),
        )
        return result

    async def _get(self, url: str, request: _Request) -> FetchResult:
        hops = _Hops(start=url)
        current = url
        accept = request.accept
        for _ in range(self.settings.max_redirects + 1):
            wait = (
                0.0 if _url_problem(current) else self._host(current).wait_for(request.source, self._clock())
            )
            if wait > 0:
                return _deferred(url, current, wait, hops)
            try:
                refused = await self._refusal(current, request)
                if refused is not None:
                    return _failure(url, current, refused, hops)
                response = await self._exchange(
                    current, request.allow_private, request.headers, accept, source=request.source
                )
            except _Deferred as exc:
                return _deferred(url, current, exc.wait, hops)
            except _BodyError as exc:
                return _failure(url, current, str(exc), hops, exc.status)
            except (FetchError, httpx.HTTPError, TimeoutError, OSError) as exc:
                return _failure(url, current, _describe(exc, self.settings), hops)
            target = _redirect_target(current, response)
            if target is None:
                return _result(url, current, response, accept, hops)
            problem = _follow(hops, current, target, response.status)
            if problem is not None:
                return _failure(url, current, problem, hops, response.status)
            current = target
        return _failure(url, current, f"too many redirects (over {self.settings.max_redirects})", hops)

    async def _refusal(self, url: str, request: _Request) -> str | None:
        # Every hop (redirects too): a host that is not public by its spelling alone is refused here,
        # with the address it stands for; one that resolves to such an address, at connect time.
        problem = _url_problem(url) or ssrf.url_refusal(url, request.allow_private, self._policy)
        if problem is not None:
            return problem
        host = self._host(url)
        if not self.settings.respect_robots:
            return None
        allow_private = request.allow_private
        rules = await self._robots.get(
            url,
            lambda u: self._load_robots(u, allow_private, request.log_to, request.source),
            "open" if allow_private else "guarded",
        )
        if rules.crawl_delay is not None:
            host.delay = max(self.settings.min_delay, min(rules.crawl_delay, self.settings.max_crawl_delay))
        if rules.allows(url):
            return None
        if rules.reason:
            return rules.reason
        return ROBOTS_UNREADABLE if rules.disallow_all else ROBOTS_DISALLOWED

    async def _load_robots(
        self, url: str, allow_private: bool, log_to: list[FetchResult] | None, source: str
    ) -> robots_txt.Robots:
        started = self._clock()
        try:
            response = await self._exchange(
                url, allow_private, {}, ANY, robots_txt.MAX_ROBOTS_BYTES, source=source
            )
            rules = robots_txt.verdict(response.status, response.body, self.settings.agent_token)
            record = FetchResult(
                url=url, final_url=url, status=response.status, body=response.body, headers=response.headers
            )
        except (FetchError, httpx.HTTPError, TimeoutError, OSError) as exc:
            # Unreachable means disallowed (RFC 9309); a guard refusal says so itself.
            error = _describe(exc, self.settings)
            # Say why, so an offline feed reads "robots.txt unreachable: <cause>", not a mystery block.
            reason = str(exc) if isinstance(exc, BlockedError) else f"robots.txt unreachable: {error}"
            rules = robots_txt.Robots(disallow_all=True, reason=reason)
            record = FetchResult(url=url, final_url=url, error=error)
        if log_to is not None:
            log_to.append(_with_elapsed(record, self._clock() - started))
        return rules

    async def _exchange(
        self,
        url: str,
        allow_private: bool,
        headers: dict[str, str],
        accept: Accept,
        cap: int | None = None,
        *,
        source: str = "",
    ) -> _Response:
        assert self._client is not None and self._slots is not None, "use Fetcher as an async context manager"
        request = self._client.build_request(
            "GET",
            url,
            headers={"Accept": accept.header, **headers},
            extensions={"allow_private": allow_private},
        )
        host = self._host(url)
        # The deadline starts once the slots are ours: waiting for a busy host is never a failure.
        async with self._polite(host, source), self._slots, asyncio.timeout(self.settings.deadline):
            wait = host.wait_for(source, self._clock())
            if wait > 0:  # told to wait while this request queued for its slot
                raise _Deferred(wait)
            response = await self._client.send(request, stream=True)
            try:
                exchanged = await self._read(response, cap or self.settings.max_bytes)
            except FetchError as exc:  # too large, bad encoding: the response did arrive
                raise _BodyError(response.status_code, str(exc)) from exc
            finally:
                await response.aclose()
        if exchanged.retry_after is not None:
            now = self._clock()
            host.block(source, now + exchanged.retry_after, now)
        return exchanged

    async def _read(self, response: httpx.Response, cap: int) -> _Response:
        headers = {k.lower(): v for k, v in response.headers.multi_items()}
        retry_after = None
        if response.status_code in (429, 503):
            retry_after = parse_retry_after(headers.get("retry-after"), self.settings.retry_after_cap)
        if not 200 <= response.status_code < 300:
            return _Response(response.status_code, headers, b"", retry_after)
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > cap:
            raise FetchError(f"too large: Content-Length {length} over {cap} bytes")
        body = await read_capped(
            response.aiter_raw(), headers.get("content-encoding"), cap, self.settings.max_decompressed
        )
        headers.pop("content-encoding", None)  # the body we return is decoded
        return _Response(response.status_code, headers, body, retry_after)

    @asynccontextmanager
    async def _polite(self, host: _Host, source: str) -> AsyncIterator[None]:
        async with host.slots.hold(source):
            now = self._clock()
            start = max(now, host.next_start)
            host.next_start = start + host.delay
            if start > now:
                await asyncio.sleep(start - now)
            yield

    def _host(self, url: str) -> _Host:
        key = _origin(url)
        host = self._hosts.get(key)
        if host is None:
            host = _Host(FairSlots(self.settings.per_host), self.settings.min_delay)
            self._hosts[key] = host
        return host


def _conditional(etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{(parts.hostname or '').lower()}:{parts.port or ''}"


def _url_problem(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:
        return f"invalid URL: {exc}"
    if parts.scheme not in ("http", "https"):
        return f"blocked: scheme {parts.scheme or '(none)'!r} is not http or https"
    if not parts.hostname:
        return "invalid URL: no host"
    return None


def _redirect_target(current: str, response: _Response) -> str | None:
    location = response.headers.get("location")
    if response.status not in _REDIRECTS or not location:
        return None
    return urljoin(current, location.strip()).split("#", 1)[0]


def _follow(hops: _Hops, current: str, target: str, status: int) -> str | None:
    hops.seen.add(current)
    if target in hops.seen:
        return f"redirect loop at {target}"
    if status in _PERMANENT and hops.only_permanent:
        hops.permanent = target
    else:
        hops.only_permanent = False
    return _url_problem(target)


def _result(url: str, final_url: str, response: _Response, accept: Accept, hops: _Hops) -> FetchResult:
    error = None
    if response.status >= 400:
        error = f"HTTP {response.status}"
    elif 200 <= response.status < 300:
        error = accept.refusal(response.headers.get("content-type"), response.body)
    elif response.status != 304:
        error = f"unexpected HTTP {response.status}"
    return FetchResult(
        url=url,
        final_url=final_url,
        status=response.status,
        headers=response.headers,
        body=response.body,
        error=error,
        permanent_redirect=hops.permanent,
        retry_after=response.retry_after,
    )


def _deferred(url: str, final_url: str, wait: float, hops: _Hops) -> FetchResult:
    """Not sent: the server asked this source (or, through several sources, everyone) to wait."""
    error = f"deferred: {_origin(final_url)} asked us to wait {wait:.0f} more seconds (Retry-After)"
    return FetchResult(
        url=url, final_url=final_url, error=error, permanent_redirect=hops.permanent, deferred=wait
    )


def _failure(url: str, final_url: str, error: str, hops: _Hops, status: int = 0) -> FetchResult:
    return FetchResult(
        url=url, final_url=final_url, status=status, error=error, permanent_redirect=hops.permanent
    )


def _with_elapsed(result: FetchResult, elapsed: float) -> FetchResult:
    return FetchResult(
        url=result.url,
        final_url=result.final_url,
        status=result.status,
        headers=result.headers,
        body=result.body,
        elapsed=elapsed,
        error=result.error,
        permanent_redirect=result.permanent_redirect,
        retry_after=result.retry_after,
        deferred=result.deferred,
    )


def _describe(exc: BaseException, settings: FetchSettings) -> str:
    """A short, stable error text for the fetches table and the source's last_error."""
    if isinstance(exc, FetchError):  # our own: blocked, too large, bad encoding
        return str(exc)
    if isinstance(exc, httpx.ConnectTimeout):
        return f"connect timeout after {settings.connect_timeout:g}s"
    if isinstance(exc, httpx.ReadTimeout):
        return f"read timeout: no data for {settings.read_timeout:g}s"
    if isinstance(exc, TimeoutError):
        return f"deadline exceeded: request took over {settings.deadline:g}s"
    if isinstance(exc, httpx.ConnectError):
        return f"connection failed: {str(exc) or 'refused'}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"protocol error: {str(exc) or 'server broke the protocol'}"
    if isinstance(exc, (httpx.ReadError, httpx.WriteError, OSError)):
        return f"connection error: {str(exc) or 'connection reset'}"
    return f"{type(exc).__name__}: {exc}"


__all__ = ["ANY", "FEED", "HTML", "SITEMAP", "Accept", "BlockedAddressError", "FetchSettings", "Fetcher"]
