"""The real Datasette, started from ``monitor.serve.datasette_args`` on a demo database.

One server per module (it takes a couple of seconds to start); every test reads from it over HTTP.
"""

from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests import demo_db as demo

ATOM = "{http://www.w3.org/2005/Atom}"
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


class Site:
    def __init__(self, base: str, database: str, db_path: Path) -> None:
        self.base, self.database, self.db_path = base, database, db_path
        self.client = httpx.Client(base_url=base, timeout=10)

    def get(self, path: str, **params: Any) -> httpx.Response:
        # httpx replaces a query string in the path by params, even empty ones: pass them only if any.
        return self.client.get(path.replace("{db}", self.database), params=params or None)

    def rows(self, path: str, **params: Any) -> list[dict[str, Any]]:
        response = self.get(path, _shape="array", **params)
        assert response.status_code == 200, response.text[:500]
        rows: list[dict[str, Any]] = response.json()
        return rows


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("datasette")
    db_path = folder / "news.db"  # not "monitor": the metadata must follow the file's name
    demo.build(db_path).close()
    with demo.running(demo.config(folder), db_path) as base:
        site = Site(base, "news", db_path)
        yield site
        site.client.close()


# Browsing and search -------------------------------------------------------------------------


def test_home_page_links_to_the_views_under_the_database_name(site: Site) -> None:
    page = site.get("/").text
    assert "Rare Earth Monitor" in page
    for view in ("article_list", "latest", "top_stories", "tag_trend", "source_health", "alerts_by_status"):
        assert f'href="/news/{view}' in page


def test_search_finds_articles_by_stemmed_words(site: Site) -> None:
    rows = site.rows("/{db}/article_list.json", _search="dysprosium exports")
    assert {r["title"] for r in rows} == {
        "China tightens dysprosium export licences", "Magnet makers scramble after dysprosium export curbs",
    }


def test_article_list_is_newest_first_with_tags(site: Site) -> None:
    rows = site.rows("/{db}/article_list.json")
    published = [r["published"] for r in rows]
    assert published == sorted(published, reverse=True)
    assert "element:dysprosium" in json.loads(rows[0]["tags"])


@pytest.mark.parametrize(
    ("facet", "value", "count"),
    [
        ("tags", "element:dysprosium", 3),
        ("categories", "theme", 3),
        ("outlet", "Mining Weekly", 2),
        ("source", "observer", 2),
        ("flags", "translated", 1),
    ],
)
def test_default_facets_count_articles(site: Site, facet: str, value: str, count: int) -> None:
    data = site.get("/{db}/article_list.json").json()
    results = data["facet_results"][facet]["results"]
    assert {r["value"]: r["count"] for r in results}[value] == count


def test_month_is_a_default_facet(site: Site) -> None:
    assert "month" in site.get("/{db}/article_list.json").json()["facet_results"]


def test_clicking_a_tag_filters_the_list(site: Site) -> None:
    rows = site.rows("/{db}/article_list.json", **{"tags__arraycontains": "theme:export-controls"})
    assert len(rows) == 2


# Canned queries and feeds -------------------------------------------------------------------

CANNED = [
    # Lists people subscribe to have one row per story: the two export articles are one story.
    ("latest", {}, lambda rows: len(rows) == 4),
    ("tag_latest", {"tag": "dysprosium"}, lambda rows: len(rows) == 2),
    ("tag_latest", {"tag": "element:terbium"}, lambda rows: len(rows) == 2),
    ("search_feed", {"q": "dysprosium export"},
     lambda rows: len(rows) == 1 and rows[0]["versions_matching"] == 2),
    ("top_stories", {}, lambda rows: rows[0]["outlets"] == 3 and rows[0]["articles"] == 2),
    ("tag_trend", {"category": "", "tag": ""},
     lambda rows: {"week", "tag", "articles", "mentions"} <= set(rows[0])),
    ("tag_trend", {"category": "element", "tag": ""},
     lambda rows: all(r["tag"].startswith("element:") for r in rows)),
    ("new_entities", {}, lambda rows: "element:dysprosium" in {r["tag"] for r in rows}),
    ("element_themes", {"element": ""},
     lambda rows: (rows[0]["element"], rows[0]["theme"], rows[0]["articles"])
     == ("element:dysprosium", "theme:export-controls", 2)),
    ("element_themes_sentences", {"element": "neodymium"},
     lambda rows: {r["element"] for r in rows} == {"element:neodymium"}),
    ("source_health", {}, lambda rows: (rows[0]["name"], rows[0]["health"]) == ("observer", "failing")),
    ("alerts_by_status", {"status": ""},
     lambda rows: {r["status"] for r in rows} == {"sent", "pending", "failed"}),
    ("alerts_by_status", {"status": "failed"}, lambda rows: [r["last_error"] for r in rows]
     == ["SMTP 550 mailbox unavailable"]),
]


CANNED_IDS = [f"{query}-{number}" for number, (query, *_) in enumerate(CANNED)]


@pytest.mark.parametrize(("query", "params", "check"), CANNED, ids=CANNED_IDS)
def test_canned_query_answers(site: Site, query: str, params: dict[str, str], check: Any) -> None:
    rows = site.rows(f"/{{db}}/{query}.json", **params)
    assert rows and check(rows), rows


@pytest.mark.parametrize(
    ("query", "params", "entries"),
    [("latest", {}, 4), ("tag_latest", {"tag": "dysprosium"}, 2), ("search_feed", {"q": "dysprosium"}, 2),
     ("top_stories", {}, 3)],
)
def test_article_queries_are_atom_feeds(site: Site, query: str, params: dict[str, str], entries: int) -> None:
    response = site.get(f"/{{db}}/{query}.atom", **params)
    assert response.status_code == 200
    feed = ET.fromstring(response.content)
    found = feed.findall(f"{ATOM}entry")
    assert len(found) == entries
    assert all(e.find(f"{ATOM}link") is not None and e.findtext(f"{ATOM}title") for e in found)


def test_saved_search_feed_keeps_hostile_titles_as_text(site: Site) -> None:
    feed = ET.fromstring(site.get("/{db}/search_feed.atom", q="neodymium").content)
    titles = [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]
    assert "<script>alert(1)</script>" in titles  # a text element: the XML parser unescaped it


# Human views ---------------------------------------------------------------------------------


def _article_id(site: Site, title: str) -> int:
    return int(site.rows("/{db}/articles.json", title=title)[0]["id"])


def test_article_page_shows_text_tags_and_provenance(site: Site) -> None:
    page = site.get(f"/{{db}}/articles/{_article_id(site, 'China tightens dysprosium export licences')}").text
    assert page.count("<p>") >= 3  # one per paragraph
    for expected in ("Jane Doe, Li Wei", "Reuters", "Dysprosium", "Subscribe to our newsletter", "newsletter",
                     "Asia Metals Daily", "read the original", "https://mining-weekly.example/china-dysprosium-export"):
        assert expected in page


def test_story_page_shows_outlets_and_articles(site: Site) -> None:
    story = site.rows("/{db}/top_stories.json")[0]
    page = site.get(f"/{{db}}/stories/{story['id']}").text
    for expected in ("3 outlets", "Metal Bulletin Wire", "China tightens dysprosium export licences",
                     "Magnet makers scramble after dysprosium export curbs"):
        assert expected in page


@pytest.mark.parametrize(
    "path",
    ["/{db}/article_list", "/{db}/articles", "/{db}/articles/{xss}", "/{db}/stories/{story}", "/{db}/latest",
     "/{db}/tag_latest?tag=neodymium", "/{db}/stories", "/{db}/article_list?_search=neodymium"],
)
def test_stored_markup_is_shown_inert(site: Site, path: str) -> None:
    xss = _article_id(site, demo.XSS_TITLE)
    story = site.rows("/{db}/articles.json", id=str(xss))[0]["story_id"]
    page = site.get(path.format(db=site.database, xss=xss, story=story)).text
    for raw in ("<script>alert(", "onerror=\"alert", "<b>must", "<i>Mallory", "<b>Neodymium"):
        assert raw not in page, raw
    assert XSS_ESCAPED in page


def test_unsafe_urls_are_not_links(site: Site) -> None:
    with sqlite3.connect(site.db_path) as conn:
        conn.execute("update articles set url = 'javascript:alert(5)' where title = ?", [demo.XSS_TITLE])
    try:
        page = site.get("/{db}/article_list").text
        assert 'href="javascript:' not in page
    finally:
        with sqlite3.connect(site.db_path) as conn:
            conn.execute("update articles set url = canonical_url where title = ?", [demo.XSS_TITLE])


def test_rows_written_while_served_are_visible(site: Site) -> None:
    # The live database is served mutable (never immutable): what the daemon writes shows at once.
    with sqlite3.connect(site.db_path) as conn:
        conn.execute("insert into articles (url, canonical_url, fetched, title, text) values (?, ?, ?, ?, ?)",
                     ["https://late.example/1", "https://late.example/1", "2020-01-01T00:00:00+00:00",
                      "Late gadolinium news", "Gadolinium."])
    assert site.rows("/{db}/article_list.json", _search="gadolinium")[0]["title"] == "Late gadolinium news"


# Safe by default -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/{db}", {"sql": "select 1"}),
        ("/{db}.json", {"sql": "select * from sources"}),
        ("/{db}.db", {}),
        ("/{db}/articles", {"_where": "1=1"}),
    ],
)
def test_arbitrary_sql_and_downloads_are_refused(site: Site, path: str, params: dict[str, str]) -> None:
    assert site.get(path, **params).status_code in (400, 403)


def test_writes_are_impossible_even_through_the_api(site: Site) -> None:
    response = site.client.post(f"/{site.database}/articles/-/insert", json={"row": {"url": "x"}})
    assert response.status_code in (403, 404, 405)


def test_robots_are_told_to_stay_away(site: Site) -> None:
    assert "Disallow: /" in site.get("/robots.txt").text


def test_settings_in_force(site: Site) -> None:
    settings = site.get("/-/settings.json").json()
    assert settings["default_allow_sql"] is False
    assert settings["allow_download"] is False
    assert settings["allow_csv_stream"] is False
    assert settings["sql_time_limit_ms"] == 1000
    assert settings["max_returned_rows"] == 1000


# Market numbers (issue 16) ---------------------------------------------------------------------


def test_latest_numbers_show_each_series_with_its_change(site: Site) -> None:
    rows = {(r["metric"], r["currency"]): r for r in site.rows("/{db}/latest_numbers.json")}
    cny = rows[("price:ndpr-oxide", "CNY")]
    assert (cny["value"], cny["value_high"], cny["previous_value"], cny["change_pct"]) == (
        600000, 610000, 620000, -3.23)
    assert rows[("price:ndpr-oxide", "USD")]["previous_value"] is None  # a USD/kg series of its own
    assert (cny["amount"], cny["previous_amount"]) == ("600,000–610,000 CNY/t", "620,000 CNY/t")
    page = site.get("/{db}/latest_numbers").text
    assert 'href="/news/metric_series?metric=price%3Andpr-oxide"' in page


def test_a_metric_page_draws_each_series_with_points_linked_to_their_evidence(site: Site) -> None:
    page = site.get("/{db}/metric_series", metric="price:ndpr-oxide").text
    assert page.count('<figure class="monitor-chart">') == 2  # CNY/t and USD/kg are never one line
    assert "price:ndpr-oxide (CNY/t)" in page and "price:ndpr-oxide (USD/kg)" in page
    assert "<h2>NdPr oxide price <code>price:ndpr-oxide</code></h2>" in page  # its name, then its key
    for unit in ("CNY/t", "USD/kg"):  # each value axis says what it counts
        assert f'class="monitor-axis-unit">{unit}</text>' in page
    points = site.rows("/{db}/metric_series.json", metric="price:ndpr-oxide")
    ids = [r["observation_id"] for r in points if r["value_high"]] + [r["observation_id"] for r in points]
    for observation_id in ids:
        assert f'<a href="/news/observations/{observation_id}" class="monitor-point">' in page
    assert "http://" not in page.split("<svg", 1)[1].split("</svg>", 1)[0].replace("http://www.w3.org", "")
    evidence = site.get(f"/{{db}}/observations/{ids[0]}").text
    assert "600,000-610,000 yuan/t in June" in evidence and 'href="/news/articles/' in evidence


def test_a_metric_page_escapes_what_the_articles_said(site: Site) -> None:
    page = site.get("/{db}/metric_series", metric="quota:mining").text
    assert "monitor-chart" in page and "<script>alert(1)" not in page and XSS_ESCAPED in page


def test_a_series_is_a_csv_and_an_atom_feed(site: Site) -> None:
    csv = site.get("/{db}/metric_series.csv", metric="price:ndpr-oxide")
    assert csv.status_code == 200
    lines = csv.text.strip().splitlines()
    assert lines[0].startswith("observed,amount,value,value_high,currency,unit,period") and len(lines) == 5
    assert '"600,000–610,000 CNY/t"' in csv.text
    feed = ET.fromstring(site.get("/{db}/metric_series.atom", metric="price:ndpr-oxide").content)
    assert feed.findtext(f"{ATOM}title") == "Rare Earth Monitor: Market numbers: one metric"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 4
    assert all(e.find(f"{ATOM}link").get("href", "").startswith("https://") for e in entries)  # type: ignore[union-attr]
    assert any("620,000 yuan/t" in (e.findtext(f"{ATOM}title") or "") for e in entries)


def test_a_metric_page_without_a_metric_is_an_empty_form(site: Site) -> None:
    response = site.get("/{db}/metric_series")
    assert response.status_code == 200 and "monitor-chart" not in response.text
