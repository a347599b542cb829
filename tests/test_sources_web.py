"""list_entries and to_page against real local servers: what a pass returns and records."""

from __future__ import annotations

import asyncio
import gzip

import pytest

from monitor.fetch import Fetcher, FetchSettings
from monitor.models import FetchResult, Source
from monitor.sources import Listing, SourceState
from monitor.sources.web import list_entries, to_page
from tests.servers import Handler, Reply, Request, Stall, redirect, serve

FAST = FetchSettings(min_delay=0, connect_timeout=1, read_timeout=0.5, deadline=1.0)
RSS_TYPE = {"Content-Type": "application/rss+xml"}


def rss(*links: str, encoding: str = "utf-8", title: str = "Item") -> bytes:
    items = "".join(f"<item><title>{title}</title><link>{link}</link></item>" for link in links)
    text = f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel>{items}</channel></rss>'
    return text.encode(encoding)


def run_pass(
    routes: dict[str, Handler], kind: str, path: str, state: SourceState | None = None, **source: object
) -> tuple[Listing, list[Request]]:
    with serve(routes) as server:
        src = Source(name="s", kind=kind, url=server.url(path), allow_private=True, **source)  # type: ignore[arg-type]
        listing = asyncio.run(_list(src, state or SourceState()))
        return listing, list(server.requests)


async def _list(source: Source, state: SourceState) -> Listing:
    async with Fetcher(FAST) as fetcher:
        return await list_entries(source, state, fetcher)


def test_feed_pass_returns_entries_and_conditional_state() -> None:
    headers = {**RSS_TYPE, "ETag": '"v1"', "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT"}
    listing, _ = run_pass({"/feed": Reply(200, headers, rss("/a", "/b"))}, "rss", "/feed")
    assert [e.url.rsplit("/", 1)[1] for e in listing.entries] == ["a", "b"]
    assert listing.state == SourceState(etag='"v1"', last_modified="Mon, 01 Jan 2024 00:00:00 GMT")
    assert [f.url.rsplit("/", 1)[1] for f in listing.fetches] == ["robots.txt", "feed"]
    assert listing.error is None


def test_etag_then_304_parses_nothing() -> None:
    def feed(request: Request) -> Reply:
        if request.headers.get("if-none-match") == '"v1"':
            return Reply(304, {"ETag": '"v1"'})
        return Reply(200, {**RSS_TYPE, "ETag": '"v1"'}, rss("/a"))

    state = SourceState(etag='"v1"', error_count=2)
    listing, requests = run_pass({"/feed": feed}, "rss", "/feed", state)
    assert (listing.entries, listing.error, listing.state) == ((), None, state)
    assert listing.fetches[-1].status == 304
    assert requests[-1].headers["if-none-match"] == '"v1"'


@pytest.mark.parametrize(
    ("behaviour", "error"),
    [
        (Reply(404), "HTTP 404"),
        (Reply(410), "HTTP 410"),
        (Reply(500), "HTTP 500"),
        (Reply(429, {"Retry-After": "60"}), "HTTP 429"),
        (Stall(5), "read timeout: no data for 0.5s"),
        (Reply(200, RSS_TYPE, b"<rss><channel><item>"), "garbled feed"),  # truncated: broken, not empty
        (Reply(200, RSS_TYPE, b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>'), None),  # empty
        (
            Reply(200, {"Content-Type": "text/html"}, b"<html><body>moved</body></html>"),
            "unexpected content type",
        ),
        (Reply(200, {"Content-Type": "application/xml"}, b"<html><body>moved</body></html>"), "not a feed:"),
        (Reply(200, RSS_TYPE, b"\x00\x01\x02"), "binary content refused: binary data"),
    ],
)
def test_failing_feeds_are_recorded_not_raised(behaviour: Handler, error: str | None) -> None:
    state = SourceState(etag='"old"')
    listing, _ = run_pass({"/feed": behaviour}, "rss", "/feed", state)
    assert listing.entries == ()
    assert (listing.error or "").startswith(error or "") and (listing.error is None) is (error is None)
    assert listing.fetches[-1].url.endswith("/feed")
    if error:
        assert listing.state == state  # a failure changes nothing remembered


def test_retry_after_reaches_the_listing() -> None:
    listing, _ = run_pass({"/feed": Reply(429, {"Retry-After": "60"})}, "rss", "/feed")
    assert listing.fetches[-1].retry_after == 60.0


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (
            rss("/1", encoding="utf-8", title="Café").replace(b'encoding="utf-8"', b'encoding="iso-8859-1"'),
            "application/rss+xml; charset=iso-8859-1",
        ),
        (
            rss("/1", encoding="latin-1", title="Café").replace(b'encoding="latin-1"', b'encoding="utf-8"'),
            "application/rss+xml; charset=utf-8",
        ),
    ],
    ids=["labelled-latin1-really-utf8", "labelled-utf8-really-latin1"],
)
def test_mislabelled_charsets_give_clean_titles(body: bytes, content_type: str) -> None:
    listing, _ = run_pass({"/feed": Reply(200, {"Content-Type": content_type}, body)}, "rss", "/feed")
    assert [e.title for e in listing.entries] == ["Café"]


def test_permanent_redirect_is_remembered_and_used() -> None:
    routes: dict[str, Handler] = {"/old": redirect("/new", 301), "/new": Reply(200, RSS_TYPE, rss("/a"))}
    with serve(routes) as server:
        source = Source(name="s", kind="rss", url=server.url("/old"), allow_private=True)
        first = asyncio.run(_list(source, SourceState()))
        second = asyncio.run(_list(source, first.state))
        paths = [r.path for r in server.requests]
        assert first.state.redirect_url == server.url("/new")
    assert (paths.count("/old"), paths.count("/new")) == (1, 2)
    assert len(first.entries) == len(second.entries) == 1


def test_html_index_with_relative_links() -> None:
    page = (
        b'<html><body><ul><li><a href="story/1">One</a></li><li><a href="../top/2">Two</a></li>'
        b'<li><a href="/about">About</a></li></ul></body></html>'
    )
    listing, _ = run_pass(
        {"/news/": Reply(200, {"Content-Type": "text/html"}, page)},
        "html",
        "/news/",
        links="ul a",
        exclude=(r"/about$",),
    )
    assert [(e.url.split("/", 3)[3], e.title) for e in listing.entries] == [
        ("news/story/1", "One"),
        ("top/2", "Two"),
    ]


def test_sitemap_index_with_a_gzipped_child_and_a_broken_one() -> None:
    child = b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
      xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
      <url><loc>https://n.example/1</loc><news:news><news:title>Neodymium</news:title>
      <news:publication_date>2024-06-01T00:00:00Z</news:publication_date></news:news></url></urlset>"""
    index = b"""<sitemapindex><sitemap><loc>/news.xml.gz</loc><lastmod>2024-06-01</lastmod></sitemap>
      <sitemap><loc>/broken.xml</loc></sitemap><sitemap><loc>/missing.xml</loc></sitemap></sitemapindex>"""
    routes: dict[str, Handler] = {
        "/sitemap.xml": Reply(200, {"Content-Type": "application/xml"}, index),
        "/news.xml.gz": Reply(200, {"Content-Type": "application/x-gzip"}, gzip.compress(child)),
        "/broken.xml": Reply(200, {"Content-Type": "application/xml"}, b"<urlset><url>"),
    }
    listing, _ = run_pass(routes, "sitemap", "/sitemap.xml")
    assert [(e.url, e.title, e.published) for e in listing.entries] == [
        ("https://n.example/1", "Neodymium", "2024-06-01T00:00:00+00:00")
    ]
    assert listing.error is None
    statuses = {f.url.rsplit("/", 1)[1]: f.status for f in listing.fetches}
    assert statuses == {
        "robots.txt": 404,
        "sitemap.xml": 200,
        "news.xml.gz": 200,
        "broken.xml": 200,
        "missing.xml": 404,
    }


def test_sitemap_index_whose_children_all_fail_is_an_error() -> None:
    index = b"<sitemapindex><sitemap><loc>/gone.xml</loc></sitemap></sitemapindex>"
    listing, _ = run_pass(
        {"/sitemap.xml": Reply(200, {"Content-Type": "text/xml"}, index)}, "sitemap", "/sitemap.xml"
    )
    assert listing.error == "sitemap index: none of its 1 child sitemaps could be read"


def test_max_entries_keeps_the_newest() -> None:
    items = "".join(
        f"<item><link>/{d}</link><pubDate>0{d} Jan 2024 00:00:00 GMT</pubDate></item>" for d in (1, 3, 2)
    )
    body = f"<rss version='2.0'><channel>{items}</channel></rss>".encode()
    listing, _ = run_pass({"/feed": Reply(200, RSS_TYPE, body)}, "rss", "/feed", max_entries=2)
    assert [e.url.rsplit("/", 1)[1] for e in listing.entries] == ["3", "2"]


def test_robots_disallowed_feed_is_an_error() -> None:
    routes: dict[str, Handler] = {
        "/robots.txt": Reply(200, {}, b"User-agent: *\nDisallow: /feed\n"),
        "/feed": Reply(200, RSS_TYPE, rss("/a")),
    }
    listing, requests = run_pass(routes, "rss", "/feed")
    assert listing.error == "blocked by robots.txt"
    assert [r.path for r in requests] == ["/robots.txt"]


@pytest.mark.parametrize(
    ("result", "body", "kind"),
    [
        (
            FetchResult(
                "u", "f", 200, {"content-type": "text/html; charset=iso-8859-1"}, "<p>café</p>".encode()
            ),
            "<p>café</p>",
            "text/html",
        ),
        (FetchResult("u", "f", 200, {"content-type": "text/plain"}, b"caf\xe9\x00"), "café", "text/plain"),
        (
            FetchResult("u", "f", 200, {}, b'<meta charset="windows-1252"><p>\x93q\x94'),
            '<meta charset="windows-1252"><p>“q”',
            "text/html",
        ),
    ],
)
def test_to_page_decodes(result: FetchResult, body: str, kind: str) -> None:
    page = to_page(result)
    assert page is not None and (page.body, page.content_type, page.final_url) == (body, kind, "f")


@pytest.mark.parametrize(
    "result",
    [
        FetchResult("u", "u", 404, {}, b"x", error="HTTP 404"),
        FetchResult("u", "u", 200, {}, b"  "),
        FetchResult("u", "u", 0, error="read timeout"),
    ],
)
def test_to_page_none_without_a_page(result: FetchResult) -> None:
    assert to_page(result) is None


def test_non_web_source_is_an_error_not_a_crash() -> None:
    async def run() -> Listing:
        async with Fetcher(FAST) as fetcher:
            return await list_entries(Source(name="f", kind="files", path="/tmp"), SourceState(), fetcher)

    assert asyncio.run(run()).error == "not a web source: kind 'files', url None"
