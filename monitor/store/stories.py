"""A story's first copy, its outlets in publication order, and the story as an alert shows it.

Publication time is the clock: the first outlet of a story is the one whose copy was published
first. A copy that says nothing about when it was published counts with its fetch time, after
every copy that does say; a story none of whose copies says is marked ``first_estimated``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlite_utils import Database

# Every copy of a story: its articles (the pages first stored) and their exact copies elsewhere.
_COPIES = """
select a.id as article_id, a.outlet, a.url, a.published, a.fetched as seen from articles a
where a.story_id = :story
union all
select c.article_id, c.outlet, c.url, c.published, c.seen from copies c
join articles a on a.id = c.article_id where a.story_id = :story
"""
# Dated copies first (publication order), then undated ones by fetch time.
_ORDER = "order by (published is null), coalesce(published, seen), article_id"
# The story page's list (read by the Datasette plugin): each copy with the article it belongs to.
COPIES_IN_ORDER = (
    "select c.article_id, c.outlet, c.url, c.published, c.seen, a.title,"
    " c.published is null as estimated"
    f" from ({_COPIES}) c join articles a on a.id = c.article_id"
    " order by (c.published is null), coalesce(c.published, c.seen), c.article_id"
)


@dataclass(frozen=True, slots=True)
class Copy:
    """One place a story was published."""

    article_id: int
    outlet: str
    url: str
    published: str | None
    seen: str

    @property
    def when(self) -> str:
        return self.published or self.seen


def copies(db: Database, story_id: int) -> list[Copy]:
    """Every copy of a story, earliest published first."""
    rows = db.execute(f"select * from ({_COPIES}) {_ORDER}", {"story": story_id}).fetchall()
    return [Copy(r[0], r[1] or "", r[2] or "", r[3], r[4] or "") for r in rows]


def outlets_in_order(found: list[Copy]) -> list[str]:
    return list(dict.fromkeys(c.outlet for c in found if c.outlet))


def refresh(db: Database, story_id: int) -> None:
    """Recompute a story's first copy (outlet, time, article) and its outlets in publication order."""
    found = copies(db, story_id)
    if not found:
        return
    first, outlets = found[0], outlets_in_order(found)
    db.execute(
        "update stories set first_published = ?, first_estimated = ?, first_outlet = ?,"
        " first_article_id = ?, outlets = ?, outlet_list = ? where id = ?",
        [
            first.when,
            int(first.published is None),
            first.outlet,
            first.article_id,
            len(outlets),
            json.dumps(outlets, ensure_ascii=False),
            story_id,
        ],
    )


def refresh_all(db: Database) -> None:
    for (story_id,) in db.execute("select id from stories").fetchall():
        refresh(db, story_id)


def refresh_entities(db: Database) -> None:
    """Each tag's first appearance: the earliest published article carrying it (a backfill is old news)."""
    db.execute(
        """
        update entities set (first_seen, first_article_id) = (
          select coalesce(a.published, a.fetched), a.id
          from article_tags t join articles a on a.id = t.article_id
          where t.tag = entities.tag order by coalesce(a.published, a.fetched), a.id limit 1)
        where exists (select 1 from article_tags t where t.tag = entities.tag)
        """
    )


@dataclass(frozen=True, slots=True)
class StoryNow:
    """A story as it stands at one moment: what an alert leaving now says about it."""

    story_id: int
    title: str
    outlets: tuple[str, ...]
    first_outlet: str
    first_published: str | None
    first_estimated: bool
    first_url: str
    articles: int


def now(db: Database, story_id: int) -> StoryNow | None:
    """The story's current state, or None when it is not (or no longer) stored."""
    row = db.execute("select title, articles from stories where id = ?", [story_id]).fetchone()
    found = copies(db, story_id)
    if row is None or not found:
        return None
    first = found[0]
    return StoryNow(
        story_id=story_id,
        title=row[0] or "",
        outlets=tuple(outlets_in_order(found)),
        first_outlet=first.outlet,
        first_published=first.when,
        first_estimated=first.published is None,
        first_url=first.url,
        articles=int(row[1] or 1),
    )
