"""The ``files`` source: a local directory of ``.txt``/``.html`` articles, re-scanned each pass.

Each file becomes an entry whose URL is its ``file://`` URI and whose content is the file itself,
so the pipeline treats it like a feed item that carried its full text.
"""

from __future__ import annotations

import logging
from pathlib import Path

from monitor import log
from monitor.errors import ParseError
from monitor.fetch.decode import binary_kind, decode
from monitor.models import Entry
from monitor.sources import Listing

logger = logging.getLogger(__name__)
SUFFIXES = {".txt": "text/plain", ".html": "text/html", ".htm": "text/html"}
MAX_FILE_BYTES = 2_000_000  # the default [monitor] max_parse_bytes: more is never parsed


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
    return Entry(
        url=file_url(path),
        content=text.rstrip("\ufffd") if truncated else text,  # a character split by the cut
        content_type=SUFFIXES.get(path.suffix.lower(), "text/plain"),
        complete=True,
        truncated=truncated,
    )


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
