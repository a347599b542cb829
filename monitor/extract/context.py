"""Noise that one line alone cannot reveal, found by the lines around it.

Each finder takes the text's lines and returns the indices it marks, with the reason slug:

* a *teaser*: a headline (and its summary) right above a bare "Read more" link, or right under a
  media player's label ("Video"), and a link to a gallery ("... SEE FULL GALLERY");
* a *byline without "By"*: a line of names (and the outlet) right above the publication timestamp;
* a *split credit*: a credit label alone on a line ("Photo:", "Фото:") and the credit under it;
* a *pointing caption* ("This satellite image ... shows ...") and the credit alone under it;
* an *author bio* ending the text: "Jane Roe is a reporter at ...", "Follow her on Twitter".

The vocabulary each family needs is in ``boilerplate``; the shapes here use position and neighbours.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from monitor.extract import boilerplate as bp
from monitor.extract.headlines import is_headline_like

_DIGIT = re.compile(r"\d")
_SUMMARY_WORDS = 40  # a teaser's summary under its headline is at most this long


def context_lines(lines: Sequence[str]) -> dict[int, str]:
    """Indices of the lines the families above mark, with their reasons."""
    found: dict[int, str] = {}
    found.update(dict.fromkeys(teaser_lines(lines), "headline-list"))
    found.update(dict.fromkeys(byline_lines(lines), "byline"))
    found.update(dict.fromkeys(split_credit_lines(lines), "photo-credit"))
    for index in pointing_caption_lines(lines):
        found[index] = "caption"
        if index + 1 < len(lines) and _is_credit_name(lines[index + 1]):
            found[index + 1] = "photo-credit"  # the caption's credit, alone under it: "Example Agency"
    return found


def pointing_caption_lines(lines: Sequence[str]) -> list[int]:
    """Captions that point at their picture ("This satellite image ... shows ...")."""
    return [
        index
        for index, line in enumerate(lines)
        if line.startswith("This ")
        and len(line) <= bp.POINTING_CAPTION_MAX
        and bp.POINTING_CAPTION.fullmatch(line)
    ]


def _is_credit_name(line: str) -> bool:
    words = line.split()
    return 0 < len(words) <= 4 and line[-1].isalnum() and all(word[0].isupper() for word in words)


def teaser_lines(lines: Sequence[str]) -> set[int]:
    """A headline, perhaps with a summary under it, right above a bare "Read more" line: a link to
    another story (the "Read more" itself goes by its own rule). A player's title and summary under
    its label ("Video"), once the text has had a title or a paragraph: a label above the first title
    is the article's own section ("Video" over a video page's title), and a title is never noise."""
    marked: set[int] = set()
    for index, line in enumerate(lines):
        if (
            len(line) <= 20
            and bp.PLAYER_LABEL.fullmatch(line)
            and index + 1 < len(lines)
            and any(map(_is_title_or_paragraph, lines[:index]))
        ):
            below = index + 1  # the player's title, and its summary when the title is a headline
            if is_headline_like(lines[below], min_words=bp.MIN_TRAILING_WORDS):
                marked.add(below)
                if below + 1 < len(lines) and _is_summary(lines[below + 1], lines[below + 2 : below + 3]):
                    marked.add(below + 1)
        elif len(line) <= 200 and ("allery" in line or "ALLERY" in line) and bp.GALLERY_LINK.fullmatch(line):
            marked.add(index)
        elif len(line) <= 30 and bp.BARE_READ_MORE.fullmatch(line) and index > 0:
            above = index - 1
            headline = is_headline_like(lines[above], min_words=bp.MIN_TRAILING_WORDS)
            if headline:
                marked.add(above)
            if (  # a headline over a summary, or over a summary cut short (itself title-like)
                above > 0
                and is_headline_like(lines[above - 1], min_words=bp.MIN_TRAILING_WORDS)
                and (headline or len(lines[above].split()) <= _SUMMARY_WORDS)
            ):
                marked.update((above - 1, above))
    return marked


def _is_title_or_paragraph(line: str) -> bool:
    return is_headline_like(line, min_words=bp.MIN_TRAILING_WORDS) or len(line.split()) >= 15


def _is_summary(line: str, after: Sequence[str]) -> bool:
    """A teaser's one-sentence summary: short, and no longer than the paragraph after it."""
    words = len(line.split())
    return 0 < words <= 25 and line.count(". ") == 0 and (not after or len(after[0].split()) > words)


def byline_lines(lines: Sequence[str]) -> set[int]:
    """A line of names right above a publication timestamp ("Published 11:34 PM EST Nov 19, 2019"):
    "Tom Roe Associated Press", "Jane Doe and John T. Roe Springfield Gazette". It needs an outlet
    word, or the headline right above it: a title in Title Case above the timestamp stays a title."""
    marked: set[int] = set()
    for index in range(1, len(lines) - 1):  # the first line is the title, whatever its words
        line = lines[index]
        below = lines[index + 1]
        if len(line) > 120 or len(below) > 90 or not line[:1].isupper() or _DIGIT.search(below) is None:
            continue  # cheap checks first: most lines are long, or have no timestamp under them
        if not _is_names(line) or not bp.TIMESTAMP.fullmatch(below):
            continue
        outlet = any(word in bp.OUTLET_WORDS for word in line.split())
        if outlet or (index > 0 and is_headline_like(lines[index - 1])):
            marked.add(index)
    return marked


def _is_names(line: str) -> bool:
    words = line.split()
    return (
        2 <= len(words) <= bp.BYLINE_MAX_WORDS
        and len(line) <= 120
        and not any(char.isdigit() for char in line)
        and line[-1] not in ".!?:;,"
        and all(word[0].isupper() or word in bp.NAME_JOINERS for word in words)
    )


def split_credit_lines(lines: Sequence[str]) -> set[int]:
    """A credit label alone ("Photo:", "Фото:", "Credit:") and the short credit on the next line."""
    marked: set[int] = set()
    for index in range(len(lines) - 1):
        line = lines[index]
        if len(line) <= 24 and bp.CREDIT_LABEL.fullmatch(line):
            credit = lines[index + 1]
            if _is_short_credit(credit) or bp.CREDIT_ALONE.fullmatch(credit):
                marked.update((index, index + 1))
    return marked


def _is_short_credit(line: str) -> bool:
    """A few words, not a sentence and not a label of its own ("Account: @name")."""
    return 0 < len(line.split()) <= bp.CREDIT_MAX_WORDS and line[-1] not in ".!?;" and ":" not in line


def bio_lines(lines: Sequence[str]) -> set[int]:
    """An author bio ending the text: "Jane Roe is a reporter covering ...", "... Follow her on Twitter
    @janeroe." A sentence about a person inside the article stays: only the text's last BIO_TAIL lines
    are looked at (a bio of two lines goes in two rounds of the cleaner's context pass)."""
    marked: set[int] = set()
    for index in range(max(len(lines) - bp.BIO_TAIL, 0), len(lines)):
        line = lines[index]
        if len(line) <= bp.BIO_MAX and (bp.AUTHOR_BIO.match(line) or bp.FOLLOW_AUTHOR.search(line)):
            marked.add(index)
    return marked
