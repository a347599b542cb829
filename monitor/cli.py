"""The ``monitor`` command. Each command parses its options and calls one library function.

Errors become one line and an exit code (``monitor.cli_base``); the ``config``, ``alert`` and
``sources`` groups live in ``monitor.cli_config`` and ``monitor.cli_sources``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from monitor import __version__, log
from monitor.cli_base import DEFAULT_CONFIG, LOG_LEVELS, PORT, PORT_ENV, MonitorGroup, State, pass_state
from monitor.cli_config import alert, config_group
from monitor.cli_sources import sources
from monitor.errors import ConfigError, UsageError
from monitor.models import Extracted


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
    help="SQLite database (env MONITOR_DB); default from the config.",
)
@click.option(
    "--log-level",
    type=click.Choice(LOG_LEVELS, case_sensitive=False),
    default=None,
    help="Least severe log lines shown (default INFO).",
)
@click.pass_context
def cli(ctx: click.Context, config_path: str, db_path: str | None, log_level: str | None) -> None:
    """Rare Earth Monitor: watches rare-earth news, tags it, stores it and alerts on it.

    Set MONITOR_PORT to move Datasette (and the links in alerts) to another port.
    """
    explicit = _given(ctx, "config_path")
    from_env = ctx.get_parameter_source("db_path") == click.core.ParameterSource.ENVIRONMENT
    db_origin = "env MONITOR_DB" if from_env else "option --db"
    ctx.obj = State(config_path, explicit, db_path, db_origin)
    log.setup(log_level or "INFO")


def _given(ctx: click.Context, name: str) -> bool:
    source = ctx.get_parameter_source(name)
    return source is not None and source.name != "DEFAULT"


def _serve_options(command: Any) -> Any:
    command = click.option("--port", "-p", type=PORT, default=None,
                           help=f"Datasette's port (env {PORT_ENV}; default [serve] port).")(command)
    return click.option("--host", "-h", default=None,
                        help="Address Datasette binds (default [serve] host, 127.0.0.1).")(command)


def _take_serve_options(state: State, host: str | None, port: int | None) -> None:
    if host is not None:
        state.host = host
    if port is not None:
        state.port, state.port_origin = port, "option --port"


@cli.command()
@click.option("--no-serve", is_flag=True, help="Do not start Datasette next to the scheduler.")
@_serve_options
@pass_state
def run(state: State, no_serve: bool, host: str | None, port: int | None) -> None:
    """Run the daemon: the scheduler, and Datasette on 127.0.0.1:8001 unless --no-serve."""
    from monitor import daemon

    _take_serve_options(state, host, port)
    config = state.config()  # a missing feeds.toml is one clear error before anything starts
    if not config.path.is_file():  # the daemon re-reads its file on SIGHUP: defaults will not do
        raise ConfigError("the daemon needs a feeds.toml: pass --config PATH", file=str(config.path))
    sys.exit(daemon.run(config.path, serve=not no_serve, overrides=state.overrides()))


@cli.command()
@click.option("--source", "only", default=None, metavar="NAME", help="Only this source (even if disabled).")
@click.option("--force", is_flag=True, help="Fetch even sources waiting out an error backoff.")
@pass_state
def once(state: State, only: str | None, force: bool) -> None:
    """One pass over every enabled source, deliver pending alerts, print a summary, exit.

    Sources that failed recently wait out their backoff unless --force. Exits 0 even when sources
    fail (their errors are recorded and shown); 2 for an invalid config.
    """
    from monitor import commands as runner
    from monitor import terminal
    from monitor.store.status import pass_counts

    db = state.open_db()
    result = runner.run_once(state.config(), db, progress=sys.stderr.isatty(), only=only, force=force)
    rows = []
    for report in result.reports:
        stories, alerts = pass_counts(db, report.article_ids)
        error = report.error or (f"{report.failed} pages failed" if report.failed else "")
        rows.append((report.source, report.new, stories, report.copies, alerts, report.failed, error))
    out = terminal.console()
    fetched = {r.source for r in result.reports}
    waiting = [s.name for s in state.config().sources if s.enabled and s.name not in fetched and only is None]
    if not rows:
        out.print("nothing was due: every source is disabled or waiting out its backoff (--force fetches)")
        return
    columns = ("source", "new", "stories", "copies", "alerts", "failed", "error")
    terminal.emit(out, terminal.table(None, columns, rows, numeric=columns[1:6]))
    total = [sum(int(r[i]) for r in rows) for i in range(1, 6)]
    out.print(f"{total[0]} new articles, {total[1]} new stories, {total[2]} copies, {total[3]} alerts raised;"
              f" {result.sent} alerts sent, {result.waiting} waiting for a target;"
              f" {sum(1 for r in result.reports if r.error)} of {len(rows)} sources failed")
    if waiting:
        out.print(f"waiting out an error backoff: {', '.join(waiting)} (--force fetches them now)")


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--source", default="ingest", show_default=True, help="Source name recorded on the articles.")
@pass_state
def ingest(state: State, paths: Sequence[Path], source: str) -> None:
    """Ingest .txt/.html article files or directories through the pipeline."""
    from monitor import commands as runner

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
    from monitor import commands as runner

    _print_extracted(runner.extract_target(state.config(required=False), target), as_json)


@cli.command(name="tag")
@click.argument("path")
@click.option("--json", "as_json", is_flag=True, help="Print tags, counts, snippets and score as JSON.")
@pass_state
def tag_command(state: State, path: str, as_json: bool) -> None:
    """Print the rare-earth tags of an article (PATH or - for stdin)."""
    from monitor import commands as runner

    text = _read_text(path)
    result = runner.tag_text(state.config(required=False), text)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    for hit in result["tags"]:
        click.echo(f"{hit['tag']}\t{hit['count']}\t{hit['snippet']}")
    click.echo(f"score\t{result['score']}")


@cli.command(name="numbers")
@click.argument("path")
@click.option("--json", "as_json", is_flag=True, help="Print every field of every observation as JSON.")
@click.option("--date", "published", default=None, help="Article date YYYY-MM-DD ('in May'); default today.")
@click.option("--all", "everything", is_flag=True, help="Also show candidates below the store threshold.")
@pass_state
def numbers_command(state: State, path: str, as_json: bool, published: str | None, everything: bool) -> None:
    """Print the market numbers of an article: prices, quotas, trade (PATH or - for stdin)."""
    from datetime import UTC, date, datetime

    from monitor import commands as runner

    if published is None:
        published = datetime.now(UTC).date().isoformat()
    else:
        try:
            published = date.fromisoformat(published).isoformat()
        except ValueError:
            raise UsageError(f"--date {published!r}: expected YYYY-MM-DD") from None
    result = runner.numbers_text(state.config(required=False), _read_text(path), published, everything)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    for item in result["observations"]:
        click.echo("\t".join(_observation_columns(item)))
    if not result["observations"]:
        click.echo("no market numbers found", err=True)


def _observation_columns(item: dict[str, Any]) -> list[str]:
    from monitor.numbers.display import amount

    value = amount(item["value"], item["value_high"], item["currency"], item["unit"])
    if item["value"] is None:
        value = ""
    change = "" if item["change_pct"] is None else f"{item['change_pct']:+g}%"
    confidence = f"{item['confidence']:.2f}"
    period = item["period"] or ""
    return [item["metric"], value, change, period, confidence, item["written"]]


@cli.command()
@_serve_options
@pass_state
def serve(state: State, host: str | None, port: int | None) -> None:
    """Serve the database with Datasette only (no fetching)."""
    from monitor import serve as serve_module

    _take_serve_options(state, host, port)
    config = state.config()
    click.echo(f"serving {config.database_url}", err=True)
    code = serve_module.serve(config, config.db_path)
    sys.exit(128 - code if code < 0 else code)  # a child ended by signal N: 128+N, as shells report it


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@pass_state
def status(state: State, as_json: bool) -> None:
    """Per-source health, counts, the last pass, the outbox and whether the daemon runs."""
    from monitor.lock import running_daemon
    from monitor.store.status import summary

    data = summary(state.open_db(create=False))
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    _print_status(data, running_daemon(state.db_path()))


@cli.command()
@click.option("--batch", default=500, show_default=True, type=click.IntRange(min=1),
              help="Articles per transaction.")
@pass_state
def retag(state: State, batch: int) -> None:
    """Re-tag every stored article and re-read its market numbers, without fetching.

    Articles stored without a language get one detected from their text."""
    from monitor import commands as runner

    count = runner.retag(state.config(), state.open_db(create=False), batch, progress=sys.stderr.isatty())
    click.echo(f"retagged {count} articles")


# helpers -----------------------------------------------------------------------------------------


def _read_text(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_bytes().decode("utf-8", errors="replace")
    except IsADirectoryError:
        raise UsageError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise UsageError(f"{path}: {exc.strerror or exc}") from exc


def _print_extracted(content: Extracted, as_json: bool) -> None:
    if not as_json:
        click.echo(content.text)
        return
    data = asdict(content)
    data["removed"] = [{"text": r.text, "reason": r.reason} for r in content.removed]
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _print_status(data: dict[str, Any], daemon_pid: int | None) -> None:
    from monitor import terminal

    out = terminal.console()
    alerts = data["alerts"]
    out.print(f"articles {data['articles']}  stories {data['stories']}  copies {data['copies']}")
    out.print(f"last pass {terminal.ago(data['last_pass'])}"
              + (f" ({data['last_pass']})" if data["last_pass"] else ""))
    out.print(f"alerts pending {alerts['pending']}  digest {alerts['digest']}  sent {alerts['sent']}"
              f"  failed {alerts['failed']}")
    out.print(f"daemon running (pid {daemon_pid})" if daemon_pid else "daemon not running")
    out.print("")
    rows = [(s["name"], s["kind"], _health(s), terminal.ago(s["last_ok"]),
             terminal.ago(s["next_due"]) if s["enabled"] else "disabled") for s in data["sources"]]
    terminal.emit(out, terminal.table(None, ("source", "kind", "health", "last ok", "next"), rows))
    for line in _entries_text(data):
        out.print(line)


def _health(source: dict[str, Any]) -> str:
    """The source's health in words: failing, warnings, entries waiting and given up on."""
    parts = [f"{source['error_count']} failures: {source['last_error']}"] if source["error_count"] else []
    if source.get("warning"):
        parts.append(f"warning: {source['warning']}")
    if source.get("pending_entries"):
        parts.append(f"{source['pending_entries']} entries pending")
    if source.get("failed_entries"):
        parts.append(f"{source['failed_entries']} entries failed")
    if not parts and not source["last_attempt"]:
        return "never fetched"
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


for _group in (config_group, sources, alert):
    cli.add_command(_group)


def main() -> None:
    cli(prog_name="monitor")
