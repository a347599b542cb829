"""Turn a DOM subtree into text the way a browser lays it out.

Inline elements keep the whitespace the page has (``of<b>products</b>`` stays one
word); block elements end a paragraph and ``<br>`` ends a line. Instead of walking
the tree in Python, a marker character is inserted after every block and ``<br>``
in one CSS pass, the subtree's text is read in one C call, and the markers become
paragraph and line breaks.
"""

from __future__ import annotations

from selectolax.lexbor import LexborNode

# Private-use code points: never meaningful in article text.
BLOCK_MARK = "\ue000"
LINE_MARK = "\ue001"

BLOCK_TAGS = (
    "address, article, aside, blockquote, dd, div, dl, dt, fieldset, figcaption, figure, footer, "
    "h1, h2, h3, h4, h5, h6, header, hr, li, main, nav, ol, p, pre, section, table, tr, td, th, ul, "
    "summary, details, caption"
)


def mark_blocks(root: LexborNode) -> None:
    """Insert break markers after every block element and ``<br>`` below ``root``."""
    for node in root.css(BLOCK_TAGS):
        node.insert_after(BLOCK_MARK)
        node.insert_before(BLOCK_MARK)
    for node in root.css("br"):
        node.insert_after(LINE_MARK)


def paragraphs_of(raw: str) -> list[str]:
    """Split marked text into paragraphs: whitespace collapsed, ``<br>`` kept as newlines."""
    paragraphs = []
    # The markers are not whitespace, so no whitespace run crosses one: collapsing block by block
    # is collapsing the whole text, without building it again first.
    for block in raw.split(BLOCK_MARK):
        flat = " ".join(block.split())
        if LINE_MARK in flat:
            paragraphs.extend(_split_lines(flat))
        elif flat:
            paragraphs.append(flat)
    return paragraphs


def _split_lines(block: str) -> list[str]:
    """``a<br>b`` is one paragraph of two lines; an empty line (``<br><br>``) starts a new one."""
    found: list[str] = []
    lines: list[str] = []
    for line in (part.strip() for part in block.split(LINE_MARK)):
        if line:
            lines.append(line)
        elif lines:
            found.append("\n".join(lines))
            lines = []
    if lines:
        found.append("\n".join(lines))
    return found


def render(root: LexborNode) -> list[str]:
    """The paragraphs of ``root`` (mutates it: markers are inserted)."""
    mark_blocks(root)
    return paragraphs_of(root.text(deep=True, separator=""))
