"""Ports and links with real processes: a taken port is one clear error, and two monitors with their
own databases and ports run side by side, each alert linking to a page its own Datasette serves."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.alert_servers import JsonEndpoint, free_port
from tests.conftest import SEEDS
from tests.servers import wait_ok

pytestmark = pytest.mark.slow


def _monitor(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    environment = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    for name in ("MONITOR_CONFIG", "MONITOR_DB", "MONITOR_PORT", "MONITOR_APPRISE_URLS"):
        if name not in (env or {}):
            environment.pop(name, None)
    return subprocess.Popen([sys.executable, "-m", "monitor", *args], env=environment, text=True,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd)


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield int(holder.getsockname()[1])


@pytest.mark.parametrize("command", [["serve"], ["run"]])
def test_a_taken_port_is_one_clear_error_and_exit_3(command: list[str], taken_port: int, seeds_config: Path,
                                                    tmp_path: Path) -> None:
    process = _monitor("--config", str(seeds_config), *command, "--port", str(taken_port), cwd=tmp_path)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 3, err
    errors = [line for line in err.splitlines() if line.startswith("Error: ")]
    assert errors == [f"Error: cannot serve on 127.0.0.1:{taken_port}: the address is already in use"
                      " (another monitor or Datasette?); stop it or choose another port with --port or"
                      " MONITOR_PORT"]
    assert "Traceback" not in err and "datasette_start" not in err


def test_monitor_port_moves_serve_and_its_links(seeds_config: Path, tmp_path: Path) -> None:
    port = free_port()
    process = _monitor("--config", str(seeds_config), "serve", env={"MONITOR_PORT": str(port)}, cwd=tmp_path)
    try:
        assert wait_ok(f"http://127.0.0.1:{port}/monitor.json", process) == 200
    finally:
        process.terminate()
        _, err = process.communicate(timeout=20)
    assert f"serving http://127.0.0.1:{port}/monitor" in err


RULE = """
[[alert]]
name = "heavy-rare-earths"
any = ["element:dysprosium", "element:terbium"]
notify = ["analysts"]
backfill = true  # this test is about links: the first pass may alert
max_age = 0
"""


def _instance(root: Path, db_name: str) -> Path:
    root.mkdir()
    shutil.copytree(SEEDS, root / "seeds")
    config = root / "feeds.toml"
    config.write_text(f'[monitor]\ndb = "{db_name}"\n\n[[source]]\nname = "seeds"\nkind = "files"\n'
                      f'path = "seeds"\n{RULE}')
    return config


def test_two_instances_side_by_side_with_working_alert_links(tmp_path: Path) -> None:
    instances = [("app.db", "app", free_port()), ("news.desk.db", "news~2Edesk", free_port())]
    with ExitStack() as stack:
        running = []
        for db_name, route, port in instances:
            endpoint = stack.enter_context(JsonEndpoint())
            config = _instance(tmp_path / route, db_name)
            process = _monitor("--config", str(config), "run", "--port", str(port), cwd=tmp_path,
                               env={"MONITOR_APPRISE_URLS": f"analysts={endpoint.apprise_url}"})
            stack.callback(_stop, process)
            running.append((endpoint, route, port, process))
        for endpoint, route, port, process in running:
            assert wait_ok(f"http://127.0.0.1:{port}/{route}.json", process) == 200
            message = _first_message(endpoint, process)
            links = re.findall(rf"http://127\.0\.0\.1:{port}/[^\s)\]>\"]+/(?:articles|stories)/\d+", message)
            assert links, message
            for link in links:
                assert link.startswith(f"http://127.0.0.1:{port}/{route}/"), link
                assert httpx.get(link, timeout=10).status_code == 200, link


def _first_message(endpoint: JsonEndpoint, process: subprocess.Popen[str]) -> str:
    deadline = time.monotonic() + 60
    while not endpoint.messages and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.1)
    assert endpoint.messages, "no alert arrived"
    return str(endpoint.messages[0]["message"])



def _stop(process: subprocess.Popen[Any]) -> None:
    if process.poll() is None:
        process.terminate()
    try:
        process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()


def test_daemon_stops_with_exit_3_when_its_port_is_taken_after_start(seeds_config: Path,
                                                                       tmp_path: Path) -> None:
    """The Datasette child dies and another process takes its port: one error and exit 3, not a
    child restarted every 15 s for ever."""
    port = free_port()
    log = tmp_path / "daemon.log"
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "monitor", "--config", str(seeds_config), "run", "--port", str(port)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr, cwd=tmp_path,
            env={k: v for k, v in os.environ.items() if k != "MONITOR_PORT"},
        )
    try:
        assert wait_ok(f"http://127.0.0.1:{port}/monitor.json", process) == 200
        child = int(re.findall(r"datasette_started pid=(\d+)", log.read_text())[0])
        with socket.socket() as thief:
            os.kill(child, 9)
            thief.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            deadline = time.monotonic() + 10
            while True:  # the port is free the moment the child is gone
                try:
                    thief.bind(("127.0.0.1", port))
                    break
                except OSError:
                    assert time.monotonic() < deadline
                    time.sleep(0.01)
            thief.listen()
            assert process.wait(timeout=60) == 3
    finally:
        _stop(process)
    text = log.read_text()
    assert text.count("datasette_failed") == 1 and "already in use" in text
    assert text.count("datasette_start ") == 1  # started once, never restarted into a taken port
    assert "Traceback" not in text
