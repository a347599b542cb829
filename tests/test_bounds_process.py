"""Bounded work and polite writers, as real processes.

- the daemon keeps sending WATCHDOG=1 to a real NOTIFY_SOCKET listener while it processes
  big documents (parsing runs off the event loop);
- two ``monitor ingest`` at once, and ``ingest`` beside ``monitor run``: every article stored
  once, no traceback; a writer kept waiting past ``write_wait`` exits with one line;
- ``ingest`` of a 50 MB file (cut, flagged, logged) and of a binary file (refused, reason).
"""

from __future__ import annotations

import gzip
import itertools
import os
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from monitor.store.db import open_db
from tests.servers import Reply, serve
from tests.test_bounds import big_feed
from tests.test_daemon_process import Daemon, NotifySocket, Workspace, count, notify, write_articles

pytestmark = pytest.mark.slow
__all__ = ["notify"]  # the fixture, imported to be used here


def monitor(*args: str, config: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "monitor", "--config", str(config), *args],
        capture_output=True, text=True, timeout=timeout, check=False,
        env={**os.environ, "NOTIFY_SOCKET": ""},
    )


def workspace_at(tmp_path: Path, extra: str = "") -> Workspace:
    ws = Workspace(tmp_path, tmp_path / "feeds.toml", tmp_path / "monitor.db", tmp_path / "articles")
    ws.config.write_text(f'[monitor]\ndb = "{ws.db}"\n{extra}', encoding="utf-8")
    return ws


def test_watchdog_keeps_its_rhythm_while_a_big_document_is_processed(
    tmp_path: Path, notify: NotifySocket
) -> None:
    with serve() as server:
        feed = big_feed(19_000_000, server.url(""))
        headers = {"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"}
        server.routes["/feed"] = Reply(200, headers, gzip.compress(feed, 1))
        # The parse cap raised to the whole feed, so parsing it costs many seconds (the default
        # cap makes it cheap): what keeps the watchdog's rhythm here is parsing off the event loop.
        ws = workspace_at(tmp_path, "max_parse_bytes = 20000000\n\n[fetch]\nmin_delay = 0\n"
                          f'respect_robots = false\n\n[[source]]\nname = "big"\nkind = "rss"\n'
                          f'url = "{server.url("/feed")}"\nallow_private = true\nfetch_pages = false\n')
        daemon = Daemon(ws, notify)  # WATCHDOG_USEC=2 s: a WATCHDOG=1 every second
        try:
            notify.wait_for("READY=1")
            received: list[float] = []  # when each WATCHDOG=1 arrived after the feed was sent
            sent: float | None = None
            deadline = time.monotonic() + 240
            while not ws.db.exists() or count(ws.db, "select count(*) from articles") < 100:
                assert time.monotonic() < deadline, f"feed not stored:\n{daemon.stderr()[-3000:]}"
                assert daemon.process.poll() is None, daemon.stderr()[-3000:]
                if sent is None and server.hits("/feed"):
                    sent = time.monotonic()
                notify.sock.settimeout(0.1)
                try:
                    message = notify.sock.recv(4096).decode()
                except TimeoutError:
                    continue
                if "WATCHDOG=1" in message and sent is not None:
                    received.append(time.monotonic())
            finished = time.monotonic()
        finally:
            daemon.kill()
    assert "feed_truncated" not in daemon.stderr()
    # Parsed on the loop, the feed held it for many seconds: no WATCHDOG=1 at all meanwhile.
    # Generous bounds: at least one ping in every 5 s of the processing (pings are 1 s apart).
    assert sent is not None
    moments = [sent, *received, finished]
    gaps = [round(b - a, 1) for a, b in itertools.pairwise(moments)]
    assert len(received) >= int((finished - sent) / 5) and all(gap < 5 for gap in gaps), gaps


def test_two_ingests_at_once_store_every_article_once(tmp_path: Path) -> None:
    ws = workspace_at(tmp_path)
    write_articles(ws.articles, 120)
    write_articles(tmp_path / "more", 120, start=500)
    command = [sys.executable, "-m", "monitor", "--config", str(ws.config), "ingest"]
    started = [
        subprocess.Popen([*command, str(path)], text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for path in (ws.articles, tmp_path / "more", ws.articles)  # the first directory twice
    ]
    results = [(p.wait(300), *p.communicate()) for p in started]
    for code, _, err in results:
        assert code == 0 and "Traceback" not in err and "locked" not in err, err[-2000:]
    assert count(ws.db, "select count(*) from articles") == 240
    assert count(ws.db, "select count(distinct canonical_url) from articles") == 240
    assert sum(int(out.split()[0]) for _, out, _ in results) == 240  # "N new, ...": each stored once


def test_ingest_while_the_daemon_runs_stores_everything(tmp_path: Path, notify: NotifySocket) -> None:
    ws = workspace_at(tmp_path)
    write_articles(ws.articles, 200)
    ws.write_config()  # a files source over the 200 articles: the daemon writes them as ingest runs
    write_articles(tmp_path / "more", 150, start=1000)
    daemon = Daemon(ws, notify)
    try:
        notify.wait_for("READY=1")
        result = monitor("ingest", str(tmp_path / "more"), config=ws.config)
        notify.wait_for("STATUS=1 sources, 350 articles", timeout=120)
    finally:
        daemon.kill()
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-2000:]
    assert result.stdout.startswith("150 new")
    assert count(ws.db, "select count(*) from articles") == 350
    assert "Traceback" not in daemon.stderr()


def test_a_writer_kept_waiting_exits_with_one_line(tmp_path: Path) -> None:
    ws = workspace_at(tmp_path, "write_wait = 1\n")
    write_articles(ws.articles, 3)
    open_db(ws.db).conn.close()  # creates and migrates the database (status no longer creates one)
    with closing(sqlite3.connect(ws.db, isolation_level=None)) as holder:
        holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        holder.execute("insert into state (key, value) values ('held', 'by a test')")
        started = time.monotonic()
        blocked = monitor("ingest", str(ws.articles), config=ws.config)
        waited = time.monotonic() - started
        holder.execute("ROLLBACK")
    assert blocked.returncode == 1 and "Traceback" not in blocked.stderr
    errors = [line for line in blocked.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "database busy" in errors[0] and "write_wait" in errors[0], blocked.stderr
    assert waited >= 1  # it did wait before giving up
    again = monitor("ingest", str(ws.articles), config=ws.config)
    assert again.returncode == 0 and again.stdout.startswith("3 new"), again.stderr


def test_ingest_cuts_a_50_mb_file_with_a_flag_and_refuses_a_binary_one(tmp_path: Path) -> None:
    ws = workspace_at(tmp_path)
    folder = tmp_path / "in"
    folder.mkdir()
    line = "Neodymium magnet exports rose again this quarter, the ministry said in its report.\n\n"
    with (folder / "huge.txt").open("w", encoding="utf-8") as handle:
        handle.write("Rare earth exports report\n\n")
        for _ in range(50_000_000 // len(line) + 1):
            handle.write(line)
    (folder / "photo.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 100)
    write_articles(folder, 2)
    result = monitor("ingest", str(folder), config=ws.config)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-2000:]
    assert result.stdout.strip() == "3 new, 0 copies, 0 known, 0 without text, 1 refused"
    assert "file_truncated" in result.stderr and "huge.txt" in result.stderr
    assert "file_refused" in result.stderr and "binary file (PNG image)" in result.stderr
    with closing(sqlite3.connect(ws.db)) as conn:
        [(truncated, length)] = conn.execute(
            "select truncated, length(text) from articles where url like '%huge.txt'").fetchall()
        assert conn.execute("select count(*) from articles where url like '%photo.html'").fetchone() == (0,)
    assert truncated == 1 and 0 < length <= 300_000
