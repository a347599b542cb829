"""How long the front page, its filters, the search and the feeds take on a large database.

Builds a database through the real schema (migrations up to m010) with N stories of 1-6 articles
(texts from tests/corpus.py's sentence templates, 3-8 tags each), then times, side by side in one
run, the SQL Datasette issues for each page: the new story-level lists (front_page, search_feed,
latest) next to the 0.1 article-level ones they replace. Median of --repeat runs, in milliseconds.

    python bench/front_page.py --stories 20000 --repeat 5
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from monitor.search import register_sql_functions  # noqa: E402
from monitor.store import stories as story_rows  # noqa: E402
from monitor.store.db import open_db  # noqa: E402
from tests import corpus  # noqa: E402

TAGS = [f"element:{e}" for e in corpus.ELEMENTS] + [
    "theme:magnets",
    "theme:export-controls",
    "theme:prices",
    "theme:recycling",
    "company:lynas",
    "company:mp-materials",
    "place:china",
    "place:malaysia",
    "place:texas",
    "topic:rare-earths",
]
OLD_SEARCH = """select a.id, coalesce(a.published, a.fetched) as published, a.title, a.outlet, a.url,
  snippet(articles_fts, 1, '[', ']', ' … ', 24) as excerpt,
  (select group_concat(tag, ' ') from article_tags where article_id = a.id) as tags
from articles_fts join articles a on a.id = articles_fts.rowid
where articles_fts match :q order by coalesce(a.published, a.fetched) desc limit 100"""
OLD_TREND = """select date(substr(coalesce(a.published, a.fetched), 1, 10), '-6 days', 'weekday 1') as week,
  t.tag, count(*) as articles, sum(t.count) as mentions
from article_tags t join articles a on a.id = t.article_id
where coalesce(a.published, a.fetched) >= strftime('%Y-%m-%d', 'now', '-182 days')
  and (:category = '' or t.tag like :category || ':%')
  and (:tag = '' or t.tag = :tag or t.tag like '%:' || :tag)
group by week, t.tag
order by week, articles desc"""
OLD_LATEST = """select a.id, coalesce(a.published, a.fetched) as published, a.title, a.outlet, a.url,
  (select group_concat(tag, ' ') from article_tags where article_id = a.id) as tags,
  coalesce(nullif(a.description, ''), substr(a.text, 1, 280)) as snippet
from articles a order by coalesce(a.published, a.fetched) desc limit 100"""


def build(path: Path, stories: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    db = open_db(path)
    now = datetime.now(UTC).replace(microsecond=0)
    db.conn.executemany(
        "insert or ignore into tags (tag, category, label) values (?, ?, ?)",
        [(t, t.split(":")[0], t) for t in TAGS],
    )
    articles = 0
    with db.conn:
        for number in range(1, stories + 1):
            title, paragraphs = corpus._story(rng, number)
            start = now - timedelta(days=rng.uniform(0, 365))
            outlets = rng.sample(corpus.OUTLETS, rng.choice((1, 1, 1, 2, 3, 4, 6)))
            cursor = db.conn.execute(
                "insert into stories (title, first_seen, first_outlet, last_seen, outlets,"
                " outlet_list, articles) values (?, ?, ?, ?, ?, ?, ?)",
                [
                    title,
                    start.isoformat(),
                    outlets[0],
                    start.isoformat(),
                    len(outlets),
                    json.dumps(outlets),
                    len(outlets),
                ],
            )
            story_id = cursor.lastrowid
            tags = rng.sample(TAGS, rng.randint(3, 8))
            for index, outlet in enumerate(outlets):
                when = (start + timedelta(minutes=37 * index)).isoformat(timespec="seconds")
                url = f"https://{index}.example/{number}"
                cursor = db.conn.execute(
                    "insert into articles (url, canonical_url, title, text, published, fetched, outlet,"
                    " source, story_id, authors) values (?, ?, ?, ?, ?, ?, ?, 'bench', ?, '[]')",
                    [url, url, title, "\n\n".join(paragraphs), when, when, outlet, story_id],
                )
                db.conn.executemany(
                    "insert into article_tags (article_id, tag, count, snippet, in_title)"
                    " values (?, ?, 1, '', 0)",
                    [(cursor.lastrowid, t) for t in tags],
                )
                articles += 1
        story_rows.refresh_all(db)
    db.close()
    return articles


def timed(conn: sqlite3.Connection, sql: str, params: dict[str, str], repeat: int) -> tuple[float, int]:
    runs, rows = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        rows = len(conn.execute(sql, params).fetchall())
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs), rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stories", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    meta = json.loads((REPO / "datasette-metadata.json").read_text())["databases"]["monitor"]["queries"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        started = time.perf_counter()
        articles = build(path, args.stories)
        built = time.perf_counter() - started
        conn = sqlite3.connect(path)
        register_sql_functions(conn)
        week = (datetime.now(UTC) - timedelta(days=7)).isoformat(timespec="minutes")
        cases: list[tuple[str, str, dict[str, str]]] = [
            ("front page, first 50", "select * from front_page order by published desc limit 51", {}),
            (
                "front page, 7 days",
                "select * from front_page where published >= :w order by published desc limit 51",
                {"w": week},
            ),
            (
                "front page, 7 days, count",
                "select count(*) from front_page where published >= :w",
                {"w": week},
            ),
            (
                "front page, tag filter",
                "select * from front_page where :t in (select value from"
                " json_each(front_page.tags)) order by published desc limit 51",
                {"t": "element:dysprosium"},
            ),
            ("latest (stories, new)", meta["latest"]["sql"], {}),
            ("latest (articles, 0.1)", OLD_LATEST, {}),
            (
                "search 'rare-earth magnets' (stories, new)",
                meta["search_feed"]["sql"],
                {"q": "rare-earth magnets", "order": ""},
            ),
            ("search 'rare earth magnets' (articles, 0.1)", OLD_SEARCH, {"q": "rare earth magnets"}),
            (
                "search 'Lynas's' (stories, new)",
                meta["search_feed"]["sql"],
                {"q": "Lynas's", "order": "relevance"},
            ),
            (
                "tag_trend, elements (stories per week, new)",
                meta["tag_trend"]["sql"],
                {"category": "", "tag": ""},
            ),
            ("tag_trend, elements (articles per week, 0.1)", OLD_TREND, {"category": "element", "tag": ""}),
        ]
        lines = [
            f"{args.stories} stories, {articles} articles; built in {built:.1f} s",
            "",
            "| query | median ms | rows |",
            "|---|---:|---:|",
        ]
        for label, sql, params in cases:
            ms, rows = timed(conn, sql, params, args.repeat)
            lines.append(f"| {label} | {ms:.1f} | {rows} |")
        print("\n".join(lines))


if __name__ == "__main__":
    main()
