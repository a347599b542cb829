"""Structural noise: the parts of a page that are never article text.

Two passes. ``strip_page`` runs on the whole document before the article is
located and only does what the C parser does in bulk: it drops elements that never
hold visible text (scripts, styles, frames, SVG...). ``strip_article`` runs inside
the chosen container, which is far smaller than the page: hidden elements,
navigation, asides, share and social widgets, related and most-read link lists,
newsletter and cookie banners, ads, comments, forms; figure captions are taken out
and returned rather than thrown away.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import ahocorasick
from selectolax.lexbor import LexborHTMLParser, LexborNode

from monitor.extract.layout import render

# Never visible text, anywhere on the page: removed with their content in one query.
NEVER_TEXT = (
    "script, style, noscript, template, iframe, frame, svg, canvas, object, embed, video, "
    "audio, select, textarea, button, dialog"
)
HIDDEN = (
    "[hidden], [aria-hidden=true], [style*='display:none'], [style*='display: none'], "
    "[style*='visibility:hidden'], [style*='visibility: hidden']"
)
# Page furniture: removed inside the article container too.
FURNITURE = "nav, aside, footer, header, menu, [role=navigation], [role=complementary], [role=contentinfo]"
CAPTIONS = "figure, figcaption, [class*='caption' i]"
# Controls of embedded players and widgets (play, mute, settings menus, sliders): their labels
# are interface, never prose. ARIA roles name them whatever the classes say. (One "[role]" query
# and a set lookup cost a third of a selector per role.)
CONTROL_ROLES = frozenset({
    "button", "menu", "menubar", "menuitem", "menuitemcheckbox", "menuitemradio", "slider",
    "progressbar", "toolbar", "listbox", "dialog", "alertdialog", "tooltip",
})

# class/id fragments of widgets that sit inside article bodies, matched as substrings of the
# lower-cased class and id with one Aho-Corasick automaton (a regex alternation is 8x slower).
NOISE_FRAGMENTS = (
    "share", "sharing", "social", "comment", "newsletter", "subscri", "signup", "sign-up", "cookie",
    "consent", "related", "recommend", "mostread", "most-read", "most-popular", "popular", "trending",
    "promo", "advert", "sponsor", "outbrain", "taboola", "recirc", "breadcrumb", "toolbar",
    "sidebar", "sidebox", "widget", "paywall", "modal", "popup", "readmore", "read-more",
    "more-stories", "more-from", "also-read", "byline", "author-bio", "credit", "inline-ad",
    "ad-container", "adslot", "ad-slot", "ad-wrapper", "dfp", "print-only", "sr-only",
    "visually-hidden", "screen-reader", "disclaimer", "gallery", "slideshow", "carousel", "countdown",
    "ai2html",  # chart labels that ai2html lays over a chart image: "$915", "billion", "’17"
    # The card that pops up over a linked name (photo, latest headlines), not the name itself.
    "rollover-block", "hovercard", "hover-card", "popover",
    # Author bios ("post-body-bio", "user-bio__text", "author-biography"); matched on padded hints
    # so that a bare "bio" inside a word ("category-biotech") is not one.
    "-bio ", "_bio ", " bio ", "-bio-", "-bio_", "_bio-", "_bio_", " bio-", " bio_", "biography",
)
# Short hints that are only safe as whole class names ("ad" is inside "header" and "load").
NOISE_CLASSES = frozenset({"ad", "ads", "advertisement", "tag", "tags", "hidden", "hide", "meta"})
# The text of an ad slot whose markup gives no hint (obfuscated classes, inline styles): the
# label is the paragraph's whole text, never a sentence of an article.
AD_LABELS = frozenset({
    "advertisement", "advertisements", "advert", "adverts", "ad", "anzeige", "publicité", "publicidad",
    "pubblicità", "sponsored", "story continues below advertisement", "article continues below advertisement",
    "continue reading below", "advertising",
})
_LONGEST_AD_LABEL = max(len(label) for label in AD_LABELS) + 4
_FRAGMENTS = ahocorasick.Automaton()
for _fragment in NOISE_FRAGMENTS:
    _FRAGMENTS.add_word(_fragment, _fragment)
_FRAGMENTS.make_automaton()

# A "widget" that holds most of the article is a wrapper whose class lies.
_MAX_NOISE_SHARE = 0.5
# ...unless it is a photo gallery (its text is fifty captions) and the rest is a story on its own.
_MEDIA_HINT = re.compile(r"gallery|slideshow|carousel")
_ENOUGH_REST = 1500
_NOT_ALNUM = re.compile(r"[\W_]+")
_NOT_CAPTION = re.compile(r"(?:no|has|with|without)[-_]?caption")
_MAX_LINK_DENSITY = 0.5
# A widget whose text is mostly one blockquote wraps a quoted post, not page furniture.
_MIN_QUOTE_SHARE = 0.8


def strip_page(tree: LexborHTMLParser) -> list[str]:
    """Remove every element that is never visible text; return the JSON-LD blocks it held.

    JSON-LD comes out of the same query because every whole-page query costs about as much
    as parsing a tenth of the page.
    """
    json_ld = []
    for node in tree.css(NEVER_TEXT):
        if node.tag == "script" and (node.attributes.get("type") or "").lower() == "application/ld+json":
            json_ld.append(node.text(deep=True))
        node.remove()
    return json_ld


def strip_article(container: LexborNode) -> list[str]:
    """Remove noise inside the article container; return the figure captions taken out."""
    _remove(container.css(HIDDEN), keep=container)
    _remove((n for n in container.css("[role]") if n.attributes.get("role") in CONTROL_ROLES), keep=container)
    captions = _take_captions(container)
    _remove(container.css(FURNITURE), keep=container)
    # Search and newsletter forms go; some CMSs wrap the whole page in one form, which stays.
    _remove((f for f in container.css("form") if len(f.css("p")) < 3), keep=container)
    _remove(_widgets(container), keep=container)
    _remove(_link_lists(container), keep=container)
    return captions


def _take_captions(container: LexborNode) -> list[str]:
    captions: list[str] = []
    for node in container.css(CAPTIONS):
        if node.mem_id == container.mem_id or not _is_caption(node):
            continue
        for caption in render(node):
            # A caption nested in a figure was already taken with it.
            if not captions or caption not in captions[-1]:
                captions.append(caption)
        node.remove()
    return captions


def _is_caption(node: LexborNode) -> bool:
    """Whether a match of ``CAPTIONS`` is one: "no_caption" or "has-caption" on a wrapper says
    what the wrapper lacks or holds; it is not the caption (a list item's text, the lead itself)."""
    if node.tag in ("figure", "figcaption"):
        return True
    classes = (node.attributes.get("class") or "").lower().split()
    return any("caption" in name and not _NOT_CAPTION.search(name) for name in classes)


def _widgets(container: LexborNode) -> list[LexborNode]:
    total = max(1, text_length(container))
    quotes = container.css_first("blockquote") is not None  # most bodies quote no post: skip the check
    found = []
    for node in container.css("[class], [id]"):
        attrs = node.attributes
        hints = f"{attrs.get('class') or ''} {attrs.get('id') or ''}".lower()
        if is_noise_hint(hints) and not _named_after_its_heading(node, attrs):
            length = text_length(node)
            small = length <= total * _MAX_NOISE_SHARE or (
                total - length >= _ENOUGH_REST and _MEDIA_HINT.search(hints) is not None)
            if small and not (quotes and _is_quoted_post(node, length)):
                found.append(node)
    return found


def _named_after_its_heading(node: LexborNode, attrs: dict[str, str | None]) -> bool:
    """Whether only the id hints at a widget, and that id is the slug of the element's own heading.

    Documentation generators and many CMSs give each section the id of its subheading, so a
    section headed "Sharing with a single developer" is ``id="sharing-with-a-single-developer"``:
    a name, not a share bar.
    """
    ident = (attrs.get("id") or "").lower()
    if not ident or is_noise_hint((attrs.get("class") or "").lower()):
        return False
    heading = node.css_first("h1, h2, h3, h4, h5, h6")
    return heading is not None and _slug(heading.text(deep=True)) == _slug(ident)


def _slug(text: str) -> str:
    return _NOT_ALNUM.sub("-", text.lower()).strip("-")


def _is_quoted_post(node: LexborNode, length: int) -> bool:
    """Whether a widget-classed wrapper ("social-embed") holds a post the article quotes (a tweet).

    Share bars and follow-us boxes hold links and labels; an embedded post is a blockquote with
    the post's words, which the author put in the story as evidence.
    """
    quote = node.css_first("blockquote")
    return quote is not None and text_length(quote) >= length * _MIN_QUOTE_SHARE


def is_ad_label(paragraph: str) -> bool:
    """Whether a rendered paragraph is only the label an ad slot prints above itself."""
    return len(paragraph) <= _LONGEST_AD_LABEL and paragraph.strip(" .:-–—()[]").lower() in AD_LABELS


# Class and id names repeat within a page and across a site's pages (every paragraph's "text-block"):
# the answer for a name string is remembered, bounded so a hostile page cannot grow the cache.
@lru_cache(maxsize=4096)
def is_noise_hint(hints: str) -> bool:
    """Whether lower-cased class and id names mark a widget rather than article text."""
    for _match in _FRAGMENTS.iter(f" {hints} "):  # padded: some fragments match whole names only
        return True
    return not NOISE_CLASSES.isdisjoint(hints.split())


def _link_lists(container: LexborNode) -> list[LexborNode]:
    """Blocks whose text is mostly links: related-article lists, tag clouds, menus."""
    linked = link_text_below(container)
    found = []
    for node in container.css("ul, ol, div, section, table, p"):
        links = linked.get(node.mem_id, 0)
        if links and links / text_length(node) > _MAX_LINK_DENSITY:  # no link text: no need to measure
            found.append(node)
    return found


def link_text_below(container: LexborNode) -> dict[int, int]:
    """mem_id → characters of link text below that element, for ``container`` and what it holds.

    One query and one text read per link, each added to the link's ancestors up to ``container``,
    instead of a query and a text read per link per block: blocks nest, so links were read many times.
    """
    linked: dict[int, int] = {}
    stop = container.mem_id
    for link in container.css("a"):
        length = text_length(link)
        if not length or link.mem_id == stop:
            continue
        parent = link.parent
        while parent is not None:
            key = parent.mem_id
            linked[key] = linked.get(key, 0) + length
            if key == stop:
                break
            parent = parent.parent
    return linked


def _remove(nodes: Iterable[LexborNode], keep: LexborNode) -> None:
    """Detach nodes (never ``keep``). Detaching, unlike decompose, leaves nested matches valid."""
    # Compare by identity: LexborNode's == serialises both nodes to HTML.
    for node in nodes:
        if node.mem_id != keep.mem_id:
            node.remove()


def text_length(node: LexborNode) -> int:
    """Characters of text, surrounding whitespace of each text node not counted."""
    return len(node.text(deep=True, strip=True))
