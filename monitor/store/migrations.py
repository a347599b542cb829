"""The database schema, as an ordered list of sqlite-utils migrations.

Never edit a migration that has shipped: add a new function at the end. Every
table and column is described in ``datasette-metadata.json`` (a test checks it).
"""

from __future__ import annotations

import sqlite3

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
    # insert and lookup time, a third smaller). The article_id index stays for store.signatures.remove.
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
def m006_entry_queue(db: Database) -> None:
    # The durable work queue: every entry a source listed, recorded before its page is fetched, so a
    # transient failure, a restart or a 304 feed never forgets it. ``content`` is the feed's text for
    # the entry (kept until the entry is finished, to store from the feed when the page cannot be had).
    db.execute(
        "CREATE TABLE entries (id INTEGER PRIMARY KEY, source TEXT NOT NULL, key TEXT NOT NULL,"
        " url TEXT NOT NULL, guid TEXT, title TEXT, published TEXT, content TEXT, content_type TEXT,"
        " complete INTEGER NOT NULL DEFAULT 0, state TEXT NOT NULL DEFAULT 'pending', reason TEXT,"
        " attempts INTEGER NOT NULL DEFAULT 0, next_try TEXT, last_error TEXT,"
        " article_id INTEGER REFERENCES articles(id), listed TEXT NOT NULL, updated TEXT NOT NULL)"
    )
    db.execute("CREATE UNIQUE INDEX idx_entries_source_key ON entries (source, key)")
    db.execute("CREATE INDEX idx_entries_due ON entries (source, state, next_try)")
    # Health the row did not tell: how many entries the last listing held (to see a feed that suddenly
    # lists nothing), a warning that does not fail the pass, and entries waiting or given up on.
    db.table("sources").add_column("listed", int)
    db.table("sources").add_column("warning", str)
    db.table("sources").add_column("pending_entries", int, not_null_default=0)
    db.table("sources").add_column("failed_entries", int, not_null_default=0)


@migrations()
def m007_article_truncated(db: Database) -> None:
    # 1 when the page or its text was cut to [monitor] max_parse_bytes / max_text_chars: the stored
    # text is the article's beginning, not all of it. Old rows were never cut (0).
    db.execute("ALTER TABLE articles ADD COLUMN truncated INTEGER NOT NULL DEFAULT 0")


@migrations()
def m009_redact_source_urls(db: Database) -> None:
    # sources and fetches are served by Datasette: credentials in feed URLs (user:pass@, ?apikey=) and
    # in error messages that quote them are redacted in rows written before the store redacted them.
    # A stored redirect that carried a credential is dropped (its redacted form could not be fetched).
    # secure_delete zeroes the space the old values leave behind, and open_db empties the WAL once the
    # migrations are committed (TRUNCATE checkpoint), so the secrets are gone from the file, not only
    # from the rows. One transaction with the migration record, under open_db's write lock.
    from monitor.redact import redact

    def clean(value: object) -> object:
        return redact(value) if isinstance(value, str) else value

    previous = db.execute("PRAGMA secure_delete").fetchone()[0]
    db.execute("PRAGMA secure_delete = ON")
    try:
        for name, url, redirect, error in db.execute(
            "select name, url, redirect_url, last_error from sources"
        ).fetchall():
            kept_redirect = redirect if redirect is None or redact(redirect) == redirect else None
            db.execute(
                "update sources set url = ?, redirect_url = ?, last_error = ? where name = ?",
                [clean(url), kept_redirect, clean(error), name],
            )
        changed = [
            (clean(url), clean(error), fid)
            for fid, url, error in db.execute("select id, url, error from fetches").fetchall()
            if (clean(url), clean(error)) != (url, error)
        ]
        db.conn.executemany("update fetches set url = ?, error = ? where id = ?", changed)
        for eid, message in db.execute("select id, message from health_events").fetchall():
            if isinstance(message, str) and redact(message) != message:
                db.execute("update health_events set message = ? where id = ?", [redact(message), eid])
    finally:
        db.execute(f"PRAGMA secure_delete = {int(previous)}")


@migrations()
def m010_publication_time(db: Database) -> None:
    # Publication time is the clock (issue 13): a story's first outlet is the one that published it
    # first, not the one fetched first. published_offset keeps the zone a date was written with;
    # copies keep their own page's date; first_estimated marks stories whose time is a fetch time.
    from monitor.sources.dates import iso_utc, offset_of
    from monitor.store import stories

    db.table("articles").add_column("published_offset", str)
    db.table("copies").add_column("published", str)
    db.table("stories").add_column("first_published", str)
    db.table("stories").add_column("first_estimated", int)
    db.table("stories").create_index(["first_published"])
    # Stored dates in every form the sources gave (bare dates, offsets) become ISO 8601 UTC.
    rows = db.execute("select id, published from articles where published is not null").fetchall()
    for article_id, published in rows:
        db.execute(
            "update articles set published = ?, published_offset = ? where id = ?",
            [iso_utc(published), offset_of(published), article_id],
        )
    stories.refresh_all(db)
    stories.refresh_entities(db)
    db.execute("DROP VIEW IF EXISTS article_list")
    db.execute(ARTICLE_LIST_V2)
    db.execute(FRONT_PAGE)


# One row per article, as m003, plus the columns that make any filtered list an Atom feed.
ARTICLE_LIST_V2 = """
create view article_list as
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
  coalesce(nullif(a.description, ''), article_head(a.id, 280)) as snippet,
  a.story_id,
  a.score,
  'article:' || a.id as atom_id,
  coalesce(nullif(a.title, ''), a.url) as atom_title,
  coalesce(a.published, a.fetched) as atom_updated,
  a.url as atom_link,
  (select group_concat(value, ', ') from json_each(coalesce(a.authors, '[]'))) as atom_author_name,
  coalesce(a.outlet, '') || ': '
    || coalesce(nullif(a.description, ''), article_head(a.id, 500)) as atom_content
from articles a
"""

# The newsroom front page: one row per story, its first published copy's outlet and time.
FRONT_PAGE = """
create view front_page as
select
  s.id,
  s.first_published as published,
  coalesce(nullif(s.title, ''), a.title) as title,
  a.url,
  s.first_outlet,
  case when s.outlets > 1 then s.first_outlet || ' + ' || (s.outlets - 1) || ' more'
       else s.first_outlet end as carried_by,
  s.outlets,
  s.outlet_list,
  s.articles,
  (select json_group_array(tag) from
     (select t.tag from article_tags t join articles x on x.id = t.article_id
      where x.story_id = s.id group by t.tag order by sum(t.count) desc, t.tag)) as tags,
  coalesce(nullif(a.description, ''), article_head(a.id, 280)) as snippet,
  coalesce(s.first_estimated, 0) as estimated,
  s.last_seen,
  s.first_article_id,
  'story:' || s.id as atom_id,
  coalesce(nullif(s.title, ''), a.url, 'story ' || s.id) as atom_title,
  s.first_published as atom_updated,
  a.url as atom_link,
  (select group_concat(value, ', ') from json_each(coalesce(a.authors, '[]'))) as atom_author_name,
  s.first_outlet || case when s.outlets > 1 then ' + ' || (s.outlets - 1) || ' more ('
    || (select group_concat(value, ', ') from json_each(coalesce(s.outlet_list, '[]'))) || ')' else '' end
    || ': ' || coalesce(nullif(a.description, ''), article_head(a.id, 500), '') as atom_content
from stories s left join articles a on a.id = s.first_article_id
"""


# Article columns that hold whole texts: stored last in the row (m011).
LONG_ARTICLE_COLUMNS = ("text", "captions", "removed")


@migrations()
def m011_article_text_last(db: Database) -> None:
    # SQLite stores a row's columns in order and a long value spills into a chain of overflow pages:
    # reading any column stored after ``text`` (outlet, source, published, flags, story_id ...) walks
    # the whole chain, 5,000 pages for a 20 MB text. Every list, facet and count of article_list did
    # that for each long row it touched. Rebuilt with the long columns last, a row's short columns sit
    # in its first page and only a query that asks for the text reads it.
    views = db.execute("select name, sql from sqlite_master where type = 'view' order by rowid").fetchall()
    triggers = db.execute(
        "select sql from sqlite_master where type = 'trigger' and tbl_name = 'articles' order by rowid"
    ).fetchall()
    for name, _ in views:  # a view naming articles would stop the rename that ends the rebuild
        db.execute(f'DROP VIEW "{name}"')
    columns = [column.name for column in db.table("articles").columns]
    long = [name for name in LONG_ARTICLE_COLUMNS if name in columns]
    order = [name for name in columns if name not in long] + long
    # sqlite-utils' rebuild (new table, copy, drop, rename) keeps types, defaults, keys and indexes;
    # open_db migrates with foreign keys off, so dropping the old table leaves the rows that refer to
    # it alone (they point at the same ids in the new one).
    for statement in db.table("articles").transform_sql(column_order=order):
        db.execute(statement)
    for (sql,) in triggers:  # the FTS triggers (dropped with the old table)
        db.execute(sql)
    for _, sql in views:
        db.execute(sql)
    _cap_old_texts(db)


def _cap_old_texts(db: Database) -> None:
    # Before m007 nothing cut a stored text: an old database can hold a 20 MB article, which every page,
    # JSON or CSV export of ``articles`` and every search over it reads whole. Texts stored before m007
    # that are over the default max_text_chars are cut as the pipeline cuts them now (at a paragraph,
    # flagged truncated). Rows stored since were cut by the configured max_text_chars and are kept.
    from datetime import datetime

    from monitor.config import MonitorSettings
    from monitor.extract.guard import cut_text

    row = db.execute(
        "select applied_at from _sqlite_migrations where migration_set = 'monitor'"
        " and name = 'm007_article_truncated'"
    ).fetchone()
    if row is None:
        return
    capped_since = datetime.fromisoformat(str(row[0]))
    limit = MonitorSettings().max_text_chars
    for article_id, fetched in db.execute("select id, fetched from articles").fetchall():
        try:
            if datetime.fromisoformat(str(fetched)) >= capped_since:
                continue
        except (TypeError, ValueError):  # an unreadable date: judge the row by its size alone
            pass
        try:
            with db.conn.blobopen("articles", "text", article_id, readonly=True) as blob:
                size = len(blob)  # bytes, read from the row's header without loading the text
        except sqlite3.Error:  # no text
            continue
        if size <= limit:  # a character is at least one byte: short enough
            continue
        (text,) = db.execute("select text from articles where id = ?", [article_id]).fetchone()
        kept, cut = cut_text(text, limit)
        if cut:
            db.execute("update articles set text = ?, truncated = 1 where id = ?", [kept, article_id])


# Columns that hold URLs found in feeds, index pages and sitemaps (and seen's keys, which are such URLs
# or GUIDs), as (table, key column, URL column).
_FOUND_URLS = (
    ("entries", "id", "url"),
    ("articles", "id", "url"),
    ("articles", "id", "canonical_url"),
    ("copies", "id", "url"),
    ("seen", "key", "key"),
)


@migrations()
def m012_found_urls_without_credentials(db: Database) -> None:
    # A relative link in a feed whose configured URL carries user:password@ was resolved against it and
    # inherited the password: entries, articles and copies stored (and Datasette served) it. Links are now
    # resolved against the URL without its user info (monitor.links.without_userinfo); stored ones lose
    # theirs the same way, so they also match what the sources list from now on. secure_delete and
    # open_db's WAL truncation (as m009) leave no copy of the old values in the file.
    from monitor.links import without_userinfo

    previous = db.execute("PRAGMA secure_delete").fetchone()[0]
    db.execute("PRAGMA secure_delete = ON")
    try:
        for table, key, column in _FOUND_URLS:
            rows = db.execute(f'select "{key}", "{column}" from "{table}" where "{column}" like \'%@%\'')
            for row_key, url in rows.fetchall():
                clean = without_userinfo(url) if isinstance(url, str) else url
                if clean == url:
                    continue
                try:
                    db.execute(f'update "{table}" set "{column}" = ? where "{key}" = ?', [clean, row_key])
                except sqlite3.IntegrityError:  # the same URL is stored without credentials already
                    db.execute(f'update "{table}" set "{column}" = ? where "{key}" = ?',
                               [f"{clean}#duplicate-{row_key}", row_key])
    finally:
        db.execute(f"PRAGMA secure_delete = {int(previous)}")
@migrations()
def m013_observations(db: Database) -> None:
    # Market numbers (issue 16): one row per source statement, i.e. per story, metric, value and
    # period; every article of the story that states it is linked in observation_articles, so wire
    # copies add an outlet, never a second point on a chart. ``observed`` is the date a point is drawn
    # at: the start of the period it refers to, or the article's publication date when none is stated.
    db.table("observations").create(
        {
            "id": int,
            "statement": str,
            "metric": str,
            "value": float,
            "value_high": float,
            "change_pct": float,
            "unit": str,
            "currency": str,
            "written": str,
            "period": str,
            "observed": str,
            "subjects": str,
            "sentence": str,
            "confidence": float,
            "article_id": int,
            "story_id": int,
            "outlet": str,
            "lang": str,
            "published": str,
            "copies": int,
            "outlets": str,
            "created": str,
        },
        pk="id",
        not_null={"statement", "metric", "observed"},
        defaults={"copies": 1, "subjects": "[]", "outlets": "[]"},
        foreign_keys=[("article_id", "articles", "id"), ("story_id", "stories", "id")],
    )
    db.table("observations").create_index(["statement"], unique=True)
    db.table("observations").create_index(["metric", "observed"])
    db.table("observations").create_index(["story_id"])
    db.table("observation_articles").create(
        {"observation_id": int, "article_id": int},
        pk=("observation_id", "article_id"),
        foreign_keys=[("observation_id", "observations", "id"), ("article_id", "articles", "id")],
    )
    db.table("observation_articles").create_index(["article_id"])
    db.execute(LATEST_NUMBERS)


# The latest value of each metric (per currency and unit: a price in CNY/t and one in USD/kg are two
# series) with the observation before it and the change between them.
LATEST_NUMBERS = """
create view latest_numbers as
with ranked as (
  select o.*, row_number() over (
      partition by o.metric, coalesce(o.currency, ''), coalesce(o.unit, '')
      order by o.observed desc, o.id desc) as rank
  from observations o where o.value is not null
)
select
  l.metric,
  l.value,
  l.value_high,
  l.currency,
  l.unit,
  l.period,
  l.observed,
  p.value as previous_value,
  p.observed as previous_observed,
  case when p.value is not null and p.value != 0
       then round((l.value - p.value) * 100.0 / p.value, 2) end as change_pct,
  l.change_pct as stated_change_pct,
  l.outlet,
  l.outlets,
  l.sentence,
  l.id as observation_id,
  l.article_id,
  (select count(*) from ranked c where c.metric = l.metric
     and coalesce(c.currency, '') = coalesce(l.currency, '')
     and coalesce(c.unit, '') = coalesce(l.unit, '')) as observations
from ranked l
left join ranked p on p.metric = l.metric and coalesce(p.currency, '') = coalesce(l.currency, '')
  and coalesce(p.unit, '') = coalesce(l.unit, '') and p.rank = 2
where l.rank = 1
"""


def _number_sql(column: str) -> str:
    # As monitor.numbers.display.number: whole values of 100 or more with thousands separators,
    # others to six significant digits, separated too from 1,000 ("595,000", "62.5", "1,234.5").
    g = f"printf('%.6g', {column})"
    return (
        f"case when {column} is null then null "
        f"when {column} = cast({column} as integer) and abs({column}) >= 100 then printf('%,d', {column}) "
        f"when abs({column}) >= 1000 and abs({column}) < 1000000 then case when instr({g}, '.') = 0 "
        f"then printf('%,d', cast(round({column}) as integer)) "
        f"else printf('%,d', cast({column} as integer)) || substr({g}, instr({g}, '.')) end "
        f"else {g} end"
    )


def amount_sql(prefix: str = "") -> str:
    """SQL for a number as people read it, as ``monitor.numbers.display.amount`` writes it:
    ``595,000 CNY/t``, ``60–65 USD/kg``, ``270,000 t``. ``prefix``: the table alias with its dot."""
    value, high, currency, unit = (f"{prefix}{name}" for name in ("value", "value_high", "currency", "unit"))
    return (
        f"({_number_sql(value)} || coalesce('–' || ({_number_sql(high)}), '') || "
        f"case when {currency} is not null and {unit} is not null then ' ' || {currency} || '/' || {unit} "
        f"when coalesce({currency}, {unit}) is not null then ' ' || coalesce({currency}, {unit}) else '' end)"
    )


@migrations()
def m014_latest_numbers_amount(db: Database) -> None:
    # The latest values as people read them ("595,000 CNY/t" beside 595000.0), and the previous one too.
    db.execute("drop view if exists latest_numbers")
    db.execute(LATEST_NUMBERS_WITH_AMOUNT)


LATEST_NUMBERS_WITH_AMOUNT = LATEST_NUMBERS.replace(
    "select\n  l.metric,\n",
    f"select\n  l.metric,\n  {amount_sql('l.')} as amount,\n",
).replace(
    "  p.value as previous_value,\n",
    "  p.value as previous_value,\n"
    f"  {amount_sql('p.')} as previous_amount,\n",
)
