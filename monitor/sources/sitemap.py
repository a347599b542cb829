"""Sitemap bytes → entries or child sitemaps (pure).

Handles ``<urlset>`` (with Google News ``<news:title>``/``<news:publication_date>``),
``<sitemapindex>``, gzipped bodies (``.xml.gz``, inflated with a cap) and plain-text
sitemaps (one URL a line). Namespaces are ignored: elements are matched by local name.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from monitor.errors import FetchError, ParseError
from monitor.fetch.body import inflate
from monitor.models import Entry
from monitor.sources.dates import iso_utc

DEFAULT_MAX_INFLATED = 50_000_000  # the sitemap protocol's own limit on an uncompressed file


@dataclass(frozen=True, slots=True)
class Sitemap:
    entries: tuple[Entry, ...] = ()
    children: tuple[str, ...] = ()  # child sitemaps of an index, most recently modified first


def parse_sitemap(body: bytes, base_url: str, max_inflated: int = DEFAULT_MAX_INFLATED) -> Sitemap:
    """Entries or children of one sitemap file. Raises ParseError for anything else."""
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
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise ParseError(f"sitemap: invalid XML: {exc}") from exc
    return _from_root(root, base_url)


def _from_root(root: ET.Element, base_url: str) -> Sitemap:
    kind = _local(root.tag)
    if kind == "sitemapindex":
        items = [(_text(s, "loc"), iso_utc(_text(s, "lastmod"))) for s in _children(root, "sitemap")]
        newest_first = sorted(items, key=lambda item: item[1] or "", reverse=True)
        return Sitemap(children=tuple(u for u in (_url(loc, base_url) for loc, _ in newest_first) if u))
    if kind == "urlset":
        entries = (_entry(node, base_url) for node in _children(root, "url"))
        return Sitemap(entries=tuple(e for e in entries if e is not None))
    raise ParseError(f"sitemap: unexpected root element <{kind}>")


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
    url = urljoin(base_url, loc.strip())
    return url if urlsplit(url).scheme in ("http", "https") else None
