"""feeds.toml: parsed once into validated settings; every error names file, line and key.

The file has settings tables (``[monitor]``, ``[fetch]``, ``[serve]``) and arrays of tables
(``[[source]]``, ``[[alert]]``). Each is checked against a dataclass declared with
:func:`monitor.settings.setting`, so defaults, help and validation live in one place.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from monitor import links
from monitor.errors import ConfigError, ConfigErrors
from monitor.fetch.settings import FetchSettings
from monitor.fetch.ssrf import url_refusal
from monitor.models import Source
from monitor.numbers import STORE_THRESHOLD
from monitor.settings import default_of, duration, non_negative, one_of, positive, setting, string_list

if TYPE_CHECKING:  # the type only: alert rules depend on the config, not back (see _alerts)
    from monitor.alerts.rules import Rule

T = TypeVar("T")


def _fraction(value: Any) -> str | None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1
    return None if ok else "must be a number from 0 to 1"


@dataclass(frozen=True, slots=True)
class MonitorSettings:
    """The ``[monitor]`` table."""

    db: str = setting("data/monitor.db", "SQLite database file, relative to feeds.toml.")
    topics: tuple[str, ...] = setting(
        (), "Extra taxonomy files extending monitor/tagging/topics.toml.", convert=string_list
    )
    apprise_config: str | None = setting(
        None, "Apprise configuration file (YAML or text) naming alert targets."
    )
    public_url: str | None = setting(
        None,
        "Base URL of Datasette for links in alerts and feeds; unset: http://HOST:PORT of [serve].",
    )
    keep_html_days: int = setting(30, "Days to keep raw article HTML; 0 keeps it forever.", non_negative)
    silent_after: int = setting(
        0,
        "Health alert when a source adds nothing for this long (15m/1h/2d); 0 is off.",
        non_negative,
        duration,
    )
    log_level: str = setting(
        "INFO", "DEBUG, INFO, WARNING or ERROR.", one_of("DEBUG", "INFO", "WARNING", "ERROR")
    )
    max_parse_bytes: int = setting(
        2_000_000,
        "Largest document handed to a parser (after decompression; characters for a decoded page)."
        " A page over it loses scripts and styles, then is cut (article flagged truncated); a feed"
        " is cut after its last whole item; an ingested file is read this far.",
        positive,
    )
    max_text_chars: int = setting(
        300_000, "Longest article text stored; longer text is cut at a paragraph and flagged truncated.",
        positive,
    )
    write_wait: float = setting(
        20.0,
        "Seconds a write waits for another process (the daemon, another ingest) to release the"
        " database before the command gives up with one line.",
        positive,
    )
    parse_workers: int = setting(
        1, "Threads that parse and extract documents off the event loop (memory grows with each).", positive
    )
    number_confidence: float = setting(
        STORE_THRESHOLD,
        "Market numbers (prices, quotas, trade...) are stored only when the extractor's confidence is"
        f" at least this (0..1; the extractor itself returns nothing under {STORE_THRESHOLD}): a wrong"
        " price is worse than a missing one.",
        _fraction,
    )


@dataclass(frozen=True, slots=True)
class ServeSettings:
    """The ``[serve]`` table: the Datasette server ``monitor run`` and ``monitor serve`` start."""

    host: str = setting("127.0.0.1", "Address Datasette binds; keep 127.0.0.1 behind a reverse proxy.")
    port: int = setting(8001, "Port Datasette listens on.", positive)
    allow_sql: bool = setting(False, "Let visitors run arbitrary SQL (off by default).")
    sql_time_limit_ms: int = setting(1000, "Time limit of one SQL query, in milliseconds.", positive)
    max_returned_rows: int = setting(1000, "Most rows a query returns.", positive)
    auth: bool = setting(False, "Require a sign-in for every page (datasette-auth-passwords).")
    auth_user: str = setting("monitor", "User name of that sign-in.")
    password_hash_file: str | None = setting(
        None, "File holding its password hash (datasette hash-password); else MONITOR_PASSWORD_HASH."
    )


@dataclass(frozen=True, slots=True)
class Config:
    """Everything feeds.toml says, validated. Paths are absolute."""

    path: Path
    monitor: MonitorSettings
    fetch: FetchSettings
    serve: ServeSettings
    sources: tuple[Source, ...]
    alerts: tuple[Rule, ...] = ()  # alert rules, validated by monitor.alerts.rules

    @property
    def db_path(self) -> Path:
        return self.resolve(self.monitor.db)

    @property
    def public_url(self) -> str:
        """Where people reach Datasette: ``[monitor] public_url``, else the served host and port."""
        return self.monitor.public_url or links.default_public_url(self.serve.host, self.serve.port)

    @property
    def database_url(self) -> str:
        """The database's page in Datasette; every link to an article or story starts here."""
        return links.database_url(self.public_url, self.db_path)

    def resolve(self, path: str) -> Path:
        """A path from the config file, relative to the file's directory."""
        return (self.path.parent / Path(path).expanduser()).resolve()


SECTIONS: dict[str, type] = {"monitor": MonitorSettings, "fetch": FetchSettings, "serve": ServeSettings}
ARRAYS = ("source", "alert")


@dataclass(frozen=True, slots=True)
class Overrides:
    """Values given on the command line or in the environment; they win over feeds.toml.

    ``origins`` says where each came from (``option --port``, ``env MONITOR_PORT``), for
    ``monitor config show``.
    """

    db: Path | None = None
    host: str | None = None
    port: int | None = None
    origins: tuple[tuple[str, str], ...] = ()

    def apply(self, config: Config) -> Config:
        monitor, serve = config.monitor, config.serve
        if self.db is not None:
            monitor = dataclasses.replace(monitor, db=str(Path(self.db).expanduser().resolve()))
        if self.host is not None:
            serve = dataclasses.replace(serve, host=self.host)
        if self.port is not None:
            serve = dataclasses.replace(serve, port=self.port)
        return dataclasses.replace(config, monitor=monitor, serve=serve)

    def origin(self, table: str, key: str) -> str | None:
        return dict(self.origins).get(f"{table}.{key}")


def load(path: Path, overrides: Overrides | None = None) -> Config:
    """Read and validate a config file; raise ConfigError naming file, line and key of every problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except IsADirectoryError as exc:
        raise ConfigError("is a directory, not a TOML file", file=str(path)) from exc
    except OSError as exc:
        raise ConfigError(exc.strerror or str(exc), file=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError("not UTF-8 text", file=str(path)) from exc
    config = parse(text, path)
    return overrides.apply(config) if overrides else config


def parse(text: str, path: Path) -> Config:
    """Validate TOML text as a config; ``path`` names it in errors and anchors relative paths.

    Every problem is collected (not only the first) and raised together as :class:`ConfigErrors`.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_toml_message(exc), file=str(path), line=_toml_line(exc)) from exc
    where = Locator(text, str(path))
    _reject_unknown_tables(data, where)
    settings: dict[str, Any] = {
        name: build(group, _table(data, name, where), where, name) for name, group in SECTIONS.items()
    }
    sources = _sources(data, where)
    alerts = _alerts(data, where)
    if where.problems:  # in file order, as an editor shows them
        raise ConfigErrors(sorted(where.problems, key=lambda e: e.line if e.line is not None else 1 << 30))
    return Config(path=path.resolve(), sources=sources, alerts=alerts, **settings)


def _sources(data: dict[str, Any], where: Locator) -> tuple[Source, ...]:
    sources: list[Source] = []
    seen: set[str] = set()
    for i, table in enumerate(_array(data, "source", where)):
        source = build(Source, table, where, "source", i)
        if source is None:
            continue
        if source.name in seen:
            where.report("duplicate source name", "source", i, "name")
        seen.add(source.name)
        _check_source(source, where, i)
        sources.append(source)
    return tuple(sources)


def _check_source(source: Source, where: Locator, index: int) -> None:
    if source.kind == "files" and not source.path:
        where.report("kind files needs a path", "source", index, "path")
    if source.kind != "files" and not source.url:
        where.report(f"kind {source.kind} needs a url", "source", index, "url")
    if source.url and not re.match(r"(?i)^https?://[^/\s]+", source.url):
        where.report("must be an http:// or https:// URL", "source", index, "url")
    elif source.url:
        problem = url_refusal(source.url, source.allow_private)
        if problem is not None and problem.startswith("blocked"):
            where.report(f"{problem}: only public addresses are fetched; set allow_private = true for a"
                         " source on an intranet or this machine", "source", index, "url")
        elif problem is not None:
            where.report(problem, "source", index, "url")
    for key in ("include", "exclude"):
        for pattern in getattr(source, key):
            try:
                re.compile(pattern)
            except re.error as exc:
                where.report(f"invalid regex {pattern!r}: {exc}", "source", index, key)


def _alerts(data: dict[str, Any], where: Locator) -> tuple[Rule, ...]:
    tables = _array(data, "alert", where)
    if not tables:
        return ()
    from monitor.alerts.rules import Rule, check_rule  # imported late: alerts depend on config, not back

    rules: list[Rule] = []
    for i, table in enumerate(tables):
        rule = build(Rule, table, where, "alert", i)
        if rule is None:
            continue
        problem = check_rule(rule)
        if problem:
            where.report(problem[1], "alert", i, problem[0])
        if any(r.name == rule.name for r in rules):  # alerts are deduplicated per rule name and story
            where.report("duplicate alert rule name", "alert", i, "name")
        rules.append(rule)
    return tuple(rules)


def build(
    group: type[T], table: dict[str, Any], where: Locator, name: str, index: int | None = None
) -> T | None:
    """One settings dataclass from a TOML table: unknown keys, missing keys, types and checks.

    Each problem is reported to ``where``; None when the table had any.
    """
    fields = {f.name: f for f in dataclasses.fields(group)}  # type: ignore[arg-type]
    before = len(where.problems)
    for key in table:
        if key not in fields:
            where.report(f"unknown key{_did_you_mean(key, fields)}", name, index, key)
    values = {}
    for key, f in fields.items():
        if key in table:
            try:
                values[key] = _value(f, table[key], where, name, index)
            except ConfigError as exc:
                where.problems.append(exc)
        elif default_of(f) is dataclasses.MISSING:
            where.report("required key is missing", name, index, key)
    if len(where.problems) > before:
        return None
    return group(**values)


def _value(f: dataclasses.Field[Any], raw: Any, where: Locator, name: str, index: int | None) -> Any:
    convert, check = f.metadata.get("convert"), f.metadata.get("check")
    try:
        value = convert(raw) if convert else raw
    except ValueError as exc:
        raise where.error(str(exc), name, index, f.name) from exc
    problem = _type_problem(f, value) or (check(value) if check else None)
    if problem:
        raise where.error(problem, name, index, f.name)
    return value


def _type_problem(f: dataclasses.Field[Any], value: Any) -> str | None:
    default = default_of(f)
    if f.metadata.get("convert"):
        return None
    if default is dataclasses.MISSING or default is None:
        # Required and optional fields are text unless their annotation says otherwise.
        wants_text = str(f.type).startswith("str")
        return "must be a string" if wants_text and not isinstance(value, str) else None
    expected = type(default)
    if isinstance(value, bool) != (expected is bool):
        return f"must be {'true or false' if expected is bool else 'a ' + expected.__name__}"
    if expected is float and isinstance(value, int):
        return None
    return None if isinstance(value, expected) else f"must be a {_type_name(expected)}"


def _type_name(kind: type) -> str:
    return {"str": "string", "int": "whole number", "float": "number"}.get(kind.__name__, kind.__name__)


def _did_you_mean(key: str, fields: dict[str, Any]) -> str:
    import difflib

    close = difflib.get_close_matches(key, list(fields), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _table(data: dict[str, Any], name: str, where: Locator) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        where.report(f"must be a table [{name}]", name, None, None)
        return {}
    return value


def _array(data: dict[str, Any], name: str, where: Locator) -> list[dict[str, Any]]:
    value = data.get(name, [])
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        where.report(f"must be written as [[{name}]] tables", name, None, None)
        return []
    return value


def _reject_unknown_tables(data: dict[str, Any], where: Locator) -> None:
    for key in data:
        if key not in SECTIONS and key not in ARRAYS:
            known = [*SECTIONS, *ARRAYS]
            where.report(f"unknown table{_did_you_mean(key, dict.fromkeys(known))}", key, None, None)


_TOML_AT = re.compile(r"\(at line (\d+), column \d+\)")


def _toml_line(exc: tomllib.TOMLDecodeError) -> int | None:
    found = _TOML_AT.search(str(exc))
    return int(found.group(1)) if found else getattr(exc, "lineno", None)


def _toml_message(exc: tomllib.TOMLDecodeError) -> str:
    return "invalid TOML: " + _TOML_AT.sub("", getattr(exc, "msg", str(exc))).strip()


_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_\-]+)\s*\]\]?")


class Locator:
    """Finds the line of a key in the TOML text, so errors point where the user must edit."""

    def __init__(self, text: str, file: str) -> None:
        self.lines = text.splitlines()
        self.file = file
        self.problems: list[ConfigError] = []

    def report(self, message: str, table: str, index: int | None, key: str | None) -> None:
        """Record a problem and go on, so one run shows every error."""
        self.problems.append(self.error(message, table, index, key))

    def error(self, message: str, table: str, index: int | None, key: str | None) -> ConfigError:
        label = f"{table}[{index}]" if index is not None else table
        if key:
            label = f"{label}.{key}"
        return ConfigError(message, file=self.file, line=self.line(table, index, key), key=label)

    def line(self, table: str, index: int | None, key: str | None) -> int | None:
        header = None
        counts: dict[str, int] = {}
        current: tuple[str, int | None] | None = None
        for number, line in enumerate(self.lines, start=1):
            found = _HEADER.match(line)
            if found:
                current = _position(found, counts)
                if current == (table, index) and header is None:
                    header = number
                continue
            if current == (table, index) and key and re.match(rf"^\s*\"?{re.escape(key)}\"?\s*=", line):
                return number
        return header


def _position(found: re.Match[str], counts: dict[str, int]) -> tuple[str, int | None]:
    name = found.group(2)
    if found.group(1) == "[[":
        counts[name] = counts.get(name, -1) + 1
        return name, counts[name]
    return name, None
