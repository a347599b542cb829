"""The ``monitor`` command. Each command parses its options and calls one library function.

No traceback reaches a user: errors from the library (``MonitorError``) and from the operating
system become one ``Error: ...`` line and an exit code (2 for a bad configuration or bad usage,
3 when Datasette's address is taken, 1 otherwise); anything else is a bug, reported in one line
too (``MONITOR_DEBUG=1`` shows its traceback).
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, NoReturn

import click

from monitor import __version__, log
from monitor.config import Config, Overrides
from monitor.errors import ConfigError, MonitorError, UsageError
from monitor.models import SOURCE_KINDS, Extracted

DEFAULT_CONFIG = "feeds.toml"
PORT_ENV = "MONITOR_PORT"
DEBUG_ENV = "MONITOR_DEBUG"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
BUG_EXIT = 70  # EX_SOFTWARE


def _fail(message: str, code: int) -> NoReturn:
    for line in message.splitlines() or [""]:
        click.echo(f"Error: {line}", err=True)
    sys.exit(code)


class MonitorGroup(click.Group):
    """Every failure as ``Error: ...`` lines on stderr and an exit code, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MonitorError as exc:
            _fail(str(exc), exc.exit_code)
        except IsADirectoryError as exc:
            _fail(f"{exc.filename}: is a directory, not a file", 1)
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            _fail(f"{where}{exc.strerror or exc}", 1)
        except sqlite3.Error as exc:
            _fail(f"database: {exc}", 1)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Click's usage errors in one line (with where to find help); bugs in one line too."""
        if kwargs.get("standalone_mode", True) is False:
            return super().main(*args, **kwargs)
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx else "monitor"
            _fail(f"{exc.format_message()} (see '{where} --help')", 2)
        except click.ClickException as exc:
            _fail(exc.format_message(), exc.exit_code)
        except (click.Abort, KeyboardInterrupt):
            _fail("interrupted", 130)
        except BrokenPipeError:
            sys.exit(1)  # `monitor status | head`: the reader left, nothing to say
        except Exception as exc:
            if os.environ.get(DEBUG_ENV):
                raise
            _fail(f"internal error: {type(exc).__name__}: {exc} (a bug: please report it;"
                  f" {DEBUG_ENV}=1 shows the traceback)", BUG_EXIT)
        sys.exit(result if isinstance(result, int) else 0)


class State:
    """The global options. The config is loaded on first use, so ``clean`` needs none."""

    def __init__(self, config_path: str, explicit: bool, db_path: str | None, db_origin: str) -> None:
        self.config_path = Path(config_path)
        self.explicit = explicit
        self.db_override = Path(db_path) if db_path else None
        self.db_origin = db_origin
        self.host: str | None = None
        self.port: int | None = None
        self.port_origin = ""
        self._configs: dict[bool, Config] = {}

    def overrides(self) -> Overrides:
        origins = []
        if self.db_override is not None:
            origins.append(("monitor.db", self.db_origin))
        port = self.port
        if port is None and os.environ.get(PORT_ENV):
            port = _env_port(os.environ[PORT_ENV])
            self.port_origin = f"env {PORT_ENV}"
        if port is not None:
            origins.append(("serve.port", self.port_origin))
        if self.host is not None:
            origins.append(("serve.host", "option --host"))
        return Overrides(db=self.db_override, host=self.host, port=port, origins=tuple(origins))

    def config(self, required: bool = True) -> Config:
        """The configuration; without a feeds.toml, an error when the command needs one (and no
        --db says where the data is), else the defaults, said on stderr."""
        if required not in self._configs:
            self._configs[required] = self._load(required)
        return self._configs[required]

    def _load(self, required: bool) -> Config:
        from monitor import config as config_module

        if self.explicit or self.config_path.exists():
            return config_module.load(self.config_path, self.overrides())
        if required and self.db_override is None:
            raise ConfigError(
                f"no configuration: {self.config_path.resolve()} does not exist. Run where your feeds.toml"
                " is, pass --config PATH (or MONITOR_CONFIG), or copy the shipped feeds.toml"
                " (README: 'First run')",
            )
        config = self.overrides().apply(config_module.parse("", self.config_path))
        if required:
            click.echo(f"note: no {self.config_path} here: default settings, database {config.db_path}",
                       err=True)
        return config

    def db_path(self) -> Path:
        return self.config().db_path

    def open_db(self, create: bool = True) -> Any:
        """The database; with ``create=False`` a missing file is an error, not a new empty database."""
        from monitor.store.db import open_db

        path = self.db_path()
        if not create and not path.exists():
            raise UsageError(f"no database at {path} yet: run 'monitor once' or 'monitor run' first")
        if path.is_dir():
            raise UsageError(f"{path}: is a directory, not a database file")
        return open_db(path)


def _env_port(raw: str) -> int:
    if raw.strip().isdigit() and 0 < int(raw) < 65536:
        return int(raw)
    raise UsageError(f"{PORT_ENV}={raw!r}: must be a port number from 1 to 65535")


pass_state = click.make_pass_decorator(State)
PORT = click.IntRange(1, 65535)


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
    from monitor import runner, terminal
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
    from monitor import runner

    report = runner.ingest(state.config(), state.open_db(), list(paths), source)
    click.echo(
        f"{report.new} new, {report.copies} copies, {report.known} known, {report.failed} without text"
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

    _print_extracted(runner.extract_target(state.config(required=False), target), as_json)


@cli.command(name="tag")
@click.argument("path")
@click.option("--json", "as_json", is_flag=True, help="Print tags, counts, snippets and score as JSON.")
@pass_state
def tag_command(state: State, path: str, as_json: bool) -> None:
    """Print the rare-earth tags of an article (PATH or - for stdin)."""
    from monitor import runner

    text = _read_text(path)
    result = runner.tag_text(state.config(required=False), text)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    for hit in result["tags"]:
        click.echo(f"{hit['tag']}\t{hit['count']}\t{hit['snippet']}")
    click.echo(f"score\t{result['score']}")


@cli.command()
@_serve_options
@pass_state
def serve(state: State, host: str | None, port: int | None) -> None:
    """Serve the database with Datasette only (no fetching)."""
    from monitor import serve as serve_module

    _take_serve_options(state, host, port)
    config = state.config()
    click.echo(f"serving {config.database_url}", err=True)
    sys.exit(serve_module.serve(config, config.db_path))


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
    """Re-tag every stored article with the current taxonomy, without fetching."""
    from monitor import runner

    count = runner.retag(state.config(), state.open_db(create=False), batch, progress=sys.stderr.isatty())
    click.echo(f"retagged {count} articles")


# config ------------------------------------------------------------------------------------------


@cli.group(name="config", cls=MonitorGroup)
def config_group() -> None:
    """Check feeds.toml (and every file it names) or show the configuration in effect."""


@config_group.command(name="check")
@click.option("--strict", is_flag=True, help="Warnings fail the check too.")
@pass_state
def config_check(state: State, strict: bool) -> None:
    """Check feeds.toml and every file it names; print each problem as file:line: key: message.

    Exit 0 when valid (warnings are printed), 2 when anything is wrong.
    """
    from monitor.config_check import check

    state.explicit = True  # a missing file is an error here
    report = check(state.config_path, state.overrides())
    for finding in report.findings:
        click.echo(str(finding), err=True)
    failed = report.errors or (strict and report.warnings)
    if failed or report.config is None:
        if len(report.findings) > 1:
            click.echo(f"{state.config_path}: {len(report.errors)} errors, {len(report.warnings)} warnings",
                       err=True)
        sys.exit(2)
    config = report.config
    warned = f", {len(report.warnings)} warnings" if report.warnings else ""
    click.echo(f"{config.path}: ok ({len(config.sources)} sources, {len(config.alerts)} alert rules{warned})")


@config_group.command(name="show")
@click.option("--defaults", is_flag=True, help="Every setting with its default and help instead.")
@click.option("--markdown", is_flag=True, help="The settings tables of the docs (Markdown).")
@pass_state
def config_show(state: State, defaults: bool, markdown: bool) -> None:
    """The configuration in effect as TOML, each value with where it comes from."""
    from monitor.runner import settings_markdown, settings_table

    if markdown:
        click.echo(settings_markdown())
        return
    if defaults:
        click.echo(settings_table())
        return
    from monitor.config_show import show

    click.echo(show(state.config(), state.overrides()), nl=False)


# sources -----------------------------------------------------------------------------------------


@cli.group(cls=MonitorGroup)
def sources() -> None:
    """List and edit the [[source]] tables of feeds.toml (comments and layout are kept)."""


@sources.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print the sources as JSON.")
@pass_state
def sources_list(state: State, as_json: bool) -> None:
    """Every configured source: name, kind, on/off, interval, URL or path."""
    from monitor import terminal

    config = state.config()
    if as_json:
        click.echo(json.dumps([asdict(s) for s in config.sources], indent=2))
        return
    rows = [(s.name, s.kind, "on" if s.enabled else "off", _interval(s.interval), s.url or s.path)
            for s in config.sources]
    if not rows:
        click.echo(f"no sources in {config.path}: add one with 'monitor sources add URL'")
        return
    columns = ("name", "kind", "enabled", "every", "url/path")
    terminal.emit(terminal.console(), terminal.table(None, columns, rows))


@sources.command(name="add")
@click.argument("location", metavar="URL|PATH")
@click.option("--name", default=None, help="Unique name (default: the site's host name).")
@click.option("--kind", type=click.Choice(SOURCE_KINDS), default="rss", show_default=True,
              help="rss/atom feed, html index page, sitemap, or files (a local path).")
@click.option("--interval", default=None, help="Time between passes (15m, 1h, 1d; default 1h).")
@click.option("--outlet", default=None, help="Publisher name shown on its articles.")
@click.option("--disabled", is_flag=True, help="Add it switched off.")
@click.option("--allow-private", is_flag=True, help="It lives on a private address (intranet, localhost).")
@pass_state
def sources_add(state: State, location: str, name: str | None, kind: str, interval: str | None,
                outlet: str | None, disabled: bool, allow_private: bool) -> None:
    """Add a source to feeds.toml (validated first; warns when its URL is already configured)."""
    from monitor import feeds_file

    state.explicit = True
    key = "path" if kind == "files" else "url"
    table: dict[str, Any] = {"name": name or _name_for(location), "kind": kind, key: location}
    table.update({k: v for k, v in (("interval", interval), ("outlet", outlet)) if v is not None})
    if disabled:
        table["enabled"] = False
    if allow_private:
        table["allow_private"] = True
    edit = feeds_file.add(state.config_path, table)
    for warning in edit.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"added source {table['name']!r} to {state.config_path}")
    _reload_hint(edit.config)


@sources.command(name="enable")
@click.argument("name")
@pass_state
def sources_enable(state: State, name: str) -> None:
    """Switch a source on."""
    _set_enabled(state, name, True)


@sources.command(name="disable")
@click.argument("name")
@pass_state
def sources_disable(state: State, name: str) -> None:
    """Switch a source off; it stays configured and its articles stay stored."""
    _set_enabled(state, name, False)


@sources.command(name="remove")
@click.argument("name")
@pass_state
def sources_remove(state: State, name: str) -> None:
    """Delete a source from feeds.toml; its articles stay stored."""
    from monitor import feeds_file

    state.explicit = True
    edit = feeds_file.remove(state.config_path, name)
    click.echo(f"removed source {name!r} from {state.config_path}")
    _reload_hint(edit.config)


@sources.command(name="import")
@click.argument("opml", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--add", "write", is_flag=True, help="Append the new feeds to feeds.toml instead of printing.")
@pass_state
def sources_import(state: State, opml: Path, write: bool) -> None:
    """[[source]] entries for every feed of an OPML file; feeds already configured are skipped."""
    from monitor import feeds_file
    from monitor.sources import opml as opml_module

    found = opml_module.to_sources(opml.read_bytes())
    config = state.config(required=write) if write or state.config_path.exists() else None
    fresh = found
    if config is not None:
        repeated = set(feeds_file.duplicate_urls(config, found))
        fresh = [t for t in found if not feeds_file.duplicate_urls(config, [t])]
        taken = {s.name for s in config.sources}
        fresh = [t for t in fresh if t["name"] not in taken] + [
            {**t, "name": f"{t['name']} (opml)"} for t in fresh if t["name"] in taken
        ]
        for line in sorted(repeated):
            click.echo(f"skipped: {line}", err=True)
    if not write:
        click.echo(opml_module.to_toml(fresh), nl=False)
        return
    for table in fresh:
        feeds_file.add(state.config_path, table)
    click.echo(f"added {len(fresh)} sources to {state.config_path} ({len(found) - len(fresh)} already there)")


def _set_enabled(state: State, name: str, enabled: bool) -> None:
    from monitor import feeds_file

    state.explicit = True
    edit = feeds_file.set_enabled(state.config_path, name, enabled)
    click.echo(f"{'enabled' if enabled else 'disabled'} source {name!r} in {state.config_path}")
    _reload_hint(edit.config)


def _reload_hint(config: Config) -> None:
    from monitor.lock import running_daemon

    pid = running_daemon(config.db_path)
    if pid:
        click.echo(f"the daemon (pid {pid}) reads feeds.toml on reload: systemctl reload monitor,"
                   f" or kill -HUP {pid}", err=True)


def _name_for(location: str) -> str:
    from urllib.parse import urlsplit

    host = urlsplit(location).hostname if "://" in location else None
    return (host or Path(location).name or location).removeprefix("www.")


def _interval(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


# alert -------------------------------------------------------------------------------------------


@cli.group(cls=MonitorGroup)
def alert() -> None:
    """Alert targets and rules."""


@alert.command(name="test")
@click.option("--rule", default=None, help="Send to this rule's targets (default: every target).")
@pass_state
def alert_test(state: State, rule: str | None) -> None:
    """Send a sample alert and print each target's result."""
    from monitor.alerts import notify

    config = state.config()
    problem = _targets_problem(config, rule)
    if problem:
        _fail(problem, 1)
    results = notify.send_test(config, rule)
    for result in results:
        click.echo(f"{result.target}\t{'ok' if result.ok else 'failed'}\t{result.error or ''}")
    if any(not r.ok for r in results):
        sys.exit(1)


def _targets_problem(config: Config, rule_name: str | None) -> str | None:
    """What stops a test alert from reaching anyone, said precisely; None when targets exist."""
    from monitor.alerts.notify import rule_named
    from monitor.alerts.targets import ENV_VAR, load_targets

    rule = rule_named(config, rule_name) if rule_name else None  # an unknown rule says so first
    targets = load_targets(config)  # a broken Apprise file raises ConfigError naming it
    if not len(targets):
        if config.monitor.apprise_config:
            return f"{config.resolve(config.monitor.apprise_config)} names no target"
        return f"no alert targets: set [monitor] apprise_config in {config.path.name} or {ENV_VAR}"
    if rule is None:
        return None
    if targets.matching(rule.notify):
        return None
    tags = sorted({t for target in targets for t in target.tags if not t.startswith("name:")})
    return (f"rule {rule.name!r} notifies {', '.join(rule.notify)}, but no target has that tag"
            f" (targets: {', '.join(t.alias for t in targets)}; their tags: {', '.join(tags) or 'none'})")


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


def _health(source: dict[str, Any]) -> str:
    if source["error_count"]:
        return f"{source['error_count']} failures: {source['last_error']}"
    if not source["last_attempt"]:
        return "never fetched"
    return "ok"


def main() -> None:
    cli(prog_name="monitor")
