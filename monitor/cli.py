"""The ``monitor`` command. Each command parses its options and calls one library function;
errors from the library (``MonitorError``) become a one-line message and an exit code.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from monitor import __version__, log
from monitor.config import Config
from monitor.errors import MonitorError
from monitor.models import Extracted

DEFAULT_CONFIG = "feeds.toml"


class MonitorGroup(click.Group):
    """Turns MonitorError into ``Error: ...`` on stderr and the error's exit code (2 for bad config)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MonitorError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except sqlite3.OperationalError as exc:
            from monitor.store.db import is_busy

            if not is_busy(exc):
                raise  # anything else is a bug: keep its traceback
            click.echo(f"Error: database busy: another process holds its write lock ({exc})", err=True)
            ctx.exit(1)


class State:
    """The global options; the config is loaded on first use so ``clean``/``tag`` need none."""

    def __init__(self, config_path: str, db_path: str | None, explicit: bool) -> None:
        self.config_path = Path(config_path)
        self.db_override = Path(db_path) if db_path else None
        self.explicit = explicit
        self._config: Config | None = None

    def config(self) -> Config:
        if self._config is None:
            from monitor import config as config_module

            if not self.explicit and not self.config_path.exists():
                self._config = config_module.parse("", self.config_path)
            else:
                self._config = config_module.load(self.config_path)
        return self._config

    def db_path(self) -> Path:
        return self.db_override or self.config().db_path

    def open_db(self) -> Any:
        from monitor.store.db import open_db

        return open_db(self.db_path(), self.config().monitor.write_wait)


pass_state = click.make_pass_decorator(State)


@click.group(cls=MonitorGroup)
@click.version_option(__version__, prog_name="monitor")
@click.option(
    "--config",
    "config_path",
    envvar="MONITOR_CONFIG",
    default=DEFAULT_CONFIG,
    show_default=True,
    help="feeds.toml to use (env MONITOR_CONFIG).",
)
@click.option(
    "--db",
    "db_path",
    envvar="MONITOR_DB",
    default=None,
    help="SQLite database (env MONITOR_DB); default from the config, else ./data/monitor.db.",
)
@click.option("--log-level", default=None, help="DEBUG, INFO, WARNING or ERROR (default from the config).")
@click.pass_context
def cli(ctx: click.Context, config_path: str, db_path: str | None, log_level: str | None) -> None:
    """Rare Earth Monitor: watches rare-earth news, tags it, stores it and alerts on it."""
    source = ctx.get_parameter_source("config_path")
    explicit = source is not None and source.name != "DEFAULT"
    ctx.obj = State(config_path, db_path, explicit)
    log.setup(log_level or "INFO")


@cli.command()
@click.option("--no-serve", is_flag=True, help="Do not start Datasette next to the scheduler.")
@pass_state
def run(state: State, no_serve: bool) -> None:
    """Run the daemon: the scheduler, and Datasette on 127.0.0.1:8001 unless --no-serve."""
    from monitor import daemon

    code = daemon.run(state.config_path, state.db_override, serve=not no_serve)
    sys.exit(code)


@cli.command()
@pass_state
def once(state: State) -> None:
    """One pass over every enabled source, deliver pending alerts, exit.

    Exits 0 even when sources fail (their errors are recorded); 2 for an invalid config.
    """
    from monitor import runner

    runner.once(state.config(), state.open_db(), progress=sys.stderr.isatty())


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--source", default="ingest", show_default=True, help="Source name recorded on the articles.")
@pass_state
def ingest(state: State, paths: Sequence[Path], source: str) -> None:
    """Ingest .txt/.html article files or directories through the pipeline."""
    from monitor import runner

    report = runner.ingest(state.config(), state.open_db(), list(paths), source)
    click.echo(
        f"{report.new} new, {report.copies} copies, {report.known} known, {report.failed} without text,"
        f" {report.refused} refused"
    )


@cli.command()
@click.argument("path")
@click.option("--json", "as_json", is_flag=True, help="Print every field as JSON.")
def clean(path: str, as_json: bool) -> None:
    """Print the cleaned text of a plain-text article (PATH or - for stdin)."""
    from monitor.extract.plain import extract_plain

    _print_extracted(extract_plain(_read_text(path)), as_json)


@cli.command()
@click.argument("target")
@click.option("--json", "as_json", is_flag=True, help="Print every field as JSON.")
@pass_state
def extract(state: State, target: str, as_json: bool) -> None:
    """Print the article extracted from an HTML file, - for stdin, or a URL."""
    from monitor import runner

    _print_extracted(runner.extract_target(state.config(), target), as_json)


@cli.command(name="tag")
@click.argument("path")
@click.option("--json", "as_json", is_flag=True, help="Print tags, counts, snippets and score as JSON.")
@pass_state
def tag_command(state: State, path: str, as_json: bool) -> None:
    """Print the rare-earth tags of an article (PATH or - for stdin)."""
    from monitor import runner

    result = runner.tag_text(state.config(), _read_text(path))
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    for hit in result["tags"]:
        click.echo(f"{hit['tag']}\t{hit['count']}\t{hit['snippet']}")
    click.echo(f"score\t{result['score']}")


@cli.command()
@pass_state
def serve(state: State) -> None:
    """Serve the database with Datasette only (no fetching)."""
    from monitor import serve as serve_module

    sys.exit(serve_module.serve(state.config(), state.db_path()))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@pass_state
def status(state: State, as_json: bool) -> None:
    """Per-source health, counts, the last pass and the outbox."""
    from monitor.store.status import summary

    data = summary(state.open_db())
    click.echo(json.dumps(data, indent=2) if as_json else _status_text(data))


@cli.command()
@click.option("--batch", default=500, show_default=True, help="Articles per transaction.")
@pass_state
def retag(state: State, batch: int) -> None:
    """Re-tag every stored article with the current taxonomy, without fetching."""
    from monitor import runner

    count = runner.retag(state.config(), state.open_db(), batch, progress=sys.stderr.isatty())
    click.echo(f"retagged {count} articles")


@cli.group(name="config", cls=MonitorGroup)
def config_group() -> None:
    """Check or describe feeds.toml."""


@config_group.command(name="check")
@pass_state
def config_check(state: State) -> None:
    """Validate the config: exit 0, or 2 with file:line: key: what is wrong."""
    state.explicit = True  # a missing file is an error here
    config = state.config()
    click.echo(f"{config.path}: ok ({len(config.sources)} sources, {len(config.alerts)} alert rules)")


@config_group.command(name="show")
@click.option("--markdown", is_flag=True, help="As the Markdown tables of docs/configuration.md.")
def config_show(markdown: bool) -> None:
    """Every setting with its default and help."""
    from monitor.runner import settings_markdown, settings_table

    click.echo(settings_markdown() if markdown else settings_table())


@cli.group(cls=MonitorGroup)
def sources() -> None:
    """Manage sources."""


@sources.command(name="import")
@click.argument("opml", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def sources_import(opml: Path) -> None:
    """Print [[source]] entries for every feed of an OPML file (append them to feeds.toml)."""
    from monitor.sources import opml as opml_module

    click.echo(opml_module.to_toml(opml_module.to_sources(opml.read_bytes())))


@cli.group(cls=MonitorGroup)
def alert() -> None:
    """Alert targets and rules."""


@alert.command(name="test")
@click.option("--rule", default=None, help="Send to this rule's targets (default: every target).")
@pass_state
def alert_test(state: State, rule: str | None) -> None:
    """Send a sample alert and print each target's result."""
    from monitor.alerts import notify

    results = notify.send_test(state.config(), rule)
    for result in results:
        click.echo(f"{result.target}\t{'ok' if result.ok else 'failed'}\t{result.error or ''}")
    if not results:
        click.echo("no targets: set monitor.apprise_config in feeds.toml or MONITOR_APPRISE_URLS")
    if any(not r.ok for r in results) or not results:
        sys.exit(1)


def _read_text(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_bytes().decode("utf-8", errors="replace")
    except OSError as exc:
        raise click.BadParameter(f"{path}: {exc.strerror or exc}") from exc


def _print_extracted(content: Extracted, as_json: bool) -> None:
    if not as_json:
        click.echo(content.text)
        return
    data = asdict(content)
    data["removed"] = [{"text": r.text, "reason": r.reason} for r in content.removed]
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _status_text(data: dict[str, Any]) -> str:
    alerts = data["alerts"]
    lines = [
        f"articles {data['articles']}  stories {data['stories']}  copies {data['copies']}",
        f"last pass {data['last_pass'] or 'never'}",
        f"alerts pending {alerts['pending']}  digest {alerts['digest']}  sent {alerts['sent']}"
        f"  failed {alerts['failed']}",
        "",
    ]
    width = max((len(s["name"]) for s in data["sources"]), default=0)
    for s in data["sources"]:
        lines.append(f"{s['name']:<{width}}  {s['kind']:<8} next {s['next_due'] or '-':<26} {_health(s)}")
    return "\n".join(lines + _entries_text(data))


def _health(source: dict[str, Any]) -> str:
    """The source's health in words: failing, warnings, entries waiting and given up on."""
    parts = [f"{source['error_count']} failures: {source['last_error']}"] if source["error_count"] else []
    if source.get("warning"):
        parts.append(f"warning: {source['warning']}")
    if source.get("pending_entries"):
        parts.append(f"{source['pending_entries']} entries pending")
    if source.get("failed_entries"):
        parts.append(f"{source['failed_entries']} entries failed")
    return "; ".join(parts) or "ok"


def _entries_text(data: dict[str, Any]) -> list[str]:
    counts = data.get("entries") or {}
    if not any(counts.values()):
        return []
    lines = ["", "entries " + "  ".join(f"{state} {n}" for state, n in counts.items())]
    for e in data.get("entry_troubles") or []:
        when = f", next try {e['next_try']}" if e["state"] == "pending" else ""
        tries = f"{e['attempts']} attempts{when}"
        lines.append(f"  {e['state']:<7} {e['source']}: {e['url']} ({tries}: {e['error']})")
    return lines


def main() -> None:
    cli(prog_name="monitor")
