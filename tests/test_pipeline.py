"""The pipeline end to end on the seed articles, into a real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

from sqlite_utils import Database

from monitor import commands as runner
from monitor import config
from monitor.pipeline import SourceReport
from monitor.store.db import open_db

SEED_TITLES = {
    "000_7159b2663a9bb89f.txt": "China's rare earths El Dorado gives strategic edge",
    "003_2274d3ac29155189.txt": (
        "The Global Race for Rare Earths: America's Urgent Push to Diversify Critical Supply Chains"
    ),
}


def _ingest(cfg_path: Path, seeds: Path) -> tuple[Database, SourceReport]:
    cfg = config.load(cfg_path)
    db = open_db(cfg.db_path)
    return db, runner.ingest(cfg, db, [seeds], "seeds")


def test_seeds_become_five_tagged_articles(seeds_config: Path, seeds_dir: Path) -> None:
    db, _ = _ingest(seeds_config, seeds_dir)
    rows = {Path(r["url"]).name: r for r in db.query("select * from articles")}
    assert len(rows) == 5
    for name, title in SEED_TITLES.items():
        assert rows[name]["title"] == title
    assert all(r["title"] for r in rows.values())
    tags = {r["tag"] for r in db.query("select tag from article_tags")}
    assert {"topic:rare-earths", "element:dysprosium", "place:ganzhou"} <= tags
    assert all(r["score"] > 0 for r in rows.values())


def test_seed_noise_is_not_stored(seeds_config: Path, seeds_dir: Path) -> None:
    db, _ = _ingest(seeds_config, seeds_dir)
    text = " ".join(r["text"] for r in db.query("select text from articles"))
    for noise in ("F.Stadler--VB", "wp:paragraph", "0 Comments", "Anisimova", "3 Views"):
        assert noise not in text
    flags = {f for r in db.query("select flags from articles") for f in json.loads(r["flags"])}
    assert {"ai_generated", "translated"} <= flags


def test_reingesting_changes_nothing(seeds_config: Path, seeds_dir: Path) -> None:
    db, first = _ingest(seeds_config, seeds_dir)
    counts = {t: db[t].count for t in ("articles", "stories", "article_tags", "seen", "copies", "alerts")}
    _, second = _ingest(seeds_config, seeds_dir)
    assert (first.new, second.new, second.known) == (5, 0, 5)
    assert {t: db[t].count for t in counts} == counts


def test_same_text_under_another_name_is_a_copy(seeds_config: Path, seeds_dir: Path) -> None:
    db, _ = _ingest(seeds_config, seeds_dir)
    copy = seeds_dir / "republished.txt"
    copy.write_text((seeds_dir / "000_7159b2663a9bb89f.txt").read_text())
    _, report = _ingest(seeds_config, seeds_dir)
    assert report.copies == 1
    assert db["articles"].count == 5
    assert db["copies"].count == 1


def test_every_article_has_story_tags_and_fts(seeds_config: Path, seeds_dir: Path) -> None:
    db, _ = _ingest(seeds_config, seeds_dir)
    orphans = db.execute(
        "select count(*) from articles a where story_id not in (select id from stories)"
        " or not exists (select 1 from article_tags t where t.article_id = a.id)"
    ).fetchone()[0]
    assert orphans == 0
    hits = db.execute("select rowid from articles_fts where articles_fts match 'dysprosium'").fetchall()
    assert len(hits) >= 2


def test_prepare_fills_title_and_date_from_the_feed_entry() -> None:
    from monitor.models import Entry, Page, Source
    from monitor.pipeline import prepare
    from monitor.tagging import load_taxonomy

    body = "<p>Lynas said its Kuantan plant separated dysprosium oxide, a heavy rare earth, in March.</p>" * 4
    page = Page(
        "https://ex.org/a?utm_source=x", "https://ex.org/a?utm_source=x", f"<html><body>{body}</body></html>"
    )
    entry = Entry(url=page.url, title="Lynas separates dysprosium", published="2026-03-02T00:00:00+00:00")
    prepared = prepare(
        Source(name="s", kind="rss", url="https://ex.org/feed"), entry, page, load_taxonomy(), "now"
    )
    assert prepared is not None
    article = prepared.article
    assert (article.title, article.content.published) == (
        "Lynas separates dysprosium",
        "2026-03-02T00:00:00+00:00",
    )
    assert article.canonical_url == "https://ex.org/a" and article.outlet == "ex.org"
    assert "element:dysprosium" in prepared.tags.tag_names()
