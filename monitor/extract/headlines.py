"""Noise found by its shape over several lines: lists of other stories' headlines, and menus.

One headline alone is indistinguishable from a subhead, one label from a heading: only the run
shows what it is. A headline list is a run of title-like lines between separator lines, under a list
heading ("Most read", "Related stories"), numbered 1, 2, 3..., or ending the text after its last
paragraph; the article's own headline and standfirst under a list at the top are given back. A menu
is a long run of short labels without bullets or numbers.
"""

from __future__ import annotations

import re
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
    kickers: set[str] = set()
    while index < len(lines):
        line = lines[index]
        if bp.BULLET.match(line) and is_headline_like(unbullet(line)) and not plain:
            bulleted += 1
        elif _is_teaser(line) and not bulleted:
            plain += 1
        elif _is_kicker(line) and not bulleted and (
            line in kickers or (index + 1 < len(lines) and _is_teaser(lines[index + 1]))
        ):
            kickers.add(line)  # "Rising", "Video": a label over the next item, or repeated after the last
        elif not is_separator(line):
            break
        index += 1
    if bulleted:
        return index
    if plain >= _MIN_UNBULLETED_ITEMS:
        return _give_back_title(lines, start, index)
    return start + 1  # a lone heading is noise too


def _is_sentence(line: str) -> bool:
    """Article text under the run: a sentence, or the lead-in to a list ("Here are the highlights:")."""
    return len(line.split()) >= 4 and line[-1] in ".:!?" and not is_headline_like(line)


def _is_teaser(line: str) -> bool:
    """An item under a list heading: a headline, or a teaser of two short sentences without a final
    full stop ("Paid ads are not the problem. Our perceptions are"), perhaps led by an emoji."""
    if is_headline_like(line):
        return True
    if not line or len(line) > 200 or line[-1] in ".,;:":
        return False
    start = 0
    while start < len(line) and not line[start].isalnum():
        start += 1
    head = line[start:]
    return bool(head) and head[0].isupper() and 2 <= len(head.split()) <= 25


def _is_kicker(line: str) -> bool:
    """A one- or two-word label set over a teaser ("Rising", "Sponsored", "Video")."""
    return 0 < len(line) <= 20 and len(line.split()) <= 2 and line[0].isupper() and line[-1] not in ".!?:;,"


_BODY_WORDS = 15  # a line this long that is not title-like is article text
_STANDFIRST_WORDS = 12  # a title-like line this long under a title is its standfirst


def _is_body(line: str) -> bool:
    return len(line.split()) >= _BODY_WORDS and not is_headline_like(line)


def _give_back_title(lines: Sequence[str], start: int, end: int) -> int:
    """The end of a headed list, leaving out the article's own headline (and standfirst) when the
    list stands above the article: nothing but furniture before it, article text right after it."""
    if end >= len(lines) or not _is_body(lines[end]) or any(map(_is_body, lines[:start])):
        return end
    end -= 1  # the line above the first paragraph is the headline, or the standfirst under it
    if end - 1 > start + 1 and len(lines[end].split()) >= _STANDFIRST_WORDS:
        end -= 1
    return end


def numbered_list_lines(lines: Sequence[str]) -> set[int]:
    """Indices of numbered lists of headlines ("1. Headline", "2. Headline", ...: a most-read box)."""
    marked: set[int] = set()
    if sum(line[:1].isdigit() for line in lines) < bp.MIN_NUMBERED_ITEMS:
        return marked  # most texts: no list to look for
    run: list[int] = []
    for index, line in enumerate(lines):
        item = bp.NUMBERED_ITEM.fullmatch(line) if line[:1].isdigit() else None
        headline = item is not None and _is_numbered_headline(item.group("head"))
        if item is not None and headline and int(item.group("n")) == len(run) + 1:
            run.append(index)
            continue
        _close_run(run, marked, bp.MIN_NUMBERED_ITEMS)
        run = [index] if item is not None and headline and item.group("n") == "1" else []
    _close_run(run, marked, bp.MIN_NUMBERED_ITEMS)
    return marked


def _is_numbered_headline(head: str) -> bool:
    return is_headline_like(head.rstrip("?!"), min_words=bp.MIN_NUMBERED_WORDS) or (
        head.endswith("?") and len(head.split()) >= bp.MIN_NUMBERED_WORDS
    )


def trailing_headline_lines(lines: Sequence[str]) -> set[int]:
    """Indices of a run of headlines that ends the text after its last paragraph: a related-stories box
    whose heading was lost. An article ends on a sentence, not on three titles in a row. Short links
    in lower case may sit among them, when at least two of the run are headlines."""
    start, headlines = len(lines), 0
    while start > 0:
        line = lines[start - 1]
        if is_headline_like(line, min_words=bp.MIN_TRAILING_WORDS):
            headlines += 1
        elif not _is_link_text(line):
            break
        start -= 1
    if headlines < bp.MIN_TRAILING_HEADLINES - 1 or len(lines) - start < bp.MIN_TRAILING_HEADLINES:
        return set()
    if not any(map(_is_body, lines[:start])):
        return set()
    return set(range(start, len(lines)))


def _is_link_text(line: str) -> bool:
    """A short link in lower case ("online free course") among the headlines ending a text: a few
    words, no figures, no punctuation."""
    words = line.split()
    return 2 <= len(words) <= 6 and all(word.isalpha() for word in words)


def inline_headline_lines(lines: Sequence[str]) -> set[int]:
    """Indices of runs of other stories' headlines standing between two paragraphs of the body with no
    heading: three or more title-like lines of four words or more in a row. An article's subhead
    stands alone over its paragraph; three titles in a row with no text under them are links. Lines
    with a price or an interview's "Q:"/"A:" are the article's own (a deals list, an interview), and so
    is a run under a line that announces it ("He also said:", "Ask yourself these questions:"): the
    article's own list, whose items are often phrased like titles."""
    marked: set[int] = set()
    run: list[int] = []
    seen_body = False
    announced = False  # the line above the run ends with a colon
    if len(lines) < bp.MIN_INLINE_HEADLINES + 2:
        return marked  # a paragraph, the run, a paragraph
    for index, line in enumerate(lines):
        if len(line) <= 200 and is_headline_like(line, min_words=bp.MIN_TRAILING_WORDS):
            if bp.NOT_A_TEASER.search(line) is None:
                if not run:
                    announced = index > 0 and lines[index - 1].endswith(":")
                run.append(index)
                continue
            body = False
        else:
            body = _is_body(line)
        if (
            run
            and seen_body
            and not announced
            and len(run) >= bp.MIN_INLINE_HEADLINES
            and (body or _is_sentence(line))
        ):
            marked.update(run)
        run = []
        seen_body = seen_body or body
    return marked


_MENU_ITEM_CHARS = 40
# Chinese and Japanese write a sentence without spaces: one "word" of 30 ideographs is a sentence, while a
# menu item there is a few characters ("国际", "财经新闻"). Past this many wide characters, a line is prose.
_MENU_ITEM_WIDE = 10
# Chinese, Japanese and Korean characters (kana, ideographs, Hangul syllables, compatibility ideographs).
WIDE_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def _few_wide(line: str) -> bool:
    """Whether the line holds too few CJK characters to be a sentence (true of any line this short)."""
    return len(line) <= _MENU_ITEM_WIDE or len(WIDE_CHAR.findall(line)) <= _MENU_ITEM_WIDE


_ANNOUNCING_WORDS = 5  # "The plant has four units:" announces a list; "Sections:" labels a menu


def menu_lines(lines: Sequence[str]) -> set[int]:
    """Indices of menus rendered one item per line: long runs of short labels ("News", "World", ...).

    A run under a sentence that announces it ("The plant has four units:") is the article's own list
    of names, not a menu; a label ending in a colon ("Sections:", "Follow us:") announces nothing.
    """
    marked: set[int] = set()
    if sum(len(line) <= _MENU_ITEM_CHARS for line in lines) < bp.MENU_MIN_ITEMS:
        return marked  # most texts: too few short lines to hold a menu
    run: list[int] = []  # menu items, and the numbered or bulleted labels between them
    items: list[bool] = []  # whether each of the run is a plain item
    announced = False  # the run stands under a sentence ending with a colon
    for index, line in enumerate(lines):
        if is_separator(line):
            continue  # removed anyway: a menu with rules between its items is still one menu
        item = _is_menu_item(line)
        if item or (run and _is_menu_label(line)):
            if not run:
                announced = index > 0 and _announces(lines[index - 1])
            run.append(index)
            items.append(item)
        elif run:
            if not announced:
                _close_menu(run, items, marked)
            run, items = [], []
    if not announced:
        _close_menu(run, items, marked)
    return marked


def _announces(line: str) -> bool:
    """A sentence that introduces a list: ends with a colon, and is more than a label."""
    return line.endswith(":") and len(line.split()) >= _ANNOUNCING_WORDS


def _is_menu_label(line: str) -> bool:
    """A label with a number or a bullet ("12:30 Report", "Politics 101", "- Civil Rights"): a menu
    item only between plain ones; alone, or in a run of its own, it is an authored list item."""
    label = unbullet(line)
    return (
        0 < len(label) <= _MENU_ITEM_CHARS
        and len(label.split()) <= bp.MENU_ITEM_WORDS + 1
        and label[-1] not in ".!?:;,"
        and any(char.isalpha() for char in label)
        and _few_wide(label)
    )


def _close_menu(run: list[int], items: list[bool], marked: set[int]) -> None:
    """A menu needs MENU_MIN_ITEMS plain items; numbered or bulleted labels at its end are not its."""
    end = len(run)
    while end and not items[end - 1]:
        end -= 1
    if sum(items[:end]) >= bp.MENU_MIN_ITEMS:
        marked.update(run[:end])


def _is_menu_item(line: str) -> bool:
    # Authored lists carry bullets ("- Recycling") and numbers: those are never menu items. A subhead
    # ("- Heavy metal -") is judged as the heading the cleaner makes of it, so cleaning twice agrees.
    if line[:1] in "-–—" and (subhead := bp.SUBHEAD.fullmatch(line)) is not None:
        line = subhead.group("head")
    return (
        0 < len(line) <= _MENU_ITEM_CHARS
        and len(line.split()) <= bp.MENU_ITEM_WORDS
        and line[-1] not in ".!?:;,"
        and any(char.isalpha() for char in line)
        and not bp.BULLET.match(line)
        and not any(char.isdigit() for char in line)
        and _few_wide(line)
    )


def _close_run(run: list[int], marked: set[int], minimum: int) -> None:
    if len(run) >= minimum:
        marked.update(run)
