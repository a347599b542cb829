"""The security suite's shared parts: one real Datasette over the hostile database, and a crawler."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from monitor.links import tilde_encode
from tests import demo_db as demo
from tests.security import hostile

DATABASE = "news"
# Parameters for each canned query, so every one of them is crawled with rows to show.
QUERY_PARAMS: dict[str, dict[str, str]] = {
    "tag_latest": {"tag": "dysprosium"},
    "search_feed": {"q": "dysprosium"},
    "tag_trend": {"category": "", "tag": ""},
    "element_themes": {"element": ""},
    "element_themes_sentences": {"element": ""},
    "alerts_by_status": {"status": ""},
}
ATOM_QUERIES = ("latest", "tag_latest", "search_feed", "top_stories")


class Site:
    """A running Datasette, and every page a visitor can reach on it."""

    def __init__(self, base: str, db_path: Path) -> None:
        self.base, self.db_path = base, db_path
        self.client = httpx.Client(base_url=base, timeout=60)

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.client.get(path, params=params or None)

    def pages(self) -> list[tuple[str, dict[str, str]]]:
        """Every served page: home, database, each visible table, view and canned query in HTML, JSON
        and CSV (and Atom where it has the atom columns), and every row page of every table."""
        listing = self.get(f"/{DATABASE}.json").json()
        tables = [t for t in listing["tables"] if not t.get("hidden")]
        lists = [t["name"] for t in tables] + [v["name"] for v in listing.get("views", [])]
        queries = [q["name"] for q in listing["queries"]]
        pages: list[tuple[str, dict[str, str]]] = [("/", {}), (f"/{DATABASE}", {})]
        for name in lists:
            for suffix in ("", ".json", ".csv", *((".atom",) if self._has_atom(name, {}) else ())):
                pages.append((f"/{DATABASE}/{name}{suffix}", {"_size": "max"}))
        for name in queries:
            params = QUERY_PARAMS.get(name, {})
            for suffix in ("", ".json", ".csv", *((".atom",) if self._has_atom(name, params) else ())):
                pages.append((f"/{DATABASE}/{name}{suffix}", params))
        for table in tables:
            for key in self._row_keys(table["name"], table.get("primary_keys") or []):
                pages.append((f"/{DATABASE}/{table['name']}/{key}", {}))
                pages.append((f"/{DATABASE}/{table['name']}/{key}.json", {}))
        return pages

    def _has_atom(self, name: str, params: dict[str, str]) -> bool:
        columns = self.get(f"/{DATABASE}/{name}.json", **params, _size="1").json()["columns"]
        return {"atom_id", "atom_title", "atom_updated"} <= set(columns)

    def _row_keys(self, table: str, keys: list[str]) -> list[str]:
        rows = self.get(f"/{DATABASE}/{table}.json", _shape="array", _size="max").json()
        keys = keys or ["rowid"]
        return [",".join(tilde_encode(str(row[k])) for k in keys) for row in rows]


@pytest.fixture(scope="package")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("hostile")
    db_path = folder / f"{DATABASE}.db"
    hostile.build(db_path).close()
    with demo.running(demo.config(folder), db_path) as base:
        site = Site(base, db_path)
        yield site
        site.client.close()
