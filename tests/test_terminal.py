"""Terminal output: colour and live progress only on a terminal (a real pty), NO_COLOR honoured,
nothing stray off a terminal, human times."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.terminal import ago

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("stamp", "shown"),
    [(None, "never"), ("2026-03-01T11:59:50+00:00", "just now"), ("2026-03-01T11:57:00+00:00", "3 min ago"),
     ("2026-03-01T10:00:00+00:00", "2 h ago"), ("2026-02-26T12:00:00+00:00", "3 d ago"),
     ("2026-03-01T13:00:00+00:00", "in 1 h"), ("2026-03-01T12:00:00", "just now"), ("garbage", "garbage")],
)
def test_ago(stamp: str | None, shown: str) -> None:
    assert ago(stamp, NOW) == shown


def _on_a_pty(args: list[str], env: dict[str, str], cwd: Path) -> str:
    """Run ``monitor ARGS`` with stdout and stderr on a pseudo-terminal; return what it drew."""
    leader, follower = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "MONITOR_CONFIG")}
    process = subprocess.Popen([sys.executable, "-m", "monitor", *args], stdin=subprocess.DEVNULL,
                               stdout=follower, stderr=follower, cwd=cwd,
                               env={**environment, "TERM": "xterm-256color", "COLUMNS": "120", **env})
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the other side closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=60) == 0
    return b"".join(chunks).decode("utf-8", errors="replace")


@pytest.mark.slow
def test_colour_on_a_terminal_unless_no_color(seeds_config: Path, tmp_path: Path) -> None:
    drawn = _on_a_pty(["--config", str(seeds_config), "once"], {}, tmp_path)
    assert "\x1b[" in drawn and "5 new articles" in drawn
    assert "sources" in drawn  # the progress display's label
    plain = _on_a_pty(["--config", str(seeds_config), "status"], {"NO_COLOR": "1"}, tmp_path)
    assert "articles 5" in plain and "\x1b[1m" not in plain and "\x1b[3" not in plain


def test_off_a_terminal_no_progress_and_no_escape_codes(cli_runner: CliRunner, seeds_config: Path,
                                                          seeds_dir: Path) -> None:
    base = ["--config", str(seeds_config)]
    cli_runner.invoke(cli, [*base, "ingest", str(seeds_dir)])
    result = cli_runner.invoke(cli, [*base, "retag"])
    assert result.stdout == "retagged 5 articles\n"
    assert all("retag_done" in line for line in result.stderr.splitlines())  # the log line, nothing else
    once = cli_runner.invoke(cli, [*base, "once"])
    assert "\x1b[" not in once.output


def test_status_says_whether_the_daemon_runs(cli_runner: CliRunner, seeds_config: Path) -> None:
    from monitor.config import load
    from monitor.lock import DatabaseLock

    base = ["--config", str(seeds_config)]
    cli_runner.invoke(cli, [*base, "once"])
    assert "daemon not running" in cli_runner.invoke(cli, [*base, "status"]).stdout.splitlines()
    with DatabaseLock(load(seeds_config).db_path):  # what `monitor run` holds for its whole life
        shown = cli_runner.invoke(cli, [*base, "status"]).stdout.splitlines()
        assert f"daemon running (pid {os.getpid()})" in shown
    assert "daemon not running" in cli_runner.invoke(cli, [*base, "status"]).stdout.splitlines()


def test_rich_is_not_installed() -> None:
    """Datasette 0.65 changes behaviour when rich is importable: every 404 goes through
    rich.print_exception, which raises outside an except block (the page becomes a 500), and its
    CLI installs a traceback hook that prints local variables. Keep rich out of the environment."""
    import importlib.util

    assert importlib.util.find_spec("rich") is None
