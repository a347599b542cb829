"""Bounded queries: a 20 MB article in an old database cannot hold a request, and every query, canned
or custom, stops at the SQL time limit. (The load test with 20 concurrent searches is
bench/serve_load.py: timings belong in a benchmark, not a test.)"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from monitor.datasette import bounded
from monitor.datasette import markup as render
from monitor.store.db import open_db
from tests import demo_db as demo
from tests.security import pathological

pytestmark = [pytest.mark.security, pytest.mark.slow]
DATABASE = "news"


def test_the_excerpt_reads_only_its_window() -> None:
    text = "nothing here " * (bounded.WINDOW_CHARS // 13 + 1) + "dysprosium at the end"
    assert "[dysprosium]" not in bounded.excerpt(text, "dysprosium")  # beyond the window: not looked at
    assert bounded.excerpt(text, "dysprosium").endswith(" …")
    near = bounded.excerpt("Prices rose as dysprosium exports fell sharply", "dysprosium exports")
    assert near == "Prices rose as [dysprosium] [exports] fell sharply"


def test_query_words_drop_fts_syntax() -> None:
    assert bounded.query_terms('"rare earth" NEAR(magnet* OR title:export) NOT China') == [
        "rare",
        "earth",
        "magnet",
        "title",
        "export",
        "china",
    ]


def test_page_helpers_bound_their_input() -> None:
    huge = pathological.filler(3_000_000)
    assert len(render.snippet(huge)) <= render.SNIPPET_CHARS + 2
    shown = render.paragraphs(huge)
    assert sum(len(p) for p in shown) <= render.PAGE_TEXT_CHARS + 100
    assert shown[-1].startswith("[… text cut for display")


@pytest.fixture(scope="module")
def huge_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    folder = tmp_path_factory.mktemp("huge")
    db_path = folder / f"{DATABASE}.db"
    pathological.build(db_path, huge=1, long=3).close()
    with (
        demo.running(demo.config(folder, allow_sql=True), db_path) as base,
        httpx.Client(base_url=base, timeout=120) as client,
    ):
        yield client


@pytest.mark.parametrize("suffix", ["", ".json", ".atom"])
def test_a_search_over_a_20_mb_article_answers_with_an_excerpt(huge_site: httpx.Client, suffix: str) -> None:
    response = huge_site.get(f"/{DATABASE}/search_feed{suffix}", params={"q": "dysprosium"})
    assert response.status_code == 200, response.text[:300]
    if suffix == ".json":
        rows = huge_site.get(
            f"/{DATABASE}/search_feed.json", params={"q": "dysprosium", "_shape": "array"}
        ).json()
        # One row per story (issue 13); the match is marked with the private-use characters the
        # template turns into <mark>.
        dossiers = [r for r in rows if r["carried_by"].startswith("Huge Wire")]
        assert len(dossiers) == 4 and all("\ue000Dysprosium\ue001" in r["excerpt"] for r in dossiers)


def test_the_page_of_a_20_mb_article_shows_its_start(huge_site: httpx.Client) -> None:
    rows = huge_site.get(
        f"/{DATABASE}/articles.json", params={"_shape": "array", "url": "https://huge.example/0"}
    )
    page = huge_site.get(f"/{DATABASE}/articles/{rows.json()[0]['id']}")
    assert page.status_code == 200
    assert "Dysprosium exports opened the week." in page.text
    assert "text cut for display" in page.text
    assert len(page.text) < 2 * render.PAGE_TEXT_CHARS


def test_the_article_list_search_and_table_pages_answer(huge_site: httpx.Client) -> None:
    for path, params in [
        (f"/{DATABASE}/article_list", {"_search": "dysprosium"}),
        (f"/{DATABASE}/articles", {}),
        (f"/{DATABASE}/latest.atom", {}),
    ]:
        assert huge_site.get(path, params=params).status_code == 200, path


def test_custom_sql_stops_at_the_time_limit(huge_site: httpx.Client) -> None:
    endless = "with recursive n(i) as (select 1 union all select i + 1 from n) select count(*) from n"
    response = huge_site.get(f"/{DATABASE}.json", params={"sql": endless})
    assert response.status_code == 400
    assert "took too long" in response.text


def test_custom_sql_calling_the_functions_on_huge_rows_is_bounded(huge_site: httpx.Client) -> None:
    sql = (
        "select monitor_excerpt(text, 'dysprosium') as e, safe_url(url) as u"
        " from articles where source = 'huge'"
    )
    response = huge_site.get(f"/{DATABASE}.json", params={"sql": sql, "_shape": "array"})
    assert response.status_code == 200
    assert all(r["e"].startswith("[Dysprosium]") and r["u"].startswith("https://") for r in response.json())


def test_article_head_reads_the_start_of_the_text(tmp_path: Path) -> None:
    db = open_db(tmp_path / "m.db")
    bounded.register(db.conn)
    for number, text in [(1, "Ærø dysprosium " * 10), (2, None)]:
        db.execute(
            "insert into articles (id, url, canonical_url, fetched, text) values (?, ?, ?, 'f', ?)",
            [number, f"u{number}", f"u{number}", text],
        )
    heads = db.execute("select article_head(1, 4), article_head(2, 4), article_head(3, 4)").fetchone()
    assert heads == ("Ærø ", None, None)
    excerpt = db.execute("select article_excerpt(1, 'dysprosium')").fetchone()[0]
    assert excerpt.startswith("Ærø [dysprosium]")


def _reference_excerpt(text: str, query: str, words: int = bounded.EXCERPT_WORDS) -> str:
    """The excerpt as first written: every word of the window split and compared (slow, obvious)."""
    window = text[: bounded.WINDOW_CHARS]
    stems = [t if len(t) <= 4 else t[: max(4, len(t) - 3)] for t in bounded.query_terms(query)]
    tokens = window.split()
    if not tokens:
        return ""
    lowered = [t.lower() for t in tokens]
    hit = next((i for i, t in enumerate(lowered) if any(s in t for s in stems)), 0) if stems else 0
    first = max(0, hit - words // 3)
    chosen = tokens[first : first + words]
    marked = [f"[{t}]" if stems and any(s in t.lower() for s in stems) else t for t in chosen]
    suffix = " …" if first + words < len(tokens) or len(text) > bounded.WINDOW_CHARS else ""
    return ("… " if first > 0 else "") + " ".join(marked) + suffix


@pytest.mark.parametrize("query", ["dysprosium", "exports", "rare earth", "china", "istanbul", "zzz", ""])
def test_the_fast_excerpt_picks_the_words_the_obvious_one_does(query: str) -> None:
    rng = random.Random(query)
    vocabulary = ["Dysprosium", "exports", "rare", "earth", "x", " ", "\n\n", "China’s", "İstanbul", "ﬁne"]
    for _ in range(200):
        text = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(0, 60)))
        assert bounded.excerpt(text, query) == _reference_excerpt(text, query), text
    long = "opening words " * 10 + pathological.filler(bounded.WINDOW_CHARS * 2)
    assert bounded.excerpt(long, query) == _reference_excerpt(long, query)


def test_custom_sql_calling_a_function_row_after_row_stops_at_the_time_limit(huge_site: httpx.Client) -> None:
    # One call is bounded by its window; many calls are bounded by the time limit, which runs between them.
    sql = (
        "with recursive n(i) as (select 1 union all select i + 1 from n where i < 100000000)"
        " select count(article_excerpt((select id from articles where source = 'huge' limit 1),"
        " 'supply')) from n"
    )
    response = huge_site.get(f"/{DATABASE}.json", params={"sql": sql})
    assert response.status_code == 400
    assert "took too long" in response.text


OLD = "m011_article_text_last"


def test_upgrading_puts_texts_last_and_cuts_old_huge_texts(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    pathological.build(path, huge=0, long=2, long_chars=400_000, schema_before=OLD).close()
    with sqlite3.connect(path) as conn:  # a long text the configured cap allowed after m007: kept whole
        conn.execute(
            "insert into articles (url, canonical_url, fetched, text, story_id) values"
            " ('https://recent.example/1', 'https://recent.example/1', '2999-01-01T00:00:00+00:00', ?, 1)",
            ["Recent dysprosium dossier. " + pathological.filler(400_000, 9)],
        )
        counts = {t: conn.execute(f"select count(*) from {t}").fetchone()[0]
                  for t in ("articles", "article_tags", "copies", "mentions", "entities", "alerts")}
    conn.close()
    db = open_db(path)
    columns = [c.name for c in db.table("articles").columns]
    assert columns[-3:] == ["text", "captions", "removed"] and "outlet" in columns[:-3]
    rows = db.execute(
        "select url, length(text), truncated, substr(text, 1, 30) from articles where length(text) > 100000"
        " order by url"
    ).fetchall()
    old_rows = [r for r in rows if r[0].startswith("https://huge.example/")]
    assert len(old_rows) == 2 and all(r[1] <= 300_000 and r[2] == 1 for r in old_rows)
    assert all(r[3].startswith("Dysprosium exports opened") for r in old_rows)  # the start is kept
    recent = [r[1:3] for r in rows if r[0].startswith("https://recent.")]
    assert recent == [(len("Recent dysprosium dossier. ") + 400_000, 0)]
    # Nothing else lost or dangling; the search index follows the cut texts; the views and triggers work.
    assert {t: db.execute(f"select count(*) from {t}").fetchone()[0] for t in counts} == counts
    assert db.execute("pragma foreign_key_check").fetchall() == []
    db.execute("insert into articles_fts (articles_fts) values ('integrity-check')")
    found = ("select count(*) from article_list where id in ("
             "select rowid from articles_fts where articles_fts match ?)")
    assert db.execute(found, ["dysprosium"]).fetchone()[0] >= 3
    db.execute("insert into articles (url, canonical_url, fetched, text) values ('n', 'n', 'f', 'zyxwv')")
    assert db.execute("select count(*) from articles_fts where articles_fts match 'zyxwv'").fetchone()[0] == 1


def test_serving_an_old_database_upgrades_it_first(tmp_path: Path) -> None:
    path = tmp_path / f"{DATABASE}.db"
    pathological.build(path, huge=0, long=1, long_chars=400_000, schema_before=OLD).close()
    with demo.running(demo.config(tmp_path), path) as base:
        page = httpx.get(f"{base}/{DATABASE}/article_list", params={"_search": "dysprosium"})
        assert page.status_code == 200
    db = open_db(path)
    assert db.execute("select count(*) from _sqlite_migrations where name = ?", [OLD]).fetchone()[0] == 1
    assert db.execute("select max(length(text)) from articles").fetchone()[0] <= 300_000
