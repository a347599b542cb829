"""The security suite's shared parts: one real Datasette over the hostile database, and a crawler."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

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
        """Every served page: home, database, each visible table and canned query in HTML, JSON and
        CSV, each article and story page, and each Atom feed."""
        listing = self.get(f"/{DATABASE}.json").json()
        tables = [t["name"] for t in listing["tables"] if not t.get("hidden")] + [
            v["name"] for v in listing.get("views", [])
        ]
        queries = [q["name"] for q in listing["queries"]]
        pages: list[tuple[str, dict[str, str]]] = [("/", {}), (f"/{DATABASE}", {})]
        for name in tables:
            for suffix in ("", ".json", ".csv"):
                pages.append((f"/{DATABASE}/{name}{suffix}", {"_size": "max"}))
        for name in queries:
            for suffix in ("", ".json", ".csv"):
                pages.append((f"/{DATABASE}/{name}{suffix}", QUERY_PARAMS.get(name, {})))
        for name in ATOM_QUERIES:
            pages.append((f"/{DATABASE}/{name}.atom", QUERY_PARAMS.get(name, {})))
        for table in ("articles", "stories", "sources"):
            for row in self.get(f"/{DATABASE}/{table}.json", _shape="array", _size="max").json():
                key = row.get("id", row.get("name"))
                pages.append((f"/{DATABASE}/{table}/{key}", {}))
                pages.append((f"/{DATABASE}/{table}/{key}.json", {}))
        return pages


@pytest.fixture(scope="package")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("hostile")
    db_path = folder / f"{DATABASE}.db"
    hostile.build(db_path).close()
    with demo.running(demo.config(folder), db_path) as base:
        site = Site(base, db_path)
        yield site
        site.client.close()
