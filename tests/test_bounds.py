"""Bounded work per document: documents at the caps, fetched from a real local server.

Each document is the worst kind inside the default fetch caps (5 MB on the wire, 20 MB
inflated): a gzip feed, gzip and deflate pages, a gzip sitemap, an index page with 100,000
links. The tests assert what happens to them (stored, cut with a flag and a log line, or
refused with a reason); bench/memory.py measures the memory and event-loop stalls.
"""

from __future__ import annotations

import asyncio
import gzip
import logging
import sqlite3
import zlib
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from monitor import commands as runner
from monitor.config import load
from monitor.extract.guard import cut_html, cut_text
from monitor.fetch.client import Fetcher, FetchSettings
from monitor.fetch.decode import binary_kind
from monitor.models import Source
from monitor.sources import SourceState
from monitor.sources.rss import cut_feed, parse_feed
from monitor.sources.web import list_entries
from monitor.store.db import open_db
from tests.servers import Reply, serve

WORDS = ("neodymium", "dysprosium", "terbium", "magnet", "quota", "export", "refinery", "tonnes", "price",
         "supply", "ministry", "licence", "smelter", "contract", "shipment", "output", "separation", "plant")
CAP = 20_000_000  # [fetch] max_decompressed
HTML_TYPE = {"Content-Type": "text/html; charset=utf-8"}


def sentence(number: int, words: int = 40) -> str:
    """A distinct sentence per number, cheap to make (no random module: 20 MB of these)."""
    return " ".join(WORDS[(number * 7 + k * 13 + k * k) % len(WORDS)] for k in range(words)) + f" {number}."


def big_page(size: int) -> bytes:
    """An article page of about ``size`` bytes of distinct paragraphs."""
    head = "<html><head><title>Rare earth output report</title></head><body><article><h1>Output</h1>"
    parts, total, number = [head], len(head), 0
    while total < size - 100:
        paragraph = f"<p>{sentence(number)}</p>\n"
        parts.append(paragraph)
        total += len(paragraph)
        number += 1
    parts.append("</article></body></html>")
    return "".join(parts).encode()


def big_feed(size: int, base: str) -> bytes:
    """An RSS feed of about ``size`` bytes whose items carry their full text (no page fetches)."""
    head = '<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>'
    parts, total, number = [head], len(head), 0
    while total < size - 100:
        body = "".join(f"&lt;p&gt;{sentence(number * 50 + k)}&lt;/p&gt;" for k in range(8))
        item = (f"<item><title>Story {number} on {WORDS[number % len(WORDS)]}</title>"
                f"<link>{base}/story/{number}</link><description>{body}</description></item>")
        parts.append(item)
        total += len(item)
        number += 1
    parts.append("</channel></rss>")
    return "".join(parts).encode()


def feed_of(base: str, paths: list[str]) -> bytes:
    items = "".join(f"<item><title>Page {p}</title><link>{base}{p}</link><description>Short teaser."
                    "</description></item>" for p in paths)
    channel = f"<channel><title>t</title>{items}</channel>"
    return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'.encode()


def deflate(data: bytes) -> bytes:
    return zlib.compress(data, 6)


@pytest.fixture(scope="module")
def page_19mb() -> bytes:
    return big_page(CAP - 1_000_000)


def config_for(write_config: Callable[[str], Path], tmp_path: Path, sources: str) -> Path:
    return write_config(
        f'[monitor]\ndb = "{tmp_path / "m.db"}"\n\n[fetch]\nmin_delay = 0\nrespect_robots = false\n\n'
        + sources
    )


def rss_source(name: str, url: str, fetch_pages: bool = True) -> str:
    return (f'[[source]]\nname = "{name}"\nkind = "rss"\nurl = "{url}"\nallow_private = true\n'
            f"fetch_pages = {'true' if fetch_pages else 'false'}\n\n")


def rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql).fetchall()


# Pure guards ------------------------------------------------------------------------------------


def test_cut_html_drops_scripts_before_cutting_and_keeps_json_ld() -> None:
    article = "<p>" + sentence(1) + "</p>"
    page = (f'<html><head><script type="application/ld+json">{{"headline": "H"}}</script>'
            f"<script>{'x' * 50_000}</script><style>{'y' * 50_000}</style><!-- {'z' * 50_000} -->"
            f"</head><body><article>{article}</article><svg>{'<path/>' * 5000}</svg></body></html>")
    kept, cut = cut_html(page, 5_000)
    assert not cut and article in kept and '{"headline": "H"}' in kept and "<script></script>" in kept
    assert len(kept) < 5_000
    kept, cut = cut_html(page + "<p>" + sentence(2) * 200 + "</p>", 5_000)
    assert cut and len(kept) <= 5_000 and kept.endswith(">")


def test_cut_html_is_linear_on_hostile_markup() -> None:
    hostile = "<script>a</script><!-- c --><svg>b</svg>" * 300_000 + "<scripts>" * 1000
    kept, cut = cut_html(hostile, 1_000_000)
    assert cut and len(kept) <= 1_000_000  # would take minutes if each marker were searched from scratch


def test_cut_text_cuts_at_a_paragraph() -> None:
    text = "\n\n".join(sentence(n) for n in range(100))
    kept, cut = cut_text(text, 2_000)
    assert cut and len(kept) <= 2_000 and text.startswith(kept) and text[len(kept) : len(kept) + 2] == "\n\n"
    assert cut_text("short", 2_000) == ("short", False)


@pytest.mark.parametrize(
    ("head", "kind"),
    [(b"%PDF-1.7\n", "PDF"), (b"\x89PNG\r\n\x1a\n", "PNG image"), (b"PK\x03\x04", "ZIP archive"),
     (b"text\x00with NUL", "binary data"), (b"<html>caf\xc3\xa9</html>", None), (b"plain text\n", None),
     ("\ufeffUTF-16 text".encode("utf-16"), None)],
)
def test_binary_kind_names_what_is_not_text(head: bytes, kind: str | None) -> None:
    assert binary_kind(head) == kind


def test_cut_feed_keeps_whole_items_and_stays_well_formed() -> None:
    feed = big_feed(200_000, "https://example.com")
    kept, cut = cut_feed(feed, 50_000)
    assert cut and len(kept) <= 50_000 + 32 and kept.endswith(b"</item></channel></rss>")
    entries = parse_feed(kept, "https://example.com/feed")
    assert 5 < len(entries) < len(parse_feed(feed, "https://example.com/feed"))
    entry = b'<entry><title>T</title><link href="https://e.com/%d"/></entry>'
    entries_xml = b"".join(entry % n for n in range(2000))
    atom = b'<feed xmlns="http://www.w3.org/2005/Atom">' + entries_xml + b"</feed>"
    kept, cut = cut_feed(atom, 10_000)
    assert cut and kept.endswith(b"</entry></feed>") and len(parse_feed(kept, "https://e.com/")) > 50


def test_cut_feed_refuses_what_it_cannot_cut_safely() -> None:
    from monitor.errors import ParseError

    one_item = b"<rss><channel><item><title>" + b"x" * 10_000 + b"</title></item></channel></rss>"
    with pytest.raises(ParseError, match="no whole item within max_parse_bytes"):
        cut_feed(one_item, 5_000)
    with pytest.raises(ParseError, match=r"JSON feed .* over max_parse_bytes"):
        cut_feed(b'{"items": [' + b"1," * 10_000 + b"1]}", 5_000)


# Documents at the caps, fetched --------------------------------------------------------------


def test_gzip_feed_inflating_near_the_cap_is_cut_after_whole_items_and_stored(
    write_config: Callable[[str], Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with serve() as server:
        feed = big_feed(CAP - 500_000, server.url(""))
        wire = gzip.compress(feed, 6)
        assert len(wire) < 5_000_000  # inside [fetch] max_bytes: the document is within the caps
        server.routes["/feed"] = Reply(200, {"Content-Type": "application/rss+xml",
                                             "Content-Encoding": "gzip"}, wire)
        config = load(config_for(write_config, tmp_path, rss_source("big", server.url("/feed"), False)))
        with caplog.at_level(logging.INFO):
            reports = runner.once(config, open_db(config.db_path))
    assert reports[0].error is None and reports[0].new == 100  # max_entries of the items kept
    assert "feed_truncated" in caplog.text and f"bytes={len(feed)}" in caplog.text
    assert rows(config.db_path, "select last_error, error_count from sources") == [(None, 0)]


@pytest.mark.parametrize("coding", ["gzip", "deflate"])
def test_pages_inflating_near_the_cap_are_stored_cut_and_flagged(
    coding: str, page_19mb: bytes, write_config: Callable[[str], Path], tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    wire = gzip.compress(page_19mb, 6) if coding == "gzip" else deflate(page_19mb)
    assert len(wire) < 5_000_000
    with serve() as server:
        server.routes["/feed"] = Reply(200, {"Content-Type": "application/rss+xml"},
                                       feed_of(server.url(""), ["/big"]))
        server.routes["/big"] = Reply(200, {**HTML_TYPE, "Content-Encoding": coding}, wire)
        config = load(config_for(write_config, tmp_path, rss_source("pages", server.url("/feed"))))
        with caplog.at_level(logging.INFO):
            reports = runner.once(config, open_db(config.db_path))
    assert reports[0].new == 1 and reports[0].error is None
    [(truncated, length, html_length)] = rows(
        config.db_path, "select a.truncated, length(a.text), length(p.html) from articles a"
                        " join pages p on p.article_id = a.id")
    assert truncated == 1 and 100_000 < length <= config.monitor.max_text_chars
    assert html_length <= config.monitor.max_parse_bytes  # what was parsed is what is kept
    assert "article_truncated" in caplog.text


def test_a_page_big_only_by_its_scripts_is_stored_whole(
    write_config: Callable[[str], Path], tmp_path: Path
) -> None:
    article = "".join(f"<p>{sentence(n)}</p>" for n in range(40))
    page = (f"<html><head><title>Scripts</title><script>{'var x = 1;' * 600_000}</script></head>"
            f"<body><article>{article}</article></body></html>").encode()
    with serve() as server:
        server.routes["/feed"] = Reply(200, {"Content-Type": "application/rss+xml"},
                                       feed_of(server.url(""), ["/scripts"]))
        server.routes["/scripts"] = Reply(200, {**HTML_TYPE, "Content-Encoding": "gzip"}, gzip.compress(page))
        config = load(config_for(write_config, tmp_path, rss_source("s", server.url("/feed"))))
        runner.once(config, open_db(config.db_path))
    [(truncated, text)] = rows(config.db_path, "select truncated, text from articles")
    assert truncated == 0 and sentence(0) in text and sentence(39) in text


def test_binary_bodies_are_refused_with_their_kind(
    write_config: Callable[[str], Path], tmp_path: Path
) -> None:
    with serve() as server:
        server.routes["/feed"] = Reply(200, {"Content-Type": "application/rss+xml"},
                                       feed_of(server.url(""), ["/png", "/pdf"]))
        server.routes["/png"] = Reply(200, HTML_TYPE, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
        server.routes["/pdf"] = Reply(200, {"Content-Type": "application/pdf"}, b"%PDF-1.7\n" + b"x" * 1000)
        config = load(config_for(write_config, tmp_path, rss_source("bin", server.url("/feed"))))
        reports = runner.once(config, open_db(config.db_path))
    assert reports[0].failed == 2 and rows(config.db_path, "select count(*) from articles") == [(0,)]
    errors = dict(rows(config.db_path, "select url, error from fetches where purpose = 'page'"))
    assert errors[server.url("/png")] == "binary content refused: PNG image (content type text/html)"
    assert errors[server.url("/pdf")] == "unexpected content type: application/pdf"


def listing_of(source: Source, routes: dict[str, Reply]) -> tuple[list[str], str | None]:
    async def run() -> tuple[list[str], str | None]:
        async with Fetcher(FetchSettings(min_delay=0, respect_robots=False)) as fetcher:
            listing = await list_entries(source, SourceState(), fetcher)
        return [e.url for e in listing.entries], listing.error

    return asyncio.run(run())


def test_gzip_sitemap_inflating_near_the_cap_is_listed() -> None:
    urls = "".join(f"<url><loc>https://example.com/news/{n}</loc><lastmod>2026-11-{1 + n % 28:02d}</lastmod>"
                   "</url>" for n in range(CAP // 84))
    sitemap = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    body = sitemap.encode()
    assert CAP - 1_000_000 < len(body) < CAP
    with serve() as server:
        route = {"/sitemap.xml.gz": Reply(200, {"Content-Type": "application/gzip"}, gzip.compress(body))}
        server.routes.update(route)
        source = Source(name="sm", kind="sitemap", url=server.url("/sitemap.xml.gz"), allow_private=True)
        found, error = listing_of(source, route)
    assert error is None and len(found) == source.max_entries
    assert all(url.startswith("https://example.com/news/") for url in found)


def test_index_page_with_100k_links_is_listed() -> None:
    links = "".join(f'<li><a href="/news/{n}">Story {n}</a></li>' for n in range(100_000))
    page = f"<html><body><ul>{links}</ul></body></html>".encode()
    with serve() as server:
        route = {"/": Reply(200, {**HTML_TYPE, "Content-Encoding": "gzip"}, gzip.compress(page))}
        server.routes.update(route)
        source = Source(name="ix", kind="html", url=server.url("/"), allow_private=True)
        found, error = listing_of(source, route)
    assert error is None and len(found) == source.max_entries


def test_index_page_over_the_parse_cap_is_cut_with_a_log_line(caplog: pytest.LogCaptureFixture) -> None:
    links = "".join(f'<p><a href="/news/{n}">Story {n} {sentence(n)}</a></p>' for n in range(30_000))
    page = f"<html><body>{links}</body></html>".encode()
    assert len(page) > 4_000_000
    with serve() as server:
        route = {"/": Reply(200, {**HTML_TYPE, "Content-Encoding": "gzip"}, gzip.compress(page))}
        server.routes.update(route)
        source = Source(name="ix", kind="html", url=server.url("/"), allow_private=True)
        with caplog.at_level(logging.INFO):
            found, error = listing_of(source, route)
    assert error is None and len(found) == source.max_entries
    assert "index_truncated" in caplog.text and "source=ix" in caplog.text


def test_a_binary_file_in_a_files_source_is_refused_without_failing_the_source(
    write_config: Callable[[str], Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "scan.html").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 10)
    (folder / "story.txt").write_text("Terbium quota raised\n\n" + sentence(3) + "\n\n" + sentence(4))
    source = f'[[source]]\nname = "dir"\nkind = "files"\npath = "{folder}"\n'
    config = load(config_for(write_config, tmp_path, source))
    with caplog.at_level(logging.INFO):
        reports = runner.once(config, open_db(config.db_path))
    assert reports[0].new == 1 and reports[0].error is None
    assert "file_refused" in caplog.text and "binary file (PDF)" in caplog.text
    assert rows(config.db_path, "select error_count from sources") == [(0,)]
