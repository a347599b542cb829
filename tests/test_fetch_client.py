"""Fetcher against real misbehaving servers on 127.0.0.1: every fault ends in a FetchResult."""

from __future__ import annotations

import asyncio
import gzip
import zlib
from typing import Any

import pytest

from monitor.fetch import FEED, HTML, Fetcher, FetchSettings
from monitor.fetch.ssrf import AddressPolicy
from monitor.models import FetchResult
from tests.servers import Drip, Handler, Reply, Reset, Slow, Stall, Stream, gzip_bomb, redirect, serve

FAST = FetchSettings(
    min_delay=0,
    connect_timeout=1,
    read_timeout=0.5,
    deadline=1.0,
    max_bytes=1_000_000,
    max_decompressed=2_000_000,
)
RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
XML = {"Content-Type": "application/rss+xml"}


def fetch(
    routes: dict[str, Handler], path: str, settings: FetchSettings = FAST, **kwargs: Any
) -> FetchResult:
    with serve(routes) as server:
        return asyncio.run(_get(server.url(path), settings, **kwargs))


async def _get(url: str, settings: FetchSettings, **kwargs: Any) -> FetchResult:
    kwargs.setdefault("allow_private", True)
    async with Fetcher(settings) as fetcher:
        return await fetcher.get(url, **kwargs)


@pytest.mark.parametrize(
    ("behaviour", "status", "error"),
    [
        (Reply(200, XML, RSS), 200, None),
        (Reply(404), 404, "HTTP 404"),
        (Reply(410), 410, "HTTP 410"),
        (Reply(500), 500, "HTTP 500"),
        (Reply(204), 204, None),
        (Drip(interval=0.1), 0, "deadline exceeded: request took over 1s"),
        (Stall(5), 0, "read timeout: no data for 0.5s"),
        (Reset(), 0, "connection error: connection reset"),
        (Stream(50_000_000), 200, "too large: body over 1000000 bytes"),
        (
            Stream(50_000_000, announce_length=True),
            200,
            "too large: Content-Length 50000000 over 1000000 bytes",
        ),
        (
            Reply(200, {"Content-Encoding": "gzip"}, gzip_bomb()),
            200,
            "too large: decompressed body over 2000000 bytes",
        ),
        (
            Reply(200, {"Content-Encoding": "gzip"}, b"not gzip at all"),
            200,
            "bad gzip body: Error -3 while decompressing data: incorrect header check",
        ),
        (Reply(200, {"Content-Encoding": "br"}, b"x"), 200, "unsupported content encoding: br"),
        (Reply(200, {"Content-Type": "image/png"}, b"\x89PNG"), 200, "unexpected content type: image/png"),
    ],
)
def test_every_fault_ends_in_a_result(behaviour: Handler, status: int, error: str | None) -> None:
    result = fetch({"/x": behaviour}, "/x", accept=FEED)
    assert (result.status, result.error) == (status, error)
    assert result.ok is (error is None)


def _raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-15)  # "deflate" without the zlib wrapper, as some servers send it
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("gzip", gzip.compress(RSS)),
        ("x-gzip", gzip.compress(RSS)),
        ("deflate", zlib.compress(RSS)),
        ("deflate", _raw_deflate(RSS)),
        ("gzip, gzip", gzip.compress(gzip.compress(RSS))),
        ("identity", RSS),
    ],
)
def test_content_encodings_are_undone(encoding: str, body: bytes) -> None:
    result = fetch({"/f": Reply(200, {**XML, "Content-Encoding": encoding}, body)}, "/f", accept=FEED)
    assert (result.error, result.body) == (None, RSS)
    assert "content-encoding" not in result.headers


def test_request_carries_user_agent_and_conditional_headers() -> None:
    with serve(
        {"/f": lambda r: Reply(304) if r.headers.get("if-none-match") == '"v1"' else Reply(200, XML, RSS)}
    ) as s:
        result = asyncio.run(
            _get(s.url("/f"), FAST, etag='"v1"', last_modified="Mon, 01 Jan 2024 00:00:00 GMT")
        )
        sent = s.requests[-1].headers
    assert (result.status, result.not_modified, result.error, result.body) == (304, True, None, b"")
    assert sent["if-modified-since"] == "Mon, 01 Jan 2024 00:00:00 GMT"
    assert sent["user-agent"].startswith("RareEarthMonitor/") and "+https://" in sent["user-agent"]
    assert sent["accept-encoding"] == "gzip, deflate"


def test_feed_served_as_html_is_accepted_by_sniffing() -> None:
    result = fetch({"/f": Reply(200, {"Content-Type": "text/html"}, b"\n  " + RSS)}, "/f", accept=FEED)
    assert result.ok


def test_page_must_be_html_or_text() -> None:
    result = fetch({"/p": Reply(200, {"Content-Type": "application/pdf"}, b"%PDF-1.4")}, "/p", accept=HTML)
    assert result.error == "unexpected content type: application/pdf"


def test_retry_after_is_returned_and_the_host_is_left_alone() -> None:
    with serve({"/a": Reply(429, {"Retry-After": "120"}), "/b": Reply(200, XML, RSS)}) as server:
        first, second = asyncio.run(_two(server.url("/a"), server.url("/b")))
        assert server.hits("/b") == 0
    assert (first.status, first.error, first.retry_after) == (429, "HTTP 429", 120.0)
    assert second.status == 0 and second.error is not None and second.error.startswith("deferred: ")


async def _two(first: str, second: str) -> tuple[FetchResult, FetchResult]:
    async with Fetcher(FAST) as fetcher:
        return (
            await fetcher.get(first, allow_private=True),
            await fetcher.get(second, allow_private=True),
        )


def test_retry_after_as_http_date_on_503() -> None:
    result = fetch({"/a": Reply(503, {"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"})}, "/a")
    assert result.status == 503 and result.retry_after == FAST.retry_after_cap  # far future: capped (1 h)


def test_redirects_are_followed_and_permanent_ones_remembered() -> None:
    routes: dict[str, Handler] = {
        "/old": redirect("/mid", 301),
        "/mid": redirect("/new", 308),
        "/new": Reply(200, XML, RSS),
    }
    result = fetch(routes, "/old", accept=FEED)
    assert result.ok and result.final_url.endswith("/new") and result.body == RSS
    assert result.permanent_redirect is not None and result.permanent_redirect.endswith("/new")


def test_a_temporary_hop_ends_what_is_remembered() -> None:
    routes: dict[str, Handler] = {
        "/old": redirect("/mid", 301),
        "/mid": redirect("/new", 302),
        "/new": Reply(200, XML, RSS),
    }
    result = fetch(routes, "/old")
    assert result.ok and result.permanent_redirect is not None and result.permanent_redirect.endswith("/mid")


@pytest.mark.parametrize(
    ("routes", "error_start"),
    [
        ({"/a": redirect("/b"), "/b": redirect("/a")}, "redirect loop at http://127.0.0.1"),
        ({f"/{i}": redirect(f"/{i + 1}") for i in range(10)}, "too many redirects (over 5)"),
        ({"/a": redirect("file:///etc/passwd")}, "blocked: scheme 'file' is not http or https"),
        ({"/a": redirect("ftp://example.com/x")}, "blocked: scheme 'ftp' is not http or https"),
    ],
)
def test_bad_redirects_stop(routes: dict[str, Handler], error_start: str) -> None:
    start = "/a" if "/a" in routes else "/0"
    result = fetch(routes, start)
    assert result.error is not None and result.error.startswith(error_start) and not result.ok


def test_redirect_to_metadata_address_is_blocked_even_from_an_allowed_source() -> None:
    # 127.0.0.1 stands in for a public server; 169.254.169.254 (cloud metadata) stays blocked.
    policy = AddressPolicy.trusting("127.0.0.1/32")
    with serve({"/feed": redirect("http://169.254.169.254/latest/meta-data/")}) as server:
        result = asyncio.run(_guarded(server.url("/feed"), policy))
        assert server.hits("/feed") == 1
    assert result.status == 0
    assert result.error == "blocked: 169.254.169.254 is a link-local address"  # known without DNS


async def _guarded(url: str, policy: AddressPolicy, **kwargs: Any) -> FetchResult:
    async with Fetcher(FAST, policy=policy, **kwargs) as fetcher:
        return await fetcher.get(url)


def test_private_addresses_need_allow_private() -> None:
    with serve({"/x": Reply(200, XML, RSS)}) as server:
        blocked = asyncio.run(_guarded(server.url("/x"), AddressPolicy()))
        allowed = asyncio.run(_get(server.url("/x"), FAST, allow_private=True))
    assert blocked.error == "blocked: 127.0.0.1 is a loopback address"
    assert allowed.ok


def test_a_name_resolving_to_any_private_address_is_blocked() -> None:
    async def resolver(host: str, port: int) -> list[str]:
        return ["127.0.0.1", "10.1.2.3"]  # the first is "public" here, the second is not

    with serve({"/x": Reply(200, XML, RSS)}) as server:
        url = server.url("/x", host="news.example")
        result = asyncio.run(_guarded(url, AddressPolicy.trusting("127.0.0.1/32"), resolver=resolver))
        assert server.requests == []
    assert result.error == "blocked: news.example resolves to 10.1.2.3 (private)"


def test_resolved_address_is_used_and_host_header_kept() -> None:
    async def resolver(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    with serve({"news.example/x": Reply(200, XML, RSS)}) as server:
        result = asyncio.run(
            _guarded(
                server.url("/x", host="news.example"),
                AddressPolicy.trusting("127.0.0.1/32"),
                resolver=resolver,
            )
        )
        assert [r.headers["host"] for r in server.requests][-1] == f"news.example:{server.port}"
    assert result.ok and result.body == RSS


@pytest.mark.parametrize(
    ("robots", "allowed"),
    [
        (Reply(200, {}, b"User-agent: *\nDisallow: /private\n"), True),
        (Reply(200, {}, b"User-agent: RareEarthMonitor\nDisallow: /\n\nUser-agent: *\nAllow: /\n"), False),
        (Reply(404), True),
        (Reply(410), True),
        (Reply(500), False),
        (Reply(429), False),
        (Reset(), False),
    ],
)
def test_robots_txt_decides(robots: Handler, allowed: bool) -> None:
    with serve({"/robots.txt": robots, "/news/1": Reply(200, {}, b"<html>hi</html>")}) as server:
        log: list[FetchResult] = []
        result = asyncio.run(_get(server.url("/news/1"), FAST, accept=HTML, log_to=log))
        assert server.hits("/news/1") == (1 if allowed else 0)
    assert result.ok is allowed
    if allowed:
        assert result.error is None
    else:  # a robots.txt that never arrived is named as such: offline feeds must not look blocked
        expected = "robots.txt unreachable: " if isinstance(robots, Reset) else "blocked by robots.txt"
        assert result.error is not None and result.error.startswith(expected)
    assert [r.url.rsplit("/", 1)[-1] for r in log] == ["robots.txt"]


def test_robots_txt_is_fetched_once_per_host() -> None:
    with serve(
        {
            "/robots.txt": Reply(200, {}, b"User-agent: *\nDisallow: /x\n"),
            "/a": Reply(200),
            "/b": Reply(200),
            "/x": Reply(200),
        }
    ) as server:
        results = asyncio.run(_many([server.url(p) for p in ("/a", "/b", "/x", "/a")]))
        assert server.hits("/robots.txt") == 1
    assert [r.error for r in results] == [None, None, "blocked by robots.txt", None]


async def _many(urls: list[str], settings: FetchSettings = FAST) -> list[FetchResult]:
    async with Fetcher(settings) as fetcher:
        return list(await asyncio.gather(*(fetcher.get(u, allow_private=True) for u in urls)))


def test_robots_can_be_ignored_by_setting() -> None:
    settings = FetchSettings(min_delay=0, respect_robots=False)
    result = fetch(
        {"/robots.txt": Reply(200, {}, b"User-agent: *\nDisallow: /\n"), "/a": Reply(200)}, "/a", settings
    )
    assert result.ok


@pytest.mark.parametrize(("per_host", "concurrency", "peak"), [(2, 16, 2), (1, 16, 1), (4, 3, 3)])
def test_concurrency_is_bounded(per_host: int, concurrency: int, peak: int) -> None:
    settings = FetchSettings(min_delay=0, per_host=per_host, concurrency=concurrency, respect_robots=False)
    with serve({f"/{i}": Slow(Reply(200, {}, b"ok"), 0.15) for i in range(8)}) as server:
        results = asyncio.run(_many([server.url(f"/{i}") for i in range(8)], settings))
        assert server.peak_in_flight == peak
    assert all(r.ok for r in results)


def test_invalid_urls_are_errors_not_exceptions() -> None:
    async def run() -> list[FetchResult]:
        async with Fetcher(FAST) as fetcher:
            return [await fetcher.get(u) for u in ("not a url", "http://", "http://x:99999/", "mailto:a@b")]

    errors = [r.error for r in asyncio.run(run())]
    assert all(e is not None for e in errors)
    assert errors[-1] == "blocked: scheme 'mailto' is not http or https"


def test_a_host_is_shared_fairly_between_its_sources() -> None:
    # One source queues six slow pages on a one-slot host, then another source asks once: it is
    # served next, not after the six (a FIFO semaphore would make it wait for all of them).
    settings = FetchSettings(min_delay=0, per_host=1, respect_robots=False)
    routes: dict[str, Handler] = {f"/slow{i}": Slow(Reply(200, {}, b"ok"), 0.05) for i in range(6)}
    routes["/quick"] = Reply(200, {}, b"ok")

    async def run(server_url: Any) -> None:
        async with Fetcher(settings) as fetcher:
            slow = [
                asyncio.create_task(fetcher.get(server_url(f"/slow{i}"), allow_private=True, source="slow"))
                for i in range(6)
            ]
            await asyncio.sleep(0.01)  # the six are queued (one in flight)
            quick = asyncio.create_task(fetcher.get(server_url("/quick"), allow_private=True, source="quick"))
            await asyncio.gather(*slow, quick)

    with serve(routes) as server:
        asyncio.run(run(server.url))
        order = [r.path for r in server.requests]
    assert order.index("/quick") == 1


def test_retry_after_defers_the_source_told_and_the_host_only_when_told_twice() -> None:
    routes: dict[str, Handler] = {
        "/a": Reply(429, {"Retry-After": "120"}),
        "/b": Reply(503, {"Retry-After": "999999"}),
        "/ok": Reply(200, XML, RSS),
    }

    async def run(url: Any) -> list[FetchResult]:
        async with Fetcher(FAST) as fetcher:

            async def get(path: str, source: str) -> FetchResult:
                return await fetcher.get(url(path), allow_private=True, source=source)

            return [
                await get("/a", "one"),  # one is told to wait
                await get("/ok", "one"),  # ... so its next request is not sent
                await get("/ok", "two"),  # two is not deferred by what one was told
                await get("/b", "two"),  # now two is told too: the host says so to two sources
                await get("/ok", "three"),  # ... so three waits as well
            ]

    with serve(routes) as server:
        results = asyncio.run(run(server.url))
        assert server.hits("/ok") == 1
    told, one_again, two, told_two, three = results
    assert (told.status, told.retry_after, told.deferred) == (429, 120.0, None)
    assert one_again.deferred is not None and one_again.error is not None
    assert one_again.error.startswith("deferred: ") and one_again.status == 0
    assert two.ok
    assert told_two.retry_after == FAST.retry_after_cap  # 999999 s is capped at an hour
    assert three.deferred is not None and 100 < three.deferred <= 120
