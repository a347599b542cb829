"""Turn a DOM subtree into text the way a browser lays it out.

Inline elements keep the whitespace the page has (``of<b>products</b>`` stays one
word); block elements end a paragraph and ``<br>`` ends a line. Instead of walking
the tree in Python, a marker character is inserted after every block and ``<br>``
in one CSS pass, the subtree's text is read in one C call, and the markers become
paragraph and line breaks.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

# Private-use code points: never meaningful in article text.
BLOCK_MARK = "\ue000"
LINE_MARK = "\ue001"

BLOCK_TAGS = (
    "address, article, aside, blockquote, dd, div, dl, dt, fieldset, figcaption, figure, footer, "
    "h1, h2, h3, h4, h5, h6, header, hr, li, main, nav, ol, p, pre, section, table, tr, td, th, ul, "
    "summary, details, caption"
)
_SPACES = re.compile(r"\s+")  # the markers are not whitespace, so they survive
_MARK_RUN = re.compile(r" *([\ue000\ue001]) *")
_DOUBLE_LINE = re.compile(r"\ue001(?:\ue001)+")


def mark_blocks(root: LexborNode) -> None:
    """Insert break markers after every block element and ``<br>`` below ``root``."""
    for node in root.css(BLOCK_TAGS):
        node.insert_after(BLOCK_MARK)
        node.insert_before(BLOCK_MARK)
    for node in root.css("br"):
        node.insert_after(LINE_MARK)


def paragraphs_of(raw: str) -> list[str]:
    """Split marked text into paragraphs: whitespace collapsed, ``<br>`` kept as newlines."""
    flat = _SPACES.sub(" ", raw)
    flat = _MARK_RUN.sub(r"\1", flat)
    flat = _DOUBLE_LINE.sub(BLOCK_MARK, flat)
    paragraphs = []
    for block in flat.split(BLOCK_MARK):
        lines = [line.strip() for line in block.split(LINE_MARK)]
        text = "\n".join(line for line in lines if line)
        if text:
            paragraphs.append(text)
    return paragraphs


def render(root: LexborNode) -> list[str]:
    """The paragraphs of ``root`` (mutates it: markers are inserted)."""
    mark_blocks(root)
    return paragraphs_of(root.text(deep=True, separator=""))
