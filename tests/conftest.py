"""Shared fixtures: a fresh database file, config files, the seeds, and a CLI runner."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from monitor.store.db import open_db
from tests.alert_servers import JsonEndpoint, SmtpServer

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"


@pytest.fixture
def fresh_db(tmp_path: Path) -> Database:
    """A real, migrated SQLite file in WAL mode."""
    return open_db(tmp_path / "monitor.db")


@pytest.fixture
def seeds_dir(tmp_path: Path) -> Path:
    """A private copy of the five seed articles."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[[str], Path]:
    """Write a feeds.toml into the temp dir and return its path."""

    def write(text: str, name: str = "feeds.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def seeds_config(write_config: Callable[[str], Path], seeds_dir: Path) -> Path:
    """A config with the seeds as the only source and the database next to it."""
    return write_config(
        '[monitor]\ndb = "data/monitor.db"\n\n'
        f'[[source]]\nname = "seeds"\nkind = "files"\npath = "{seeds_dir}"\n'
    )


@pytest.fixture
def cli_runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def hook() -> Iterator[JsonEndpoint]:
    """A real HTTP endpoint receiving Apprise's json:// posts."""
    with JsonEndpoint() as endpoint:
        yield endpoint


@pytest.fixture
def mail() -> Iterator[SmtpServer]:
    """A real SMTP server on 127.0.0.1 collecting the messages it receives."""
    with SmtpServer() as server:
        yield server


@pytest.fixture
def no_send_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    """Apprise waits 5.5 s between two emails to one server; a local test server needs no politeness.
    Alert test modules use it for every test: ``pytestmark = pytest.mark.usefixtures(...)``."""
    from monitor.alerts import targets

    monkeypatch.setattr(targets, "SEND_INTERVAL", 0.0)
