"""kill -9 during ``monitor once``, twenty times, against a flaky site: nothing lost, nothing twice.

Every article is stored with its story, tags, alerts, ``seen`` keys and its queue entry in one
transaction, and the queue is written before any page is fetched. So whatever instant the
process dies at, a final clean pass leaves exactly the expected articles, copies, stories and
alerts, and SQLite's integrity check passes.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.articles import article_html, article_text
from tests.conftest import REPO
from tests.servers import Flaky, Handler, LocalServer, Reply, Request, Slow, serve

HTML = {"Content-Type": "text/html; charset=utf-8"}
KILLS = 20
PAGES = 12  # feed items whose page is fetched; every 4th names dysprosium (an alert each)
FULL_TEXT = 2  # feed items carrying their whole text as plain-text content:encoded
MAPPED = 8  # sitemap pages; the first 3 are exact copies of feed pages
COPIES = 3


def _site(server: LocalServer) -> list[Flaky]:
    """A feed (ETag, 304 when unchanged) and a sitemap whose pages fail 0-2 times with 503, slowly."""
    flaky: list[Flaky] = []

    def page(n: int, failures: int, element: str = "") -> Handler:
        route = Flaky(failures, Slow(Reply(200, HTML, article_html(n, element)), 0.08))
        flaky.append(route)
        return route

    items = []
    for i in range(PAGES):
        server.routes[f"/news/{i}"] = page(700 + i, i % 3, "dysprosium" if i % 4 == 0 else "")
        items.append(f"<item><title>News {i}</title><link>{server.url(f'/news/{i}')}</link></item>")
    for i in range(FULL_TEXT):
        text = article_text(800 + i, words=260)
        link = server.url(f"/full/{i}")  # never served: the feed carries the article
        content = f"<content:encoded>{text}</content:encoded>"
        items.append(f"<item><title>Full {i}</title><link>{link}</link>{content}</item>")
    feed = (
        '<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>wire</title>{''.join(items)}</channel></rss>"
    ).encode()

    def feed_route(request: Request) -> Reply:
        if request.headers.get("if-none-match") == '"w1"':
            return Reply(304, {"ETag": '"w1"'})
        return Reply(200, {"Content-Type": "application/rss+xml", "ETag": '"w1"'}, feed)

    server.routes["/feed.xml"] = feed_route
    urls = []
    for i in range(MAPPED):
        if i < COPIES:  # the same page as /news/i under another URL
            server.routes[f"/map/{i}"] = page(700 + i, (i + 1) % 3, "dysprosium" if i % 4 == 0 else "")
        else:
            server.routes[f"/map/{i}"] = page(900 + i, (i + 1) % 3)
        urls.append(f"<url><loc>{server.url(f'/map/{i}')}</loc></url>")
    sitemap = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{"".join(urls)}</urlset>'
    server.routes["/sitemap.xml"] = Reply(200, {"Content-Type": "application/xml"}, sitemap.encode())
    server.routes["/robots.txt"] = Reply(404)
    return flaky


def _config(tmp: Path, server: LocalServer) -> Path:
    path = tmp / "feeds.toml"
    path.write_text(
        '[monitor]\ndb = "monitor.db"\n\n'
        "[fetch]\nmin_delay = 0\nper_host = 2\ndeadline = 5.0\npage_retry_delay = 0\n\n"
        f'[[source]]\nname = "wire"\nkind = "rss"\nurl = "{server.url("/feed.xml")}"\n'
        "allow_private = true\n\n"
        f'[[source]]\nname = "map"\nkind = "sitemap"\nurl = "{server.url("/sitemap.xml")}"\n'
        "allow_private = true\n\n"
        '[[alert]]\nname = "dysprosium"\nany = ["element:dysprosium"]\nnotify = ["desk"]\n'
        "backfill = true\nmax_age = 0\n",
        encoding="utf-8",
    )
    return path


def _once(config: Path, kill_after: float | None) -> bool:
    """Run ``monitor once``; with ``kill_after``, SIGKILL it then. True when it was killed while running."""
    env = {**os.environ, "MONITOR_APPRISE_URLS": ""}  # alerts wait in the outbox: counted, not sent
    process = subprocess.Popen(
        [sys.executable, "-m", "monitor", "--config", str(config), "once"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if kill_after is None:
        assert process.wait(timeout=60) == 0
        return False
    time.sleep(kill_after)
    running = process.poll() is None
    if running:
        os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    return running


@pytest.mark.slow
def test_kill_nine_at_random_points_loses_nothing_and_doubles_nothing(tmp_path: Path) -> None:
    rng = random.Random(12)
    with serve() as server:
        flaky = _site(server)
        config = _config(tmp_path, server)
        # Kill at a random instant until KILLS runs died before finishing (a run that finished first
        # does not count: on a fast machine late passes, with everything stored, end quickly).
        killed = attempts = 0
        while killed < KILLS and attempts < 4 * KILLS:
            attempts += 1
            killed += _once(config, rng.uniform(0.4, 1.8))
        assert killed == KILLS
        for route in flaky:
            route.healthy = True  # the site recovers: the final pass is clean
        _once(config, None)
    db = sqlite3.connect(tmp_path / "monitor.db")

    def count(sql: str) -> object:
        return db.execute(sql).fetchone()[0]

    articles = PAGES + FULL_TEXT + MAPPED - COPIES
    assert count("pragma integrity_check") == "ok"
    assert count("select count(*) from articles") == articles
    assert count("select count(distinct canonical_url) from articles") == articles
    assert count("select count(*) from copies") == COPIES
    assert count("select count(*) from stories") == articles
    assert count("select count(*) from alerts where rule = 'dysprosium'") == len(range(0, PAGES, 4))
    assert count("select count(*) from entries where state not in ('stored', 'copy')") == 0
    assert count("select count(*) from entries") == PAGES + FULL_TEXT + MAPPED
    orphans = (
        "select count(*) from articles a where not exists (select 1 from seen s where s.article_id = a.id)"
    )
    assert count(orphans) == 0
