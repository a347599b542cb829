"""``monitor sources list|add|enable|disable|remove|import``: feeds.toml's sources, edited safely."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from monitor.cli_base import MonitorGroup, State, pass_state
from monitor.config import Config
from monitor.models import SOURCE_KINDS

# sources -----------------------------------------------------------------------------------------


@click.group(cls=MonitorGroup)
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
