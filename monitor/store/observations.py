"""Writes and reads of market numbers: the ``observations`` table and its article links (issue 16).

One row is one *source statement*: a story stating a metric's value for a period. Every article of
the story that states it (the wire copies that were re-edited, JOINed into the story) is a row of
``observation_articles``; exact copies elsewhere count through the ``copies`` table. So the same
number in every copy of a wire story is one point on a chart with many outlets, and a Chinese
article stating the same rise (its own story) is another source statement.

Every function here runs inside the caller's transaction (the pipeline's, one article each).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from sqlite_utils import Database

from monitor.models import Observation


@dataclass(frozen=True, slots=True)
class Source:
    """The article a statement was read in, as an observation row records it."""

    outlet: str
    published: str  # its publication time (or fetch time when it gave none), ISO 8601
    lang: str | None = None


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.6g}"


def statement_key(story_id: int, obs: Observation) -> str:
    """What makes two statements one: the story, metric, value (range) and period. A bare delta
    ("prices rose 5 %") has no value: its change is what it states."""
    change = _number(obs.change_pct) if obs.value is None else ""
    parts = (str(story_id), obs.metric, _number(obs.value), _number(obs.value_high), obs.period or "", change)
    return "|".join(parts)


_QUARTER_MONTH = {"1": 1, "2": 4, "3": 7, "4": 10}


def observed_date(period: str | None, published: str) -> str:
    """The date a statement is drawn at: the start of its period ("2025-Q2" → 2025-04-01), a batch
    or an unreadable period at the publication date (its year when the batch is of another year)."""
    day = published[:10]
    if not period:
        return day
    year, _, rest = period.partition("-")
    if not (len(year) == 4 and year.isdigit()):
        return day
    if not rest:
        return f"{year}-01-01"
    if len(rest) == 2 and rest.isdigit():
        return f"{year}-{rest}-01"
    if len(rest) == 5 and rest[2] == "-" and rest.replace("-", "").isdigit():
        return f"{year}-{rest}"
    if rest[:1] == "Q" and rest[1:] in _QUARTER_MONTH:
        return f"{year}-{_QUARTER_MONTH[rest[1:]]:02d}-01"
    if rest in ("H1", "H2"):
        return f"{year}-{'01' if rest == 'H1' else '07'}-01"
    return day if day[:4] == year else f"{year}-01-01"  # a batch: announced when the article says


@dataclass(frozen=True, slots=True)
class StoredObservation:
    """An observation as stored, with what an alert needs to compare it."""

    id: int
    statement: str
    metric: str
    value: float | None
    value_high: float | None
    change_pct: float | None
    unit: str | None
    currency: str | None
    written: str
    period: str | None
    observed: str
    sentence: str
    outlet: str
    article_id: int
    story_id: int
    new: bool = False  # created by this call (not an existing statement another copy made)


_COLUMNS = (
    "id, statement, metric, value, value_high, change_pct, unit, currency, written, period, observed,"
    " sentence, outlet, article_id, story_id"
)


def _stored(row: tuple[object, ...], new: bool = False) -> StoredObservation:
    values: list[Any] = list(row)
    stored = StoredObservation(*values)
    return replace(stored, new=True) if new else stored


def add(
    db: Database,
    article_id: int,
    story_id: int,
    source: Source,
    observations: Iterable[Observation],
    when: str,
) -> list[StoredObservation]:
    """Store an article's statements: a new row per new statement, a link for one the story already
    has. Returns each statement as stored, ``new`` for those this article made."""
    published = source.published
    found: list[StoredObservation] = []
    for obs in observations:
        key = statement_key(story_id, obs)
        cursor = db.execute(
            "insert or ignore into observations (statement, metric, value, value_high, change_pct, unit,"
            " currency, written, period, observed, subjects, sentence, confidence, article_id, story_id,"
            " outlet, lang, published, copies, outlets, created)"
            " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
            [
                key, obs.metric, obs.value, obs.value_high, obs.change_pct, obs.unit, obs.currency,
                obs.written, obs.period, observed_date(obs.period, published),
                json.dumps(list(obs.subjects)), obs.sentence, obs.confidence, article_id, story_id,
                source.outlet, source.lang, published, json.dumps([source.outlet]), when,
            ],
        )
        row = db.execute(f"select {_COLUMNS} from observations where statement = ?", [key]).fetchone()
        db.execute(
            "insert or ignore into observation_articles (observation_id, article_id) values (?, ?)",
            [row[0], article_id],
        )
        if not any(s.id == row[0] for s in found):
            found.append(_stored(row, new=bool(cursor.rowcount)))
    refresh(db, [s.id for s in found])
    return found


def refresh(db: Database, ids: Iterable[int]) -> None:
    """Recount who states each observation: its articles and their exact copies, outlets in order."""
    for observation_id in ids:
        db.execute(_REFRESH, {"id": observation_id})


_STATED_BY = """
select a.outlet, coalesce(a.published, a.fetched) as at, 0 as copy from observation_articles l
join articles a on a.id = l.article_id where l.observation_id = :id
union all
select c.outlet, coalesce(c.published, c.seen), 1 from copies c
join observation_articles l on l.article_id = c.article_id where l.observation_id = :id
"""
_REFRESH = f"""
update observations set
  copies = (select count(*) from ({_STATED_BY})),
  outlets = (select json_group_array(outlet) from
    (select outlet, min(at) as first, min(copy) as copy from ({_STATED_BY})
     group by outlet order by first, copy, outlet))
where id = :id
"""


def copied(db: Database, article_id: int) -> None:
    """An exact copy of the article was stored elsewhere: its statements gain that outlet."""
    refresh(db, of_article(db, article_id))


def of_article(db: Database, article_id: int) -> list[int]:
    rows = db.execute("select observation_id from observation_articles where article_id = ?", [article_id])
    return [int(r[0]) for r in rows]


def remove_article(db: Database, article_id: int) -> None:
    """Forget what an article stated (before it is re-read): a statement no other article of its
    story makes goes; one that others make stays, evidence moved to the earliest of them."""
    ids = of_article(db, article_id)
    db.execute("delete from observation_articles where article_id = ?", [article_id])
    for observation_id in ids:
        other = db.execute(
            "select min(article_id) from observation_articles where observation_id = ?", [observation_id]
        ).fetchone()[0]
        if other is None:
            db.execute("delete from observations where id = ?", [observation_id])
        else:
            db.execute(
                "update observations set article_id = ?, outlet = (select outlet from articles where id = ?)"
                " where id = ? and article_id = ?",
                [other, other, observation_id, article_id],
            )
    refresh(db, [i for i in ids if _exists(db, i)])


def _exists(db: Database, observation_id: int) -> bool:
    return db.execute("select 1 from observations where id = ?", [observation_id]).fetchone() is not None


def previous(db: Database, obs: StoredObservation, window: int) -> StoredObservation | None:
    """The statement of the same series (metric, currency, unit) before this one: the latest one drawn
    at or before it, ``window`` seconds back at most (0: any time)."""
    since = ""
    if window:
        since = (date.fromisoformat(obs.observed[:10]) - timedelta(seconds=window)).isoformat()
    row = db.execute(
        f"select {_COLUMNS} from observations where metric = ? and coalesce(currency, '') = ?"
        " and coalesce(unit, '') = ? and value is not null and id != ?"
        " and (observed < ? or (observed = ? and id < ?)) and observed >= ?"
        " order by observed desc, id desc limit 1",
        [obs.metric, obs.currency or "", obs.unit or "", obs.id, obs.observed, obs.observed, obs.id, since],
    ).fetchone()
    return _stored(row) if row else None


def period_known(db: Database, obs: StoredObservation) -> bool:
    """True when another statement already gave this metric a value for the same period."""
    row = db.execute(
        "select 1 from observations where metric = ? and coalesce(period, '') = ? and id < ? limit 1",
        [obs.metric, obs.period or "", obs.id],
    ).fetchone()
    return row is not None


def count(db: Database) -> int:
    return int(db.execute("select count(*) from observations").fetchone()[0])


def article_facts(db: Database, article_id: int) -> tuple[int, Source, str] | None:
    """(story id, the article as a statement's source, its URL), for re-reading its numbers."""
    row = db.execute(
        "select story_id, coalesce(outlet, ''), coalesce(published, fetched), lang, url from articles"
        " where id = ?",
        [article_id],
    ).fetchone()
    if row is None:
        return None
    return int(row[0] or 0), Source(row[1], row[2], row[3]), str(row[4] or "")


# One metric's points for its chart (read by the Datasette plugin): the newest 1,000, no article text.
SERIES_POINTS = (
    "select id as observation_id, observed, value, value_high, currency, unit, period, outlet, sentence"
    " from observations where metric = :metric and value is not null"
    " order by observed desc, id desc limit 1000"
)
