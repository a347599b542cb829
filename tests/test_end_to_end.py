"""The done-when scenarios of the issues, through the real CLI on a real database file.

- alerts: the seeds and a rule for element:dysprosium deliver exactly one JSON message and one email
  with the evidence sentence; a second run sends nothing; with the endpoint down the alert waits and
  arrives after it returns.
- fetching: the shipped feeds.toml offline completes with every web source's error recorded, and a
  second run does not hammer the failing sources (backoff in ``monitor status``).
- dedup: the seeds ingested twice plus syndicated variants yield exactly the expected stories.
"""

from __future__ import annotations

import json
import re
import socket
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.alerts import targets
from monitor.cli import cli
from tests.alert_servers import JsonEndpoint, SmtpServer, body_text, json_endpoint, smtp_server
from tests.conftest import REPO

__all__ = ["json_endpoint", "smtp_server"]  # fixtures used below

# backfill/max_age: the seeds arrive in a source's first pass and some are old; this tests delivery.
RULE = (
    '[[alert]]\nname = "dysprosium"\nany = ["element:dysprosium"]\nnotify = ["desk"]\n'
    "backfill = true\nmax_age = 0\n"
)


@pytest.fixture
def alert_config(write_config: Callable[[str], Path], seeds_dir: Path) -> Path:
    return write_config(f'[[source]]\nname = "seeds"\nkind = "files"\npath = "{seeds_dir}"\n\n{RULE}')


@pytest.fixture
def targets_env(
    monkeypatch: pytest.MonkeyPatch, json_endpoint: JsonEndpoint, smtp_server: SmtpServer
) -> None:
    monkeypatch.setattr(targets, "SEND_INTERVAL", 0.0)  # Apprise's 5.5 s pause between two emails
    urls = f"desk={json_endpoint.apprise_url} desk={smtp_server.apprise_url}"
    monkeypatch.setenv("MONITOR_APPRISE_URLS", urls)


def _once(runner: CliRunner, config: Path) -> None:
    result = runner.invoke(cli, ["--config", str(config), "once"])
    assert result.exit_code == 0, result.output


def _dysprosium_stories(config: Path) -> int:
    db = sqlite3.connect(config.parent / "data" / "monitor.db")
    sql = "select count(distinct story_id) from articles a join article_tags t on t.article_id = a.id"
    return int(db.execute(sql + " where t.tag = 'element:dysprosium'").fetchone()[0])


@pytest.mark.usefixtures("targets_env")
def test_one_message_and_one_email_per_story_then_nothing(
    cli_runner: CliRunner, alert_config: Path, json_endpoint: JsonEndpoint, smtp_server: SmtpServer
) -> None:
    _once(cli_runner, alert_config)
    stories = _dysprosium_stories(alert_config)
    assert stories >= 2  # seeds 000 and 004 both mention dysprosium
    assert len(json_endpoint.messages) == stories
    assert len(smtp_server.messages) == stories
    evidence = "including dysprosium, yttrium and terbium"
    assert any(evidence in m["message"].replace("**", "") for m in json_endpoint.messages)
    assert any(evidence in re.sub("<[^>]+>", "", body_text(m)) for m in smtp_server.messages)
    _once(cli_runner, alert_config)
    assert (len(json_endpoint.messages), len(smtp_server.messages)) == (stories, stories)


@pytest.mark.usefixtures("targets_env")
def test_alert_waits_while_the_endpoint_is_down_and_arrives_once(
    cli_runner: CliRunner, alert_config: Path, json_endpoint: JsonEndpoint, smtp_server: SmtpServer
) -> None:
    json_endpoint.available = False
    _once(cli_runner, alert_config)
    stories = _dysprosium_stories(alert_config)
    assert json_endpoint.messages == [] and len(smtp_server.messages) == stories
    status = json.loads(cli_runner.invoke(cli, ["--config", str(alert_config), "status", "--json"]).stdout)
    assert status["alerts"]["pending"] == stories
    json_endpoint.available = True
    db = sqlite3.connect(alert_config.parent / "data" / "monitor.db")
    with db:  # the retry backoff has passed
        db.execute("update alerts set next_attempt = '2000-01-01T00:00:00+00:00' where status = 'pending'")
    _once(cli_runner, alert_config)
    assert len(json_endpoint.messages) == stories
    assert len(smtp_server.messages) == stories  # the email target is not sent twice
    _once(cli_runner, alert_config)
    assert len(json_endpoint.messages) == stories


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_shipped_config_offline_records_errors_and_backs_off(
    cli_runner: CliRunner, tmp_path: Path, seeds_dir: Path
) -> None:
    # The shipped feeds.toml, with every web URL pointed at a closed local port (the tests are offline).
    text = (REPO / "feeds.toml").read_text()
    text = re.sub(r'url = "https?://[^"]+"', f'url = "http://127.0.0.1:{_closed_port()}/feed"', text)
    text = text.replace('path = "seeds"', f'path = "{seeds_dir}"').replace(
        "[fetch]", "[fetch]\nmin_delay = 0.0"
    )
    text = re.sub(r'outlet = "([^"]+)"\n', 'outlet = "\\1"\nallow_private = true\n', text)
    config = tmp_path / "feeds.toml"
    config.write_text(text)
    result = cli_runner.invoke(cli, ["--config", str(config), "once"])
    assert result.exit_code == 0, result.output
    done = [line.split() for line in result.stderr.splitlines() if " monitor.pipeline source_done " in line]
    # A failing source is a warning (seen with --log-level warning and in `journalctl -p warning`).
    levels = {("error=" in " ".join(words), words[words.index("monitor.pipeline") - 1]) for words in done}
    assert levels == {(True, "WARNING"), (False, "INFO")}
    db = sqlite3.connect(tmp_path / "data" / "monitor.db")
    web = db.execute(
        "select name, error_count, last_error, next_due from sources where kind != 'files'"
    ).fetchall()
    assert web and all(count == 1 and error for _, count, error, _ in web)
    fetches = db.execute("select count(*) from fetches").fetchone()[0]
    _once(cli_runner, config)
    assert db.execute("select count(*) from fetches").fetchone()[0] == fetches  # nothing hammered
    status = json.loads(cli_runner.invoke(cli, ["--config", str(config), "status", "--json"]).stdout)
    assert status["articles"] == 5
    failing = [s for s in status["sources"] if s["error_count"]]
    assert len(failing) == len(web) and all(s["next_due"] > s["last_attempt"] for s in failing)


def test_seeds_twice_and_syndicated_variants_make_the_expected_stories(
    cli_runner: CliRunner, seeds_config: Path, seeds_dir: Path, tmp_path: Path
) -> None:
    base = ["--config", str(seeds_config)]
    for _ in range(2):
        assert cli_runner.invoke(cli, [*base, "ingest", str(seeds_dir)]).exit_code == 0
    afp = (seeds_dir / "000_7159b2663a9bb89f.txt").read_text().splitlines()
    body = [line for line in afp[afp.index("China's rare earths El Dorado gives strategic edge") :]]
    outlets = tmp_path / "outlets"
    variants = {
        "france24": ["Rare earths: China's strategic edge", *body[1:]],
        "barrons": ["Related:", "- Gold nears $5,000", "- Stocks churn", *body],
        "truncated": body[: int(len(body) * 0.6)],
    }
    for outlet, lines in variants.items():
        (outlets / outlet).mkdir(parents=True)
        # The text names AFP (a wire speaking of itself); front matter says who republished it.
        (outlets / outlet / "afp.txt").write_text(f"---\noutlet: {outlet}\n---\n" + "\n".join(lines))
        result = cli_runner.invoke(cli, [*base, "ingest", "--source", outlet, str(outlets / outlet)])
        assert result.exit_code == 0, result.output
    db = sqlite3.connect(seeds_config.parent / "data" / "monitor.db")
    assert db.execute("select count(*) from stories").fetchone()[0] == 5
    (outlet_count,) = db.execute(
        "select outlets from stories where title = 'China''s rare earths El Dorado gives strategic edge'"
    ).fetchone()
    assert outlet_count == 4  # seeds + three republishers
