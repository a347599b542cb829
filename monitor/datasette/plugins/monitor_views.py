"""Datasette plugin (loaded with ``--plugins-dir``): readable cells, article and story extras, CSS.

Hooks only; parsing and HTML building live in :mod:`monitor.datasette.markup` (pure, tested).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from datasette import hookimpl as _datasette_hookimpl
from markupsafe import Markup, escape

from monitor.datasette import markup as render

_Hook = TypeVar("_Hook", bound=Callable[..., Any])


def hookimpl(function: _Hook) -> _Hook:
    """Datasette's (untyped) hookimpl marker, keeping the hook's signature for mypy."""
    return cast(_Hook, _datasette_hookimpl(function))


TREND_QUERY = "tag_trend"
TREND_CHART = ("g.mark=line&g.x_column=week&g.x_type=temporal&g.y_column=articles"
               "&g.y_type=quantitative&g.color_column=tag")


@hookimpl
def extra_css_urls(datasette: Any) -> list[str]:
    return [datasette.urls.path("/static-monitor/monitor.css")]


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any) -> Any:
    """HTML for the cells people read; None leaves Datasette's own (escaped) rendering."""
    keys = set(row.keys())
    if column == "title" and "url" in keys:
        return render.link(row["url"], value)
    if column in render.TAG_COLUMNS or (column == "flags" and table != "articles"):
        href = datasette.urls.table(database, "article_list")
        return render.chips(render.tag_list(value), href, "flags" if column == "flags" else column)
    if column in render.JSON_LIST_COLUMNS:
        return escape(", ".join(render.json_list(value)))
    if column == "removed":
        return render.removed_list(render.removed_lines(value))
    if column == "text" and isinstance(value, str):
        return escape(render.snippet(value))
    if column in ("url", "atom_link", "location"):
        return render.link(value, value) if render.safe_url(value) else None
    return _id_link(row, keys, value, column, table, database, datasette)


def _id_link(row: Any, keys: set[str], value: Any, column: str, table: str | None, database: str,
             datasette: Any) -> Markup | None:
    # Views and canned queries have no foreign-key links of their own: add the ones people follow.
    if not isinstance(value, int):
        return None
    target = None
    if column == "id" and (table == "article_list" or (table is None and "published" in keys)):
        target = "articles"
    elif column == "id" and table is None and "outlets" in keys:
        target = "stories"
    elif table is None or table == "article_list":
        target = {"article_id": "articles", "story_id": "stories", "first_article_id": "articles"}.get(column)
    if target is None:
        return None
    return Markup('<a href="{}">{}</a>').format(datasette.urls.row(database, target, str(value)), value)


@hookimpl
def extra_template_vars(view_name: str, table: str | None, database: str | None, request: Any,
                        datasette: Any) -> Any:
    """The render helpers everywhere; on article and story pages also their tags, story and copies."""
    if view_name != "row" or table not in ("articles", "stories") or database is None or request is None:
        return {"monitor_render": render}

    async def inner() -> dict[str, Any]:
        pk = _int_pk(request)
        if pk is None:
            return {"monitor_render": render}
        db = datasette.get_database(database)
        if table == "articles":
            return {"monitor_extra": await _article_extras(db, pk), "monitor_render": render}
        return {"monitor_extra": await _story_extras(db, pk), "monitor_render": render}

    return inner


def _int_pk(request: Any) -> int | None:
    raw = str(request.url_vars.get("pks", ""))
    return int(raw) if raw.isdigit() else None


async def _rows(db: Any, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    return [dict(row) for row in (await db.execute(sql, params)).rows]


async def _article_extras(db: Any, article_id: int) -> dict[str, Any]:
    tags = await _rows(db, "select t.tag, coalesce(g.label, t.tag) as label, t.count, t.snippet, t.in_title"
                       " from article_tags t left join tags g on g.tag = t.tag where t.article_id = ?"
                       " order by t.count desc, t.tag", [article_id])
    story = await _rows(db, "select s.* from stories s join articles a on a.story_id = s.id where a.id = ?",
                        [article_id])
    copies = await _rows(db, "select outlet, url, seen from copies where article_id = ? order by seen",
                         [article_id])
    siblings = await _rows(db, "select id, title, outlet, url, coalesce(published, fetched) as published"
                           " from articles where story_id = (select story_id from articles where id = ?)"
                           " and id != ? order by published", [article_id, article_id])
    return {"tags": tags, "tag_names": [t["tag"] for t in tags], "story": story[0] if story else None,
            "copies": copies, "siblings": siblings}


async def _story_extras(db: Any, story_id: int) -> dict[str, Any]:
    articles = await _rows(db, "select id, title, outlet, url, coalesce(published, fetched) as published"
                           " from articles where story_id = ? order by published", [story_id])
    copies = await _rows(db, "select c.outlet, c.url, c.seen, c.article_id from copies c join articles a"
                         " on a.id = c.article_id where a.story_id = ? order by c.seen", [story_id])
    return {"articles": articles, "copies": copies}


@hookimpl
def extra_body_script(template: str, view_name: str, request: Any) -> str | None:
    """Open the trend query as a line chart (datasette-vega reads its settings from the URL hash)."""
    if request is None or not request.path.rstrip("/").endswith("/" + TREND_QUERY):
        return None
    return f'if (!location.hash) {{ history.replaceState(null, "", "#{TREND_CHART}"); }}'
