"""HTML page → ``Extracted``: metadata, the article body as paragraphs, captions.

The one entry point of the package; it never raises. The parse uses selectolax's
Lexbor backend: faster than Modest on news pages and its CSS engine supports the
case-insensitive attribute selectors the noise rules use.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from selectolax.lexbor import LexborHTMLParser, LexborNode

from monitor import log
from monitor.extract.content import find_article
from monitor.extract.guard import flatten_deep_nesting
from monitor.extract.layout import render
from monitor.extract.metadata import read_metadata
from monitor.extract.noise import is_ad_label, strip_article, strip_page
from monitor.models import EmptyReason, Extracted

logger = logging.getLogger(__name__)

# Characters of visible text below which a page with scripts is a shell ("Loading...", a
# "please enable JavaScript" line); an unreadable page with more text is "no text".
_SHELL_TEXT = 80


def extract_html(html: str, url: str | None = None) -> Extracted:
    """Extract the article of one HTML page. Never raises: failures give empty text and a reason."""
    return _extract_safely(html, url, with_metadata=True)


def extract_text(html: str, url: str | None = None) -> str:
    """Just the body text: paragraphs separated by one blank line.

    The same body as ``extract_html``; the metadata (title, authors, dates, JSON-LD) is not read,
    since it would be thrown away: that is about a tenth of the work on a news page.
    """
    return _extract_safely(html, url, with_metadata=False).text


def _extract_safely(html: str, url: str | None, *, with_metadata: bool) -> Extracted:
    try:
        return _extract(html, url, with_metadata=with_metadata)
    except Exception as error:  # a hostile page must never stop the pipeline
        log.event(logger, "extract_failed", logging.WARNING, url=url, error=repr(error))
        return Extracted(empty_reason=EmptyReason.ERROR)


def _extract(html: str, url: str | None, *, with_metadata: bool) -> Extracted:
    tree = _parse(html)
    json_ld = strip_page(tree)
    meta = read_metadata(tree, url, json_ld=json_ld) if with_metadata else Extracted()
    body = tree.body
    parts = find_article(body) if body is not None else []
    if not parts:
        return replace(meta, empty_reason=_empty_reason(tree, html))
    _strip_headline(tree, parts)
    captions = [caption for part in parts for caption in strip_article(part)]
    paragraphs = [paragraph for part in parts for paragraph in render(part) if not is_ad_label(paragraph)]
    return replace(
        meta,
        text="\n\n".join(paragraphs),
        captions=tuple(captions),
        empty_reason=None if paragraphs else EmptyReason.NO_TEXT,
    )


def _strip_headline(tree: LexborHTMLParser, parts: list[LexborNode]) -> None:
    """Remove the headline from the body: it is the title, and readers do not read it twice.

    The headline is the body's one ``<h1>`` when the page's ``<title>`` repeats it (as
    Readability.js decides); an ``<h1>`` the title does not name is a section heading and stays.
    """
    headlines = [node for part in parts for node in part.css("h1")]
    if len(headlines) != 1:
        return
    found = tree.head.css_first("title") if tree.head is not None else None
    title = " ".join(found.text().split()).lower() if found is not None else ""
    headline = " ".join(headlines[0].text().split()).lower()
    if headline and headline in title:
        headlines[0].remove()


def _parse(html: str) -> LexborHTMLParser:
    if not isinstance(html, str):
        html = bytes(html).decode("utf-8", "replace")
    html = flatten_deep_nesting(html)
    try:
        return LexborHTMLParser(html)
    except UnicodeError:  # lone surrogates from a broken decode cannot go to the C parser
        return LexborHTMLParser(html.encode("utf-8", "replace").decode("utf-8"))


def _empty_reason(tree: LexborHTMLParser, html: str) -> EmptyReason:
    """Why no body was found; runs after ``strip_page``, so the tree holds only visible elements."""
    if tree.css_first("frameset") is not None:
        return EmptyReason.FRAMESET
    if not html.strip():
        return EmptyReason.EMPTY_INPUT
    # Scripts make a shell only when they are all there is: a page that shows text (an old
    # layout the extractor could not read, a notice) has no text worth keeping, it is no shell.
    body = tree.body
    visible = body.text(deep=True, strip=True) if body is not None else ""
    if "<script" in html.lower() and len(visible) < _SHELL_TEXT:
        return EmptyReason.JAVASCRIPT_SHELL
    return EmptyReason.NO_TEXT
