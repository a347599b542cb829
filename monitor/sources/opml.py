"""OPML subscription lists → ``[[source]]`` tables (for ``monitor sources import``).

Nested outline folders are flattened; a feed listed twice (same URL) is kept once;
names are made unique so feeds.toml stays valid.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from urllib.parse import urlsplit

from monitor.errors import ParseError

_KINDS = {"rss": "rss", "atom": "atom", "rdf": "rss", "json": "rss"}


def to_sources(data: bytes) -> list[dict[str, object]]:
    """One ``{"name", "kind", "url"}`` per distinct feed in the OPML document."""
    if b"<!ENTITY" in data[:8192].upper():
        raise ParseError("OPML: DTD entities are not accepted")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ParseError(f"OPML: invalid XML: {exc}") from exc
    if root.tag.lower() != "opml":
        raise ParseError(f"OPML: root element is <{root.tag}>, not <opml>")
    sources: list[dict[str, object]] = []
    urls: set[str] = set()
    names: set[str] = set()
    for outline in _feeds(root):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if urlsplit(url).scheme not in ("http", "https") or url in urls:
            continue
        urls.add(url)
        name = _unique(_name(outline, url), names)
        kind = _KINDS.get((outline.get("type") or "rss").strip().lower(), "rss")
        sources.append({"name": name, "kind": kind, "url": url})
    return sources


def _feeds(root: ET.Element) -> Iterator[ET.Element]:
    # iter() walks every depth: folders (outlines without xmlUrl) simply contribute nothing.
    return (node for node in root.iter("outline") if node.get("xmlUrl") or node.get("xmlurl"))


def _name(outline: ET.Element, url: str) -> str:
    title = outline.get("title") or outline.get("text") or ""
    return " ".join(title.split()) or (urlsplit(url).hostname or url)


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate.lower() in taken:
        candidate, n = f"{name} ({n})", n + 1
    taken.add(candidate.lower())
    return candidate


def to_toml(sources: list[dict[str, object]]) -> str:
    """``[[source]]`` tables for feeds.toml, in the given order."""
    blocks = []
    for source in sources:
        lines = ["[[source]]"] + [f"{key} = {_toml_value(value)}" for key, value in source.items()]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    # A JSON string is a valid TOML basic string once control characters are escaped (json does that).
    return json.dumps(str(value), ensure_ascii=False).replace("\x7f", "\\u007f")
