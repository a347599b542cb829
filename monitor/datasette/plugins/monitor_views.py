"""Datasette plugin (loaded with ``--plugins-dir``): readable cells, article and story extras, CSS.

Hooks only; parsing and HTML building live in :mod:`monitor.datasette.markup` (pure, tested).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar, cast
from urllib.parse import urlencode, urljoin

from datasette import hookimpl as _datasette_hookimpl
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from monitor.datasette import atom, chart
from monitor.datasette import markup as render
from monitor.numbers.metrics import labels as metric_labels
from monitor.search import register_sql_functions
from monitor.store import observations, stories

_Hook = TypeVar("_Hook", bound=Callable[..., Any])


def hookimpl(function: _Hook) -> _Hook:
    """Datasette's (untyped) hookimpl marker, keeping the hook's signature for mypy."""
    return cast(_Hook, _datasette_hookimpl(function))


def hookimpl_last(function: _Hook) -> _Hook:
    """A hook that runs after Datasette's own and other plugins' (so what it sets wins)."""
    return cast(_Hook, _datasette_hookimpl(trylast=True)(function))


@hookimpl_last
def prepare_connection(conn: sqlite3.Connection) -> None:
    """One search translator for every box: Datasette's table search calls ``escape_fts``, which this
    replaces (it runs after Datasette registered its own); canned queries call ``monitor_fts``."""
    register_sql_functions(conn)


@hookimpl_last
def register_output_renderer(datasette: Any) -> dict[str, Any]:
    """``.atom`` on every list with ``atom_*`` columns (replaces datasette-atom's renderer)."""
    return {"extension": "atom", "render": _render_atom, "can_render": atom.can_render}


def _render_atom(datasette: Any, request: Any, columns: list[str], rows: list[Any], database: str,
                 table: str | None, query_name: str | None) -> Response:
    if not atom.can_render(columns):
        return Response.text("This list has no atom_id, atom_title and atom_updated columns.", status=400)
    query_title = None
    if query_name:
        queries = (datasette.metadata(database=database) or {}).get("queries") or {}
        query_title = (queries.get(query_name) or {}).get("title")
    args = _args(request)
    title = atom.feed_title(query_title, table, args, query_name)
    database_url = urljoin(request.url, datasette.urls.database(database) + "/")
    rows_as_dicts = [dict(zip(columns, row, strict=False)) for row in rows]
    body = atom.build(request.url, title, rows_as_dicts, columns, database_url)
    return Response(body, content_type="application/atom+xml; charset=utf-8")


TREND_QUERY = "tag_trend"
TREND_CHART = ("g.mark=line&g.x_column=week&g.x_type=temporal&g.y_column=stories"
               "&g.y_type=quantitative&g.color_column=tag")


@hookimpl
def extra_css_urls(datasette: Any) -> list[str]:
    return [datasette.urls.path("/static-monitor/monitor.css")]


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any) -> Any:
    """HTML for the cells people read; None leaves Datasette's own (escaped) rendering."""
    keys = row.keys()
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
    if column in ("excerpt", "snippet") and isinstance(value, str) and render.MARK_OPEN in value:
        return render.marked(value)
    if column in render.DATE_COLUMNS and isinstance(value, str):
        return render.when(value)
    if column == "metric" and isinstance(value, str) and table != SERIES_QUERY:
        href = datasette.urls.table(database, SERIES_QUERY) + "?" + urlencode({"metric": value})
        return Markup('<a href="{}">{}</a>').format(href, value)
    if column in ("url", "atom_link", "location"):
        return render.link(value, value) if render.safe_url(value) else None
    return _id_link(row, keys, value, column, table, database, datasette)


def _id_link(row: Any, keys: list[str], value: Any, column: str, table: str | None, database: str,
             datasette: Any) -> Markup | None:
    # Views and canned queries have no foreign-key links of their own: add the ones people follow.
    if not isinstance(value, int):
        return None
    target = None
    story_rows = table == "front_page" or (table is None and ("carried_by" in keys or "outlets" in keys))
    if column == "id" and story_rows:
        target = "stories"
    elif column == "id" and (table == "article_list" or (table is None and "published" in keys)):
        target = "articles"
    elif table is None or table in ("article_list", "front_page", "latest_numbers", "observations"):
        target = {"article_id": "articles", "story_id": "stories", "first_article_id": "articles",
                  "observation_id": "observations"}.get(column)
    if target is None:
        return None
    return Markup(f'<a href="{escape(datasette.urls.row(database, target, str(value)))}">{value}</a>')


@hookimpl
def extra_template_vars(view_name: str, table: str | None, database: str | None, request: Any,
                        datasette: Any) -> Any:
    """The render helpers everywhere; on article and story pages also their tags, story and copies."""
    if view_name == "table" and table == "front_page" and request is not None:
        path = request.path
        args = _args(request)
        return {"monitor_render": render,
                "monitor_front": {"windows": render.time_filters(path, args, datetime.now(UTC)),
                                  "args": dict(args), "path": path, "pairs": args}}
    if request is not None and database is not None and request.path.rstrip("/").endswith("/" + SERIES_QUERY):
        return _series_chart(datasette, database, request)
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


SERIES_QUERY = "metric_series"


def _series_chart(datasette: Any, database: str, request: Any) -> Any:
    """The metric page (the ``metric_series`` query): its chart, drawn here as inline SVG."""

    async def inner() -> dict[str, Any]:
        metric = str(request.args.get("metric") or "")
        if not metric:
            return {"monitor_render": render}
        db = datasette.get_database(database)
        rows = await _rows(db, observations.SERIES_POINTS, {"metric": metric})

        def href(observation_id: int) -> str:
            return str(datasette.urls.row(database, "observations", str(observation_id)))

        drawn = chart.chart(metric, rows, href)
        label = metric_labels().get(metric)
        return {"monitor_render": render, "monitor_chart": drawn, "monitor_metric": metric,
                "monitor_metric_label": label}

    return inner


def _args(request: Any) -> list[tuple[str, str]]:
    """The query string as (key, value) pairs, repeated keys kept."""
    return [(key, value) for key in request.args for value in request.args.getlist(key)]


def _int_pk(request: Any) -> int | None:
    raw = str(request.url_vars.get("pks", ""))
    return int(raw) if raw.isdigit() else None


async def _rows(db: Any, sql: str, params: Any) -> list[dict[str, Any]]:
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
    # Every copy (articles and exact copies elsewhere) in publication order: who had it first.
    copies = await _rows(db, stories.COPIES_IN_ORDER, {"story": story_id})
    return {"articles": articles, "copies": copies}


@hookimpl
def extra_body_script(template: str, view_name: str, request: Any) -> str | None:
    """Open the trend query as a line chart (datasette-vega reads its settings from the URL hash)."""
    if request is None or not request.path.rstrip("/").endswith("/" + TREND_QUERY):
        return None
    return f'if (!location.hash) {{ history.replaceState(null, "", "#{TREND_CHART}"); }}'
