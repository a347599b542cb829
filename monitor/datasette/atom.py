"""Atom feeds of any list people subscribe to: named after the query, tag or search, never a 500.

Replaces datasette-atom's renderer (same ``.atom`` extension, same ``atom_*`` columns) because
that one titles every feed with the raw SQL or the query's generic title and fails on a date
without a time zone. Here a feed is titled by what it lists ("dysprosium", "search: rare-earth
magnets"), any stored date form is read, and an unreadable one falls back to the feed's time.
Entry content is plain text (feedgen escapes it): nothing from an article becomes markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

from feedgen.feed import FeedGenerator

from monitor.links import safe_url
from monitor.sources.dates import iso_utc

REQUIRED = frozenset({"atom_id", "atom_title", "atom_updated"})
SITE = "Rare Earth Monitor"
# Filter arguments of table views that say what a feed is about, and how to name them.
_NAMED_FILTERS = {
    "tags__arraycontains": "{}",
    "categories__arraycontains": "{}",
    "first_outlet": "first at {}",
    "outlet": "{}",
    "_search": "search: {}",
    "q": "search: {}",
    "tag": "{}",
    "category": "{}",
}
_TABLE_NAMES = {"front_page": "stories", "article_list": "articles"}


def can_render(columns: Iterable[str]) -> bool:
    return REQUIRED.issubset(set(columns))


def feed_title(
    query_title: str | None, table: str | None, args: Sequence[tuple[str, str]], query_name: str | None
) -> str:
    """``Rare Earth Monitor: dysprosium`` — after the tag, search or filter the list was made of."""
    about = [_NAMED_FILTERS[k].format(v) for k, v in args if k in _NAMED_FILTERS and v.strip()]
    base = query_title or _TABLE_NAMES.get(table or "", table or query_name or "feed")
    if about:
        return f"{SITE}: {', '.join(about)} ({base.lower() if query_title else base})"
    return f"{SITE}: {base}"


def _moment(value: Any) -> datetime | None:
    utc = iso_utc(str(value)) if value else None
    return datetime.fromisoformat(utc) if utc else None


def _own_page(database_url: str, atom_id: Any) -> str | None:
    """The monitor's page of an entry (``story:7`` -> ``<database>/stories/7``)."""
    kind, _, number = str(atom_id).partition(":")
    path = {"article": "articles", "story": "stories", "observation": "observations"}.get(kind)
    return urljoin(database_url.rstrip("/") + "/", f"{path}/{number}") if path and number.isdigit() else None


def build(
    url: str,
    title: str,
    rows: Sequence[Mapping[str, Any]],
    columns: Iterable[str],
    database_url: str | None = None,
) -> bytes:
    """The Atom document for the rows, in the order the list has them (newest first).

    ``database_url`` is the database's page (an entry without a safe link links to its page there);
    by default the directory of the feed's URL, right for ``/db/query.atom`` and ``/db/table.atom``
    but not for ``/db.atom?sql=`` (custom SQL)."""
    database_url = database_url or urljoin(url, ".")
    columns = set(columns)
    fallback = datetime.now(UTC).replace(microsecond=0)
    fg = FeedGenerator()
    fg.id(url)
    fg.title(title)
    fg.link(href=url, rel="self")
    fg.generator(SITE)
    times = [t for t in (_moment(r["atom_updated"]) for r in rows) if t is not None]
    fg.updated(max(times) if times else fallback)
    for row in rows:  # newest first, as listed
        entry = fg.add_entry()
        entry.id(str(row["atom_id"]))
        entry.title(str(row["atom_title"] or "(untitled)"))
        entry.updated(_moment(row["atom_updated"]) or fallback)
        published = _moment(row["atom_updated"])
        if published is not None:
            entry.published(published)
        link = row["atom_link"] if "atom_link" in columns else None
        # A javascript: or data: link is never emitted: such an entry links to its page in the monitor.
        safe = safe_url(link) or _own_page(database_url, row["atom_id"])
        if safe:
            entry.link(href=safe)
        if "atom_author_name" in columns and row["atom_author_name"]:
            entry.author({"name": str(row["atom_author_name"])})
        if "atom_content" in columns and row["atom_content"]:
            entry.content(str(row["atom_content"]), type="text")
    data: bytes = fg.atom_str(pretty=True)
    return data
