"""Structural noise: the parts of a page that are never article text.

Two passes. ``strip_page`` runs on the whole document before the article is
located: it removes what can never hold text a reader sees (scripts, styles,
hidden elements, embedded frames). ``strip_article`` runs inside the chosen
container: navigation, asides, share and social widgets, related and most-read
link lists, newsletter and cookie banners, ads, comments, forms; figure captions
are taken out and returned, not thrown away.
"""

from __future__ import annotations

from collections.abc import Iterable

from selectolax.lexbor import LexborHTMLParser, LexborNode

from monitor.extract.render import render

# Never visible or never text, anywhere on the page.
INVISIBLE = (
    "script, style, noscript, template, iframe, frame, svg, canvas, object, embed, video, audio, "
    "link, meta, input, select, textarea, button, dialog, "
    "[hidden], [aria-hidden=true], [style*='display:none'], [style*='display: none'], "
    "[style*='visibility:hidden'], [style*='visibility: hidden']"
)

# Page furniture: removed inside the article container too.
FURNITURE = "nav, aside, footer, menu, [role=navigation], [role=complementary], [role=contentinfo]"

# class/id fragments of widgets that sit inside article bodies. Matched as substrings of the
# attribute, so each fragment is specific enough not to hit an article wrapper.
NOISE_HINTS = (
    "share", "social", "comment", "newsletter", "subscribe", "signup", "sign-up", "cookie",
    "consent", "related", "recommend", "most-read", "mostread", "most-popular", "popular",
    "trending", "promo", "advert", "sponsor", "outbrain", "taboola", "recirc", "breadcrumb",
    "toolbar", "sidebar", "sidebox", "widget", "newsletter", "paywall", "modal", "popup",
    "read-more", "readmore", "more-stories", "more-from", "also-read", "tags", "byline",
    "author-bio", "caption", "credit", "inline-ad", "ad-container", "adslot", "ad-slot", "dfp",
)
_NOISE_SELECTOR = ", ".join(
    f"[class*='{hint}' i], [id*='{hint}' i]" for hint in NOISE_HINTS
)
CAPTIONS = "figcaption, [class*='caption' i]"

# A widget wrapper that holds most of the article is not a widget: its class lies.
_MAX_NOISE_SHARE = 0.5
_MAX_LINK_DENSITY = 0.5


def strip_page(tree: LexborHTMLParser) -> None:
    """Remove everything that is never visible text."""
    root = tree.root
    if root is None:
        return
    _remove(root.css(INVISIBLE))
    # Search and newsletter forms go; some CMSs wrap the whole page in one form, which stays.
    _remove(form for form in root.css("form") if len(form.css("p")) < 3)


def strip_article(container: LexborNode) -> list[str]:
    """Remove noise inside the article container; return the figure captions taken out."""
    captions = _take_captions(container)
    _remove(container.css(FURNITURE), keep=container)
    total = max(1, text_length(container))
    widgets = container.css(_NOISE_SELECTOR)
    _remove((n for n in widgets if text_length(n) <= total * _MAX_NOISE_SHARE), keep=container)
    _remove(_link_lists(container), keep=container)
    return captions


def _take_captions(container: LexborNode) -> list[str]:
    captions: list[str] = []
    for node in container.css(CAPTIONS):
        if node != container and _attached(node, container):
            captions.extend(render(node))
            node.remove()
    _remove(container.css("figure"), keep=container)
    return captions


def _link_lists(container: LexborNode) -> list[LexborNode]:
    """Blocks whose text is mostly links: related-article lists, tag clouds, menus."""
    found = []
    for node in container.css("ul, ol, div, section, table, p"):
        text = text_length(node)
        if text and sum(text_length(a) for a in node.css("a")) / text > _MAX_LINK_DENSITY:
            found.append(node)
    return found


def _remove(nodes: Iterable[LexborNode], keep: LexborNode | None = None) -> None:
    """Detach nodes (never ``keep``). Detaching, unlike decompose, leaves nested matches valid."""
    for node in nodes:
        if keep is None or node != keep:
            node.remove()


def _attached(node: LexborNode, container: LexborNode) -> bool:
    parent = node.parent
    while parent is not None:
        if parent == container:
            return True
        parent = parent.parent
    return False


def text_length(node: LexborNode) -> int:
    """Characters of visible text, whitespace runs counted once."""
    return len(" ".join(node.text(deep=True).split()))
