"""Lists of other stories' headlines ("most read", "related"): the one noise family found by shape.

A headline list is a run of short title-like lines, either between separator lines or under a
list heading. It is found by a linear scan before the cleaner's line pass, because one headline
alone is indistinguishable from a subhead: only the run shows what it is.
"""

from __future__ import annotations

from collections.abc import Sequence

from monitor.extract import boilerplate as bp


def is_separator(line: str) -> bool:
    return bp.SEPARATOR.fullmatch(line) is not None


def unbullet(line: str) -> str:
    match = bp.BULLET.match(line)
    return line[match.end() :] if match else line


def is_headline_like(line: str, min_words: int = 2) -> bool:
    """A short title-like line: a few words, starts with a capital, no final sentence punctuation."""
    if not line or len(line) > 200:
        return False
    first = line[0]
    if not (first.isupper() or first.isdigit() or first in "\"'“‘"):
        return False
    if line[-1] in ".,;:" or ". " in line.rstrip("."):
        return False
    return min_words <= len(line.split()) <= 25


_MIN_SEPARATED_ITEMS = 3
_MIN_UNBULLETED_ITEMS = 2


def headline_list_lines(lines: Sequence[str]) -> set[int]:
    """Indices of lines that belong to lists of other stories' headlines."""
    marked: set[int] = set()
    # Every list has a separator line or a heading: most texts have neither, and need no scan.
    if not any(map(bp.SEPARATOR.fullmatch, lines)) and not any(
        len(line) <= 60 and bp.LIST_HEADING.fullmatch(line) for line in lines
    ):
        return marked
    index = 0
    while index < len(lines):
        end = _separated_run_end(lines, index)
        if end is None:
            end = _headed_run_end(lines, index)
        if end is None:
            index += 1
            continue
        marked.update(range(index, end))
        index = end
    return marked


def _separated_run_end(lines: Sequence[str], start: int) -> int | None:
    """End of a run "sep, headline, sep, headline, ..." (first separator optional) of 3+ headlines."""
    index = start + 1 if is_separator(lines[start]) else start
    items = 0
    while index < len(lines) and is_headline_like(lines[index]):
        after = index + 1
        if after < len(lines) and is_separator(lines[after]):
            items, index = items + 1, after + 1
        elif index > start and is_separator(lines[index - 1]):
            items, index = items + 1, after  # last item, preceded by a separator
            break
        else:
            break
    if items < _MIN_SEPARATED_ITEMS:
        return None
    return index


def _headed_run_end(lines: Sequence[str], start: int) -> int | None:
    """End of "Related:" followed by headlines (bulleted: any number; unbulleted: two or more)."""
    if len(lines[start]) > 60 or bp.LIST_HEADING.fullmatch(lines[start]) is None:
        return None
    index, bulleted, plain = start + 1, 0, 0
    while index < len(lines):
        line = lines[index]
        if bp.BULLET.match(line) and is_headline_like(unbullet(line)) and not plain:
            bulleted += 1
        elif is_headline_like(line) and not bulleted:
            plain += 1
        elif not is_separator(line):
            break
        index += 1
    if bulleted or plain >= _MIN_UNBULLETED_ITEMS:
        return index
    return start + 1  # a lone heading is noise too
