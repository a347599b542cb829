"""datasette-metadata.json against the real schema, and the Datasette command line monitor.serve builds."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil  # type: ignore[import-untyped]
import pytest
from sqlite_utils import Database

from monitor import serve
from monitor.datasette import bounded
from monitor.search import register_sql_functions
from monitor.store.db import open_db
from tests import demo_db as demo

METADATA = json.loads(serve.METADATA_PATH.read_text(encoding="utf-8"))
TABLES = METADATA["databases"]["monitor"]["tables"]
QUERIES = METADATA["databases"]["monitor"]["queries"]
FTS_SHADOWS = ("_data", "_idx", "_docsize", "_config", "_content")


def _schema(db: Database) -> dict[str, list[str]]:
    names = [*db.table_names(), *db.view_names()]
    shadows = {f"{fts}{suffix}" for fts in names if fts.endswith("_fts") for suffix in FTS_SHADOWS}
    return {name: [c.name for c in db[name].columns] for name in names if name not in shadows}


def test_every_table_and_column_is_described(fresh_db: Database) -> None:
    missing = [
        f"{table}.{column}" if column else table
        for table, columns in _schema(fresh_db).items()
        for column in [None, *columns]
        if not (TABLES.get(table, {}).get("description") if column is None
                else TABLES.get(table, {}).get("columns", {}).get(column))
    ]
    assert not missing, f"describe these in datasette-metadata.json: {missing}"


def test_metadata_describes_nothing_that_does_not_exist(fresh_db: Database) -> None:
    schema = _schema(fresh_db)
    stale = [f"{table}.{column}" for table, meta in TABLES.items() for column in meta.get("columns", {})
             if column not in schema.get(table, [])]
    assert not stale


@pytest.mark.parametrize("hidden", ["_sqlite_migrations", "articles_fts", "article_bands", "seen", "pages",
                                    "mentions", "state"])
def test_internal_tables_are_hidden(hidden: str) -> None:
    assert TABLES[hidden]["hidden"] is True


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_canned_query_is_valid_sql_with_a_title(fresh_db: Database, name: str) -> None:
    query = QUERIES[name]
    assert query["title"] and (query.get("description") or query.get("description_html"))
    register_sql_functions(fresh_db.conn)  # what the plugin gives Datasette's connections
    names = ("tag", "q", "category", "element", "status", "order", "metric")
    params = {p: "" for p in names if f":{p}" in query["sql"]}
    if "q" in params:
        params["q"] = "dysprosium"
    bounded.register(fresh_db.conn)  # the SQL functions the Datasette plugin adds
    fresh_db.execute(query["sql"], params).fetchall()  # raises on a typo or a missing column


@pytest.mark.parametrize("name", ["latest", "tag_latest", "search_feed", "top_stories"])
def test_article_queries_carry_atom_columns(fresh_db: Database, name: str) -> None:
    sql = QUERIES[name]["sql"]
    register_sql_functions(fresh_db.conn)
    bounded.register(fresh_db.conn)
    columns = {d[0] for d in fresh_db.execute(sql, {"tag": "", "q": "x", "order": ""}).description}
    assert {"atom_id", "atom_title", "atom_updated", "atom_link", "atom_content"} <= columns


@pytest.mark.parametrize(
    ("allow_sql", "expected"),
    [(False, "off"), (True, "on")],
)
def test_args_are_safe_and_follow_allow_sql(tmp_path: Path, allow_sql: bool, expected: str) -> None:
    cfg = demo.config(tmp_path, 8123, allow_sql=allow_sql)
    args = serve.datasette_args(cfg, tmp_path / "news.db")
    settings = dict(itertools.pairwise(args))
    assert args[:4] == [sys.executable, "-m", "datasette", "serve"]
    assert "-i" not in args and "--immutable" not in args and "--secret" not in args
    assert settings["--host"] == "127.0.0.1" and settings["--port"] == "8123"
    pairs = {args[i + 1]: args[i + 2] for i, a in enumerate(args) if a == "--setting"}
    assert pairs["default_allow_sql"] == expected
    assert pairs["allow_download"] == "off" and pairs["allow_csv_stream"] == "off"
    written = json.loads(Path(settings["--metadata"]).read_text(encoding="utf-8"))
    assert written["allow_sql"] is allow_sql and written["databases"]["news"]["allow_sql"] is allow_sql
    assert "monitor" not in written["databases"]


@pytest.mark.parametrize(
    ("public_url", "base_url", "home_link"),
    [("http://127.0.0.1:8001", None, 'href="/monitor/latest"'),
     ("https://example.org/news/", "/news/", 'href="/news/monitor/latest"'),
     ("https://example.org/news", "/news/", 'href="/news/monitor/latest"')],
)
def test_public_url_path_becomes_base_url(tmp_path: Path, public_url: str, base_url: str | None,
                                          home_link: str) -> None:
    cfg = demo.config(tmp_path, 8123)
    cfg = type(cfg)(path=cfg.path, monitor=type(cfg.monitor)(public_url=public_url), fetch=cfg.fetch,
                    serve=cfg.serve, sources=())
    assert serve.settings(cfg).get("base_url") == base_url
    assert home_link in serve.effective_metadata(cfg, "monitor")["description_html"]


@pytest.mark.parametrize(("given", "kept"), [({}, False), ({"DATASETTE_SECRET": ""}, False),
                                             ({"DATASETTE_SECRET": "s3cret"}, True)])
def test_child_env_always_has_a_secret(given: dict[str, str], kept: bool) -> None:
    env = serve.child_env(given)
    assert len(env["DATASETTE_SECRET"]) >= 32 or kept
    assert (env["DATASETTE_SECRET"] == "s3cret") is kept


def test_start_creates_a_missing_database(tmp_path: Path) -> None:
    db_path = tmp_path / "fresh" / "monitor.db"
    with demo.running(demo.config(tmp_path), db_path) as base:
        import httpx

        assert httpx.get(f"{base}/monitor/article_list.json").status_code == 200
    db = open_db(db_path)
    assert "article_list" in db.view_names()
    db.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux only")
def test_datasette_dies_with_its_parent(tmp_path: Path) -> None:
    demo.build(tmp_path / "monitor.db").close()
    parent_code = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from monitor import serve
        from tests import demo_db as demo
        child = serve.start(demo.config(Path({str(tmp_path)!r})), Path({str(tmp_path / "monitor.db")!r}))
        print(child.pid, flush=True)
        time.sleep(60)
    """)
    with subprocess.Popen([sys.executable, "-c", parent_code], stdout=subprocess.PIPE, text=True,
                          stderr=subprocess.DEVNULL) as parent:
        assert parent.stdout is not None
        child_pid = int(parent.stdout.readline())
        os.kill(parent.pid, signal.SIGKILL)  # no cleanup code runs: only the kernel can stop the child
    child = psutil.Process(child_pid) if psutil.pid_exists(child_pid) else None
    deadline = time.monotonic() + 15
    while child is not None and child.is_running() and child.status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline, "Datasette outlived its parent"
        time.sleep(0.05)
