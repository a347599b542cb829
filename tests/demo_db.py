"""A small, realistic database for tests, screenshots and trying the Datasette views.

Written through the real schema (``open_db``) with plain SQL, so it exercises exactly what the
pipeline stores: articles with provenance, copies, stories, tags, mentions, sources and alerts.
Dates are relative to ``now`` so "this week" queries always have something to show.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlite_utils import Database

from monitor import serve
from monitor.config import Config, MonitorSettings, ServeSettings
from monitor.datasette.markup import tag_name
from monitor.errors import MonitorError
from monitor.fetch.client import FetchSettings
from monitor.models import Observation
from monitor.store import observations as number_rows
from monitor.store import stories as story_rows
from monitor.store.db import open_db, register_functions
from monitor.store.migrations import migrations

XSS_TITLE = "<script>alert(1)</script>"
XSS_TEXT = 'Injected <img src=x onerror="alert(2)"> markup <b>must stay inert</b>.'

TAXONOMY = (
    ("element:dysprosium", "element", "Dysprosium"),
    ("element:neodymium", "element", "Neodymium"),
    ("element:terbium", "element", "Terbium"),
    ("theme:export-controls", "theme", "Export controls"),
    ("theme:magnets", "theme", "Permanent magnets"),
    ("company:lynas", "company", "Lynas Rare Earths"),
    ("company:mp-materials", "company", "MP Materials"),
    ("place:china", "place", "China"),
)


@dataclass(frozen=True)
class DemoArticle:
    """One article to insert; ``days_ago`` dates it relative to the demo's ``now``."""

    slug: str
    title: str
    outlet: str
    source: str
    days_ago: float
    paragraphs: Sequence[str]
    tags: Sequence[tuple[str, str, int]]  # (tag, snippet, count)
    story: str  # articles with the same story key form one story
    authors: Sequence[str] = ()
    origin: str | None = None
    flags: Sequence[str] = ()
    removed: Sequence[tuple[str, str]] = ()
    copies: Sequence[str] = field(default_factory=tuple)  # outlets that carried an exact copy


ARTICLES = (
    DemoArticle(
        "china-dysprosium-export", "China tightens dysprosium export licences", "Mining Weekly",
        "mining-weekly", 1,
        ("China's commerce ministry said on Monday it would tighten export licences for dysprosium and "
         "terbium, two heavy rare earths used in permanent magnets.",
         "Exporters must now report end users, the ministry said. Dysprosium export volumes fell 12% "
         "last month.",
         "Analysts expect magnet makers in Japan and Europe to build stockpiles."),
        (("element:dysprosium", "China's commerce ministry said it would tighten export licences for "
          "dysprosium.", 3), ("theme:export-controls", "Exporters must now report end users.", 2),
         ("element:terbium", "...for dysprosium and terbium, two heavy rare earths.", 1),
         ("place:china", "China's commerce ministry said on Monday...", 1)),
        "export", authors=("Jane Doe", "Li Wei"), origin="Reuters",
        removed=(("Subscribe to our newsletter", "newsletter"), ("Share this article", "share")),
        copies=("Asia Metals Daily", "Metal Bulletin Wire"),
    ),
    DemoArticle(
        "dysprosium-export-reaction", "Magnet makers scramble after dysprosium export curbs",
        "Asia Metals Daily", "asia-metals", 0.5,
        ("Japanese magnet makers said the new dysprosium export rules would raise costs.",
         "Neodymium prices were steady."),
        (("element:dysprosium", "the new dysprosium export rules would raise costs.", 2),
         ("theme:export-controls", "the new dysprosium export rules", 1),
         ("theme:magnets", "Japanese magnet makers said...", 1),
         ("element:neodymium", "Neodymium prices", 1)),
        "export", origin="Reuters", flags=("translated",),
    ),
    DemoArticle(
        "lynas-kalgoorlie", "Lynas starts heavy rare earth separation in Malaysia", "The Rare Earth Observer",
        "observer", 3,
        ("Lynas Rare Earths produced its first separated dysprosium oxide outside China.",
         "The company said terbium would follow within months."),
        (("company:lynas", "Lynas Rare Earths produced its first separated dysprosium oxide.", 2),
         ("element:dysprosium", "its first separated dysprosium oxide outside China.", 1),
         ("element:terbium", "terbium would follow within months.", 1)),
        "lynas", authors=("Sam Carter",),
    ),
    DemoArticle(
        "mp-magnets", "MP Materials opens magnet plant in Texas", "Mining Weekly", "mining-weekly", 9,
        ("MP Materials opened its Fort Worth magnet factory, making NdFeB magnets from neodymium oxide.",),
        (("company:mp-materials", "MP Materials opened its Fort Worth magnet factory.", 1),
         ("element:neodymium", "NdFeB magnets from neodymium oxide.", 1),
         ("theme:magnets", "its Fort Worth magnet factory", 1)),
        "mp", flags=("ai_generated",),
    ),
    DemoArticle(
        "xss", XSS_TITLE, "Shady Outlet", "observer", 2,
        (XSS_TEXT, "Neodymium is mentioned so the article is tagged."),
        (("element:neodymium", "<b>Neodymium</b> is mentioned", 1),),
        "xss", authors=("<i>Mallory</i>",), origin="<script>alert(3)</script>",
        removed=(("<script>alert(4)</script>", "script"),),
    ),
)

SOURCES: tuple[dict[str, Any], ...] = (
    {"name": "mining-weekly", "kind": "rss", "url": "https://mining.example/feed", "outlet": "Mining Weekly",
     "error_count": 0, "ok_days_ago": 0.01},
    {"name": "asia-metals", "kind": "atom", "url": "https://asia-metals.example/atom",
     "outlet": "Asia Metals Daily",
     "error_count": 0, "ok_days_ago": 0.02},
    {"name": "observer", "kind": "html", "url": "https://observer.example/news",
     "outlet": "The Rare Earth Observer",
     "error_count": 4, "ok_days_ago": 2, "last_error": "HTTP 503 Service Unavailable"},
)


def build(path: Path, now: datetime | None = None, *, schema_before: str | None = None) -> Database:
    """Create (or replace) a migrated demo database at ``path`` and return it open; with
    ``schema_before`` (a migration's name) the database an older version left: migrated up to it."""
    now = now or datetime.now(UTC).replace(microsecond=0)
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    db: Database
    if schema_before is None:
        db = open_db(path)
    else:
        db = Database(path)
        db.enable_wal()
        register_functions(db.conn)
        migrations.apply(db, stop_before=schema_before)
    with db.conn:
        db.conn.executemany("insert into tags (tag, category, label) values (?, ?, ?)", TAXONOMY)
        stories: dict[str, int] = {}
        for article in sorted(ARTICLES, key=lambda a: -a.days_ago):
            _insert(db, article, now, stories)
        story_rows.refresh_all(db)  # first outlet and time by publication, as the pipeline keeps them
        _sources(db, now)
        _alerts(db, now)
        if db["observations"].exists():  # a database built before m013 has no market numbers
            _numbers(db, now)
    return db


# (article slug, metric, value, value high, currency, unit, written, period, sentence): market numbers.
NUMBERS = (
    ("mp-magnets", "price:ndpr-oxide", 550_000.0, None, "CNY", "t", "550,000 yuan/t", "2025-04",
     "NdPr oxide traded at 550,000 yuan/t in April."),
    ("lynas-kalgoorlie", "price:ndpr-oxide", 620_000.0, None, "CNY", "t", "620,000 yuan/t", "2025-05",
     "NdPr oxide rose 12.7% to 620,000 yuan/t in May."),
    ("china-dysprosium-export", "price:ndpr-oxide", 600_000.0, 610_000.0, "CNY", "t", "60万-61万元/吨",
     "2025-06", "NdPr oxide was quoted at 600,000-610,000 yuan/t in June."),
    ("china-dysprosium-export", "price:ndpr-oxide", 85.0, None, "USD", "kg", "$85/kg", "2025-06",
     "In Europe NdPr oxide cost $85/kg in June."),
    ("xss", "quota:mining", 135_000.0, None, None, "t", "135,000 tonnes", "2025-batch1", XSS_TITLE),
)


def _numbers(db: Database, now: datetime) -> None:
    """Observations through the real store: a CNY/t and a USD/kg series of one metric, and a quota."""
    for slug, metric, value, high, currency, unit, written, period, sentence in NUMBERS:
        article_id, story_id, outlet, published = db.execute(
            "select id, story_id, outlet, published from articles where url like ?", [f"%/{slug}"]
        ).fetchone()
        obs = Observation(metric, value, unit, currency, written, sentence, value_high=high, period=period)
        number_rows.add(db, article_id, story_id, number_rows.Source(outlet, published, "en"), [obs],
                        now.isoformat(timespec="seconds"))


def _at(now: datetime, days_ago: float) -> str:
    return (now - timedelta(days=days_ago)).isoformat(timespec="seconds")


def _insert(db: Database, article: DemoArticle, now: datetime, stories: dict[str, int]) -> int:
    when = _at(now, article.days_ago)
    story_id = stories.get(article.story) or _new_story(db, article, when)
    stories[article.story] = story_id
    url = f"https://{article.source}.example/{article.slug}"
    row: dict[str, Any] = {
        "url": url, "canonical_url": url, "title": article.title, "text": "\n\n".join(article.paragraphs),
        "authors": json.dumps(list(article.authors)), "published": when, "fetched": when,
        "source": article.source, "outlet": article.outlet, "lang": "en", "origin": article.origin,
        "flags": json.dumps(list(article.flags)), "captions": "[]", "story_id": story_id, "score": 0.9,
        "removed": json.dumps([{"text": text, "reason": reason} for text, reason in article.removed]),
        "content_hash": article.slug,
    }
    article_id = int(db.table("articles").insert(row).last_pk or 0)
    _join_story(db, story_id, article.outlet, article_id, when)
    for outlet in article.copies:
        db.table("copies").insert({"article_id": article_id, "url": f"https://copy.example/{outlet}/{article.slug}",
                             "source": article.source, "outlet": outlet, "seen": when})
        _join_story(db, story_id, outlet, None, when)
    _tags(db, article, article_id, when)
    return article_id


def _new_story(db: Database, article: DemoArticle, when: str) -> int:
    db.execute(
        "insert into stories (title, first_seen, first_outlet, last_seen, outlets, outlet_list, articles)"
        " values (?, ?, ?, ?, 0, '[]', 0)", [article.title, when, article.outlet, when],
    )
    return int(db.execute("select max(id) from stories").fetchone()[0])


def _join_story(db: Database, story_id: int, outlet: str, article_id: int | None, when: str) -> None:
    query = "select first_article_id, outlet_list from stories where id = ?"
    first, raw = db.execute(query, [story_id]).fetchone()
    outlets = json.loads(raw)
    outlets += [] if outlet in outlets else [outlet]
    db.execute(
        "update stories set outlets = ?, outlet_list = ?, last_seen = ?, first_article_id = ?,"
        " articles = articles + ? where id = ?",
        [len(outlets), json.dumps(outlets), when, first or article_id, int(article_id is not None), story_id],
    )


def _tags(db: Database, article: DemoArticle, article_id: int, when: str) -> None:
    for sentence, (tag, snippet, count) in enumerate(article.tags):
        in_title = int(tag_name(tag) in article.title.lower())
        db.table("article_tags").insert({"article_id": article_id, "tag": tag, "count": count,
                                         "snippet": snippet, "in_title": in_title})
        # Every demo mention of a theme shares sentence 0 with the first element: co-occurrence.
        sentence_index = 0 if tag.startswith(("element:", "theme:")) else sentence
        db.table("mentions").insert({"article_id": article_id, "tag": tag, "term": tag.split(":")[1],
                               "start": 0, "end": 1, "sentence": sentence_index})
        db.execute("insert or ignore into entities (tag, first_seen, first_article_id) values (?, ?, ?)",
                   [tag, when, article_id])


def _sources(db: Database, now: datetime) -> None:
    for source in SOURCES:
        db.table("sources").insert({
            "name": source["name"], "kind": source["kind"], "url": source["url"], "outlet": source["outlet"],
            "interval": 3600, "enabled": 1, "added": _at(now, 30), "last_attempt": _at(now, 0.01),
            "last_ok": _at(now, source["ok_days_ago"]), "last_new": _at(now, source["ok_days_ago"]),
            "last_error": source.get("last_error"), "error_count": source["error_count"],
            "next_due": _at(now, -0.04), "entries_seen": 40, "articles_added": 5,
        })


def _alerts(db: Database, now: datetime) -> None:
    for number, status in enumerate(("sent", "pending", "failed"), start=1):
        db.table("alerts").insert({
            "dedup_key": f"dysprosium:{number}", "rule": "dysprosium", "kind": "story", "story_id": 1,
            "article_id": 1, "notify": "analysts", "title": f"Dysprosium story {number}", "body": "**New**",
            "reason": "tag element:dysprosium", "created": _at(now, number / 10), "status": status,
            "attempts": 0 if status == "pending" else 1,
            "sent": _at(now, number / 10) if status == "sent" else None,
            "last_error": "SMTP 550 mailbox unavailable" if status == "failed" else None,
        })


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def config(folder: Path, port: int | None = None, *, allow_sql: bool = False) -> Config:
    """A config with defaults except the serving port (and ``allow_sql``), anchored in ``folder``."""
    settings = ServeSettings(port=port or free_port(), allow_sql=allow_sql)
    return Config(path=folder / "feeds.toml", monitor=MonitorSettings(), fetch=FetchSettings(),
                  serve=settings, sources=())


@contextmanager
def running(cfg: Config, db_path: Path, timeout: float = 30.0) -> Iterator[str]:
    """Serve ``db_path`` with the real Datasette (``serve.start``); yield its base URL, then stop it."""
    process = serve.start(cfg, db_path)
    base = f"http://{cfg.serve.host}:{cfg.serve.port}"
    try:
        _wait_until_up(process.poll, base + "/-/versions.json", timeout)
        yield base
    finally:
        serve.stop(process)


def _wait_until_up(exited: Callable[[], int | None], url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if exited() is not None:
            raise MonitorError("Datasette exited before it served")
        try:
            if httpx.get(url, timeout=2).status_code in (200, 403):  # 403: [serve] auth is on
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise MonitorError(f"Datasette did not answer {url} within {timeout:.0f}s")


if __name__ == "__main__":  # python -m tests.demo_db data/demo.db
    import sys

    target = Path(sys.argv[1] if len(sys.argv) > 1 else "data/demo.db")
    build(target).close()
    print(f"demo database written to {target}")
