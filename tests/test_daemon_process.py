"""The daemon as a real process: systemd notifications, signals, the lock, and kill -9 safety.

Each test starts ``python -m monitor ... run --no-serve`` with a fake ``NOTIFY_SOCKET`` (a Unix
datagram socket this test reads) over a ``files`` source of generated articles.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import closing, suppress
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.alert_servers import JsonEndpoint

pytestmark = pytest.mark.slow

ELEMENTS = ["dysprosium", "terbium", "neodymium", "praseodymium", "yttrium", "lanthanum", "cerium"]
WORDS = ["mine", "quota", "magnet", "refinery", "export", "licence", "smelter", "price", "tonne", "contract",
         "shipment", "plant", "supply", "ministry", "tender", "furnace", "separation",
         "concentrate", "output"]
READY_TIMEOUT = 30.0


def write_articles(directory: Path, count: int, seed: int = 7, start: int = 0) -> None:
    """Distinct articles (random word salad, so dedup keeps them apart), each naming an element."""
    rng = random.Random(seed + start)
    directory.mkdir(parents=True, exist_ok=True)
    for number in range(start, start + count):
        element = ELEMENTS[number % len(ELEMENTS)]
        sentences = [" ".join(rng.choices(WORDS, k=14)).capitalize() + "." for _ in range(8)]
        title = f"Report {number}: {element} {rng.choice(WORDS)} {rng.randrange(10**6)}"
        body = f"Officials said {element} supplies tightened in week {number}. " + " ".join(sentences)
        (directory / f"article-{number:04d}.txt").write_text(f"{title}\n\n{body}\n", encoding="utf-8")


@dataclass
class Workspace:
    root: Path
    config: Path
    db: Path
    articles: Path

    def write_config(self, extra: str = "", sources: int = 1) -> None:
        blocks = [f'[monitor]\ndb = "{self.db}"\n']
        for number in range(sources):
            name = "local" if number == 0 else f"local-{number}"
            blocks.append(f'[[source]]\nname = "{name}"\nkind = "files"\npath = "{self.articles}"\n'
                          'interval = 3600\nmax_entries = 1000\n')
        self.config.write_text("\n".join(blocks) + extra, encoding="utf-8")


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    ws = Workspace(tmp_path, tmp_path / "feeds.toml", tmp_path / "monitor.db", tmp_path / "articles")
    write_articles(ws.articles, 40)
    ws.write_config()
    return ws


class NotifySocket:
    """What systemd would receive: every datagram, in order."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.messages: list[str] = []

    def wait_for(self, predicate: str, timeout: float = READY_TIMEOUT) -> str:
        """The first message (already received or arriving) containing ``predicate``."""
        for message in self.messages:
            if predicate in message:
                return message
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                message = self.sock.recv(4096).decode()
            except TimeoutError:
                break
            self.messages.append(message)
            if predicate in message:
                return message
        raise AssertionError(f"no {predicate!r} within {timeout}s; got {self.messages[-5:]}")

    def drain(self) -> None:
        """Forget everything so far, including datagrams of a killed daemon still in the buffer."""
        self.sock.setblocking(False)
        try:
            while self.sock.recv(4096):
                pass
        except BlockingIOError:
            pass
        self.messages.clear()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def notify(tmp_path: Path) -> Iterator[NotifySocket]:
    listener = NotifySocket(tmp_path / "notify.sock")
    yield listener
    listener.close()


class Daemon:
    """One ``monitor run`` process; stderr goes to a file the test can read while it runs."""

    def __init__(self, ws: Workspace, notify: NotifySocket | None, env: dict[str, str] | None = None,
                 prefix: tuple[str, ...] = (), serve: bool = False) -> None:
        self.log = ws.root / f"daemon-{time.monotonic_ns()}.log"
        environment = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        environment.pop("NOTIFY_SOCKET", None)
        if notify is not None:
            environment |= {"NOTIFY_SOCKET": str(notify.path), "WATCHDOG_USEC": "2000000"}  # ping every 1 s
        with self.log.open("wb") as stderr:
            self.process = subprocess.Popen(
                [*prefix, sys.executable, "-m", "monitor", "--config", str(ws.config), "--db", str(ws.db),
                 "run", *([] if serve else ["--no-serve"])],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr, env=environment,
            )

    def stderr(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_log(self, text: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.stderr():
            assert time.monotonic() < deadline, f"no {text!r} in the log:\n{self.stderr()}"
            assert self.process.poll() is None, f"daemon exited {self.process.returncode}:\n{self.stderr()}"
            time.sleep(0.05)

    def stop(self, timeout: float = 25.0) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)


@pytest.fixture
def daemons() -> Iterator[list[Daemon]]:
    started: list[Daemon] = []
    yield started
    for daemon in started:
        daemon.kill()


def count(db: Path, sql: str) -> int:
    with closing(sqlite3.connect(db)) as conn:
        return int(conn.execute(sql).fetchone()[0])


def wait_for_articles(db: Path, more_than: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while count(db, "select count(*) from articles") <= more_than:
        assert time.monotonic() < deadline, "the ingest did not start"
        time.sleep(0.005)


def make_due(db: Path) -> None:
    """Forget the stored schedule, so the next start runs every source at once."""
    if db.exists():
        with closing(sqlite3.connect(db)) as conn, conn:
            conn.execute("update sources set next_due = null")


INTEGRITY_PROBLEMS = "select count(*) from pragma_integrity_check where integrity_check != 'ok'"


# Lifecycle ------------------------------------------------------------------------------------


def test_notifies_systemd_and_stops_cleanly_on_sigterm(
    workspace: Workspace, notify: NotifySocket, daemons: list[Daemon]
) -> None:
    daemon = Daemon(workspace, notify)
    daemons.append(daemon)
    assert notify.wait_for("READY=1")
    notify.wait_for("WATCHDOG=1")
    status = notify.wait_for("STATUS=1 sources, 40 articles")  # the pass ran; the status says so
    assert "alerts pending" in status and "last pass" in status
    assert daemon.stop() == 0
    assert "STOPPING=1" in notify.wait_for("STOPPING=1")
    assert "daemon_stopped" in daemon.stderr()
    assert count(workspace.db, INTEGRITY_PROBLEMS) == 0


def test_sigterm_during_an_ingest_exits_0_and_leaves_whole_articles(
    workspace: Workspace, notify: NotifySocket, daemons: list[Daemon]
) -> None:
    write_articles(workspace.articles, 160, start=40)
    daemon = Daemon(workspace, notify)
    daemons.append(daemon)
    notify.wait_for("READY=1")
    deadline = time.monotonic() + 30
    while not count(workspace.db, "select count(*) from articles") and time.monotonic() < deadline:
        time.sleep(0.02)
    assert daemon.stop() == 0  # the pass finishes (or is cancelled between articles) inside the deadline
    assert count(workspace.db, INTEGRITY_PROBLEMS) == 0
    assert orphans(workspace.db) == {}


def test_restart_resumes_the_stored_schedule_instead_of_running_everything(
    workspace: Workspace, notify: NotifySocket, daemons: list[Daemon]
) -> None:
    first = Daemon(workspace, notify)
    daemons.append(first)
    notify.wait_for("STATUS=1 sources, 40 articles")
    assert first.stop() == 0
    attempt_before = count(workspace.db, "select count(*) from fetches")
    notify.drain()
    second = Daemon(workspace, notify)
    daemons.append(second)
    notify.wait_for("READY=1")
    for _ in range(3):  # a due source would have run within the first round
        notify.wait_for("WATCHDOG=1")
        notify.messages.clear()
    assert "last pass none yet" in notify.wait_for("STATUS=")
    assert count(workspace.db, "select count(*) from fetches") == attempt_before
    assert second.stop() == 0


def test_logs_have_no_timestamps_under_journald(
    workspace: Workspace, notify: NotifySocket, daemons: list[Daemon]
) -> None:
    daemon = Daemon(workspace, notify, env={"JOURNAL_STREAM": "8:1234"})
    daemons.append(daemon)
    notify.wait_for("READY=1")
    assert daemon.stop() == 0
    lines = [line for line in daemon.stderr().splitlines() if line.strip()]
    assert any(line.startswith("INFO monitor.daemon daemon_started") for line in lines)
    assert all(not line[:4].isdigit() for line in lines)


def test_sighup_with_a_bad_config_keeps_the_old_one_running(
    workspace: Workspace, notify: NotifySocket, daemons: list[Daemon]
) -> None:
    daemon = Daemon(workspace, notify)
    daemons.append(daemon)
    notify.wait_for("READY=1")
    good = workspace.config.read_text()
    workspace.config.write_text(good.replace("interval = 3600", "intervall = 3600"))
    daemon.process.send_signal(signal.SIGHUP)
    daemon.wait_log("config_reload_failed")
    line = next(x for x in daemon.stderr().splitlines() if "config_reload_failed" in x)
    assert f"file={workspace.config}" in line and "line=" in line and "key=source[0].intervall" in line
    assert "error=" in line and "unknown key" in line
    notify.messages.clear()
    assert notify.wait_for("WATCHDOG=1")  # still alive and healthy
    assert daemon.process.poll() is None

    workspace.write_config(sources=2)  # a valid change is applied
    daemon.process.send_signal(signal.SIGHUP)
    daemon.wait_log("config_reloaded")
    assert "sources=2" in next(x for x in daemon.stderr().splitlines() if "config_reloaded" in x)
    notify.wait_for("STATUS=2 sources")
    assert daemon.stop() == 0


def test_second_daemon_on_the_same_database_refuses_to_start(
    workspace: Workspace, notify: NotifySocket, daemons: list[Daemon]
) -> None:
    first = Daemon(workspace, notify)
    daemons.append(first)
    notify.wait_for("READY=1")
    second = subprocess.run(
        [sys.executable, "-m", "monitor", "--config", str(workspace.config), "--db", str(workspace.db),
         "run", "--no-serve"],
        capture_output=True, text=True, timeout=60, check=False, env={**os.environ, "NOTIFY_SOCKET": ""},
    )
    assert second.returncode != 0
    assert f"pid {first.process.pid}" in second.stderr and "already owns" in second.stderr
    assert "Traceback" not in second.stderr
    assert first.process.poll() is None
    assert first.stop() == 0


# Crash safety ---------------------------------------------------------------------------------

# Every article alerts: also in a source's first pass (backfill) and whatever its date (max_age).
RULE = '\n[[alert]]\nname = "elements"\nany = ["element:*"]\nbackfill = true\nmax_age = 0\n'
CRASHES = 20
UNSENT = "select count(*) from alerts where status != 'sent'"
PER_RUN = 40  # articles added before each run


def orphans(db: Path, alert_rule: bool = False) -> dict[str, int]:
    """Rows that point at nothing, and articles missing a part they are always stored with."""
    checks = {
        "article without story": "select count(*) from articles"
                                 " where story_id not in (select id from stories)",
        "article without seen": "select count(*) from articles a where not exists"
                                " (select 1 from seen s where s.article_id = a.id)",
        "article without tags": "select count(*) from articles a where not exists"
                                " (select 1 from article_tags t where t.article_id = a.id)",
        "story without article": "select count(*) from stories s where not exists"
                                 " (select 1 from articles a where a.story_id = s.id)",
        "fts out of step": "select abs((select count(*) from articles)"
                           " - (select count(*) from articles_fts))",
    }
    if alert_rule:  # RULE matches every generated article
        checks["article without alert"] = ("select count(*) from articles a where not exists"
                                           " (select 1 from alerts l where l.article_id = a.id)")
    for table in ("article_tags", "mentions", "seen", "copies", "article_bands", "pages", "alerts"):
        checks[f"{table} orphan"] = (f"select count(*) from {table} where article_id is not null"
                                     " and article_id not in (select id from articles)")
    found = {name: count(db, sql) for name, sql in checks.items()}
    return {name: n for name, n in found.items() if n}


def test_kill_9_at_random_moments_never_leaves_half_an_article(
    tmp_path: Path, notify: NotifySocket, daemons: list[Daemon]
) -> None:
    ws = Workspace(tmp_path, tmp_path / "feeds.toml", tmp_path / "monitor.db", tmp_path / "articles")
    ws.write_config(extra=RULE)
    rng = random.Random(2024)
    interrupted_passes = 0
    with JsonEndpoint() as endpoint:
        env = {"MONITOR_APPRISE_URLS": endpoint.apprise_url}
        for run in range(CRASHES):
            write_articles(ws.articles, PER_RUN, seed=11, start=run * PER_RUN)  # new work each run
            make_due(ws.db)
            notify.drain()
            daemon = Daemon(ws, notify, env)
            daemons.append(daemon)
            notify.wait_for("READY=1")
            if run % 2:  # any moment: listing, storing, or the outbox sending
                time.sleep(rng.uniform(0.0, 1.5))
            else:  # surely mid-ingest: just after this run's first article was stored
                wait_for_articles(ws.db, more_than=count(ws.db, "select count(*) from articles"))
                time.sleep(rng.uniform(0.0, 0.1))
            daemon.kill()
            assert count(ws.db, INTEGRITY_PROBLEMS) == 0
            assert orphans(ws.db, alert_rule=True) == {}
            interrupted_passes += count(ws.db, "select count(*) from articles") < (run + 1) * PER_RUN

        make_due(ws.db)
        notify.drain()
        final = Daemon(ws, notify, env)  # the next run completes the work and sends what is pending
        daemons.append(final)
        notify.wait_for("READY=1")
        total = CRASHES * PER_RUN
        notify.wait_for(f"STATUS=1 sources, {total} articles", timeout=60)
        deadline = time.monotonic() + 30
        while count(ws.db, UNSENT) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert final.stop() == 0

    assert interrupted_passes > 0  # the kills really fell inside ingests, not only after them
    assert count(ws.db, "select count(*) from articles") == total
    assert orphans(ws.db, alert_rule=True) == {}
    assert count(ws.db, UNSENT) == 0
    # A kill in the middle of a POST leaves a truncated body: not a delivery, and the sender retries it.
    delivered = Counter(message["title"] for message in endpoint.messages if "title" in message)
    with closing(sqlite3.connect(ws.db)) as conn:
        titles = {row[0] for row in conn.execute("select title from alerts")}
    assert set(delivered) == titles  # none lost
    # At-least-once only in the documented window: a send whose result the kill prevented recording.
    interrupted = count(ws.db, "select count(*) from alert_attempts where error like '%interrupted%'")
    assert sum(delivered.values()) - len(titles) <= interrupted


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_http_ok(url: str, alive: subprocess.Popen[bytes]) -> int:
    import httpx

    status, deadline = 0, time.monotonic() + 30
    while status != 200 and time.monotonic() < deadline and alive.poll() is None:
        with suppress(httpx.TransportError):
            status = httpx.get(url, timeout=2).status_code
        time.sleep(0.1)
    return status


def test_run_with_serve_starts_and_stops_its_datasette_child(
    workspace: Workspace, notify: NotifySocket, daemons: list[Daemon]
) -> None:
    port = free_port()
    workspace.config.write_text(workspace.config.read_text() + f"\n[serve]\nport = {port}\n")
    daemon = Daemon(workspace, notify, serve=True)
    daemons.append(daemon)
    notify.wait_for("READY=1")
    assert wait_http_ok(f"http://127.0.0.1:{port}/monitor.json", daemon.process) == 200
    child = int(next(x for x in daemon.stderr().split() if x.startswith("pid=")).removeprefix("pid="))
    assert daemon.stop() == 0
    assert not Path(f"/proc/{child}").exists() or "zombie" in Path(f"/proc/{child}/status").read_text()


# MemoryDenyWriteExecute= -----------------------------------------------------------------------

# The kernel's own W^X switch (PR_SET_MDWE, Linux 6.3+), which systemd's MemoryDenyWriteExecute=
# also uses: once set, no mapping can become writable and executable, inherited across exec.
MDWE = """
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(65, 1, 0, 0, 0) != 0:
    sys.exit(77)
os.execv(sys.argv[1], sys.argv[1:])
"""
MDWE_PREFIX = (sys.executable, "-c", MDWE)


def mdwe_supported() -> bool:
    probe = subprocess.run([*MDWE_PREFIX, sys.executable, "-c", "pass"], capture_output=True, timeout=30,
                           check=False)
    return probe.returncode == 0


needs_mdwe = pytest.mark.skipif(not mdwe_supported(), reason="kernel without PR_SET_MDWE")


@needs_mdwe
def test_worker_runs_under_memory_deny_write_execute(
    workspace: Workspace, notify: NotifySocket, daemons: list[Daemon]
) -> None:
    workspace.write_config(extra=RULE)
    with JsonEndpoint() as endpoint:
        daemon = Daemon(workspace, notify, {"MONITOR_APPRISE_URLS": endpoint.apprise_url}, prefix=MDWE_PREFIX)
        daemons.append(daemon)
        notify.wait_for("STATUS=1 sources, 40 articles")  # extraction, dedup, tagging, storing
        deadline = time.monotonic() + 30
        while len(endpoint.messages) < 40 and time.monotonic() < deadline:  # Apprise delivery
            time.sleep(0.05)
        assert daemon.stop() == 0
    assert len(endpoint.messages) == 40


@needs_mdwe
def test_datasette_serves_under_memory_deny_write_execute(workspace: Workspace) -> None:
    port = free_port()
    workspace.config.write_text(workspace.config.read_text() + f"\n[serve]\nport = {port}\n")
    server = subprocess.Popen(
        [*MDWE_PREFIX, sys.executable, "-m", "monitor", "--config", str(workspace.config), "--db",
         str(workspace.db), "serve"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        assert wait_http_ok(f"http://127.0.0.1:{port}/monitor.json", server) == 200
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=20)
    assert b"Traceback" not in stderr
