"""Writes and reads of articles, their copies, stories and tags.

Every function here runs inside the caller's transaction (``db.atomic()``): the
pipeline stores one article, its story, tags and alerts all or nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlite_utils import Database

from monitor.dedup.decide import Stored
from monitor.dedup.fingerprint import Signature
from monitor.models import Article, Story, Tags


def seen_keys(article_url: str, guid: str | None, source: str) -> list[str]:
    """The identities under which an entry is remembered: its canonical URL and its feed GUID."""
    keys = [article_url]
    if guid:
        keys.append(f"guid:{source}:{guid}")
    return keys


def is_known(db: Database, keys: Iterable[str]) -> bool:
    keys = list(keys)
    if not keys:
        return False
    marks = ",".join("?" * len(keys))
    return db.execute(f"select 1 from seen where key in ({marks}) limit 1", keys).fetchone() is not None


def remember(db: Database, keys: Iterable[str], article_id: int, source: str, when: str) -> None:
    db.conn.executemany(
        "insert or ignore into seen (key, article_id, source, first_seen) values (?, ?, ?, ?)",
        [(key, article_id, source, when) for key in keys],
    )


def stored_article(db: Database, column: str, value: str) -> Stored | None:
    """The oldest article whose ``canonical_url`` or ``content_hash`` equals value, as dedup sees it."""
    assert column in ("canonical_url", "content_hash")
    row = db.execute(
        f"select a.id, a.story_id, a.content_hash, s.minhash from articles a"
        f" left join signatures s on s.article_id = a.id where a.{column} = ? order by a.id limit 1",
        [value],
    ).fetchone()
    if row is None:
        return None
    signature = Signature.from_bytes(row[3]) if row[3] else None
    return Stored(article_id=row[0], story_id=row[1], content_hash=row[2] or "", signature=signature)


def add_copy(db: Database, article_id: int, article: Article) -> None:
    db.execute(
        "insert into copies (article_id, url, source, outlet, seen, published) values (?, ?, ?, ?, ?, ?)",
        [article_id, article.url, article.source, article.outlet, article.fetched, article.content.published],
    )


def insert_article(db: Database, article: Article, story_id: int, score: float) -> int:
    row = _row(article, story_id, score)
    cursor = db.execute(
        f"insert into articles ({', '.join(row)}) values ({', '.join('?' * len(row))})", list(row.values())
    )
    return int(cursor.lastrowid or 0)


def update_article(db: Database, article_id: int, article: Article, story_id: int, score: float) -> None:
    """A new version at the same URL replaces the stored one; ``fetched`` records when it changed."""
    row = _row(article, story_id, score)
    assignments = ", ".join(f"{column} = ?" for column in row)
    db.execute(f"update articles set {assignments} where id = ?", [*row.values(), article_id])


def _row(article: Article, story_id: int, score: float) -> dict[str, Any]:
    content = article.content
    return {
        "url": article.url,
        "canonical_url": article.canonical_url,
        "guid": article.guid,
        "title": content.title,
        "text": content.text,
        "authors": _json(content.authors),
        "published": content.published,
        "published_offset": article.published_offset,
        "updated": content.updated,
        "fetched": article.fetched,
        "source": article.source,
        "outlet": article.outlet,
        "lang": content.lang,
        "site_name": content.site_name,
        "description": content.description,
        "captions": _json(content.captions),
        "origin": content.origin,
        "flags": _json(content.flags),
        "removed": json.dumps([{"text": r.text, "reason": r.reason} for r in content.removed]),
        "content_hash": article.content_hash,
        "story_id": story_id,
        "score": round(score, 4),
        "truncated": int(content.truncated),
    }


def store_page(db: Database, article_id: int, html: str, when: str) -> None:
    db.execute(
        "insert or replace into pages (article_id, html, stored) values (?, ?, ?)", [article_id, html, when]
    )


def _json(values: tuple[str, ...]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


# Stories -------------------------------------------------------------------------------------


def new_story(db: Database, article: Article) -> Story:
    when, outlet = article.fetched, article.outlet
    published = article.content.published
    cursor = db.execute(
        "insert into stories (title, first_seen, first_outlet, last_seen, outlets, outlet_list, articles,"
        " first_published, first_estimated) values (?, ?, ?, ?, 1, ?, 1, ?, ?)",
        [article.title, when, outlet, when, json.dumps([outlet], ensure_ascii=False), published or when,
         int(published is None)],
    )
    story_id = int(cursor.lastrowid or 0)
    first = published or when
    return Story(story_id, article.title, when, outlet, when, (outlet,), 1, first, published is None)


def join_story(db: Database, story_id: int, article: Article, *, new_article: bool) -> Story:
    """Count another copy or article in a story; its outlet joins the list once."""
    story = load_story(db, story_id)
    outlets = story.outlets if article.outlet in story.outlets else (*story.outlets, article.outlet)
    count = story.articles + (1 if new_article else 0)
    db.execute(
        "update stories set last_seen = ?, outlets = ?, outlet_list = ?, articles = ? where id = ?",
        [article.fetched, len(outlets), json.dumps(list(outlets), ensure_ascii=False), count, story_id],
    )
    return Story(story.id, story.title, story.first_seen, story.first_outlet, article.fetched, outlets, count)


def set_first_article(db: Database, story_id: int, article_id: int) -> None:
    db.execute("update stories set first_article_id = ? where id = ?", [article_id, story_id])


def load_story(db: Database, story_id: int) -> Story:
    row = db.execute(
        "select id, title, first_seen, first_outlet, last_seen, outlet_list, articles, first_published,"
        " first_estimated from stories where id = ?",
        [story_id],
    ).fetchone()
    return Story(
        row[0],
        row[1] or "",
        row[2],
        row[3] or "",
        row[4],
        tuple(json.loads(row[5] or "[]")),
        row[6],
        row[7],
        bool(row[8]),
    )


# Tags ----------------------------------------------------------------------------------------


def sync_taxonomy(db: Database, entries: Iterable[tuple[str, str, str]]) -> None:
    """Mirror the taxonomy into ``tags`` so Datasette can label and facet them."""
    with db.atomic():
        db.conn.executemany(
            "insert into tags (tag, category, label) values (?, ?, ?)"
            " on conflict(tag) do update set category = excluded.category, label = excluded.label",
            list(entries),
        )


def insert_tags(db: Database, article_id: int, tags: Tags, when: str) -> frozenset[str]:
    """Store an article's tags and mentions; return the tags never seen before in the database.

    ``when`` is the article's publication time (fetch time when it has none): an entity's first
    appearance is the earliest published article that carries it, whatever order they arrive in.
    """
    db.conn.executemany(
        "insert or replace into article_tags (article_id, tag, count, snippet, in_title)"
        " values (?, ?, ?, ?, ?)",
        [(article_id, h.tag, h.count, h.snippet, int(h.in_title)) for h in tags.hits],
    )
    db.conn.executemany(
        'insert into mentions (article_id, tag, term, start, "end", sentence) values (?, ?, ?, ?, ?, ?)',
        [(article_id, m.tag, m.term, m.start, m.end, m.sentence) for m in tags.mentions],
    )
    return _first_mentions(db, article_id, tags, when)


def _first_mentions(db: Database, article_id: int, tags: Tags, when: str) -> frozenset[str]:
    new = set()
    for hit in tags.hits:
        cursor = db.execute(
            "insert or ignore into entities (tag, first_seen, first_article_id) values (?, ?, ?)",
            [hit.tag, when, article_id],
        )
        if cursor.rowcount:
            new.add(hit.tag)
        else:
            db.execute(
                "update entities set first_seen = ?, first_article_id = ? where tag = ? and first_seen > ?",
                [when, article_id, hit.tag, when],
            )
    return frozenset(new)


def count_articles(db: Database) -> int:
    return int(db.execute("select count(*) from articles").fetchone()[0])


def articles_after(
    db: Database, last_id: int, limit: int
) -> list[tuple[int, str, str, str | None, str | None]]:
    """The ``limit`` articles after ``last_id`` in id order, for batch work like retag: (id, title, text,
    publication time or else fetch time, language or None)."""
    rows = db.execute(
        "select id, title, text, coalesce(published, fetched), nullif(lang, '') from articles"
        " where id > ? order by id limit ?",
        [last_id, limit],
    ).fetchall()
    return [
        (int(article_id), title or "", text or "", when, lang) for article_id, title, text, when, lang in rows
    ]


def set_lang(db: Database, article_id: int, lang: str) -> None:
    db.execute("update articles set lang = ? where id = ?", [lang, article_id])


def set_score(db: Database, article_id: int, score: float) -> None:
    db.execute("update articles set score = ? where id = ?", [round(score, 4), article_id])


def delete_tags(db: Database, article_id: int) -> None:
    db.execute("delete from article_tags where article_id = ?", [article_id])
    db.execute("delete from mentions where article_id = ?", [article_id])
