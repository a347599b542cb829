"""RSS, Atom, RDF and JSON Feed bytes → entries (pure; feedparser does the parsing).

The body is re-encoded to UTF-8 first (see ``monitor.fetch.decode``): feedparser trusts
a declared charset, and declared charsets lie. feedparser is given a file object, never
bytes or a string, because it treats those as a URL or a file name to open.
"""

from __future__ import annotations

import calendar
import io
import json
import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
from selectolax.lexbor import LexborHTMLParser

from monitor.errors import ParseError
from monitor.fetch.decode import media_type, to_utf8_xml
from monitor.links import without_userinfo
from monitor.models import Entry
from monitor.sources.dates import iso_utc

COMPLETE_MIN_CHARS = 1200  # shorter feed content is a teaser: fetch the page
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_TRUNCATED = re.compile(
    r"(\.\.\.|…|\[…\]|\[\.\.\.\]|\bread (the )?(full|more|rest)\b.{0,40}|\bcontinue reading\b.{0,40}"
    r"|\bthe post .{1,200} appeared first on .{1,200})\s*$",
    re.IGNORECASE | re.DOTALL,
)


def parse_feed(body: bytes, base_url: str, headers: Mapping[str, str] | None = None) -> list[Entry]:
    """The entries of a feed, in feed order. Raises ParseError when nothing usable is in it."""
    base_url = without_userinfo(base_url)  # relative links must not inherit the feed's credentials
    content_type = (headers or {}).get("content-type")
    if media_type(content_type).endswith("json") or body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return parse_json_feed(body, base_url)
    kind = media_type(content_type)
    kind = kind if kind.endswith("xml") else "application/xml"  # feeds served as text/html are still XML
    parsed = feedparser.parse(
        io.BytesIO(to_utf8_xml(body, content_type)),
        response_headers={"content-type": f"{kind}; charset=utf-8", "content-location": base_url},
        resolve_relative_uris=True,
        sanitize_html=True,
    )
    entries = [e for e in (to_entry(item, base_url) for item in parsed.entries) if e is not None]
    if not entries and not parsed.get("version"):  # no recognisable RSS/Atom/RDF at all
        raise ParseError(f"not a feed: {parsed.get('bozo_exception') or 'no RSS, Atom or RDF root element'}")
    if not entries and parsed.get("bozo"):  # a root element, then garbage: broken, not empty
        raise ParseError(f"garbled feed, no entries readable: {parsed.get('bozo_exception') or 'bad XML'}")
    return entries


_ITEM_END = re.compile(rb"</(?:[\w.-]+:)?(?:item|entry)\s*>", re.IGNORECASE)
_ROOT = re.compile(rb"<((?:[\w.-]+:)?)(rss|feed|rdf)\b", re.IGNORECASE)


def cut_feed(body: bytes, limit: int) -> tuple[bytes, bool]:
    """(the feed within ``limit`` bytes, whether items were dropped).

    A feed over the limit keeps its items up to the last one that ends before the limit,
    and gets its closing tags back, so it stays well-formed XML (a cut mid-element would
    send feedparser to its slow loose parser). Feeds list newest first: the oldest items go.
    Raises ParseError when not even one item fits, or for a JSON feed (no safe place to cut).
    """
    if len(body) <= limit:
        return body, False
    if body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        raise ParseError(f"JSON feed of {len(body)} bytes is over max_parse_bytes ({limit}): not parsed")
    root = _ROOT.search(body, 0, 65536)
    last = None
    for match in _ITEM_END.finditer(body, 0, limit):
        last = match
    if root is None or last is None:
        raise ParseError(f"feed of {len(body)} bytes: no whole item within max_parse_bytes ({limit})")
    prefix, name = root.group(1), root.group(2)
    closing = b"</channel></%s%s>" % (prefix, name) if name.lower() == b"rss" else b"</%s%s>" % (prefix, name)
    return body[: last.end()] + closing, True


def parse_json_feed(body: bytes, base_url: str) -> list[Entry]:
    """JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1), which feedparser 6 does not read."""
    base_url = without_userinfo(base_url)
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ParseError(f"not a feed: invalid JSON: {exc}") from exc
    items = document.get("items") if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise ParseError("not a feed: JSON without an items list")
    entries = (_json_entry(item, base_url) for item in items if isinstance(item, dict))
    return [e for e in entries if e is not None]


def _json_entry(item: dict[str, Any], base_url: str) -> Entry | None:
    url = _link({"link": item.get("url") or item.get("external_url")}, base_url)
    if url is None:
        return None
    content, content_type = _json_content(item)
    return Entry(
        url=url,
        guid=str(item.get("id") or "").strip() or None,
        title=_plain(str(item.get("title") or "")) or None,
        published=iso_utc(str(item.get("date_published") or item.get("date_modified") or "")),
        content=content,
        content_type=content_type,
        complete=content is not None and is_complete(content, content_type),
    )


def _json_content(item: dict[str, Any]) -> tuple[str | None, str]:
    if item.get("content_html"):
        return str(item["content_html"]), "text/html"
    text = item.get("content_text") or item.get("summary")
    return (str(text), "text/plain") if text else (None, "text/html")


def to_entry(item: Mapping[str, Any], base_url: str) -> Entry | None:
    url = _link(item, base_url)
    if url is None:
        return None
    content, content_type = _content(item)
    return Entry(
        url=url,
        guid=str(item.get("id") or "").strip() or None,
        title=_plain(str(item.get("title") or "")) or None,
        published=_published(item),
        content=content,
        content_type=content_type,
        complete=content is not None and is_complete(content, content_type),
    )


def _link(item: Mapping[str, Any], base_url: str) -> str | None:
    candidates = [item.get("link")]
    candidates += [link.get("href") for link in item.get("links", []) if link.get("rel") == "alternate"]
    if item.get("guidislink") or str(item.get("id", "")).startswith(("http://", "https://")):
        candidates.append(item.get("id"))
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.strip():
            url = urljoin(base_url, candidate.strip())
            if urlsplit(url).scheme in ("http", "https"):
                return url
    return None


def _content(item: Mapping[str, Any]) -> tuple[str | None, str]:
    """The fullest text the item carries: content:encoded / atom:content, else the summary."""
    blocks = [c for c in item.get("content", []) if str(c.get("value", "")).strip()]
    if blocks:
        best = max(blocks, key=lambda c: len(str(c.get("value", ""))))
        return str(best["value"]), _kind(str(best.get("type", "")), str(best["value"]))
    summary = str(item.get("summary") or "").strip()
    if summary:
        detail = item.get("summary_detail") or {}
        return summary, _kind(str(detail.get("type", "")), summary)
    return None, "text/html"


def _kind(feed_type: str, value: str) -> str:
    """feedparser calls content:encoded HTML whatever it holds; text without a single tag is plain text."""
    if feed_type == "text/plain" or _TAG.search(value) is None:
        return "text/plain"
    return "text/html"


def _plain(markup: str) -> str:
    if "<" not in markup and "&" not in markup:
        return " ".join(markup.split())
    return " ".join((LexborHTMLParser(markup).text(separator=" ") or "").split())


def is_complete(content: str, content_type: str = "text/html") -> bool:
    """True when feed content looks like the whole article: long, and not cut off."""
    text = _plain(content) if content_type == "text/html" else " ".join(content.split())
    return len(text) >= COMPLETE_MIN_CHARS and _TRUNCATED.search(text[-300:]) is None


def _published(item: Mapping[str, Any]) -> str | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = item.get(key)
        if isinstance(value, time.struct_time):
            stamp = calendar.timegm(value)  # feedparser's struct_time is UTC
            return datetime.fromtimestamp(stamp, UTC).isoformat(timespec="seconds")
    return None
