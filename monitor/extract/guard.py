"""Keep hostile markup from making the parser slow.

Lexbor's tree builder costs O(depth) per element, so 100,000 nested tags take
minutes. Real pages nest a few dozen levels and hold a few thousand tags; only a
page with very many tags is scanned (in Python, so never on ordinary pages), and
tags nested deeper than ``MAX_DEPTH`` are dropped while their text is kept.
"""

from __future__ import annotations

import re

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
