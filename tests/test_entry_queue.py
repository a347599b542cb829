"""The entry queue against real misbehaving servers: nothing a source lists is lost.

Passes run through the real pipeline on a real SQLite file; time between passes is an injected
clock (the retry schedule is in hours), so no test sleeps through a backoff.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from monitor import config as config_module
from monitor import pipeline
from monitor.cli import cli
from monitor.commands import prepare_db
from monitor.fetch.client import Fetcher
from monitor.store.db import open_db
from monitor.store.status import summary
from tests.articles import article_html, article_text
from tests.servers import Drip, Flaky, Handler, LocalServer, Reply, Request, Stall, serve

HTML = {"Content-Type": "text/html; charset=utf-8"}
RSS = {"Content-Type": "application/rss+xml"}
FAST = "[fetch]\nmin_delay = 0\nconnect_timeout = 1\nread_timeout = 0.5\ndeadline = 1.0\n"


def rss(server: LocalServer, items: list[str], extra: str = "") -> bytes:
    body = "".join(
        f"<item><title>Item {path}</title><link>{server.url(path)}</link>{extra}</item>" for path in items
    )
    return (
        '<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>t</title>{body}</channel></rss>"
    ).encode()


def with_etag(body: bytes, etag: str = '"v1"') -> Handler:
    def feed(request: Request) -> Reply:
        if request.headers.get("if-none-match") == etag:
            return Reply(304, {"ETag": etag})
        return Reply(200, {**RSS, "ETag": etag}, body)

    return feed


class Monitor:
    """A config, a database and a clock: ``run()`` is one pass over every source at ``now``."""

    def __init__(self, tmp: Path, server: LocalServer, sources: str, fetch: str = FAST) -> None:
        self.path = tmp / "feeds.toml"
        self.path.write_text(f'[monitor]\ndb = "monitor.db"\n\n{fetch}\n{sources}', encoding="utf-8")
        self.config = config_module.load(self.path)
        self.db: Database = open_db(self.config.db_path)
        self.now = datetime(2026, 1, 1, 8, 0, 0, tzinfo=UTC)
        self.ctx = dataclasses.replace(pipeline.Context.from_config(self.config), clock=self.stamp)
        prepare_db(self.db, self.ctx)
        self.server = server

    def stamp(self) -> str:
        return self.now.isoformat(timespec="seconds")

    def run(self, hours: float = 0.0) -> dict[str, pipeline.SourceReport]:
        self.now += timedelta(hours=hours)
        reports = asyncio.run(self._pass())
        return {r.source: r for r in reports}

    async def _pass(self) -> list[pipeline.SourceReport]:
        async with Fetcher(self.config.fetch) as fetcher:
            return await pipeline.run_sources(self.db, self.ctx, self.config.sources, fetcher)

    def count(self, sql: str, *params: object) -> int:
        return int(self.db.execute(sql, list(params)).fetchone()[0])

    def status(self) -> str:
        result = CliRunner().invoke(cli, ["--config", str(self.path), "status"])
        assert result.exit_code == 0, result.output
        return result.stdout


def source(name: str, url: str, kind: str = "rss", **extra: object) -> str:
    lines = [f'name = "{name}"', f'kind = "{kind}"', f'url = "{url}"', "allow_private = true"]
    lines += [f"{k} = {v!r}" if isinstance(v, str) else f"{k} = {str(v).lower()}" for k, v in extra.items()]
    return "[[source]]\n" + "\n".join(lines) + "\n\n"


@pytest.fixture
def site() -> Iterator[LocalServer]:
    with serve({"/robots.txt": Reply(404)}) as server:
        yield server


def test_pages_failing_one_two_three_times_are_all_stored_exactly_once(
    tmp_path: Path, site: LocalServer
) -> None:
    # Two feeds, one answering 304 after its first pass; in each, pages fail 0..3 times with 503.
    for prefix in ("e", "p"):
        for failures in range(4):
            site.routes[f"/{prefix}{failures}"] = Flaky(
                failures, Reply(200, HTML, article_html(failures + 10 * (prefix == "p")))
            )
    site.routes["/never"] = Flaky(99, Reply(200, HTML, article_html(99)))  # gives up after 4 attempts
    site.routes["/etag-feed"] = with_etag(rss(site, ["/e0", "/e1", "/e2", "/e3", "/never"]))
    site.routes["/plain-feed"] = Reply(200, RSS, rss(site, ["/p0", "/p1", "/p2", "/p3"]))
    sources = source("etag", site.url("/etag-feed")) + source("plain", site.url("/plain-feed"))
    fetch = FAST + "page_attempts = 4\npage_retry_delay = 600\n"
    monitor = Monitor(tmp_path, site, sources, fetch)

    first = monitor.run()
    assert (first["etag"].new, first["plain"].new) == (1, 1)
    assert (first["etag"].retrying, first["plain"].retrying) == (4, 3)
    text = monitor.status()
    assert "4 entries pending" in text and "3 entries pending" in text
    assert "pending etag: " in text and "(1 attempts, next try 2026-01-01T" in text and "HTTP 503" in text

    # Within the retry schedule (first retry after 10 minutes), nothing is asked again.
    hits = len(site.requests)
    again = monitor.run(hours=0.1)
    assert again["etag"].retrying == 0 and len(site.requests) - hits == 3  # robots.txt, a 304, a feed
    assert site.requests[-1].path != "/e1"

    for _ in range(3):
        monitor.run(hours=1)
    assert monitor.count("select count(*) from articles") == 8
    assert monitor.count("select count(distinct canonical_url) from articles") == 8
    for prefix in ("e", "p"):
        for failures in range(4):
            assert site.hits(f"/{prefix}{failures}") == failures + 1  # stored at the first success
    assert site.hits("/never") == 4
    feed_statuses = [r.headers.get("if-none-match") for r in site.requests if r.path == "/etag-feed"]
    assert feed_statuses[1:] == ['"v1"'] * 4  # every later pass of that feed was a 304
    states = dict(monitor.db.execute("select state, count(*) from entries group by state").fetchall())
    assert states == {"stored": 8, "failed": 1}
    row = monitor.db.execute(
        "select failed_entries, pending_entries, error_count from sources where name = 'etag'"
    ).fetchone()
    assert row == (1, 0, 0)
    assert "1 entries failed" in monitor.status()
    assert monitor.run(hours=5)["etag"].new == 0 and site.hits("/never") == 4  # failed stays failed


def test_a_restart_keeps_the_queue(tmp_path: Path, site: LocalServer) -> None:
    site.routes["/a"] = Flaky(1, Reply(200, HTML, article_html(1)))
    site.routes["/feed"] = with_etag(rss(site, ["/a"]))
    first = Monitor(tmp_path, site, source("feed", site.url("/feed")))
    assert first.run()["feed"].retrying == 1
    first.db.close()
    second = Monitor(tmp_path, site, source("feed", site.url("/feed")))  # a new process, same files
    second.now = first.now
    assert second.run(hours=1)["feed"].new == 1
    assert second.count("select count(*) from articles") == 1


def test_stalled_and_dripping_neighbours_do_not_cost_a_good_article(
    tmp_path: Path, site: LocalServer
) -> None:
    good = [f"/g{i}" for i in range(3)]
    mapped = [f"/s{i}" for i in range(3)]
    dripping_pages = [f"/d{i}" for i in range(6)]
    for n, path in enumerate(good + mapped):
        site.routes[path] = Reply(200, HTML, article_html(100 + n))
    for path in dripping_pages:
        site.routes[path] = Drip(0.05)
    site.routes["/stalled"] = Stall(5)
    site.routes["/dripping"] = Drip(0.05)
    site.routes["/good"] = Reply(200, RSS, rss(site, good))
    site.routes["/slow-pages"] = Reply(200, RSS, rss(site, dripping_pages))
    urls = "".join(f"<url><loc>{site.url(p)}</loc></url>" for p in mapped)
    sitemap = (
        f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    )
    site.routes["/sitemap.xml"] = Reply(200, {"Content-Type": "application/xml"}, sitemap.encode())
    sources = (
        source("stalled", site.url("/stalled"))
        + source("dripping", site.url("/dripping"))
        + source("slow-pages", site.url("/slow-pages"))
        + source("good", site.url("/good"))
        + source("sitemap", site.url("/sitemap.xml"), kind="sitemap")
    )
    monitor = Monitor(tmp_path, site, sources, FAST + "per_host = 2\n")
    reports = monitor.run()
    assert (reports["good"].new, reports["sitemap"].new) == (3, 3)
    assert reports["stalled"].error == "read timeout: no data for 0.5s"
    assert reports["dripping"].error == "deadline exceeded: request took over 1s"
    assert reports["slow-pages"].retrying == 6  # its own pages fail, and wait for the next pass
    good_failures = monitor.count(
        "select count(*) from fetches where source in ('good', 'sitemap') and error is not null"
    )
    assert good_failures == 0


def test_files_source_works_through_a_thousand_files(tmp_path: Path, site: LocalServer) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    for n in range(1000):
        (folder / f"{n:04d}.txt").write_text(article_text(1000 + n, words=40), encoding="utf-8")
    sources = f'[[source]]\nname = "folder"\nkind = "files"\npath = "{folder}"\nmax_entries = 250\n'
    monitor = Monitor(tmp_path, site, sources)
    news = [monitor.run(hours=1)["folder"].new for _ in range(5)]
    assert news == [250, 250, 250, 250, 0]
    assert monitor.count("select count(*) from articles") == 1000
    assert monitor.count("select count(*) from entries where state = 'stored'") == 1000
    (folder / "late.txt").write_text(article_text(5000, words=40), encoding="utf-8")
    report = monitor.run(hours=1)["folder"]
    assert (report.new, report.entries) == (1, 1001)  # only the new file was read and stored


def test_plain_text_content_encoded_is_stored_from_the_feed(tmp_path: Path, site: LocalServer) -> None:
    item = f"<content:encoded>{article_text(7, words=260)}</content:encoded>"
    site.routes["/feed"] = Reply(200, RSS, rss(site, ["/full"], extra=item))
    site.routes["/full"] = Reply(500)  # never asked: the feed carries the article
    monitor = Monitor(tmp_path, site, source("feed", site.url("/feed")))
    assert monitor.run()["feed"].new == 1
    assert site.hits("/full") == 0
    stored, flags = monitor.db.execute("select text, flags from articles").fetchone()
    assert len(stored) > 1200 and "feed_only" not in flags  # the whole article, not a stand-in


@pytest.mark.parametrize("status", [404, 410, 503])
def test_a_page_that_cannot_be_had_is_stored_from_the_feed_text(
    tmp_path: Path, site: LocalServer, status: int
) -> None:
    summary_text = article_text(8, words=70).split("\n\n", 1)[1].replace("\n\n", " ")
    short = "Lynas shares rose."
    site.routes["/feed"] = Reply(
        200,
        RSS,
        rss(site, ["/summary"], extra=f"<description>{summary_text}</description>")[
            : -len(b"</channel></rss>")
        ]
        + f"<item><title>t</title><link>{site.url('/teaser')}</link>"
        f"<description>{short}</description></item></channel></rss>".encode(),
    )
    site.routes["/summary"] = Reply(status)
    site.routes["/teaser"] = Reply(status)
    fetch = FAST + "page_attempts = 1\n"  # a 503 is given up on at once here
    monitor = Monitor(tmp_path, site, source("feed", site.url("/feed")), fetch)
    monitor.run()
    rows = monitor.db.execute("select url, state, article_id from entries order by url").fetchall()
    expected_last = "gone" if status != 503 else "failed"
    assert [r[1] for r in rows] == ["stored", expected_last]  # /summary, then /teaser (too short)
    flags = monitor.db.execute("select flags from articles").fetchone()[0]
    assert "feed_only" in flags


def test_a_gone_page_without_feed_text_is_settled_as_gone(tmp_path: Path, site: LocalServer) -> None:
    site.routes["/feed"] = Reply(200, RSS, rss(site, ["/gone", "/ok"]))
    site.routes["/gone"] = Reply(410)
    site.routes["/ok"] = Reply(200, HTML, article_html(3))
    monitor = Monitor(tmp_path, site, source("feed", site.url("/feed")))
    monitor.run()
    rows = monitor.db.execute("select url, state, reason, attempts from entries order by url").fetchall()
    assert [(r[1], r[2]) for r in rows] == [("gone", "HTTP 410"), ("stored", None)]
    monitor.run(hours=1)
    assert site.hits("/gone") == 1  # never asked again


def test_robots_disallowed_pages_are_skipped_with_the_reason(tmp_path: Path, site: LocalServer) -> None:
    site.routes["/robots.txt"] = Reply(200, {}, b"User-agent: *\nDisallow: /private\n")
    site.routes["/feed"] = Reply(200, RSS, rss(site, ["/private/a"]))
    monitor = Monitor(tmp_path, site, source("feed", site.url("/feed")))
    monitor.run()
    row = monitor.db.execute("select state, reason from entries").fetchone()
    assert row == ("skipped", "blocked by robots.txt")


def test_garbled_and_suddenly_empty_feeds_show_unhealthy(tmp_path: Path, site: LocalServer) -> None:
    site.routes["/garbled"] = Reply(200, RSS, b'<?xml version="1.0"?><rss version="2.0"><channel><item><ti')
    listing: dict[str, bytes] = {"body": rss(site, ["/x1", "/x2"])}
    site.routes["/emptying"] = lambda request: Reply(200, RSS, listing["body"])
    for n, path in enumerate(("/x1", "/x2", "/x3")):
        site.routes[path] = Reply(200, HTML, article_html(300 + n))
    monitor = Monitor(
        tmp_path, site, source("garbled", site.url("/garbled")) + source("emptying", site.url("/emptying"))
    )
    reports = monitor.run()
    assert reports["garbled"].error is not None and reports["garbled"].error.startswith("garbled feed")
    assert reports["emptying"].new == 2
    listing["body"] = rss(site, [])
    monitor.run(hours=1)
    text = monitor.status()
    lines = {line.split()[0]: line for line in text.splitlines() if line.startswith(("garbled", "emptying"))}
    assert "2 failures: garbled feed, no entries readable" in lines["garbled"]
    assert "warning: listed no entries (it listed 2 before)" in lines["emptying"]
    health = {r["name"]: r for r in summary(monitor.db)["sources"]}
    assert health["emptying"]["error_count"] == 0 and health["emptying"]["warning"]
    monitor.run(hours=1)
    assert "warning: listed no entries" in monitor.status()  # still empty: still said
    listing["body"] = rss(site, ["/x3"])
    assert monitor.run(hours=1)["emptying"].new == 1
    row = monitor.db.execute("select warning, listed from sources where name = 'emptying'").fetchone()
    assert row == (None, 1)


def test_retry_after_on_one_source_does_not_defer_another_on_the_host(
    tmp_path: Path, site: LocalServer
) -> None:
    site.routes["/limited"] = Reply(429, {"Retry-After": "120"})
    site.routes["/open"] = Reply(200, RSS, rss(site, ["/o1"]))
    site.routes["/o1"] = Reply(200, HTML, article_html(400))
    monitor = Monitor(
        tmp_path, site, source("limited", site.url("/limited")) + source("open", site.url("/open"))
    )
    reports = monitor.run()
    assert reports["limited"].error == "HTTP 429" and reports["open"].new == 1
    due = dict(monitor.db.execute("select name, next_due from sources").fetchall())
    assert due["limited"] >= (monitor.now + timedelta(seconds=120)).isoformat(timespec="seconds")


def test_a_page_deferred_by_retry_after_is_not_a_failed_attempt(tmp_path: Path, site: LocalServer) -> None:
    # The first page asked answers 429 with Retry-After; the source's other pages are then not sent.
    told = Flaky(1, Reply(200, HTML, b""), 429, {"Retry-After": "60"})
    site.routes["/feed"] = Reply(200, RSS, rss(site, ["/r0", "/r1", "/r2"]))
    def answer(page: Reply) -> Handler:
        return lambda request: told.failure if told(request) is told.failure else page

    for n in range(3):
        site.routes[f"/r{n}"] = answer(Reply(200, HTML, article_html(500 + n)))
    monitor = Monitor(tmp_path, site, source("feed", site.url("/feed")), FAST + "per_host = 1\n")
    monitor.run()
    rows = monitor.db.execute("select url, state, attempts, last_error from entries order by url").fetchall()
    assert sum(site.hits(f"/r{n}") for n in range(3)) == 1  # one was told; the others were never sent
    assert sorted((r[1], r[2], r[3].split(":")[0]) for r in rows) == [
        ("pending", 0, "deferred"),
        ("pending", 0, "deferred"),
        ("pending", 1, "HTTP 429"),
    ]
    monitor.run(hours=1)
    assert monitor.count("select count(*) from articles") == 3


def test_a_source_deferred_by_retry_after_keeps_its_health_as_it_was(
    tmp_path: Path, site: LocalServer
) -> None:
    # Two sources of one host are told to wait, so the host waits; the next pass with the same
    # Fetcher (as in the daemon) asks nothing of it, and no row claims a success or a new failure.
    site.routes["/one"] = Reply(429, {"Retry-After": "120"})
    site.routes["/two"] = Reply(429, {"Retry-After": "120"})
    site.routes["/three"] = Reply(200, RSS, rss(site, []))
    sources = "".join(source(n, site.url(f"/{n}")) for n in ("one", "two", "three"))
    monitor = Monitor(tmp_path, site, sources)
    told, everyone = monitor.config.sources[:2], monitor.config.sources

    async def two_passes() -> list[pipeline.SourceReport]:
        async with Fetcher(monitor.config.fetch) as fetcher:
            await pipeline.run_sources(monitor.db, monitor.ctx, told, fetcher)
            monitor.now += timedelta(minutes=1)
            return await pipeline.run_sources(monitor.db, monitor.ctx, everyone, fetcher)

    reports = {r.source: r for r in asyncio.run(two_passes())}
    assert (site.hits("/one"), site.hits("/two"), site.hits("/three")) == (1, 1, 0)
    assert all(r.error is None and r.entries == 0 for r in reports.values())
    rows = {r["name"]: r for r in monitor.db.query("select * from sources")}
    assert (rows["one"]["error_count"], rows["one"]["last_error"]) == (1, "HTTP 429")  # not reset
    assert (rows["three"]["error_count"], rows["three"]["last_ok"]) == (0, None)  # not a success
    assert all(rows[n]["next_due"] > monitor.stamp() for n in rows)  # each waits for the host
    assert monitor.count("select count(*) from fetches where url like '%/three'") == 0
