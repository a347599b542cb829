"""Pure source parsers, table-driven: feeds, sitemaps, html index pages, OPML, backoff."""

from __future__ import annotations

import gzip
import tomllib
from datetime import UTC, datetime, timedelta

import pytest

from monitor.errors import ParseError
from monitor.models import Entry
from monitor.sources import backoff
from monitor.sources.html_index import parse_index
from monitor.sources.opml import to_sources, to_toml
from monitor.sources.rss import is_complete, parse_feed
from monitor.sources.sitemap import parse_sitemap

LONG = "Lynas expands its heavy rare earth separation plant in Malaysia. " * 30

RSS = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>News</title><link>https://news.example/</link>
<item><title>Full &amp; long</title><link>/a/1</link><guid isPermaLink="false">id-1</guid>
 <pubDate>Tue, 02 Jan 2024 10:00:00 +0100</pubDate>
 <content:encoded><![CDATA[<p>{LONG}</p>]]></content:encoded></item>
<item><title>Teaser</title><link>https://news.example/a/2</link>
 <description>China curbs gallium exports. Read more...</description></item>
<item><title>No link at all</title><description>orphan</description></item>
<item><guid isPermaLink="true">https://news.example/a/3</guid><title>Guid link</title></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
<entry><title type="html">&lt;b&gt;Bold&lt;/b&gt; title</title><id>tag:x,2024:1</id>
<link rel="alternate" href="https://atom.example/1"/><updated>2024-03-04T05:06:07Z</updated>
<summary>Short.</summary></entry></feed>"""

JSON_FEED = b"""{"version": "https://jsonfeed.org/version/1.1", "title": "J",
 "items": [{"id": "j1", "url": "https://json.example/1", "title": "Json item",
 "date_published": "2024-05-06T07:08:09Z", "content_text": "Hello"}]}"""


def test_rss_entries() -> None:
    entries = parse_feed(RSS.encode(), "https://news.example/feed")
    assert [e.url for e in entries] == [
        "https://news.example/a/1",
        "https://news.example/a/2",
        "https://news.example/a/3",
    ]
    first, teaser = entries[0], entries[1]
    assert (first.guid, first.title, first.published) == ("id-1", "Full & long", "2024-01-02T09:00:00+00:00")
    assert first.complete and first.content is not None and "Lynas" in first.content
    assert not teaser.complete and teaser.content == "China curbs gallium exports. Read more..."


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (
            ATOM.encode(),
            "application/atom+xml",
            Entry(
                url="https://atom.example/1",
                guid="tag:x,2024:1",
                title="Bold title",
                published="2024-03-04T05:06:07+00:00",
                content="Short.",
                content_type="text/plain",
            ),
        ),
        (
            JSON_FEED,
            "application/feed+json",
            Entry(
                url="https://json.example/1",
                guid="j1",
                title="Json item",
                published="2024-05-06T07:08:09+00:00",
                content="Hello",
                content_type="text/plain",
            ),
        ),
    ],
)
def test_other_feed_formats(body: bytes, content_type: str, expected: Entry) -> None:
    assert parse_feed(body, "https://x.example/", {"content-type": content_type}) == [expected]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (
            '<?xml version="1.0" encoding="iso-8859-1"?><rss><channel><item><title>Café</title>'
            "<link>http://x/1</link></item></channel></rss>".encode(),
            "application/xml; charset=iso-8859-1",
        ),
        (
            '<?xml version="1.0" encoding="utf-8"?><rss><channel><item><title>Café</title>'
            "<link>http://x/1</link></item></channel></rss>".encode("latin-1"),
            "application/xml; charset=utf-8",
        ),
    ],
    ids=["labelled-latin1-really-utf8", "labelled-utf8-really-latin1"],
)
def test_mislabelled_feeds_decode_without_mojibake(body: bytes, content_type: str) -> None:
    assert [e.title for e in parse_feed(body, "http://x/", {"content-type": content_type})] == ["Café"]


@pytest.mark.parametrize("body", [b"<html><body>not a feed</body></html>", b"\x00\x01garbage", b""])
def test_not_a_feed_raises_parse_error(body: bytes) -> None:
    with pytest.raises(ParseError):
        parse_feed(body, "http://x/")


def test_broken_xml_with_items_still_yields_them() -> None:
    body = b"<rss><channel><item><title>A & B</title><link>http://x/1</link></item></channel>"  # unclosed
    assert [e.url for e in parse_feed(body, "http://x/")] == ["http://x/1"]


def test_feedparser_is_never_handed_a_path_or_url() -> None:
    with pytest.raises(ParseError):
        parse_feed(b"/etc/passwd", "http://x/")


@pytest.mark.parametrize(
    ("content", "complete"),
    [
        (LONG, True),
        (LONG + " Read more", False),
        (LONG + " …", False),
        (LONG + " [...]", False),
        (LONG + " Continue reading →", False),
        (LONG + " The post Gallium prices appeared first on Metal News.", False),
        ("Too short.", False),
        (f"<div><p>{LONG}</p></div>", True),
    ],
)
def test_completeness_heuristic(content: str, complete: bool) -> None:
    assert is_complete(content) is complete


URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://s.example/a</loc><lastmod>2024-01-01</lastmod></url>
<url><loc>https://s.example/b</loc><news:news><news:title>Dysprosium rally</news:title>
 <news:publication_date>2024-02-03T04:05:06+02:00</news:publication_date></news:news></url>
<url><loc>javascript:alert(1)</loc></url>
</urlset>"""

INDEX = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://s.example/old.xml</loc><lastmod>2020-01-01</lastmod></sitemap>
<sitemap><loc>/new.xml.gz</loc><lastmod>2024-01-01</lastmod></sitemap></sitemapindex>"""


@pytest.mark.parametrize("body", [URLSET, gzip.compress(URLSET)], ids=["plain", "gzipped"])
def test_urlset_with_news(body: bytes) -> None:
    sitemap = parse_sitemap(body, "https://s.example/sitemap.xml")
    assert sitemap.entries == (
        Entry(url="https://s.example/a", published="2024-01-01T00:00:00+00:00"),
        Entry(url="https://s.example/b", title="Dysprosium rally", published="2024-02-03T02:05:06+00:00"),
    )


def test_sitemap_index_children_newest_first() -> None:
    sitemap = parse_sitemap(INDEX, "https://s.example/sitemap.xml")
    assert sitemap.children == ("https://s.example/new.xml.gz", "https://s.example/old.xml")


def test_plain_text_sitemap() -> None:
    assert [
        e.url for e in parse_sitemap(b"https://t.example/1\nhttps://t.example/2\n", "https://t/").entries
    ] == ["https://t.example/1", "https://t.example/2"]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"<urlset><url><loc>x</loc>", "sitemap: invalid XML"),
        (b"<html><body/></html>", "sitemap: unexpected root element <html>"),
        (b'<!DOCTYPE x [<!ENTITY a "aaaa">]><urlset/>', "sitemap: DTD entities are not accepted"),
        (gzip.compress(b"\0" * 2_000_000), "sitemap: too large"),
        (b"just words", "sitemap: neither XML nor a list of URLs"),
    ],
)
def test_bad_sitemaps(body: bytes, error: str) -> None:
    with pytest.raises(ParseError, match=error):
        parse_sitemap(body, "https://s.example/", max_inflated=1_000_000)


INDEX_PAGE = b"""<html><head><base href="https://site.example/news/"></head><body>
<nav><a href="/">Home</a><a href="https://other.example/x">Elsewhere</a></nav>
<article><h2><a href="2024/rare-earths">Rare earths <b>surge</b></a></h2></article>
<article><h2><a href="/news/2024/magnets#comments">Magnets</a></h2></article>
<article><h2><a href="2024/rare-earths">Duplicate</a></h2></article>
<a href="mailto:x@y">mail</a><a href="#top">top</a><a href="/tag/china">Tag</a>
</body></html>"""


@pytest.mark.parametrize(
    ("selector", "include", "exclude", "urls"),
    [
        (
            None,
            (),
            (),
            [
                "https://site.example/",
                "https://site.example/news/2024/rare-earths",
                "https://site.example/news/2024/magnets",
                "https://site.example/tag/china",
            ],
        ),
        (
            "article a",
            (),
            (),
            ["https://site.example/news/2024/rare-earths", "https://site.example/news/2024/magnets"],
        ),
        (
            "article",
            (),
            (),
            ["https://site.example/news/2024/rare-earths", "https://site.example/news/2024/magnets"],
        ),
        (None, (r"/news/\d{4}/",), (r"magnets",), ["https://site.example/news/2024/rare-earths"]),
        (None, (r"other\.example",), (), ["https://other.example/x"]),
    ],
)
def test_html_index_links(
    selector: str | None, include: tuple[str, ...], exclude: tuple[str, ...], urls: list[str]
) -> None:
    entries = parse_index(
        INDEX_PAGE, "https://site.example/news/", selector=selector, include=include, exclude=exclude
    )
    assert [e.url for e in entries] == urls


def test_html_index_titles_are_link_text() -> None:
    entries = parse_index(INDEX_PAGE, "https://site.example/news/", selector="article a")
    assert [e.title for e in entries] == ["Rare earths surge", "Magnets"]


@pytest.mark.parametrize(("selector", "include"), [("a[", ()), (None, ("(",))])
def test_html_index_bad_config_is_a_parse_error(selector: str | None, include: tuple[str, ...]) -> None:
    with pytest.raises(ParseError):
        parse_index(INDEX_PAGE, "https://site.example/", selector=selector, include=include)


OPML = b"""<?xml version="1.0"?><opml version="2.0"><head><title>subs</title></head><body>
<outline text="Metals"><outline text="Mining.com" title="Mining.com" type="rss" xmlUrl="https://mining.example/feed"/>
 <outline text="Deep"><outline text="Atom one" type="atom" xmlUrl="https://atom.example/feed"/></outline></outline>
<outline text="Mining.com" type="rss" xmlUrl="https://mining2.example/feed"/>
<outline text="Again" type="rss" xmlUrl="https://mining.example/feed"/>
<outline text="" type="rss" xmlUrl="https://noname.example/rss"/>
<outline text="Bad" type="rss" xmlUrl="file:///etc/passwd"/>
</body></opml>"""


def test_opml_flattens_dedups_and_names() -> None:
    assert to_sources(OPML) == [
        {"name": "Mining.com", "kind": "rss", "url": "https://mining.example/feed"},
        {"name": "Atom one", "kind": "atom", "url": "https://atom.example/feed"},
        {"name": "Mining.com (2)", "kind": "rss", "url": "https://mining2.example/feed"},
        {"name": "noname.example", "kind": "rss", "url": "https://noname.example/rss"},
    ]


def test_opml_toml_round_trips() -> None:
    sources: list[dict[str, object]] = [
        *to_sources(OPML),
        {"name": 'Quote " and \\ back\nslash', "kind": "rss", "url": "https://q/"},
    ]
    assert tomllib.loads(to_toml(sources))["source"] == sources


@pytest.mark.parametrize("data", [b"<opml><body>", b"<rss/>", b""])
def test_bad_opml(data: bytes) -> None:
    with pytest.raises(ParseError):
        to_sources(data)


NOW = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("interval", "errors", "retry_after", "wait"),
    [
        (3600, 0, None, 3600),
        (3600, 1, None, 3600),
        (3600, 2, None, 7200),
        (3600, 4, None, 21600),  # capped at 6 h
        (3600, 1000, None, 21600),  # no overflow
        (86400, 3, None, 86400),  # the cap never shortens the normal interval
        (600, 1, 1800.0, 1800),  # Retry-After wins when longer
        (600, 3, 60.0, 2400),
        (0, 0, None, 1),
    ],
)
def test_next_visit_backs_off(interval: int, errors: int, retry_after: float | None, wait: int) -> None:
    assert backoff.next_visit(NOW, interval, errors, retry_after) == NOW + timedelta(seconds=wait)


def test_plain_text_content_encoded_is_read_as_plain_text() -> None:
    from monitor.sources.rss import parse_feed

    paragraph = "Lynas said its Kuantan plant separated more dysprosium oxide this quarter than last. " * 6
    text = "\n\n".join([paragraph] * 4)  # ~2,000 characters, no tag at all
    feed = (
        '<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><item><title>t</title><link>https://ex.org/a</link><content:encoded>{text}"
        "</content:encoded></item><item><title>u</title><link>https://ex.org/b</link>"
        f"<content:encoded><![CDATA[<p>{text}</p>]]></content:encoded></item></channel></rss>"
    ).encode()
    plain, html = parse_feed(feed, "https://ex.org/feed")
    assert (plain.content_type, plain.complete) == ("text/plain", True)
    assert (html.content_type, html.complete) == ("text/html", True)


@pytest.mark.parametrize(
    ("status", "error", "deferred", "kind"),
    [
        (200, None, None, "page"),
        (404, "HTTP 404", None, "gone"),
        (410, "HTTP 410", None, "gone"),
        (503, "HTTP 503", None, "retry"),
        (429, "HTTP 429", None, "retry"),
        (0, "read timeout: no data for 20s", None, "retry"),
        (0, "blocked by robots.txt", None, "skip"),
        (
            0,
            "blocked by robots.txt: unreadable (server error or 429), so nothing is allowed for now",
            None,
            "retry",
        ),
        (0, "robots.txt unreachable: connection failed: refused", None, "retry"),
        (0, "blocked: 10.0.0.1 resolves to 10.0.0.1 (private)", None, "skip"),
        (200, "unexpected content type: application/pdf", None, "skip"),
        (0, "deferred: http://x: asked us to wait 60 more seconds (Retry-After)", 60.0, "wait"),
    ],
)
def test_what_a_page_fetch_means_for_its_entry(
    status: int, error: str | None, deferred: float | None, kind: str
) -> None:
    from monitor.models import FetchResult
    from monitor.sources.retries import judge, retry_delay

    result = FetchResult(
        "https://ex.org/a", "https://ex.org/a", status, body=b"<p>x</p>", error=error, deferred=deferred
    )
    assert judge(result).kind == kind
    assert [retry_delay(n, 600, 21600) for n in (1, 2, 3, 7)] == [600, 1200, 2400, 21600]
    assert retry_delay(1, 600, 21600, floor=3600) == 3600  # never before Retry-After
