"""Issue 16's done-when, through the real CLI, the real extractor and the real Datasette.

A local site on 127.0.0.1 publishes four outlets' RSS feeds and article pages: an April price
report, a May price rise carried by two outlets (the wire story and a re-headlined copy), and the
same rise in a Chinese article. ``monitor once`` reads the April outlet first, then all of them.
The rise is one point per source statement on the metric's chart (the two wire copies are one,
the Chinese article another), each point links to its evidence, and a ``change_pct`` rule sends
exactly one message, with the numbers, through real Apprise to a real JSON endpoint.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from monitor import config
from monitor.cli import cli
from tests import demo_db as demo
from tests import numbers_corpus as corpus
from tests.alert_servers import JsonEndpoint
from tests.servers import LocalServer, Reply, serve

RULE = (
    '[[alert]]\nname = "ndpr-jump"\nmetric = "price:ndpr-oxide"\nchange_pct = 10\nwindow = "90d"\n'
    'notify = ["desk"]\nbackfill = true\nmax_age = 0\n'
)
# outlet key: (outlet, published, title, paragraphs, lang)
SITE = {
    "pricewatch": ("Price Watch", "2025-05-02T08:00:00Z", corpus.APRIL[0], corpus.APRIL[1:], "en"),
    "wire": ("Wire Service", "2025-06-03T06:00:00Z", "Rare earth prices jump in May", corpus.WIRE_BODY, "en"),
    "metalsdaily": ("Metals Daily", "2025-06-03T09:30:00Z",
                    "NdPr oxide price surges on Myanmar supply squeeze",
                    ["Market report.", *corpus.WIRE_BODY], "en"),
    "xinwen": ("稀土新闻", "2025-06-04T02:00:00Z", corpus.CHINESE[0], corpus.CHINESE[1:], "zh"),
}


def _page(title: str, published: str, paragraphs: list[str], lang: str) -> bytes:
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<meta property="article:published_time" content="{published}"></head><body><nav>Home</nav>'
            f"<article><h1>{escape(title)}</h1>{body}</article><footer>Contact us</footer></body></html>"
            ).encode()


def _feed(base: str, key: str, outlet: str, title: str, published: str) -> bytes:
    link = f"{base}/{key}/story.html"
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{escape(outlet)}</title>"
            f"<link>{base}/{key}/</link><item><title>{escape(title)}</title><link>{link}</link>"
            f"<guid>{link}</guid><pubDate>{published}</pubDate></item></channel></rss>").encode()


@pytest.fixture
def site() -> Iterator[LocalServer]:
    with serve() as server:
        base = server.url("").rstrip("/")
        for key, (outlet, published, title, paragraphs, lang) in SITE.items():
            rfc822 = format_datetime(datetime.fromisoformat(published.replace("Z", "+00:00")))
            server.routes[f"/{key}/feed.xml"] = Reply(
                200, {"Content-Type": "application/rss+xml"}, _feed(base, key, outlet, title, rfc822))
            server.routes[f"/{key}/story.html"] = Reply(
                200, {"Content-Type": "text/html; charset=utf-8"}, _page(title, published, paragraphs, lang))
        yield server


def _config(path: Path, server: LocalServer, keys: list[str]) -> Path:
    sources = "".join(
        f'[[source]]\nname = "{key}"\nkind = "rss"\nurl = "{server.url(f"/{key}/feed.xml")}"\n'
        f'outlet = "{SITE[key][0]}"\nallow_private = true\n\n'
        for key in keys
    )
    path.write_text(f'[monitor]\ndb = "data/monitor.db"\n\n[fetch]\nmin_delay = 0\nrespect_robots = false\n\n'
                    f"{sources}{RULE}", encoding="utf-8")
    return path


def _once(runner: CliRunner, path: Path) -> None:
    result = runner.invoke(cli, ["--config", str(path), "once"])
    assert result.exit_code == 0, result.output


@pytest.mark.usefixtures("no_send_interval")
def test_a_price_rise_is_one_point_per_source_statement_and_one_alert(
    cli_runner: CliRunner, tmp_path: Path, site: LocalServer, hook: JsonEndpoint,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MONITOR_APPRISE_URLS", f"desk={hook.apprise_url}")
    path = tmp_path / "feeds.toml"
    _once(cli_runner, _config(path, site, ["pricewatch"]))
    assert hook.messages == []  # the first price says nothing about a change
    _once(cli_runner, _config(path, site, list(SITE)))
    _once(cli_runner, path)  # a second pass adds nothing

    with closing(sqlite3.connect(tmp_path / "data" / "monitor.db")) as db:
        db.row_factory = sqlite3.Row
        assert db.execute("select count(*) from articles").fetchone()[0] == 4
        stories = db.execute("select count(distinct story_id) from articles").fetchone()[0]
        assert stories == 3  # April, the wire story (two outlets), the Chinese article
        sql = "select * from observations where metric = 'price:ndpr-oxide' order by id"
        points = db.execute(sql).fetchall()
    by_period: dict[str, list[sqlite3.Row]] = {}
    for point in points:
        by_period.setdefault(point["period"], []).append(point)
    assert [p["value"] for p in by_period["2025-04"]] == [550000]
    may = sorted(by_period["2025-05"], key=lambda p: p["lang"])
    assert [(p["value"], p["currency"], p["unit"], p["lang"][:2]) for p in may] == [
        (620000, "CNY", "t", "en"), (620000, "CNY", "t", "zh")]
    wire = may[0]
    assert wire["copies"] == 2 and set(json.loads(wire["outlets"])) == {"Wire Service", "Metals Daily"}

    (message,) = hook.messages
    assert message["title"].startswith("NdPr oxide price up 12.7 % to 620,000 CNY/t")
    text = message["message"].replace("\\", "")
    assert "Previous: 550,000 CNY/t for 2025-04 (Price Watch)" in text and "Change: +12.7 %" in text
    assert f"Evidence ({message['outlet']}):" in text and message["sentence"] in text
    assert message["outlet"] in ("Wire Service", "Metals Daily", "稀土新闻")

    cfg = config.load(path)
    with demo.running(demo.config(tmp_path, allow_sql=False), cfg.db_path) as base:
        page = httpx.get(f"{base}/monitor/metric_series", params={"metric": "price:ndpr-oxide"}).text
        for point in points:  # each source statement is one point on the chart, linked to its evidence
            assert page.count(f'href="/monitor/observations/{point["id"]}" class="monitor-point"') == 1
            evidence = httpx.get(f"{base}/monitor/observations/{point['id']}").text
            assert escape(point["sentence"], quote=False) in evidence
        assert page.count('class="monitor-point"') == len(points) == 3
