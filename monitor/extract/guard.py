"""Keep hostile markup from making the parser slow.

Lexbor's tree builder costs O(depth) per element, so 100,000 nested tags take
minutes. Real pages nest a few dozen levels and hold a few thousand tags; only a
page with very many tags is scanned (in Python, so never on ordinary pages), and
tags nested deeper than ``MAX_DEPTH`` are dropped while their text is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_DEPTH = 1000
SCAN_ABOVE_TAGS = 20_000  # "<" characters; the benchmark's largest news page has about 3,200
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^<>]*>")
# Elements that never nest: void elements, and those the parser closes implicitly.
_NO_DEPTH = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "p", "li", "dt", "dd", "option", "tr", "td", "th", "thead", "tbody", "tfoot", "rb", "rt", "rp",
})


def flatten_deep_nesting(html: str) -> str:
    """``html`` unchanged, or without the tags nested deeper than ``MAX_DEPTH``."""
    if html.count("<") <= SCAN_ABOVE_TAGS:
        return html
    stack: list[tuple[str, bool]] = []  # (tag, kept)

    def replace(match: re.Match[str]) -> str:
        closing, name = match.group(1), match.group(2).lower()
        if name in _NO_DEPTH or match.group(0).endswith("/>"):
            return match.group(0)
        if not closing:
            kept = len(stack) < MAX_DEPTH
            stack.append((name, kept))
            return match.group(0) if kept else " "
        return _close(stack, name, match.group(0))

    return _TAG.sub(replace, html)


def _close(stack: list[tuple[str, bool]], name: str, tag: str) -> str:
    """Pop to the matching opener; its closing tag goes wherever the opener went."""
    for index in range(len(stack) - 1, max(-1, len(stack) - 50), -1):
        if stack[index][0] == name:
            kept = stack[index][1]
            del stack[index:]
            return tag if kept else " "
    return tag  # a stray closing tag: the parser ignores it


# Size caps -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Limits:
    """The size caps of one document (``[monitor] max_parse_bytes`` and ``max_text_chars``)."""

    parse_chars: int = 2_000_000
    text_chars: int = 300_000

#
# Parsing cost grows with the document: Lexbor builds a node of a few hundred bytes per tag
# (20 MB of small tags is ~600 MB of tree), and the cleaner, tagger and fingerprint each hold
# a few copies of the text. So a page is cut BEFORE the parser sees it, and the article text
# before the cleaner sees it; whoever calls these records the cut (a flag and a log line).

# Bulky elements that hold no article text; dropped (their tags kept, so "javascript shell"
# detection still sees a <script>) before a page over the cap is cut. JSON-LD is kept: metadata.
_BULK_START = re.compile(r"<!--|<(script|style|svg|template)\b([^<>]*)>", re.IGNORECASE)
_COMMENT_END = "-->"
_BULK_MARKERS = ("<!--", "<script", "<style", "<svg", "<template")


def cut_html(html: str, limit: int) -> tuple[str, bool]:
    """(html within ``limit`` characters, whether article content may have been cut).

    Over the limit, scripts, styles, inline SVG, templates and comments are emptied first
    (ordinary pages become small and lose nothing); only if that is not enough is the rest cut
    after the last complete tag before the limit.
    """
    if len(html) <= limit:
        return html, False
    html = _without_bulk(html, limit)
    if len(html) <= limit:
        return html, False
    end = html.rfind(">", 0, limit) + 1
    return html[: end or limit], True


def _without_bulk(html: str, limit: int) -> str:
    """``html`` with the content of bulky elements and comments removed, in one linear scan
    that stops once ``limit`` characters are kept (the rest would be cut anyway)."""
    lower = html.lower()
    parts: list[str] = []
    pos = kept = 0
    markers = _Markers(lower)
    while kept <= limit and (start := markers.next(pos)) >= 0:
        match = _BULK_START.match(html, start)
        if match is None:  # "<scripts>" or an unclosed "<svg": not ours
            parts.append(html[pos : start + 1])
            pos = start + 1
        elif match.group(1) is None:  # a comment: dropped whole
            parts.append(html[pos:start])
            end = lower.find(_COMMENT_END, match.end())
            pos = len(html) if end < 0 else end + len(_COMMENT_END)
        else:
            name = match.group(1).lower()
            close = lower.find(f"</{name}", match.end())
            close = len(html) if close < 0 else close
            keep = name == "script" and "ld+json" in match.group(2).lower()  # metadata: kept
            parts.append(html[pos:close] if keep else html[pos : match.end()])
            pos = close
        kept += len(parts[-1])
    parts.append(html[pos:])
    return "".join(parts)


class _Markers:
    """The next start of a bulky element or comment. str.find runs at memchr speed, and each
    marker is looked up again only once the scan has passed it, so the scan stays linear."""

    def __init__(self, lower: str) -> None:
        self._lower = lower
        self._at = dict.fromkeys(_BULK_MARKERS, -2)  # -2: not looked up yet; -1: none left

    def next(self, pos: int) -> int:
        for marker, at in self._at.items():
            if at == -2 or 0 <= at < pos:
                self._at[marker] = self._lower.find(marker, pos)
        found = [at for at in self._at.values() if at >= 0]
        return min(found, default=-1)


def cut_text(text: str, limit: int) -> tuple[str, bool]:
    """(text within ``limit`` characters, cut at the last paragraph or line break that fits)."""
    if len(text) <= limit:
        return text, False
    head = text[:limit]
    for mark in ("\n\n", "\n", ". ", " "):
        end = head.rfind(mark)
        if end >= limit // 2:
            return head[:end].rstrip(), True
    return head, True
