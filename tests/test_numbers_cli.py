"""`monitor numbers PATH|-`: what it prints, as text and as JSON, and its errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli

ARTICLE = (
    "Rare earth prices climb\n\n"
    "NdPr oxide climbed 5% to 620,000 yuan/t in May, traders said. "
    "Lynas shares rose 3% to A$7.20. "
    "2024年第一批稀土开采、冶炼分离总量控制指标分别为13.5万吨和12.7万吨。\n"
)


@pytest.fixture
def article(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no feeds.toml here: the default config is used
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def test_human_output(cli_runner: CliRunner, article: Path) -> None:
    result = cli_runner.invoke(cli, ["numbers", str(article), "--date", "2025-06-10"])
    assert result.exit_code == 0, result.output
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    assert lines == [
        ["price:ndpr-oxide", "620,000 CNY/t", "+5%", "2025-05", "0.90", "620,000 yuan/t"],
        ["quota:mining", "135,000 t", "", "2024-batch1", "0.90", "13.5万吨"],
        ["quota:smelting", "127,000 t", "", "2024-batch1", "0.90", "12.7万吨"],
    ]


def test_json_from_stdin(cli_runner: CliRunner, article: Path) -> None:
    result = cli_runner.invoke(cli, ["numbers", "--json", "--date", "2025-06-10", "-"], input=ARTICLE)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    first = data["observations"][0]
    assert first["metric"] == "price:ndpr-oxide"
    fields = (first["value"], first["currency"], first["unit"], first["change_pct"])
    assert fields == (620000.0, "CNY", "t", 5.0)
    assert "material:ndpr-oxide" in first["subjects"]
    assert ARTICLE[first["start"] : first["end"]] == "620,000 yuan/t"  # title + "\n\n" + text
    assert data["published"] == "2025-06-10"


def test_nothing_found_says_so(cli_runner: CliRunner, article: Path) -> None:
    result = cli_runner.invoke(cli, ["numbers", "-"], input="Lynas shares rose 3% to A$7.20.")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "no market numbers" in result.stderr


def test_bad_date_and_missing_file(cli_runner: CliRunner, article: Path, tmp_path: Path) -> None:
    result = cli_runner.invoke(cli, ["numbers", str(article), "--date", "May"])
    assert result.exit_code != 0
    assert "--date 'May': expected YYYY-MM-DD" in result.stderr
    result = cli_runner.invoke(cli, ["numbers", str(tmp_path / "absent.txt")])
    assert result.exit_code != 0
    assert "absent.txt" in result.stderr


def test_one_line_from_stdin_prints_each_statement_once(cli_runner: CliRunner, article: Path) -> None:
    text = "Holmium oxide firmed 2% to 480,000 yuan/t in April, traders said.\n"
    result = cli_runner.invoke(cli, ["numbers", "--date", "2025-06-10", "-"], input=text)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "price:holmium-oxide\t480,000 CNY/t\t+2%\t2025-04\t0.90\t480,000 yuan/t"
    ]
