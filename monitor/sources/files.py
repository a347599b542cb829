"""The ``files`` source: a local directory of ``.txt``/``.html`` articles, re-scanned each pass.

Each file becomes an entry whose URL is its ``file://`` URI and whose content is the file itself,
so the pipeline treats it like a feed item that carried its full text.

What the text cannot say can be written beside it: a sidecar ``NAME.json`` next to ``NAME.txt``,
or front matter at the top of the file (``---`` lines around ``key: value`` lines). Keys: ``url``
(the article's web address), ``published`` (or ``date``), ``outlet``, ``title``, ``authors``. These
are declared by whoever stored the file, so they win over what the text itself suggests.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from monitor import log
from monitor.errors import ParseError
from monitor.fetch.decode import binary_kind, decode
from monitor.models import Entry
from monitor.sources import Listing

logger = logging.getLogger(__name__)
SUFFIXES = {".txt": "text/plain", ".html": "text/html", ".htm": "text/html"}
MAX_FILE_BYTES = 2_000_000  # the default [monitor] max_parse_bytes: more is never parsed
MAX_SIDECAR_BYTES = 64 * 1024
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(?P<head>(?:[^\n]*\n){0,40}?)---[ \t]*\r?\n")
_FIELD = re.compile(r"^(?P<key>[A-Za-z_]+)\s*:\s*(?P<value>.*?)\s*$")


def article_files(paths: list[Path]) -> list[Path]:
    """Every article file under the given files and directories, sorted, once each."""
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found.update(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
        elif path.is_file():
            found.add(path)
    return sorted(found)


def file_url(path: Path) -> str:
    return path.resolve().as_uri()


def read_entry(path: Path, max_bytes: int = MAX_FILE_BYTES) -> Entry:
    """One file as a complete entry, reading at most ``max_bytes`` (then ``truncated`` says so).

    Raises ParseError for a binary file (PDF, image, archive, NUL bytes): not an article.
    Undecodable bytes of a text file are replaced, never fatal.
    """
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)
    kind = binary_kind(data)
    if kind is not None:
        raise ParseError(f"{path}: binary file ({kind}), not a .txt/.html article")
    truncated = len(data) > max_bytes
    text, _ = decode(data[:max_bytes], "text/plain")
    text, declared = split_front_matter(text.rstrip("\ufffd") if truncated else text)  # a split character
    declared = {**declared, **read_sidecar(path.with_suffix(".json"))}
    own = file_url(path)
    return Entry(
        url=_text(declared.get("url")) or own,
        guid=own,  # the file is its identity, whatever web address its sidecar gives
        title=_text(declared.get("title")),
        published=_text(declared.get("published") or declared.get("date")),
        content=text,
        content_type=SUFFIXES.get(path.suffix.lower(), "text/plain"),
        complete=True,
        outlet=_text(declared.get("outlet")),
        authors=_authors(declared.get("authors") or declared.get("author")),
        declared=bool(declared),
        truncated=truncated,
    )


def split_front_matter(text: str) -> tuple[str, dict[str, Any]]:
    """(text without its front matter, the ``key: value`` pairs it held); unchanged when there is none."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        return text, {}
    fields = {}
    for line in match.group("head").splitlines():
        found = _FIELD.match(line)
        if found is None:
            return text, {}  # not front matter after all: a text that starts with a rule line
        fields[found.group("key").lower()] = found.group("value").strip("\"'")
    return text[match.end() :], fields


def read_sidecar(path: Path) -> dict[str, Any]:
    """The JSON object in ``NAME.json``; an absent, unreadable or malformed sidecar is no sidecar."""
    try:
        with path.open("rb") as handle:
            value = json.loads(handle.read(MAX_SIDECAR_BYTES))
    except (OSError, ValueError):
        return {}
    return {str(k).lower(): v for k, v in value.items()} if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _authors(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(name.strip() for name in value.split(",") if name.strip())
    if isinstance(value, list):
        return tuple(str(name).strip() for name in value if str(name).strip())
    return ()


def list_entries(paths: list[Path]) -> Listing:
    """A listing of every article file; unreadable or missing paths are reported, not fatal."""
    entries: list[Entry] = []
    errors = [f"{p}: no such file or directory" for p in paths if not p.exists()]
    for path in article_files(paths):
        try:
            entries.append(read_entry(path))
        except OSError as exc:
            errors.append(f"{path}: {exc.strerror or exc}")
        except ParseError as exc:  # a binary file: refused, said, and no reason to back off the source
            log.event(logger, "file_refused", logging.WARNING, path=path, reason=str(exc))
    return Listing(entries=tuple(entries), error="; ".join(errors) or None)


def list_new(
    paths: list[Path], is_new: Callable[[str], bool], limit: int, max_bytes: int = MAX_FILE_BYTES
) -> Listing:
    """The first ``limit`` files whose URL ``is_new`` accepts, read (at most ``max_bytes`` each); the
    rest wait for later passes.

    Known files are left out before the limit applies, so a directory of any size is worked
    through ``limit`` files a pass; ``total`` counts every article file found. A binary file is
    refused with a log line and never asked about again in this pass.
    """
    errors = [f"{p}: no such file or directory" for p in paths if not p.exists()]
    found = article_files(paths)
    entries: list[Entry] = []
    for path in found:
        if len(entries) >= limit:
            break
        if not is_new(file_url(path)):
            continue
        try:
            entries.append(read_entry(path, max_bytes))
        except OSError as exc:
            errors.append(f"{path}: {exc.strerror or exc}")
        except ParseError as exc:  # a binary file: refused, said, and no reason to back off the source
            log.event(logger, "file_refused", logging.WARNING, path=path, reason=str(exc))
    return Listing(entries=tuple(entries), error="; ".join(errors) or None, total=len(found))
