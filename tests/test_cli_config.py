"""``config check`` finds every problem of feeds.toml and of what it names; ``config show`` prints the
configuration in effect as TOML that reads back the same; ``sources`` edits keep the file's comments."""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor import config as config_module
from monitor.cli import cli
from tests.alert_servers import JsonEndpoint

WriteConfig = Callable[..., Path]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MONITOR_CONFIG", "MONITOR_DB", "MONITOR_PORT", "MONITOR_APPRISE_URLS"):
        monkeypatch.delenv(name, raising=False)


def _check(runner: CliRunner, path: Path, *extra: str) -> tuple[int, list[str]]:
    result = runner.invoke(cli, ["--config", str(path), "config", "check", *extra])
    assert "Traceback" not in result.output
    return result.exit_code, result.stderr.splitlines()


def test_config_check_reports_every_error_with_file_line_and_key(
    cli_runner: CliRunner, write_config: WriteConfig
) -> None:
    path = write_config(
        "[monitor]\n"                    # 1
        'log_level = "LOUD"\n'           # 2
        "[fetch]\n"                      # 3
        "per_hots = 2\n"                 # 4
        "[[source]]\n"                   # 5
        'name = "a"\n'                   # 6
        'kind = "rss"\n'                 # 7
        'url = "ftp://a.example/x"\n'    # 8
        "[[source]]\n"                   # 9
        'name = "b"\n'                   # 10
        'kind = "rss"\n'                 # 11
        'url = "https://b.example/"\n'   # 12
        'interval = "soon"\n'            # 13
        "[[alert]]\n"                    # 14
        'name = "r"\n'                   # 15
        'regex = "("\n'                  # 16
    )
    code, lines = _check(cli_runner, path)
    assert code == 2
    f = str(path)
    assert lines[:5] == [
        f"{f}:2: monitor.log_level: must be one of DEBUG, INFO, WARNING, ERROR",
        f"{f}:4: fetch.per_hots: unknown key (did you mean 'per_host'?)",
        f"{f}:8: source[0].url: must be an http:// or https:// URL",
        f'{f}:13: source[1].interval: must be a duration such as 900, "15m" or "1h"',
        f"{f}:16: alert[0].regex: invalid regex '(': missing ), unterminated subpattern at position 0",
    ]
    assert lines[5] == f"{f}: 5 errors, 0 warnings"


def test_config_check_validates_the_files_it_names(
    cli_runner: CliRunner, write_config: WriteConfig, tmp_path: Path
) -> None:
    (tmp_path / "topics.toml").write_text(
        '["element:dysprosium"]\nlabel = "Dy"\naliases = ["dysprosium"]\n\n["company:acme"]\nweight = 3\n'
    )
    path = write_config(
        '[monitor]\ntopics = ["topics.toml", "gone.toml"]\napprise_config = "apprise.yml"\n\n'
        '[[source]]\nname = "local"\nkind = "files"\npath = "articles"\n'
    )
    code, lines = _check(cli_runner, path)
    assert code == 2
    f = str(path)
    assert f"{f}:2: monitor.topics: {tmp_path}/gone.toml: no such file" in lines
    assert any(line.startswith(f"{tmp_path}/topics.toml:6: company:acme.weight: must be between 0 and 1")
               for line in lines), lines
    assert f"{f}:8: source[0].path: {tmp_path}/articles does not exist" in lines
    assert f"{f}:3: monitor.apprise_config: {tmp_path}/apprise.yml: no such file" in lines


def test_apprise_file_readable_by_others_and_rules_reaching_nobody_are_warnings(
    cli_runner: CliRunner, write_config: WriteConfig, tmp_path: Path
) -> None:
    apprise = tmp_path / "apprise.yml"
    apprise.write_text("urls:\n  - json://127.0.0.1:9/hook:\n      tag: ops\n")
    apprise.chmod(0o644)
    path = write_config(
        '[monitor]\napprise_config = "apprise.yml"\n\n[[alert]]\nname = "dy"\nany = ["element:dysprosium"]\n'
        'notify = ["analysts"]\n'
    )
    code, lines = _check(cli_runner, path)
    assert code == 0, lines
    f = str(path)
    assert lines == [
        f"{f}:2: monitor.apprise_config: warning: {apprise} holds credentials but others may read it:"
        f" chmod 600 {apprise}",
        f"{f}:7: alert[0].notify: warning: no target has the tag analysts: these alerts would reach nobody"
        " (targets' tags: ops)",
    ]
    assert _check(cli_runner, path, "--strict")[0] == 2
    apprise.chmod(0o600)
    apprise.write_text("urls:\n  - json://127.0.0.1:9/hook:\n      tag: ops, analysts\n")
    code, lines = _check(cli_runner, path)
    assert (code, lines) == (0, [])


def test_alert_test_says_what_is_wrong(cli_runner: CliRunner, write_config: WriteConfig, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "apprise.yml").write_text("urls:\n  - json://127.0.0.1:9/hook:\n      tag: ops\n")
    path = write_config('[monitor]\napprise_config = "apprise.yml"\n\n[[alert]]\nname = "dy"\n'
                        'any = ["element:dysprosium"]\nnotify = ["analysts"]\n')
    result = cli_runner.invoke(cli, ["--config", str(path), "alert", "test", "--rule", "dy"])
    assert result.exit_code == 1
    assert result.stderr.strip() == ("Error: rule 'dy' notifies analysts, but no target has that tag"
                                     " (targets: json-1; their tags: ops)")
    bare = write_config('[[alert]]\nname = "dy"\nany = ["element:dysprosium"]\n', name="bare.toml")
    result = cli_runner.invoke(cli, ["--config", str(bare), "alert", "test"])
    expected = "no alert targets: set [monitor] apprise_config in bare.toml or MONITOR_APPRISE_URLS"
    assert expected in result.stderr
    with JsonEndpoint() as endpoint:
        monkeypatch.setenv("MONITOR_APPRISE_URLS", f"analysts={endpoint.apprise_url}")
        result = cli_runner.invoke(cli, ["--config", str(bare), "alert", "test", "--rule", "dy"])
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith("json-1\tok")
        assert len(endpoint.messages) == 1


def test_config_show_is_the_configuration_in_effect_and_round_trips(
    cli_runner: CliRunner, write_config: WriteConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_config(
        '[monitor]\ndb = "data/x.db"\n\n[serve]\nport = 8002\n\n'
        '[[source]]\nname = "feed"\nkind = "rss"\nurl = "https://a.example/feed"\ninterval = "30m"\n'
        'include = "/news/"\n\n'
        '[[alert]]\nname = "r"\ncooccur = [["element:*", "theme:export-controls"]]\nfirst_mention = true\n'
        'mode = "digest"\nschedule = "0 8 * * 1"\nkeyword = ["quota \\"cut\\""]\n'
    )
    result = cli_runner.invoke(cli, ["--config", str(path), "config", "show"])
    assert result.exit_code == 0, result.output
    shown = result.stdout
    assert "port = 8002  # feeds.toml:5" in shown
    assert "host = \"127.0.0.1\"  # default" in shown
    assert "interval = 1800  # feeds.toml:11 (written '30m')" in shown
    assert '# public_url = "http://127.0.0.1:8002"  # default: follows [serve] host and port' in shown
    tomllib.loads(shown)
    assert config_module.parse(shown, path) == config_module.load(path)
    # Overrides from the environment and options win, and say so.
    monkeypatch.setenv("MONITOR_PORT", "8100")
    other = str(tmp_path / "other.db")
    result = cli_runner.invoke(cli, ["--config", str(path), "--db", other, "config", "show"])
    shown = result.stdout
    assert "port = 8100  # env MONITOR_PORT" in shown
    assert f'db = "{tmp_path}/other.db"  # option --db' in shown
    reread = config_module.parse(shown, path)
    assert reread.serve.port == 8100 and reread.db_path == tmp_path / "other.db"
    assert reread.public_url == "http://127.0.0.1:8100"


FEEDS = """\
# My sources. Keep this comment.
[monitor]
db = "data/monitor.db"   # beside this file

# The first feed: trusted.
[[source]]
name = "first"
kind = "rss"
url = "https://first.example/feed"   # inline comment stays

# Alerts below.
[[alert]]
name = "dy"
any = ["element:dysprosium"]
"""


def test_sources_add_disable_enable_remove_keep_comments(cli_runner: CliRunner,
                                                         write_config: WriteConfig) -> None:
    path = write_config(FEEDS)
    path.chmod(0o640)
    base = ["--config", str(path), "sources"]

    added = cli_runner.invoke(cli, [*base, "add", "https://www.second.example/rss", "--interval", "2h"])
    assert added.exit_code == 0, added.output
    text = path.read_text()
    assert text == FEEDS.replace(
        "# Alerts below.",
        '[[source]]\nname = "second.example"\nkind = "rss"\nurl = "https://www.second.example/rss"\n'
        'interval = "2h"\n\n# Alerts below.',
    )
    assert path.stat().st_mode & 0o777 == 0o640  # the atomic replace keeps the permissions

    again = "https://first.example/feed?utm_source=x"
    duplicate = cli_runner.invoke(cli, [*base, "add", again, "--name", "again"])
    assert duplicate.exit_code == 0
    assert "warning: https://first.example/feed?utm_source=x is already configured as source 'first'" \
        in duplicate.stderr

    assert cli_runner.invoke(cli, [*base, "disable", "first"]).exit_code == 0
    disabled = 'url = "https://first.example/feed"   # inline comment stays\nenabled = false\n'
    assert disabled in path.read_text()
    listed = cli_runner.invoke(cli, [*base, "list"]).stdout.splitlines()
    assert listed[1].split()[:4] == ["first", "rss", "off", "1h"]
    assert cli_runner.invoke(cli, [*base, "enable", "first"]).exit_code == 0
    assert "enabled = true" in path.read_text()

    for name in ("again", "second.example"):
        assert cli_runner.invoke(cli, [*base, "remove", name]).exit_code == 0
    assert path.read_text() == FEEDS.replace("   # inline comment stays\n", "   # inline comment stays\n"
                                                                           "enabled = true\n")
    sources = json.loads(cli_runner.invoke(cli, [*base, "list", "--json"]).stdout)
    assert [s["name"] for s in sources] == ["first"]


def test_sources_edits_are_validated_before_anything_is_written(cli_runner: CliRunner,
                                                                 write_config: WriteConfig) -> None:
    path = write_config(FEEDS)
    before = path.read_text(), os.stat(path).st_ino
    result = cli_runner.invoke(cli, ["--config", str(path), "sources", "add", "https://x.example/",
                                     "--interval", "10s"])
    assert result.exit_code == 2
    assert "source[1].interval: must be at least 60 seconds" in result.stderr
    assert (path.read_text(), os.stat(path).st_ino) == before
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_sources_import_skips_feeds_already_configured(cli_runner: CliRunner, write_config: WriteConfig,
                                                       tmp_path: Path) -> None:
    path = write_config(FEEDS)
    opml = tmp_path / "subs.opml"
    opml.write_text('<opml version="2.0"><body>'
                    '<outline text="First again" xmlUrl="https://first.example/feed"/>'
                    '<outline text="Third" xmlUrl="https://third.example/atom" type="atom"/>'
                    "</body></opml>")
    printed = cli_runner.invoke(cli, ["--config", str(path), "sources", "import", str(opml)])
    assert printed.exit_code == 0
    assert printed.stdout == '[[source]]\nname = "Third"\nkind = "atom"\nurl = "https://third.example/atom"\n'
    assert "skipped: https://first.example/feed is already configured as source 'first'" in printed.stderr
    added = cli_runner.invoke(cli, ["--config", str(path), "sources", "import", "--add", str(opml)])
    assert added.exit_code == 0, added.output
    assert "added 1 sources" in added.stdout
    assert [s.name for s in config_module.load(path).sources] == ["first", "Third"]


def test_once_source_force_fetches_one_source_now(cli_runner: CliRunner, write_config: WriteConfig,
                                                  seeds_dir: Path, tmp_path: Path) -> None:
    path = write_config(
        f'[[source]]\nname = "seeds"\nkind = "files"\npath = "{seeds_dir}"\n\n'
        f'[[source]]\nname = "broken"\nkind = "files"\npath = "{tmp_path}/missing"\n'
    )
    base = ["--config", str(path)]
    first = cli_runner.invoke(cli, [*base, "once"])
    assert first.exit_code == 0, first.output
    rows = {line.split()[0]: line.split() for line in first.stdout.splitlines()[1:3]}
    assert rows["seeds"][1:6] == ["5", "5", "0", "0", "0"]
    assert "5 new articles, 5 new stories, 0 copies, 0 alerts raised" in first.stdout
    (tmp_path / "missing").mkdir()
    again = cli_runner.invoke(cli, [*base, "once"])
    assert "waiting out an error backoff: broken (--force fetches them now)" in again.stdout
    waiting = cli_runner.invoke(cli, [*base, "once", "--source", "broken"])
    assert "nothing was due" in waiting.stdout  # it is still in its backoff window
    forced = cli_runner.invoke(cli, [*base, "once", "--source", "broken", "--force"])
    assert forced.exit_code == 0
    assert forced.stdout.splitlines()[1].split()[0] == "broken" and "0 of 1 sources failed" in forced.stdout
    status = json.loads(cli_runner.invoke(cli, [*base, "status", "--json"]).stdout)
    assert {s["name"]: s["error_count"] for s in status["sources"]} == {"broken": 0, "seeds": 0}
