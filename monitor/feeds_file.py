"""Edit the ``[[source]]`` tables of feeds.toml safely (``monitor sources add|enable|disable|remove``).

Safe means: the operator's comments, order and layout survive (tomlkit for values, plain line
edits for whole tables, so a comment above the next table is never carried along); the new text
is validated as a whole config before anything is written; the write is atomic (a temporary file
in the same directory, then rename), so a crash leaves either the old or the new file.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit

from monitor import config as config_module
from monitor.config import Config
from monitor.dedup.urls import canonicalize
from monitor.errors import ConfigError

_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_\-]+)\s*\]\]?")


@dataclass(frozen=True, slots=True)
class Edit:
    """The result of an edit: the validated config now on disk, and what deserves a warning."""

    config: Config
    warnings: tuple[str, ...] = ()


def read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            "no such file: create it (see README, 'First run') or pass --config", file=str(path)
        ) from None
    except OSError as exc:
        raise ConfigError(exc.strerror or str(exc), file=str(path)) from exc


def add(path: Path, table: dict[str, Any]) -> Edit:
    """Append a ``[[source]]`` after the last one (before any ``[[alert]]``), validated."""
    text = read(path)
    current = config_module.parse(text, path)
    name = str(table["name"])
    if any(s.name == name for s in current.sources):
        raise ConfigError(f"a source named {name!r} already exists", file=str(path), key="source.name")
    warnings = duplicate_urls(current, [table])
    new_text = _insert_source(text, _source_text(table))
    return Edit(write(path, new_text, expect=[*[s.name for s in current.sources], name]), tuple(warnings))


def set_enabled(path: Path, name: str, enabled: bool) -> Edit:
    """Set ``enabled`` of one source, keeping everything else as written."""
    text = read(path)
    current = config_module.parse(text, path)
    index = _index_of(current, name, path)
    document = tomlkit.parse(text)
    document["source"][index]["enabled"] = enabled
    return Edit(write(path, tomlkit.dumps(document), expect=[s.name for s in current.sources]))


def remove(path: Path, name: str) -> Edit:
    """Delete one ``[[source]]`` table (its keys and their comments; the comments around it stay)."""
    text = read(path)
    current = config_module.parse(text, path)
    index = _index_of(current, name, path)
    lines = text.splitlines(keepends=True)
    start, end = _spans(lines, "source")[index]
    while start > 0 and not lines[start - 1].strip():  # the blank line that separated it
        start -= 1
    new_text = "".join(lines[:start] + lines[end:])
    return Edit(write(path, new_text, expect=[s.name for s in current.sources if s.name != name]))


def duplicate_urls(config: Config, tables: Iterable[dict[str, Any]]) -> list[str]:
    """A warning for each new table whose URL (canonicalised) is already configured."""
    known = {canonicalize(s.url): s.name for s in config.sources if s.url}
    warnings = []
    for table in tables:
        url = table.get("url")
        if isinstance(url, str) and canonicalize(url) in known:
            warnings.append(f"{url} is already configured as source {known[canonicalize(url)]!r}")
    return warnings


def write(path: Path, text: str, expect: list[str]) -> Config:
    """Validate ``text`` as the whole config, check the sources are the expected ones, then replace
    the file atomically (same permissions). Nothing is written when anything is wrong."""
    config = config_module.parse(text, path)
    if [s.name for s in config.sources] != expect:  # a bug in an edit must never reach the disk
        raise ConfigError("the edit did not produce the expected sources; the file is unchanged",
                          file=str(path))
    mode = path.stat().st_mode & 0o7777
    handle, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(partial, mode)
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return config


def _index_of(config: Config, name: str, path: Path) -> int:
    for index, source in enumerate(config.sources):
        if source.name == name:
            return index
    names = ", ".join(s.name for s in config.sources) or "none"
    raise ConfigError(f"no source named {name!r} (sources: {names})", file=str(path))


def _source_text(table: dict[str, Any]) -> str:
    document = tomlkit.document()
    document.append("source", tomlkit.aot())
    item = tomlkit.table()
    for key, value in table.items():
        if value is not None:
            item[key] = value
    document["source"].append(item)
    return tomlkit.dumps(document).strip() + "\n"


def _insert_source(text: str, block: str) -> str:
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    spans = _spans(lines, "source")
    if spans:
        at = spans[-1][1]
    else:  # before the first [[alert]], or at the end
        alerts = _spans(lines, "alert")
        at = alerts[0][0] if alerts else len(lines)
        while at > 0 and lines[at - 1].lstrip().startswith("#"):  # keep the alert's comment with it
            at -= 1
    before = "".join(lines[:at])
    separator = "" if not before or before.endswith("\n\n") else "\n"
    after = "".join(lines[at:])
    gap = "\n" if after.strip() and not after.startswith("\n") else ""
    return before + separator + block + gap + after


def _spans(lines: list[str], name: str) -> list[tuple[int, int]]:
    """(first line, line after the last key) of every ``[[name]]`` table, 0-based.

    A table ends before the next header; comment and blank lines right before that header belong
    to what follows, so they are not part of the span.
    """
    headers = [(i, m.group(0).lstrip().startswith("[["), m.group(1))
               for i, line in enumerate(lines) if (m := _HEADER.match(line))]
    spans = []
    for n, (start, is_array, table) in enumerate(headers):
        if not is_array or table != name:
            continue
        end = headers[n + 1][0] if n + 1 < len(headers) else len(lines)
        while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
            end -= 1
        spans.append((start, end))
    return spans
