"""Every command, walked from the click tree, through the errors people make: one clear line, no traceback.

Missing and unreadable configs, missing input files, directories where files belong, bad options,
an empty directory without feeds.toml (where nothing may be created), a database that is not one.
A command added without an entry in SAMPLE_ARGS fails ``test_every_command_has_sample_args``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from monitor.cli import cli
from tests.conftest import SEEDS

SEED = str(SEEDS / "000_7159b2663a9bb89f.txt")
OPML = '<opml version="2.0"><body><outline text="A" xmlUrl="https://a.example/feed"/></body></opml>'


def _leaves(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _leaves(command, (*prefix, name))
        else:
            yield (*prefix, name)


COMMANDS = list(_leaves(cli))
# Arguments that would work given a valid config; "{file}" is a text file, "{html}" an HTML page,
# "{opml}" an OPML file. Commands whose input is a file list which argument it is.
SAMPLE_ARGS: dict[tuple[str, ...], list[str]] = {
    ("alert", "test"): [],
    ("clean",): ["{file}"],
    ("config", "check"): [],
    ("config", "show"): [],
    ("extract",): ["{html}"],
    ("ingest",): ["{file}"],
    ("numbers",): ["{file}"],
    ("once",): [],
    ("retag",): [],
    ("run",): ["--no-serve"],
    ("serve",): [],
    ("sources", "add"): ["https://example.org/feed.xml"],
    ("sources", "disable"): ["seeds"],
    ("sources", "enable"): ["seeds"],
    ("sources", "import"): ["{opml}"],
    ("sources", "list"): [],
    ("sources", "remove"): ["seeds"],
    ("status",): [],
    ("tag",): ["{file}"],
}
NEEDS_NO_CONFIG = {("clean",), ("sources", "import")}
TAKES_A_FILE = [c for c, args in SAMPLE_ARGS.items() if any(a.startswith("{") for a in args)]


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "page.html").write_text("<html><body><article><p>Lynas separated dysprosium.</p>"
                                        "</article></body></html>")
    (tmp_path / "feeds.opml").write_text(OPML)
    return {"{file}": SEED, "{html}": str(tmp_path / "page.html"), "{opml}": str(tmp_path / "feeds.opml")}


def _args(command: tuple[str, ...], inputs: dict[str, str], **replace: str) -> list[str]:
    return [*command, *(replace.get(a, inputs.get(a, a)) for a in SAMPLE_ARGS[command])]


def _one_clear_line(result: Result, prefix: str = "Error: ") -> str:
    """The run failed with exactly one ``Error:`` line on stderr and no traceback anywhere.

    ``config check`` prints its findings as they are (``file:line: key: message``): one line in all.
    """
    assert result.exit_code not in (0, None), result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith(prefix)]
    assert len(errors) == 1, result.stderr
    assert len(errors[0]) > len("Error: ") + 10
    return errors[0]


def _run(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch) -> Result:
    monkeypatch.chdir(cwd)
    for name in ("MONITOR_CONFIG", "MONITOR_DB", "MONITOR_PORT", "MONITOR_APPRISE_URLS"):
        monkeypatch.delenv(name, raising=False)
    return CliRunner().invoke(cli, args)


def test_every_command_has_sample_args() -> None:
    assert sorted(COMMANDS) == sorted(SAMPLE_ARGS), "add the new command to SAMPLE_ARGS"


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_unknown_option(command: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    line = _one_clear_line(_run([*command, "--no-such-option"], tmp_path, monkeypatch))
    assert "No such option" in line and "--no-such-option" in line and "--help" in line


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("config", ["missing.toml", "a-directory"])
def test_config_missing_or_unreadable(command: tuple[str, ...], config: str, tmp_path: Path,
                                      inputs: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a-directory").mkdir()
    result = _run(["--config", str(tmp_path / config), *_args(command, inputs)], tmp_path, monkeypatch)
    if command == ("clean",) or (command in NEEDS_NO_CONFIG and config == "missing.toml"):
        assert result.exit_code == 0, result.output
        return
    line = _one_clear_line(result, "" if command == ("config", "check") else "Error: ")
    assert config in line
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_empty_directory_without_config(command: tuple[str, ...], tmp_path: Path, inputs: dict[str, str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = _run(_args(command, inputs), empty, monkeypatch)
    if command in NEEDS_NO_CONFIG or command in (("tag",), ("extract",), ("numbers",)):
        assert result.exit_code == 0, result.output  # these state or need no configuration
    else:
        line = _one_clear_line(result, "" if command == ("config", "check") else "Error: ")
        assert "feeds.toml" in line
    assert list(empty.iterdir()) == [], "nothing may be created where there is no feeds.toml"


BAD_INPUTS = [
    pytest.param(command, given, id=f"{' '.join(command)}-{given}")
    for command in TAKES_A_FILE
    for given in ("nope.txt", "a-directory")
    if not (command == ("ingest",) and given == "a-directory")  # ingest takes directories
]


@pytest.mark.parametrize(("command", "given"), BAD_INPUTS)
def test_input_file_missing_or_a_directory(command: tuple[str, ...], given: str, tmp_path: Path,
                                           inputs: dict[str, str], seeds_config: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a-directory").mkdir()
    bad = str(tmp_path / given)
    args = _args(command, inputs, **{"{file}": bad, "{html}": bad, "{opml}": bad})
    line = _one_clear_line(_run(["--config", str(seeds_config), *args], tmp_path, monkeypatch))
    assert given in line


@pytest.mark.parametrize("command", [("status",), ("retag",)], ids=" ".join)
def test_reading_commands_never_create_a_database(
    command: tuple[str, ...], tmp_path: Path, seeds_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    line = _one_clear_line(_run(["--config", str(seeds_config), *command], tmp_path, monkeypatch))
    assert "no database at" in line and "monitor once" in line
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize("command", [("status",), ("once",), ("retag",)], ids=" ".join)
def test_a_file_that_is_not_a_database(command: tuple[str, ...], tmp_path: Path, seeds_config: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "notes.db"
    fake.write_text("this is not SQLite\n" * 200)
    args = ["--config", str(seeds_config), "--db", str(fake), *command]
    line = _one_clear_line(_run(args, tmp_path, monkeypatch))
    assert "not a database" in line


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--log-level", "verbose", "status"], "'verbose' is not one of"),
        (["retag", "--batch", "0"], "--batch"),
        (["run", "--port", "70000"], "--port"),
        (["serve", "--port", "http"], "--port"),
        (["once", "--source", "nope"], "no source named 'nope'"),
        (["alert", "test", "--rule", "nope"], "no alert rule named 'nope'"),
        (["sources", "enable", "nope"], "no source named 'nope'"),
        (["sources", "add", "https://example.org/x", "--name", "seeds"], "already exists"),
        (["sources", "add", "https://example.org/x", "--interval", "soon"], "interval"),
        (["sources", "add", "ftp://example.org/x"], "http:// or https://"),
    ],
)
def test_bad_values(args: list[str], expected: str, tmp_path: Path, seeds_config: Path,
                    monkeypatch: pytest.MonkeyPatch) -> None:
    before = seeds_config.read_text()
    line = _one_clear_line(_run(["--config", str(seeds_config), *args], tmp_path, monkeypatch))
    assert expected in line
    assert seeds_config.read_text() == before


def test_bad_monitor_port(tmp_path: Path, seeds_config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONITOR_PORT", "eighty")
    monkeypatch.chdir(tmp_path)
    line = _one_clear_line(CliRunner().invoke(cli, ["--config", str(seeds_config), "config", "show"]))
    assert "MONITOR_PORT='eighty'" in line


def test_a_bug_is_one_line_too(tmp_path: Path, seeds_config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("monitor.config_show.show", broken)
    result = _run(["--config", str(seeds_config), "config", "show"], tmp_path, monkeypatch)
    line = _one_clear_line(result)
    assert "internal error: RuntimeError: boom" in line and "MONITOR_DEBUG=1" in line
    assert result.exit_code == 70
