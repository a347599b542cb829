"""Feed credentials stay in the config: not in the database file, its WAL, a log line, ``monitor
status``, or any page Datasette serves (HTML, JSON, CSV, Atom)."""

from __future__ import annotations

import json
import socket
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.redact import redact
from monitor.store.db import open_db
from tests.security import hostile
from tests.security.conftest import Site
from tests.servers import Reply, serve

pytestmark = pytest.mark.security
RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'


def leaks(data: bytes | str, secrets: tuple[str, ...] = hostile.SECRETS) -> list[str]:
    raw = data if isinstance(data, bytes) else data.encode()
    return [s for s in secrets if s.encode() in raw]


def file_leaks(db_path: Path, secrets: tuple[str, ...] = hostile.SECRETS) -> list[str]:
    found = []
    for path in (db_path, db_path.with_name(db_path.name + "-wal")):
        if path.exists():
            found += [f"{path.name}: {s}" for s in leaks(path.read_bytes(), secrets)]
    return found


def test_log_redaction_is_the_one_redaction() -> None:
    from monitor import log

    assert log.redact is redact
    assert redact(hostile.SECRET_URL) == "https://***@feeds.example/rss?apikey=***&page=1"
    assert redact(hostile.TOKEN_URL) == "https://news.example/feed?token=***"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://x.example/rss?auth_token=abc&page=2", "https://x.example/rss?auth_token=***&page=2"),
        ("https://x.example/rss?X-Amz-Signature=abc&a=1", "https://x.example/rss?X-Amz-Signature=***&a=1"),
        ("https://tok@x.example/rss", "https://***@x.example/rss"),
        ("GET https://x.example/?sessionid=s1 failed", "GET https://x.example/?sessionid=*** failed"),
        ("Authorization: Bearer abc.def", "Authorization: ***"),
        ("password: hunter2", "password: ***"),
        ("json://hooks.example/abc then mailto://u:p@m.example", "json://*** then mailto://***"),
        ("https://news.example/a?id=7&page=2", "https://news.example/a?id=7&page=2"),
    ],
)
def test_redaction_cases(text: str, expected: str) -> None:
    assert redact(text) == expected
    assert redact(redact(text)) == redact(text)  # idempotent: the migration may run twice


def test_no_served_page_shows_a_planted_secret(hostile_site: Site) -> None:
    pages = hostile_site.pages()
    assert any("/sources" in path for path, _ in pages) and any(".csv" in p for p, _ in pages)
    found = {}
    for path, params in pages:
        response = hostile_site.get(path, **params)
        assert response.status_code == 200, path
        if leaks(response.content):
            found[path] = leaks(response.content)
    assert found == {}
    # The source is still recognisable: its redacted URL is shown.
    sources = hostile_site.get("/news/sources.json", _shape="array").json()
    assert "https://***@feeds.example/rss?apikey=***&page=1" in {s["url"] for s in sources}


def test_the_database_file_and_its_wal_hold_no_secret(hostile_site: Site) -> None:
    assert file_leaks(hostile_site.db_path) == []


def test_an_old_database_is_redacted_by_the_migration(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = open_db(path)
    with db.conn:  # rows as the monitor wrote them before it redacted
        db.execute(
            "insert into sources (name, kind, url, redirect_url, last_error) values (?, 'rss', ?, ?, ?)",
            ["s", hostile.SECRET_URL, hostile.REDIRECT_URL, f"HTTP 500 from {hostile.TOKEN_URL}"],
        )
        db.execute(
            "insert into sources (name, kind, url, redirect_url) values ('plain', 'rss', ?, ?)",
            ["https://plain.example/rss", "https://plain.example/new-rss"],
        )
        db.execute(
            "insert into fetches (source, url, error) values ('s', ?, ?)",
            [hostile.SECRET_URL, f"cannot connect to {hostile.TOKEN_URL}"],
        )
        db.execute(
            "insert into health_events (created, kind, subject, message) values ('t', 'k', 's', ?)",
            [f"failing: {hostile.SECRET_URL}"],
        )
        db.execute("delete from _sqlite_migrations where name = 'm009_redact_source_urls'")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    assert file_leaks(path)  # the test can fail: the secrets are in the file before the migration

    db = open_db(path)

    rows = db.execute("select name, url, redirect_url, last_error from sources order by name").fetchall()
    assert rows == [
        ("plain", "https://plain.example/rss", "https://plain.example/new-rss", None),
        (
            "s",
            "https://***@feeds.example/rss?apikey=***&page=1",
            None,
            "HTTP 500 from https://news.example/feed?token=***",
        ),
    ]
    assert db.execute("select url from fetches").fetchone()[0] == redact(hostile.SECRET_URL)
    db.close()
    assert file_leaks(path) == []


def test_found_urls_that_inherited_a_feed_password_lose_it_on_upgrade(tmp_path: Path) -> None:
    from sqlite_utils import Database

    from monitor.store.migrations import migrations

    path = tmp_path / "old.db"
    old = Database(path)
    migrations.apply(old, stop_before="m012_found_urls_without_credentials")
    inherited = f"https://feeduser:{hostile.FEED_PASSWORD}@feeds.example/news/1"
    with old.conn:  # a relative link of the credentialed feed, resolved against its URL
        old.execute("insert into articles (id, url, canonical_url, fetched) values (1, ?, ?, 't')",
                    [inherited, inherited])
        old.execute("insert into copies (article_id, url) values (1, ?)", [inherited])
        old.execute("insert into seen (key, article_id) values (?, 1)", [inherited])
        old.execute("insert into entries (source, key, url, listed, updated) values ('s', 'k', ?, 't', 't')",
                    [inherited])
    old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    old.close()
    assert file_leaks(path)  # the test can fail

    db = open_db(path)
    clean = "https://feeds.example/news/1"
    assert db.execute("select url, canonical_url from articles").fetchone() == (clean, clean)
    assert [db.execute(f"select {c} from {t}").fetchone()[0] for t, c in
            [("copies", "url"), ("seen", "key"), ("entries", "url")]] == [clean] * 3
    db.close()
    assert file_leaks(path) == []


def test_relative_links_of_a_credentialed_feed_do_not_inherit_its_password() -> None:
    from monitor.sources.rss import parse_feed

    feed = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
            b"<item><title>a</title><link>/news/1</link></item>"
            b'<item><title>b</title><guid isPermaLink="true">2</guid></item></channel></rss>')
    urls = [e.url for e in parse_feed(feed, hostile.SECRET_URL)]
    assert urls == ["https://feeds.example/news/1", "https://feeds.example/2"]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_real_pass_keeps_feed_credentials_out_of_database_logs_and_status(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    with serve({"/rss": Reply(200, {"Content-Type": "application/rss+xml"}, RSS)}) as server:
        secret_url = (
            f"http://feeduser:{hostile.FEED_PASSWORD}@127.0.0.1:{server.port}/rss?apikey={hostile.API_KEY}"
        )
        down_url = f"http://127.0.0.1:{_closed_port()}/feed?token={hostile.TOKEN}"
        config = tmp_path / "feeds.toml"
        config.write_text(
            '[monitor]\ndb = "data/monitor.db"\nlog_level = "DEBUG"\n\n[fetch]\nmin_delay = 0.0\n\n'
            f'[[source]]\nname = "secret"\nkind = "rss"\nurl = "{secret_url}"\nallow_private = true\n\n'
            f'[[source]]\nname = "down"\nkind = "rss"\nurl = "{down_url}"\nallow_private = true\n'
        )
        runner = CliRunner()
        once = runner.invoke(cli, ["--config", str(config), "once"])
        status = runner.invoke(cli, ["--config", str(config), "status", "--json"])
        text = runner.invoke(cli, ["--config", str(config), "status"])
        requests = list(server.requests)
    assert once.exit_code == 0, once.output
    assert any("authorization" in {k.lower() for k in r.headers} for r in requests)  # the real URL was used
    captured = capfd.readouterr()
    output = once.output + status.output + text.output + captured.out + captured.err
    assert "secret" in output and leaks(output) == []
    db_path = tmp_path / "data" / "monitor.db"
    rows = (
        sqlite3.connect(db_path).execute("select name, url, last_error from sources order by name").fetchall()
    )
    assert rows[0][2] and "token=***" in rows[0][1]  # "down" failed and its error is kept, redacted
    assert json.loads(status.output)["sources"]
    assert file_leaks(db_path) == []
