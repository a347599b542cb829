"""Text preparation for matching: length-preserving normalisation and sentence splitting.

Offsets reported to users index the *original* ``title + "\\n\\n" + text``, so every
transformation here maps one character to exactly one character: NFKC where it yields a
single character, curly quotes to straight ones, every dash to ``-``, every space-like
character (NBSP, thin space, newline, tab) to a plain space.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from functools import lru_cache

_QUOTES = "\u2018\u2019\u201a\u201b\u2032\u02bc\uff07"
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_SPACES = "\n\r\t\f\v\u00a0\u1680\u2028\u2029\u202f\u205f\u3000" + "".join(map(chr, range(0x2000, 0x200B)))


@lru_cache(maxsize=1)
def _char_map() -> dict[str, str]:
    """Every BMP character whose NFKC form is one different character, plus our own folds."""
    mapping: dict[str, str] = {}
    for code in range(0x80, 0x10000):
        char = chr(code)
        folded = unicodedata.normalize("NFKC", char)
        if len(folded) == 1 and folded != char:
            mapping[char] = folded
    mapping.update(dict.fromkeys(_QUOTES, "'"))
    mapping.update(dict.fromkeys(_DOUBLE_QUOTES, '"'))
    mapping.update(dict.fromkeys(_DASHES, "-"))
    mapping.update(dict.fromkeys(_SPACES, " "))
    return mapping


@lru_cache(maxsize=1)
def _foldable() -> re.Pattern[str]:
    chars = "".join(sorted(_char_map()))
    return re.compile("[" + re.escape(chars) + "]")


def fold(text: str) -> str:
    """Normalise ``text`` for matching without changing its length (offsets stay valid)."""
    if text.isascii():  # the common case: only whitespace needs folding
        return text.replace("\n", " ").replace("\t", " ").replace("\r", " ")
    mapping = _char_map()
    return _foldable().sub(lambda match: mapping[match.group()], text)


def lower(text: str) -> str:
    """``str.lower`` that keeps the length (a few characters, like "İ", lower to two)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


# A full stop, question or exclamation mark (plus closing quotes/brackets) then space; a newline;
# or a CJK full stop, which needs no space after it.
_BOUNDARY = re.compile(r"[.!?]+[\"'\u2019\u201d)\]]*\s+|\n\s*|[。！？]+")
_ABBREVIATIONS = frozenset(
    {"co", "corp", "inc", "ltd", "plc", "llc", "pty", "bhd", "mr", "mrs", "ms", "dr", "prof", "st", "jr",
     "sr", "no", "nos", "vs", "gen", "gov", "sen", "rep", "lt", "col", "capt", "sgt", "jan", "feb", "mar",
     "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx", "est", "dept", "fig", "mt"}
)  # fmt: skip


def _ends_with_abbreviation(text: str, dot: int) -> bool:
    """True when the word ending at ``text[dot] == "."`` is an abbreviation or an initial."""
    start = dot
    while start > 0 and not text[start - 1].isspace() and text[start - 1] not in "(\"'":
        start -= 1
    word = text[start:dot]
    if len(word) == 1 and word.isalpha():  # initials: "F. Stadler", "U." of "U.S."
        return True
    if "." in word:  # dotted acronyms: U.S., U.K., e.g., i.e.
        return all(len(part) <= 2 for part in word.split("."))
    return word.lower() in _ABBREVIATIONS


def _is_boundary(text: str, match: re.Match[str]) -> bool:
    token = match.group()
    if token[0] in "\n。！？" or token[0] in "!?":
        return True
    following = text[match.end() : match.end() + 1]
    if following and following.islower():
        return False
    return not _ends_with_abbreviation(text, match.start())


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` of the sentences of ``text``, whitespace trimmed, in order."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        if _is_boundary(text, match):
            end = match.start() if match.group()[0] == "\n" else _punctuation_end(match)
            _add_span(text, spans, start, end)
            start = match.end()
    _add_span(text, spans, start, len(text))
    return spans


def _punctuation_end(match: re.Match[str]) -> int:
    """Keep the closing punctuation and quotes in the sentence, drop the trailing space."""
    return match.start() + len(match.group().rstrip())


def _add_span(text: str, spans: list[tuple[int, int]], start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def sentence_index(starts: list[int], offset: int) -> int:
    """Index of the sentence containing ``offset``, given the sorted sentence starts."""
    return max(bisect_right(starts, offset) - 1, 0)
