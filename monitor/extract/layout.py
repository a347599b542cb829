"""Turn a DOM subtree into text the way a browser lays it out.

Inline elements keep the whitespace the page has (``of<b>products</b>`` stays one
word); block elements end a paragraph and ``<br>`` ends a line. Instead of walking
the tree in Python, a marker character is inserted after every block and ``<br>``
in one CSS pass, the subtree's text is read in one C call, and the markers become
paragraph and line breaks.

A data table's row is one line, its cells separated by ``CELL_SEPARATOR`` ("Nd oxide | 620,000 |
+1.2 %"): a row read cell by cell, one per line, is a list of fragments a reader (and the cleaner,
which takes runs of short lines for a menu) cannot put back together. Only rows whose cells each
hold one short run of inline text are joined; a layout table (a cell with paragraphs, a list, a
menu cut by ``<br>``, a nested table, or a long text) keeps every cell a block of its own.
"""

from __future__ import annotations

from selectolax.lexbor import LexborNode

# Private-use code points: never meaningful in article text.
BLOCK_MARK = "\ue000"
LINE_MARK = "\ue001"

CELL_SEPARATOR = " | "
# A data cell is a label or a value; a cell longer than this holds text laid out in a grid.
_LONGEST_CELL = 150
# Inside a data cell at most one paragraph (some CMSs wrap every cell's text in <p>); anything else
# of block shape makes the row part of a page layout.
_NOT_IN_A_DATA_CELL = (
    "address, article, aside, blockquote, dd, div, dl, dt, fieldset, figure, footer, h1, h2, h3, h4, "
    "h5, h6, header, hr, li, main, nav, ol, pre, section, table, ul, br, details"
)

BLOCK_TAGS = (
    "address, article, aside, blockquote, dd, div, dl, dt, fieldset, figcaption, figure, footer, "
    "h1, h2, h3, h4, h5, h6, header, hr, li, main, nav, ol, p, pre, section, table, tr, td, th, ul, "
    "summary, details, caption"
)


def mark_blocks(root: LexborNode) -> None:
    """Insert break markers after every block element and ``<br>`` below ``root``."""
    if root.css_first("tr") is not None:  # most article blocks hold no table: one walk in C to know
        _join_data_rows(root.css("tr"))
    for node in root.css(BLOCK_TAGS):
        node.insert_after(BLOCK_MARK)
        node.insert_before(BLOCK_MARK)
    for node in root.css("br"):
        node.insert_after(LINE_MARK)


def _join_data_rows(rows: list[LexborNode]) -> None:
    """Replace every data table's row among ``rows`` by one line of text.

    A table is a data table when one of its rows has two cells with text and every cell of that row
    is simple (see ``_simple_cells``); its other simple rows are joined too, so a row that labels a
    line of image-only cells (ticks in a status grid) keeps the grid's shape.
    """
    by_table: dict[int, list[tuple[LexborNode, list[str]]]] = {}
    data_tables: set[int] = set()
    for row in rows:
        texts = _simple_cells(row)
        table = _table_of(row)
        if texts is None or table is None:
            continue
        by_table.setdefault(table, []).append((row, texts))
        if sum(1 for text in texts if text) >= 2:
            data_tables.add(table)
    for table in data_tables:
        for row, texts in by_table[table]:
            row.insert_before(BLOCK_MARK + CELL_SEPARATOR.join(texts) + BLOCK_MARK)
            row.remove()


def _simple_cells(row: LexborNode) -> list[str] | None:
    """The text of each cell of ``row``, or None when the row is not one of a data table."""
    cells = [child for child in row.iter() if child.tag in ("td", "th")]
    if len(cells) < 2:
        return None
    texts = [" ".join(cell.text(deep=True).split()) for cell in cells]
    if any(len(text) > _LONGEST_CELL for text in texts):
        return None
    if any(len(cell.css("p")) > 1 or cell.css_first(_NOT_IN_A_DATA_CELL) is not None for cell in cells):
        return None
    return texts


def _table_of(row: LexborNode) -> int | None:
    node = row.parent
    while node is not None and node.tag != "table":
        node = node.parent
    return None if node is None else node.mem_id


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
