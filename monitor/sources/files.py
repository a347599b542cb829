"""The ``files`` source: a local directory of ``.txt``/``.html`` articles, re-scanned each pass.

Each file becomes an entry whose URL is its ``file://`` URI and whose content is the file itself,
so the pipeline treats it like a feed item that carried its full text.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from monitor.models import Entry
from monitor.sources import Listing

SUFFIXES = {".txt": "text/plain", ".html": "text/html", ".htm": "text/html"}
MAX_FILE_BYTES = 20 * 1024 * 1024


def article_files(paths: list[Path]) -> list[Path]:
    """Every article file under the given files and directories, sorted, once each."""
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found.update(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
        elif path.is_file():
            found.add(path)
    return sorted(found)


def read_entry(path: Path) -> Entry:
    """One file as a complete entry; undecodable bytes are replaced, never fatal."""
    with path.open("rb") as handle:
        data = handle.read(MAX_FILE_BYTES)
    return Entry(
        url=path.resolve().as_uri(),
        content=data.decode("utf-8", errors="replace"),
        content_type=SUFFIXES.get(path.suffix.lower(), "text/plain"),
        complete=True,
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
    return Listing(entries=tuple(entries), error="; ".join(errors) or None)


def list_new(paths: list[Path], is_new: Callable[[str], bool], limit: int) -> Listing:
    """The first ``limit`` files whose URL ``is_new`` accepts, read; the rest wait for later passes.

    Known files are left out before the limit applies, so a directory of any size is worked
    through ``limit`` files a pass; ``total`` counts every article file found.
    """
    errors = [f"{p}: no such file or directory" for p in paths if not p.exists()]
    found = article_files(paths)
    entries: list[Entry] = []
    for path in found:
        if len(entries) >= limit:
            break
        if not is_new(path.resolve().as_uri()):
            continue
        try:
            entries.append(read_entry(path))
        except OSError as exc:
            errors.append(f"{path}: {exc.strerror or exc}")
    return Listing(entries=tuple(entries), error="; ".join(errors) or None, total=len(found))
