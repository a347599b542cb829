"""Article metadata from the signals news pages carry: JSON-LD, meta tags, ``<time>``, the URL.

Every reader here takes the parsed tree (before noise removal) and returns plain
values; the first signal that answers wins, in the order JSON-LD, Open Graph and
meta tags, ``<time>``, URL.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from monitor.models import Extracted

ARTICLE_TYPES = frozenset(
    {"article", "newsarticle", "reportagenewsarticle", "blogposting", "analysisnewsarticle",
     "opinionnewsarticle", "backgroundnewsarticle", "reviewnewsarticle", "webpage", "report",
     "techarticle", "scholarlyarticle", "liveblogposting", "socialmediaposting", "posting"}
)
_URL_DATE = re.compile(r"(?<!\d)(20\d\d|19\d\d)[/_.-]?(0[1-9]|1[0-2])[/_.-]?(0[1-9]|[12]\d|3[01])(?!\d)")
_URL_DATE_SLASHED = re.compile(r"/(20\d\d|19\d\d)/(0?[1-9]|1[0-2])/(0?[1-9]|[12]\d|3[01])/")


PUBLISHED_KEYS = (
    "article:published_time", "datepublished", "pubdate", "publishdate", "publish-date", "date",
    "dc.date", "dc.date.issued", "dcterms.created", "sailthru.date", "og:published_time",
)
UPDATED_KEYS = ("article:modified_time", "og:updated_time", "datemodified", "dcterms.modified")


def read_metadata(tree: LexborHTMLParser, url: str | None, json_ld: Iterable[str] = ()) -> Extracted:
    """Everything the page says about itself, as an ``Extracted`` with no text yet.

    ``json_ld`` holds the page's JSON-LD script texts.

    Meta tags, links and the title are read from ``<head>`` only, and the body is searched
    (``<h1>``, ``<time>``, author links) only when the head has no answer: each whole-page
    CSS query costs as much as a good part of the extraction.
    """
    ld = _json_ld_article(json_ld)
    head = tree.head
    meta = _meta_tags(head) if head is not None else {}
    return Extracted(
        title=_first_text(_ld_str(ld, "headline"), meta.get("og:title"), meta.get("twitter:title"))
        or _tag_text(tree, "h1") or _tag_text(tree, "title"),
        authors=_ld_authors(ld) or _meta_authors(tree, meta),
        published=_first_date(_ld_str(ld, "datePublished"), *(meta.get(k) for k in PUBLISHED_KEYS))
        or _first_date(_time_datetime(tree), _url_date(url)),
        updated=_first_date(_ld_str(ld, "dateModified"), *(meta.get(k) for k in UPDATED_KEYS)),
        canonical_url=_first_text(_link_href(head, "canonical"), meta.get("og:url")) or None,
        lang=_language(tree, ld, meta),
        site_name=_first_text(meta.get("og:site_name"), _ld_publisher(ld)) or None,
        description=_first_text(meta.get("og:description"), meta.get("description"),
                                _ld_str(ld, "description")) or None,
    )


# --- JSON-LD -------------------------------------------------------------------------------


def _json_ld_article(blocks: Iterable[str]) -> dict[str, Any]:
    """The first article-like JSON-LD object, preferring one that carries an articleBody."""
    found = [obj for obj in _json_ld_objects(blocks) if _is_article(obj)]
    with_body = [obj for obj in found if isinstance(obj.get("articleBody"), str)]
    return (with_body or found or [{}])[0]


def _json_ld_objects(blocks: Iterable[str]) -> Iterator[dict[str, Any]]:
    for block in blocks:
        try:
            data = json.loads(block, strict=False)
        except ValueError:
            continue
        yield from _flatten(data, depth=0)


def _flatten(data: Any, depth: int) -> Iterator[dict[str, Any]]:
    # @graph and lists nest objects; bounded depth keeps hostile JSON cheap.
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity", "mainEntityOfPage"):
            if isinstance(data.get(key), list | dict):
                yield from _flatten(data[key], depth + 1)


def _is_article(obj: dict[str, Any]) -> bool:
    kinds = obj.get("@type", "")
    names = kinds if isinstance(kinds, list) else [kinds]
    return any(isinstance(n, str) and n.lower() in ARTICLE_TYPES for n in names)


def _ld_str(ld: dict[str, Any], key: str) -> str:
    value = ld.get(key)
    if isinstance(value, list) and value:
        value = value[0]
    return value.strip() if isinstance(value, str) else ""


def _ld_authors(ld: dict[str, Any]) -> tuple[str, ...]:
    raw = ld.get("author")
    people = raw if isinstance(raw, list) else [raw]
    names = [_person_name(p) for p in people]
    return _unique(n for n in names if n)


def _person_name(person: Any) -> str:
    if isinstance(person, str):
        return person.strip()
    if isinstance(person, dict) and isinstance(person.get("name"), str):
        return str(person["name"]).strip()
    return ""


def _ld_publisher(ld: dict[str, Any]) -> str:
    return _person_name(ld.get("publisher"))


# --- meta tags, links, <time> ---------------------------------------------------------------


def _meta_tags(head: LexborNode) -> dict[str, str]:
    """name/property/itemprop → content, first occurrence wins, keys lower-cased."""
    found: dict[str, str] = {}
    for node in head.css("meta[content]"):
        attrs = node.attributes
        key = attrs.get("property") or attrs.get("name") or attrs.get("itemprop")
        content = (attrs.get("content") or "").strip()
        if key and content:
            found.setdefault(key.strip().lower(), content)
    return found


def _meta_authors(tree: LexborHTMLParser, meta: dict[str, str]) -> tuple[str, ...]:
    names = [meta.get("author", ""), meta.get("article:author", ""), meta.get("sailthru.author", "")]
    if not any(names):
        names = [n.text(deep=True) for n in tree.css('[rel="author"], [itemprop="author"] [itemprop="name"]')]
    # article:author is often a profile URL, which is not a name.
    return _unique(n.strip() for n in names if n.strip() and "://" not in n)


def _link_href(head: LexborNode | None, rel: str) -> str:
    node = head.css_first(f'link[rel="{rel}"][href]') if head is not None else None
    return (node.attributes.get("href") or "").strip() if node else ""


def _tag_text(tree: LexborHTMLParser, selector: str) -> str:
    node = tree.css_first(selector)
    return " ".join(node.text(deep=True).split()) if node else ""


def _time_datetime(tree: LexborHTMLParser) -> str:
    node = tree.css_first("time[datetime]")
    return (node.attributes.get("datetime") or "") if node else ""


def _language(tree: LexborHTMLParser, ld: dict[str, Any], meta: dict[str, str]) -> str | None:
    html = tree.root
    declared = (html.attributes.get("lang") or "") if html else ""
    value = declared or _ld_str(ld, "inLanguage") or meta.get("og:locale", "") or meta.get("language", "")
    value = value.strip().replace("_", "-")
    return value or None


# --- dates ------------------------------------------------------------------------------------


def _url_date(url: str | None) -> str:
    if not url:
        return ""
    found = _URL_DATE_SLASHED.search(url) or _URL_DATE.search(url)
    if not found:
        return ""
    year, month, day = (int(g) for g in found.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return ""


def normalize_date(value: str) -> str | None:
    """ISO 8601; UTC when the source gave a zone, a bare date or naive time otherwise."""
    value = value.strip()
    if not value:
        return None
    parsed = _parse_iso(value) or _parse_rfc2822(value)
    if parsed is None:
        return None
    if isinstance(parsed, datetime) and parsed.tzinfo is not None:
        return parsed.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return parsed.isoformat()


def _parse_iso(value: str) -> date | datetime | None:
    text = value.replace("Z", "+00:00").replace("z", "+00:00")
    if re.fullmatch(r"[+-]?\d{4}-\d\d-\d\d", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _parse_rfc2822(value: str) -> datetime | None:
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None


def _first_date(*candidates: str | None) -> str | None:
    for candidate in candidates:
        normalized = normalize_date(candidate or "")
        if normalized:
            return normalized
    return None


def _first_text(*candidates: str | None) -> str:
    for candidate in candidates:
        if candidate and candidate.strip():
            return " ".join(candidate.split())
    return ""


def _unique(names: Iterator[str] | Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(" ".join(n.split()) for n in names))
