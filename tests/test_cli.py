"""The CLI through click's CliRunner: every command, its errors and exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from tests.conftest import SEEDS

SEED_000 = str(SEEDS / "000_7159b2663a9bb89f.txt")


def test_config_check_ok(cli_runner: CliRunner, seeds_config: Path) -> None:
    result = cli_runner.invoke(cli, ["--config", str(seeds_config), "config", "check"])
    assert result.exit_code == 0, result.output
    assert "ok (1 sources" in result.output


def test_config_check_names_the_line(cli_runner: CliRunner, write_config: Callable[[str], Path]) -> None:
    path = write_config('[[source]]\nname = "a"\nkind = "rss"\nurl = 5\n')
    result = cli_runner.invoke(cli, ["--config", str(path), "config", "check"])
    assert result.exit_code == 2
    assert f"{path}:4: source[0].url:" in result.stderr


def test_explicit_missing_config_is_an_error(cli_runner: CliRunner, tmp_path: Path) -> None:
    result = cli_runner.invoke(cli, ["--config", str(tmp_path / "none.toml"), "tag", SEED_000])
    assert result.exit_code == 2
    assert "none.toml: No such file" in result.stderr


def test_config_check_missing_file(cli_runner: CliRunner, tmp_path: Path) -> None:
    result = cli_runner.invoke(cli, ["--config", str(tmp_path / "nope.toml"), "config", "check"])
    assert result.exit_code == 2
    assert "nope.toml" in result.stderr


def test_ingest_then_status(cli_runner: CliRunner, seeds_config: Path, seeds_dir: Path) -> None:
    base = ["--config", str(seeds_config)]
    result = cli_runner.invoke(cli, [*base, "ingest", str(seeds_dir)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("5 new")
    status = cli_runner.invoke(cli, [*base, "status", "--json"])
    assert json.loads(status.stdout)["articles"] == 5


def test_once_over_seeds_records_source_health(cli_runner: CliRunner, seeds_config: Path) -> None:
    base = ["--config", str(seeds_config)]
    result = cli_runner.invoke(cli, [*base, "once"])
    assert result.exit_code == 0, result.output
    data = json.loads(cli_runner.invoke(cli, [*base, "status", "--json"]).stdout)
    assert data["articles"] == 5
    (seeds,) = data["sources"]
    assert seeds["error_count"] == 0 and seeds["last_ok"]


def test_once_with_missing_directory_exits_0_and_records_error(
    cli_runner: CliRunner, write_config: Callable[[str], Path], tmp_path: Path
) -> None:
    path = write_config(f'[[source]]\nname = "gone"\nkind = "files"\npath = "{tmp_path}/missing"\n')
    result = cli_runner.invoke(cli, ["--config", str(path), "once"])
    assert result.exit_code == 0, result.output
    data = json.loads(cli_runner.invoke(cli, ["--config", str(path), "status", "--json"]).stdout)
    assert data["sources"][0]["error_count"] == 1
    assert "no such file" in data["sources"][0]["last_error"]


def test_once_with_invalid_config_exits_2(cli_runner: CliRunner, write_config: Callable[[str], Path]) -> None:
    path = write_config("[[source]]\nname = 1\n")
    result = cli_runner.invoke(cli, ["--config", str(path), "once"])
    assert result.exit_code == 2
    assert "source[0].name" in result.stderr


def test_clean_json_has_all_fields(cli_runner: CliRunner) -> None:
    result = cli_runner.invoke(cli, ["clean", "--json", SEED_000])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"title", "text", "authors", "published", "origin", "flags", "removed"} <= set(data)
    assert data["title"] == "China's rare earths El Dorado gives strategic edge"
    assert all({"text", "reason"} == set(r) for r in data["removed"])


def test_clean_reads_stdin(cli_runner: CliRunner) -> None:
    result = cli_runner.invoke(cli, ["clean", "-"], input=Path(SEED_000).read_text())
    assert result.exit_code == 0
    assert "Bayan Obo" in result.stdout and "F.Stadler--VB" not in result.stdout


def test_tag_json_needs_no_config(
    cli_runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no feeds.toml here: the default config is used
    result = cli_runner.invoke(cli, ["tag", "--json", SEED_000])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    tags = {t["tag"]: t for t in data["tags"]}
    assert tags["element:dysprosium"]["count"] >= 1
    assert "dysprosium" in tags["element:dysprosium"]["snippet"]
    assert 0 < data["score"] <= 1


def test_extract_html_file(cli_runner: CliRunner, tmp_path: Path) -> None:
    page = tmp_path / "a.html"
    body = "<p>Lynas said on Monday that its Kuantan plant separated dysprosium for the first time.</p>" * 3
    page.write_text(
        f"<html><head><title>Lynas heavy rare earths</title></head><body><article>{body}"
        "</article><nav>Home | World</nav></body></html>"
    )
    result = cli_runner.invoke(cli, ["extract", "--json", str(page)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert "Kuantan" in data["text"] and "Home | World" not in data["text"]


def test_config_show_lists_settings(cli_runner: CliRunner) -> None:
    result = cli_runner.invoke(cli, ["config", "show"])
    assert result.exit_code == 0
    assert "[source]" in result.stdout and "interval" in result.stdout and "per_host" in result.stdout


def test_retag_keeps_counts(cli_runner: CliRunner, seeds_config: Path, seeds_dir: Path) -> None:
    base = ["--config", str(seeds_config)]
    cli_runner.invoke(cli, [*base, "ingest", str(seeds_dir)])
    result = cli_runner.invoke(cli, [*base, "retag", "--batch", "2"])
    assert result.exit_code == 0, result.output
    assert "retagged 5 articles" in result.stdout


def test_status_text_lists_each_source_with_its_health(
    cli_runner: CliRunner, write_config: Callable[[str], Path], tmp_path: Path, seeds_dir: Path
) -> None:
    path = write_config(
        f'[[source]]\nname = "seeds"\nkind = "files"\npath = "{seeds_dir}"\n\n'
        f'[[source]]\nname = "a-rather-long-source-name"\nkind = "files"\npath = "{tmp_path}/missing"\n'
    )
    cli_runner.invoke(cli, ["--config", str(path), "once"])
    lines = cli_runner.invoke(cli, ["--config", str(path), "status"]).stdout.splitlines()
    assert lines[0] == "articles 5  stories 5  copies 0"
    assert lines[1].startswith("last pass just now (")  # human time, then the exact one
    assert "daemon not running" in lines
    header = next(i for i, line in enumerate(lines) if line.startswith("source "))
    end = lines.index("", header)  # the sources, then the entry queue
    rows = {line.split()[0]: line for line in lines[header + 1 : end]}
    assert lines[end + 1].startswith("entries pending 0  stored 5 ")
    assert " ok " in rows["seeds"] and "just now" in rows["seeds"] and rows["seeds"].endswith("in 1 h")
    assert "1 failures:" in rows["a-rather-long-source-name"]
    assert rows["seeds"].index("files") == rows["a-rather-long-source-name"].index("files")
    assert all(line == line.rstrip() for line in lines)  # plain text off a terminal
