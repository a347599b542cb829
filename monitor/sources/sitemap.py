"""Sitemap bytes → entries or child sitemaps (pure).

Handles ``<urlset>`` (with Google News ``<news:title>``/``<news:publication_date>``),
``<sitemapindex>``, gzipped bodies (``.xml.gz``, inflated with a cap) and plain-text
sitemaps (one URL a line). Namespaces are ignored: elements are matched by local name.
"""

from __future__ import annotations

import heapq
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from typing import cast
from urllib.parse import urljoin, urlsplit

from monitor.errors import FetchError, ParseError
from monitor.fetch.body import inflate
from monitor.links import without_userinfo
from monitor.models import Entry
from monitor.sources.dates import iso_utc

DEFAULT_MAX_INFLATED = 50_000_000  # the sitemap protocol's own limit on an uncompressed file
_CHUNK = 256 * 1024
_ABSOLUTE = re.compile(r"https?://[^\s/]+(?:/\S*)?")


@dataclass(frozen=True, slots=True)
class Sitemap:
    entries: tuple[Entry, ...] = ()
    children: tuple[str, ...] = ()  # child sitemaps of an index, most recently modified first


def parse_sitemap(
    body: bytes, base_url: str, max_inflated: int = DEFAULT_MAX_INFLATED, keep: int | None = None
) -> Sitemap:
    """Entries or children of one sitemap file. Raises ParseError for anything else."""
    base_url = without_userinfo(base_url)  # relative locations must not inherit the credentials
    if body[:2] == b"\x1f\x8b":
        try:
            body = inflate(body, "gzip", max_inflated)
        except FetchError as exc:
            raise ParseError(f"sitemap: {exc}") from exc
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"<"):
        return _plain_text(body)
    if b"<!ENTITY" in body[:8192].upper():
        raise ParseError("sitemap: DTD entities are not accepted")
    try:
        return _streamed(body, base_url, _Newest(keep))
    except ET.ParseError as exc:
        raise ParseError(f"sitemap: invalid XML: {exc}") from exc


def _streamed(body: bytes, base_url: str, newest: _Newest) -> Sitemap:
    """Parse in chunks, emptying each ``<url>`` once read: memory stays near the entries' size
    (the whole tree of a 20 MB sitemap was ~90 MB more), and no single call into expat holds
    the GIL for long, so the event loop runs on while a worker thread parses."""
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("end",))
    items: list[tuple[str | None, str | None]] = []
    root: ET.Element | None = None  # the last element ended: the root, once all is read
    for offset in range(0, len(body), _CHUNK):
        parser.feed(body[offset : offset + _CHUNK])
        for _, node in _ended(parser):
            root = node
            tag = node.tag
            if tag == "url" or tag.endswith("}url"):
                entry = _entry(node, base_url)
                if entry is not None:
                    newest.add(entry)
                node.clear()
            elif tag == "sitemap" or tag.endswith("}sitemap"):
                items.append((_text(node, "loc"), iso_utc(_text(node, "lastmod"))))
                node.clear()
    parser.close()
    for _, node in _ended(parser):
        root = node  # the root's own end event, if it came only at close()
    kind = _local(root.tag) if root is not None else ""
    if kind == "sitemapindex":
        newest_first = sorted(items, key=lambda item: item[1] or "", reverse=True)
        return Sitemap(children=tuple(u for u in (_url(loc, base_url) for loc, _ in newest_first) if u))
    if kind == "urlset":
        return Sitemap(entries=newest.entries())
    raise ParseError(f"sitemap: unexpected root element <{kind}>")


class _Newest:
    """The ``keep`` newest entries, in listing order (all when ``keep`` is None), held in a heap:
    a 20 MB sitemap lists 200,000 URLs; a pass looks at max_entries of them."""

    def __init__(self, keep: int | None) -> None:
        self._keep = keep
        self._count = 0
        self._heap: list[tuple[tuple[int, str, int], Entry]] = []

    def add(self, entry: Entry) -> None:
        self._count += 1
        # newest_first's order: dated entries newest first, then undated ones as listed.
        key = (1, entry.published, -self._count) if entry.published else (0, "", -self._count)
        if self._keep is None or len(self._heap) < self._keep:
            heapq.heappush(self._heap, (key, entry))
        elif key > self._heap[0][0]:
            heapq.heapreplace(self._heap, (key, entry))

    def entries(self) -> tuple[Entry, ...]:
        return tuple(entry for _, entry in sorted(self._heap, key=lambda item: -item[0][2]))


def _ended(parser: ET.XMLPullParser[ET.Element]) -> Iterator[tuple[str, ET.Element]]:
    return cast(Iterator[tuple[str, ET.Element]], parser.read_events())


def _entry(node: ET.Element, base_url: str) -> Entry | None:
    url = _url(_text(node, "loc"), base_url)
    if url is None:
        return None
    news = next(_children(node, "news"), None)
    title = _text(news, "title") if news is not None else None
    published = iso_utc(_text(news, "publication_date")) if news is not None else None
    return Entry(url=url, title=title, published=published or iso_utc(_text(node, "lastmod")))


def _plain_text(body: bytes) -> Sitemap:
    lines = body.decode("utf-8", "replace").split()
    urls = [line for line in lines if line.startswith(("http://", "https://"))]
    if not urls:
        raise ParseError("sitemap: neither XML nor a list of URLs")
    return Sitemap(entries=tuple(Entry(url=u) for u in urls))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def _children(node: ET.Element, name: str) -> Iterator[ET.Element]:
    return (child for child in node if _local(child.tag) == name)


def _text(node: ET.Element | None, name: str) -> str | None:
    if node is None:
        return None
    child = next(_children(node, name), None)
    text = (child.text or "").strip() if child is not None else ""
    return text or None


def _url(loc: str | None, base_url: str) -> str | None:
    if not loc:
        return None
    loc = loc.strip()
    if _ABSOLUTE.fullmatch(loc) and "/." not in loc:
        return loc  # already absolute: urljoin would return it unchanged, at 20 s per 200,000 URLs
    url = urljoin(base_url, loc)
    return url if urlsplit(url).scheme in ("http", "https") else None
