"""Every link to the monitor's own pages comes from monitor.links and matches Datasette's routes."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor import config as config_module
from monitor import links


@pytest.mark.parametrize("name", ["monitor", "app", "news.desk", "my data", "ünï", "a~b"])
def test_tilde_encode_is_datasettes(name: str) -> None:
    from datasette.utils import tilde_encode

    assert links.tilde_encode(name) == tilde_encode(name)


@pytest.mark.parametrize(
    ("public_url", "db", "expected"),
    [
        ("http://127.0.0.1:8001", "/var/lib/monitor/monitor.db", "http://127.0.0.1:8001/monitor"),
        ("http://127.0.0.1:8001/", "data/app.db", "http://127.0.0.1:8001/app"),
        ("https://example.org/news/", "news.desk.db", "https://example.org/news/news~2Edesk"),
        ("https://example.org/news", "x.db", "https://example.org/news/x"),
    ],
)
def test_database_url(public_url: str, db: str, expected: str) -> None:
    assert links.database_url(public_url, db) == expected
    assert links.article_url(expected, 7) == f"{expected}/articles/7"
    assert links.story_url(expected + "/", 3) == f"{expected}/stories/3"


@pytest.mark.parametrize(
    ("host", "port", "expected"),
    [("127.0.0.1", 8001, "http://127.0.0.1:8001"), ("0.0.0.0", 9000, "http://127.0.0.1:9000"),
     ("::", 8001, "http://[::1]:8001"), ("::1", 8002, "http://[::1]:8002"), ("news.lan", 80, "http://news.lan:80")],
)
def test_public_url_follows_host_and_port(host: str, port: int, expected: str) -> None:
    assert links.default_public_url(host, port) == expected


def test_config_links_follow_the_database_and_overrides(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text('[monitor]\ndb = "app.db"\n[serve]\nport = 8002\n')
    config = config_module.load(path)
    assert config.database_url == "http://127.0.0.1:8002/app"
    moved = config_module.load(path, config_module.Overrides(port=8100, db=tmp_path / "b.db"))
    assert moved.database_url == "http://127.0.0.1:8100/b"
    path.write_text('[monitor]\ndb = "app.db"\npublic_url = "https://desk.example/re/"\n')
    assert config_module.load(path, config_module.Overrides(port=8100)).database_url == \
        "https://desk.example/re/app"
