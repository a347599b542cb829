"""``monitor config show``: the configuration in effect, as TOML, each value with its origin.

The output is valid TOML that reads back to the same configuration (a test parses it again):
unset optional values and the computed ``public_url`` appear as comments, durations in seconds.
Origins: ``feeds.toml:LINE`` (the file), ``env NAME`` / ``option --NAME`` (overrides), ``default``.
"""

from __future__ import annotations

import dataclasses
import tomllib
from typing import Any

import tomlkit

from monitor.config import ARRAYS, SECTIONS, Config, Locator, Overrides
from monitor.models import Source


def show(config: Config, overrides: Overrides | None = None) -> str:
    """The configuration in effect (file, overrides and defaults) as commented TOML."""
    exists = config.path.is_file()
    text = config.path.read_text(encoding="utf-8") if exists else ""
    raw = tomllib.loads(text) if text else {}
    where = Locator(text, config.path.name)
    origin = _Origins(raw, where, overrides or Overrides())
    lines = [
        f"# The configuration in effect: {config.path if exists else 'no file, defaults only'}",
        "# After each value: where it comes from (file:line, env, option or default).",
        "",
    ]
    for table, group in SECTIONS.items():
        lines.append(f"[{table}]")
        lines += _values(getattr(config, table), group, table, None, origin)
        if table == "monitor" and config.monitor.public_url is None:
            shown = _toml(config.public_url)
            lines.append(f"# public_url = {shown}  # default: follows [serve] host and port")
        lines.append("")
    from monitor.alerts.rules import Rule

    arrays: dict[str, tuple[type, tuple[Any, ...]]] = {
        "source": (Source, config.sources), "alert": (Rule, config.alerts)
    }
    for name in ARRAYS:
        group, items = arrays[name]
        if not items:
            lines += [f"# no [[{name}]] tables", ""]
        for index, item in enumerate(items):
            lines.append(f"[[{name}]]")
            lines += _values(item, group, name, index, origin)
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


class _Origins:
    def __init__(self, raw: dict[str, Any], where: Locator, overrides: Overrides) -> None:
        self.raw, self.where, self.overrides = raw, where, overrides

    def of(self, table: str, index: int | None, key: str) -> str:
        if index is None:
            forced = self.overrides.origin(table, key)
            if forced:
                return forced
            present = key in self.raw.get(table, {})
        else:
            items = self.raw.get(table, [])
            present = index < len(items) and key in items[index]
        if not present:
            return "default"
        line = self.where.line(table, index, key)
        return f"{self.where.file}:{line}" if line else self.where.file

    def written(self, table: str, index: int | None, key: str) -> Any:
        section = self.raw.get(table, {} if index is None else [])
        entry = section if index is None else (section[index] if index < len(section) else {})
        return entry.get(key) if isinstance(entry, dict) else None


def _values(item: Any, group: type, table: str, index: int | None, origin: _Origins) -> list[str]:
    lines = []
    for f in dataclasses.fields(group):
        value = getattr(item, f.name)
        where = origin.of(table, index, f.name)
        if value is None:
            if not (table == "monitor" and f.name == "public_url"):
                lines.append(f"# {f.name} is unset  # {where}")
            continue
        shown = _toml(value)
        written = origin.written(table, index, f.name)
        note = f" (written {written!r})" if isinstance(written, str) and _toml(written) != shown else ""
        if f.name == "first_mention" and value == ("*",):
            shown = "true"  # what the rule's convert turns into ("*",)
        lines.append(f"{f.name} = {shown}  # {where}{note}")
    return lines


def _toml(value: Any) -> str:
    """A value as TOML text: tuples as arrays, strings with TOML's own escaping."""
    if isinstance(value, tuple):
        value = _plain(value)
    return str(tomlkit.item(value).as_string())


def _plain(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value
