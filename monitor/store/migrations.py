"""The database schema, as an ordered list of sqlite-utils migrations.

Never edit a migration that has shipped: add a new function at the end. Every
table and column is described in ``datasette-metadata.json`` (a test checks it).
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("monitor")


@migrations()
def m001_initial(db: Database) -> None:
    _sources(db)
    _articles(db)
    _tags(db)
    _alerts(db)
    db.table("state").create({"key": str, "value": str}, pk="key")


def _sources(db: Database) -> None:
    db.table("sources").create(
        {
            "name": str,
            "kind": str,
            "url": str,
            "path": str,
            "outlet": str,
            "interval": int,
            "enabled": int,
            "added": str,
            "last_attempt": str,
            "last_ok": str,
            "last_new": str,
            "last_error": str,
            "error_count": int,
            "next_due": str,
            "etag": str,
            "last_modified": str,
            "redirect_url": str,
            "entries_seen": int,
            "articles_added": int,
        },
        pk="name",
        defaults={"error_count": 0, "entries_seen": 0, "articles_added": 0, "enabled": 1},
        not_null={"kind"},
    )
    db.table("fetches").create(
        {
            "id": int,
            "source": str,
            "url": str,
            "purpose": str,
            "started": str,
            "elapsed_ms": int,
            "status": int,
            "bytes": int,
            "error": str,
            "new_entries": int,
        },
        pk="id",
    )
    db.table("fetches").create_index(["source", "started"])


def _articles(db: Database) -> None:
    db.table("stories").create(
        {
            "id": int,
            "title": str,
            "first_seen": str,
            "first_outlet": str,
            "first_article_id": int,
            "last_seen": str,
            "outlets": int,
            "outlet_list": str,
            "articles": int,
        },
        pk="id",
        defaults={"outlets": 1, "articles": 1},
    )
    db.table("articles").create(
        {
            "id": int,
            "url": str,
            "canonical_url": str,
            "guid": str,
            "title": str,
            "text": str,
            "authors": str,
            "published": str,
            "updated": str,
            "fetched": str,
            "source": str,
            "outlet": str,
            "lang": str,
            "site_name": str,
            "description": str,
            "captions": str,
            "origin": str,
            "flags": str,
            "removed": str,
            "content_hash": str,
            "story_id": int,
            "score": float,
            "minhash": bytes,
        },
        pk="id",
        foreign_keys=[("story_id", "stories", "id")],
        not_null={"url", "canonical_url", "fetched"},
    )
    db.table("articles").create_index(["canonical_url"], unique=True)
    db.table("articles").create_index(["content_hash"])
    db.table("articles").create_index(["story_id"])
    db.table("articles").create_index(["published"])
    db.table("articles").enable_fts(["title", "text"], create_triggers=True, tokenize="porter")
    db.table("pages").create(
        {"article_id": int, "html": str, "stored": str},
        pk="article_id",
        foreign_keys=[("article_id", "articles", "id")],
    )
    # Every URL or GUID that led to an article, so a known one is never fetched again.
    db.table("seen").create(
        {"key": str, "article_id": int, "source": str, "first_seen": str},
        pk="key",
        foreign_keys=[("article_id", "articles", "id")],
    )
    # The same cleaned text under another URL: one article, many copies.
    db.table("copies").create(
        {"id": int, "article_id": int, "url": str, "source": str, "outlet": str, "seen": str},
        pk="id",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("copies").create_index(["article_id"])
    # LSH buckets of the MinHash signatures: lookups of near duplicates by band hash.
    db.table("article_bands").create(
        {"band": int, "article_id": int},
        foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("article_bands").create_index(["band"])
    db.table("article_bands").create_index(["article_id"])


def _tags(db: Database) -> None:
    db.table("tags").create({"tag": str, "category": str, "label": str}, pk="tag")
    db.table("article_tags").create(
        {"article_id": int, "tag": str, "count": int, "snippet": str, "in_title": int},
        pk=("article_id", "tag"),
        foreign_keys=[("article_id", "articles", "id"), ("tag", "tags", "tag")],
    )
    db.table("article_tags").create_index(["tag"])
    db.table("mentions").create(
        {"article_id": int, "tag": str, "term": str, "start": int, "end": int, "sentence": int},
        foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("mentions").create_index(["article_id"])
    db.table("mentions").create_index(["tag"])
    db.table("entities").create(
        {"tag": str, "first_seen": str, "first_article_id": int},
        pk="tag",
        foreign_keys=[("first_article_id", "articles", "id")],
    )


def _alerts(db: Database) -> None:
    db.table("alerts").create(
        {
            "id": int,
            "dedup_key": str,
            "rule": str,
            "kind": str,
            "story_id": int,
            "article_id": int,
            "notify": str,
            "title": str,
            "body": str,
            "reason": str,
            "created": str,
            "status": str,
            "attempts": int,
            "next_attempt": str,
            "last_error": str,
            "sent": str,
        },
        pk="id",
        defaults={"status": "pending", "attempts": 0},
        foreign_keys=[("story_id", "stories", "id"), ("article_id", "articles", "id")],
    )
    # One alert per rule and story (or health episode): the database enforces exactly-once.
    db.table("alerts").create_index(["dedup_key"], unique=True)
    db.table("alerts").create_index(["status", "next_attempt"])
    db.table("alert_attempts").create(
        {"id": int, "alert_id": int, "target": str, "attempted": str, "ok": int, "error": str},
        pk="id",
        foreign_keys=[("alert_id", "alerts", "id")],
    )
    db.table("alert_attempts").create_index(["alert_id"])
    db.table("health_events").create(
        {"id": int, "created": str, "kind": str, "subject": str, "message": str, "resolved": str},
        pk="id",
    )


@migrations()
def m002_alert_delivery(db: Database) -> None:
    # payload: the facts to render HTML/text/digests at send time; claimed_by: the delivery run that
    # holds an alert in status "sending" (a dead run's claims are recovered); digest_id: the digest
    # alert an alert was rolled into.
    db.table("alerts").add_column("payload", str)
    db.table("alerts").add_column("claimed_by", str)
    db.table("alerts").add_column("digest_id", int)
    db.table("alerts").create_index(["rule", "status"])


@migrations()
def m003_article_list(db: Database) -> None:
    # What a reader browses in Datasette: one row per article with its tags and categories as JSON
    # arrays (array facets), a month to facet on and a snippet. Searchable through articles_fts.
    db.execute(
        """
        create view if not exists article_list as
        select
          a.id,
          coalesce(a.published, a.fetched) as published,
          a.title,
          a.url,
          a.outlet,
          a.source,
          (select json_group_array(tag) from
             (select tag from article_tags where article_id = a.id order by count desc, tag)) as tags,
          (select json_group_array(category) from
             (select distinct substr(tag, 1, instr(tag, ':') - 1) as category
              from article_tags where article_id = a.id order by category)) as categories,
          coalesce(a.flags, '[]') as flags,
          substr(coalesce(a.published, a.fetched), 1, 7) as month,
          coalesce(nullif(a.description, ''), substr(a.text, 1, 280)) as snippet,
          a.story_id,
          a.score
        from articles a
        """
    )


@migrations()
def m004_article_bands_without_rowid(db: Database) -> None:
    # LSH bands as one clustered B-tree keyed (band, article_id): a band lookup reads the table itself
    # and an insert writes two B-trees instead of three (measured in bench/dedup.py: about half the
    # insert and lookup time, a third smaller). The article_id index stays for monitor.dedup.index.remove.
    db.execute(
        "CREATE TABLE article_bands_new (band INTEGER NOT NULL, article_id INTEGER NOT NULL "
        "REFERENCES articles(id), PRIMARY KEY (band, article_id)) WITHOUT ROWID"
    )
    db.execute(
        "INSERT OR IGNORE INTO article_bands_new (band, article_id) "
        "SELECT band, article_id FROM article_bands"
    )
    db.execute("DROP TABLE article_bands")
    db.execute("ALTER TABLE article_bands_new RENAME TO article_bands")
    db.execute("CREATE INDEX idx_article_bands_article_id ON article_bands (article_id)")


@migrations()
def m005_signatures_table(db: Database) -> None:
    # A near-duplicate lookup reads up to 64 signatures. Stored after ``text`` in ``articles`` each read
    # walked the text's overflow pages; in their own narrow table they sit a few to a page.
    db.execute(
        "CREATE TABLE signatures (article_id INTEGER PRIMARY KEY REFERENCES articles(id), "
        "minhash BLOB NOT NULL)"
    )
    db.execute("INSERT INTO signatures SELECT id, minhash FROM articles WHERE minhash IS NOT NULL")
    db.execute("ALTER TABLE articles DROP COLUMN minhash")


@migrations()
def m007_article_truncated(db: Database) -> None:
    # 1 when the page or its text was cut to [monitor] max_parse_bytes / max_text_chars: the stored
    # text is the article's beginning, not all of it. Old rows were never cut (0).
    db.execute("ALTER TABLE articles ADD COLUMN truncated INTEGER NOT NULL DEFAULT 0")
