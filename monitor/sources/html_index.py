"""An HTML index page (a news listing) → entries for the article links on it (pure).

``links`` is a CSS selector for the article links (default: every ``a[href]``);
``include``/``exclude`` are URL regexes (any include must match; any exclude drops).
Relative links resolve against ``<base href>`` or the page URL. Without ``include``,
only links to the index's own site are kept: navigation to other sites is not news.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from urllib.parse import urldefrag, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from monitor.errors import ParseError
from monitor.fetch.decode import decode
from monitor.links import without_userinfo
from monitor.models import Entry

DEFAULT_SELECTOR = "a[href]"


def parse_index(
    body: bytes | str,
    base_url: str,
    *,
    content_type: str | None = None,
    selector: str | None = None,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> list[Entry]:
    """Article links on the page, in page order, each once. Raises ParseError on a bad selector or regex."""
    text = body if isinstance(body, str) else decode(body, content_type)[0]
    tree = LexborHTMLParser(text)
    base_url = without_userinfo(base_url)  # relative links must not inherit the page's credentials
    base = _base(tree, base_url)
    keep = _filter(base_url, _compile(include), _compile(exclude))
    try:
        nodes = tree.css(selector or DEFAULT_SELECTOR)
    except Exception as exc:  # selectolax raises plain exceptions for bad selectors
        raise ParseError(f"html index: bad links selector {selector!r}: {exc}") from exc
    entries: dict[str, Entry] = {}
    for node in nodes:
        href = node.attributes.get("href") if node.tag == "a" else _inner_href(node)
        url = _resolve(base, href)
        if url and url not in entries and keep(url):
            title = " ".join((node.text(deep=True) or "").split()) or None
            entries[url] = Entry(url=url, title=title)
    return list(entries.values())


def _inner_href(node: LexborNode) -> str | None:
    # A selector that picks containers (article cards) instead of links: use the first link inside.
    link = node.css_first("a[href]")
    return link.attributes.get("href") if link is not None else None


def _base(tree: LexborHTMLParser, page_url: str) -> str:
    node = tree.css_first("base[href]")
    href = node.attributes.get("href") if node is not None else None
    return urljoin(page_url, href.strip()) if href else page_url


def _resolve(base: str, href: str | None) -> str | None:
    if not href or not href.strip() or href.strip().startswith("#"):
        return None
    url, _ = urldefrag(urljoin(base, href.strip()))
    return url if urlsplit(url).scheme in ("http", "https") else None


def _compile(patterns: Sequence[str]) -> list[re.Pattern[str]]:
    try:
        return [re.compile(p) for p in patterns]
    except re.error as exc:
        raise ParseError(f"html index: bad URL pattern: {exc}") from exc


def _site(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def _filter(
    page_url: str, include: list[re.Pattern[str]], exclude: list[re.Pattern[str]]
) -> Callable[[str], bool]:
    site, page = _site(page_url), urldefrag(page_url)[0]

    def keep(url: str) -> bool:
        if url == page or any(p.search(url) for p in exclude):
            return False
        if include:
            return any(p.search(url) for p in include)
        return _site(url) == site or _site(url).endswith("." + site)

    return keep
