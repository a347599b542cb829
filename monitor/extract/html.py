"""HTML page → ``Extracted``: metadata, the article body as paragraphs, captions.

The one entry point of the package; it never raises. The parse uses selectolax's
Lexbor backend: faster than Modest on news pages and its CSS engine supports the
case-insensitive attribute selectors the noise rules use.
"""

from __future__ import annotations

import logging

from selectolax.lexbor import LexborHTMLParser

from monitor import log
from monitor.extract.content import find_article
from monitor.extract.guard import flatten_deep_nesting
from monitor.extract.layout import render
from monitor.extract.metadata import Metadata, read_metadata
from monitor.extract.noise import is_ad_label, strip_article, strip_page
from monitor.models import Extracted

logger = logging.getLogger(__name__)


def extract_html(html: str, url: str | None = None) -> Extracted:
    """Extract the article of one HTML page. Never raises: failures give empty text and a reason."""
    try:
        return _extract(html, url)
    except Exception as error:  # a hostile page must never stop the pipeline
        log.event(logger, "extract_failed", logging.WARNING, url=url, error=repr(error))
        return Extracted(empty_reason=f"error: {type(error).__name__}")


def extract_text(html: str, url: str | None = None) -> str:
    """Just the body text: paragraphs separated by one blank line."""
    return extract_html(html, url).text


def _extract(html: str, url: str | None) -> Extracted:
    tree = _parse(html)
    meta = read_metadata(tree, url, json_ld=strip_page(tree))
    body = tree.body
    parts = find_article(body) if body is not None else []
    if not parts:
        return _result(meta, [], [], _empty_reason(tree, html))
    captions = [caption for part in parts for caption in strip_article(part)]
    paragraphs = [paragraph for part in parts for paragraph in render(part) if not is_ad_label(paragraph)]
    return _result(meta, paragraphs, captions, None if paragraphs else "no_text")


def _parse(html: str) -> LexborHTMLParser:
    if not isinstance(html, str):
        html = bytes(html).decode("utf-8", "replace")
    html = flatten_deep_nesting(html)
    try:
        return LexborHTMLParser(html)
    except UnicodeError:  # lone surrogates from a broken decode cannot go to the C parser
        return LexborHTMLParser(html.encode("utf-8", "replace").decode("utf-8"))


def _empty_reason(tree: LexborHTMLParser, html: str) -> str:
    if tree.css_first("frameset") is not None:
        return "frameset"
    if not html.strip():
        return "empty_input"
    if "<script" in html.lower():
        return "javascript_shell"
    return "no_text"


def _result(meta: Metadata, paragraphs: list[str], captions: list[str], reason: str | None) -> Extracted:
    return Extracted(
        title=meta.title,
        text="\n\n".join(paragraphs),
        authors=meta.authors,
        published=meta.published,
        updated=meta.updated,
        canonical_url=meta.canonical_url,
        lang=meta.lang,
        site_name=meta.site_name,
        description=meta.description,
        captions=tuple(captions),
        empty_reason=reason if not paragraphs else None,
    )
