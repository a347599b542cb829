"""The daemon's parts on their own: schedule arithmetic, sd_notify, the database lock, maintenance."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from monitor.errors import LockedError
from monitor.lock import DatabaseLock, lock_path
from monitor.schedule import (
    STARTUP_SPREAD,
    cron_trigger,
    first_run,
    jitter,
    misfire_grace,
    next_run,
    startup_spread,
)
from monitor.store.maintenance import KEEP_FETCHES_DAYS, maintain
from monitor.systemd import Notifier

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)  # a Monday


class FixedRandom(random.Random):
    """uniform(a, b) returns b: the latest a jittered run can be."""

    def uniform(self, a: float, b: float) -> float:
        return b


# Schedule -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored_due", "interval", "expected"),
    [
        ("2026-01-05T12:30:00+00:00", 3600, datetime(2026, 1, 5, 12, 30, tzinfo=UTC)),  # ahead: kept exactly
        ("2026-01-05T12:30:00", 3600, datetime(2026, 1, 5, 12, 30, tzinfo=UTC)),  # naive means UTC
        ("2026-01-05T11:00:00+00:00", 3600, NOW + timedelta(seconds=STARTUP_SPREAD)),  # overdue: soon
        (None, 3600, NOW + timedelta(seconds=STARTUP_SPREAD)),  # never run
        ("garbage", 3600, NOW + timedelta(seconds=STARTUP_SPREAD)),
        (None, 60, NOW + timedelta(seconds=6)),  # the spread never exceeds a tenth of the interval
    ],
)
def test_first_run_resumes_the_stored_schedule(
    stored_due: str | None, interval: int, expected: datetime
) -> None:
    assert first_run(stored_due, NOW, interval, FixedRandom()) == expected


@pytest.mark.parametrize(
    ("sources", "spread"), [(1, 0.05), (100, 5.0), (1000, STARTUP_SPREAD), (10_000, STARTUP_SPREAD)]
)
def test_startup_spread_grows_with_the_herd(sources: int, spread: float) -> None:
    assert startup_spread(sources) == pytest.approx(spread)


@pytest.mark.parametrize(
    ("stored_due", "interval", "expected"),
    [
        ("2026-01-05T12:10:00+00:00", 600, datetime(2026, 1, 5, 12, 11, tzinfo=UTC)),  # + 10% jitter
        ("2026-01-06T12:00:00+00:00", 86400, datetime(2026, 1, 6, 12, 5, tzinfo=UTC)),  # capped: 5 min
        ("2026-01-05T11:00:00+00:00", 600, NOW + timedelta(seconds=60)),  # due in the past: now + jitter
        (None, 600, NOW + timedelta(seconds=660)),  # no stored due: one interval
    ],
)
def test_next_run_follows_the_pipelines_next_due(
    stored_due: str | None, interval: int, expected: datetime
) -> None:
    assert next_run(stored_due, NOW, interval, FixedRandom()) == expected


@pytest.mark.parametrize(
    ("interval", "grace", "max_jitter"), [(60, 30, 6), (600, 300, 60), (86400, 43200, 300)]
)
def test_grace_and_jitter_scale_with_the_interval(interval: int, grace: int, max_jitter: float) -> None:
    assert misfire_grace(interval) == grace
    assert jitter(interval) == max_jitter


@pytest.mark.parametrize(
    ("expression", "timezone", "expected_local"),
    [
        ("0 8 * * 1", "Europe/Berlin", datetime(2026, 1, 12, 8, 0)),  # crontab 1 = Monday, not Tuesday
        ("0 8 * * 0", "UTC", datetime(2026, 1, 11, 8, 0)),  # 0 = Sunday
        ("0 8 * * 7", "UTC", datetime(2026, 1, 11, 8, 0)),  # 7 = Sunday too
        ("30 7 * * 1-5", "America/New_York", datetime(2026, 1, 5, 7, 30)),  # Mon-Fri; 07:00 there now
        ("30 7 * * 2-5", "America/New_York", datetime(2026, 1, 6, 7, 30)),  # Tue-Fri
        ("5 */6 * * *", "UTC", datetime(2026, 1, 5, 12, 5)),  # steps are not weekdays
        ("0 9 * * mon", None, datetime(2026, 1, 12, 9, 0)),
    ],
)
def test_cron_uses_crontab_weekdays_in_the_rules_time_zone(
    expression: str, timezone: str | None, expected_local: datetime
) -> None:
    fire = cron_trigger(expression, timezone).get_next_fire_time(None, NOW)
    assert fire.replace(tzinfo=None) == expected_local
    assert str(fire.tzinfo) == (timezone or "UTC")


@pytest.mark.parametrize("expression", ["0 8 * *", "0 8 * * 9", "61 8 * * *"])
def test_invalid_cron_raises_value_error(expression: str) -> None:
    with pytest.raises(ValueError):
        cron_trigger(expression, "UTC")


# sd_notify ------------------------------------------------------------------------------------


@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = str(tmp_path / "notify")
    sock.bind(path)
    sock.settimeout(2)
    yield sock, path
    sock.close()


def test_notifier_sends_one_datagram_per_call(notify_socket: tuple[socket.socket, str]) -> None:
    sock, path = notify_socket
    notifier = Notifier(path)
    assert notifier.ready("3 sources")
    assert notifier.status("line one\nline two")
    assert sock.recv(4096) == b"READY=1\nSTATUS=3 sources"
    assert sock.recv(4096) == b"STATUS=line one line two"  # a newline would start a new assignment


def test_notifier_reaches_an_abstract_socket() -> None:
    name = f"monitor-test-{os.getpid()}-{random.randrange(10**9)}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(b"\0" + name.encode())
        sock.settimeout(2)
        assert Notifier("@" + name).stopping()
        assert sock.recv(4096) == b"STOPPING=1"


@pytest.mark.parametrize(
    ("env", "enabled", "interval"),
    [
        ({}, False, None),
        ({"NOTIFY_SOCKET": "/run/x"}, True, None),
        ({"NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "60000000"}, True, 30.0),
        ({"NOTIFY_SOCKET": "/x", "WATCHDOG_USEC": "60000000", "WATCHDOG_PID": str(os.getpid())}, True, 30.0),
        ({"NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "60000000", "WATCHDOG_PID": "1"}, True, None),  # not us
        ({"NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "soon"}, True, None),
    ],
)
def test_notifier_reads_the_environment(env: dict[str, str], enabled: bool, interval: float | None) -> None:
    notifier = Notifier.from_env(env)
    assert notifier.enabled is enabled
    assert notifier.watchdog_interval == interval


@pytest.mark.parametrize("socket_name", [None, "/nonexistent/notify"])
def test_notifier_without_a_manager_never_raises(socket_name: str | None) -> None:
    assert Notifier(socket_name).watchdog() is False


# Lock -----------------------------------------------------------------------------------------


def test_second_lock_on_the_same_database_is_refused_with_the_owner(tmp_path: Path) -> None:
    db = tmp_path / "monitor.db"
    with DatabaseLock(db), pytest.raises(LockedError, match=rf"pid {os.getpid()}.*monitor\.db"):
        DatabaseLock(db).acquire()
    with DatabaseLock(db):  # released on exit
        pass


def test_lock_held_by_a_killed_process_is_free_again(tmp_path: Path) -> None:
    db = tmp_path / "monitor.db"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import time; from monitor.lock import DatabaseLock; from pathlib import Path;"
         f" DatabaseLock(Path({str(db)!r})).acquire(); print('held', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    with pytest.raises(LockedError):
        DatabaseLock(db).acquire()
    holder.send_signal(signal.SIGKILL)
    holder.wait(10)
    holder.stdout.close()
    with DatabaseLock(db):
        assert lock_path(db).read_text().strip() == str(os.getpid())


# Maintenance ----------------------------------------------------------------------------------


def maintenance_db(tmp_path: Path) -> Database:
    from monitor.store.db import open_db

    db = open_db(tmp_path / "m.db")
    db.execute("insert into sources (name, kind) values ('s', 'files')")
    db.execute("insert into stories (id, title) values (1, 't')")
    for article_id, days_old in [(1, 1), (2, 29), (3, 31), (4, 400)]:
        stored = (NOW - timedelta(days=days_old)).isoformat(timespec="seconds")
        db.execute("insert into articles (id, url, canonical_url, fetched, story_id) values (?, ?, ?, ?, 1)",
                   [article_id, f"u{article_id}", f"u{article_id}", stored])
        db.execute("insert into pages (article_id, html, stored) values (?, 'x', ?)", [article_id, stored])
        db.execute("insert into fetches (source, url, started) values ('s', 'u', ?)", [stored])
    db.conn.commit()
    return db


@pytest.mark.parametrize(("keep_days", "pages_left"), [(30, [1, 2]), (0, [1, 2, 3, 4]), (365, [1, 2, 3])])
def test_maintenance_prunes_old_html_only(tmp_path: Path, keep_days: int, pages_left: list[int]) -> None:
    db = maintenance_db(tmp_path)
    report = maintain(db, keep_days, NOW)
    assert [r[0] for r in db.execute("select article_id from pages order by 1")] == pages_left
    assert report.pages_pruned == 4 - len(pages_left)
    assert db.execute("select count(*) from articles").fetchone()[0] == 4  # articles are never pruned
    assert report.fetches_pruned == 1 and KEEP_FETCHES_DAYS < 400


def test_maintenance_truncates_the_wal(tmp_path: Path) -> None:
    db = maintenance_db(tmp_path)
    assert Path(str(tmp_path / "m.db") + "-wal").stat().st_size > 0
    report = maintain(db, 30, NOW)
    assert not report.wal_busy
    assert Path(str(tmp_path / "m.db") + "-wal").stat().st_size == 0


# Jobs built from a config -----------------------------------------------------------------------

JOBS_CONFIG = """
[monitor]
db = "monitor.db"

[[source]]
name = "resumed"
kind = "files"
path = "articles"
interval = 3600

[[source]]
name = "off"
kind = "files"
path = "articles"
enabled = false

[[alert]]
name = "weekly"
any = ["element:*"]
mode = "digest"
schedule = "0 8 * * 1"
timezone = "Europe/Berlin"

[[alert]]
name = "instant"
any = ["element:*"]
"""


def test_jobs_follow_the_config_and_the_stored_schedule(tmp_path: Path) -> None:
    import asyncio

    from monitor.config import load
    from monitor.daemon import Daemon
    from monitor.fetch.client import Fetcher
    from monitor.store.db import open_db

    path = tmp_path / "feeds.toml"
    path.write_text(JOBS_CONFIG)
    config = load(path)
    db = open_db(config.db_path)
    stored_due = (datetime.now(UTC) + timedelta(minutes=42)).replace(microsecond=0)
    db.execute("insert into sources (name, kind, next_due) values ('resumed', 'files', ?)",
               [stored_due.isoformat()])
    db.conn.commit()

    async def jobs() -> dict[str, datetime]:
        async with Fetcher(config.fetch) as fetcher:
            daemon = Daemon(path, config, db, fetcher, Notifier(None))
            daemon._schedule_all()
            daemon.scheduler.start(paused=True)
            found = {job.id: job.next_run_time for job in daemon.scheduler.get_jobs()}
            daemon.scheduler.shutdown(wait=False)
            await asyncio.sleep(0)
            return found

    found = asyncio.run(jobs())
    assert set(found) == {"source:resumed", "digest:weekly", "outbox", "maintenance", "tick",
                          "missed-digests"}  # no job for the disabled source or the immediate rule
    assert found["source:resumed"] == stored_due  # a restart keeps the schedule
    weekly = found["digest:weekly"]
    assert (weekly.weekday(), weekly.hour, str(weekly.tzinfo)) == (0, 8, "Europe/Berlin")  # Monday 08:00
