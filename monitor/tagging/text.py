"""Text preparation for matching (length-preserving folding) and sentence splitting.

Offsets reported to users index the *original* ``title + "\\n\\n" + text``, so every
transformation here maps one character to exactly one character:

- :func:`ascii_fold` makes the text ASCII: curly quotes become straight, every dash ``-``,
  every space-like character a space, other characters their NFKC form when that is one ASCII
  character ("Ｍ" → "M"), else their base letter ("é" → "e", "ä" → "a"), else ``x`` for
  letters ("ł") and a space for symbols and Chinese or Japanese characters (which have no spaces
  between words: "向MP Materials" must still find "MP Materials").
- :func:`script_text` prepares Chinese, Japanese, Cyrillic and Greek for their own matcher:
  Traditional Chinese becomes Simplified (OpenCC's character table, one character for one),
  Cyrillic and Greek lowercase.
- :func:`word_haystack` lowercases that and turns punctuation into spaces, padded with one space
  on each side: a name then matches as ``" rare earths "`` and word boundaries come for free.

Both run in C (``str.replace`` and an ASCII ``str.translate``) so folding costs little.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from functools import cache, lru_cache

import opencc

# The non-ASCII characters news text is full of, folded with fast str.replace calls first.
_COMMON = (
    ("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"'), ("\u2013", "-"), ("\u2014", "-"),
    ("\u00a0", " "), ("\u2026", "."), ("\u00e9", "e"),
)  # fmt: skip
_QUOTES = "\u2018\u2019\u201a\u201b\u2032\u02bc\uff07"
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_SCRIPT_SPACE = re.compile("[\u3000-\u303f\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
# Lowercase letters, keep digits, everything else (punctuation, whitespace) becomes a space.
_WORD_TABLE = {code: (chr(code).lower() if chr(code).isalnum() else " ") for code in range(128)}


@lru_cache(maxsize=4096)
def _ascii_char(char: str) -> str:
    if char in _QUOTES:
        return "'"
    if char in _DOUBLE_QUOTES:
        return '"'
    if char in _DASHES:
        return "-"
    if _SCRIPT_SPACE.match(char):  # Chinese and Japanese have no spaces: "向MP Materials", "JOGMECは"
        return " "
    folded = unicodedata.normalize("NFKC", char)
    if len(folded) == 1 and folded.isascii():
        return folded
    base = unicodedata.normalize("NFKD", char)[:1]
    if base.isascii() and base.isalpha():
        return base
    return "x" if char.isalnum() else " "


def _fold_run(match: re.Match[str]) -> str:
    return "".join(_ascii_char(char) for char in match.group())


def ascii_fold(text: str) -> str:
    """An ASCII string as long as ``text``: see the module docstring."""
    return fold_for_matching(text)[0]


def fold_for_matching(text: str) -> tuple[str, str | None]:
    """:func:`ascii_fold` of ``text``, and its :func:`script_text` (None when it has no such script)."""
    if text.isascii():
        return text, None
    original = text
    for old, new in _COMMON:
        text = text.replace(old, new)
    if text.isascii():  # the usual case: only quotes and dashes were not ASCII
        return text, None
    return _NON_ASCII.sub(_fold_run, text), script_text(original) if has_script(original) else None


def word_haystack(folded: str) -> str:
    """``" " + lowercase words separated by spaces + " "``; index ``i + 1`` is ``folded[i]``."""
    return " " + folded.translate(_WORD_TABLE) + " "


def word_key(term: str) -> str:
    """A term as :func:`word_haystack` spells it, unpadded: "U.S. Geological" → "u s  geological"."""
    return word_haystack(ascii_fold(term)).strip(" ")


_CJK = re.compile("[\u2e80-\u9fff\uf900-\ufaff]")
_SCRIPT = re.compile("[\u0370-\u03ff\u0400-\u04ff\u2e80-\u9fff\uf900-\ufaff]")
_WORDED = re.compile("[\u0370-\u03ff\u0400-\u04ff]")  # scripts with spaces between words
# Cyrillic and Greek capitals to lowercase, ё to е: str.lower() may change a text's length, this cannot.
_LOWER = str.maketrans(
    {
        code: chr(code).lower()
        for code in (*range(0x391, 0x3AA), *range(0x400, 0x430))
        if len(chr(code).lower()) == 1
    }
    | {0x451: "\u0435", 0x401: "\u0435"}
)


def unreadable(term: str) -> bool:
    """True when the word matcher cannot read ``term``: every letter of it would fold to the
    stand-in ``x`` (Korean, Arabic, Thai...), so it would match any word of the same length in
    such a script. Chinese, Japanese, Cyrillic and Greek terms have their own matcher."""
    if has_script(term):
        return False
    return not any(char.isalnum() and (_ascii_char(char) != "x" or char in "xX") for char in term)


def is_cjk(text: str) -> bool:
    """True when ``text`` holds a Chinese or Japanese character."""
    return _CJK.search(text) is not None


def has_script(text: str) -> bool:
    """True when ``text`` holds Chinese, Japanese, Cyrillic or Greek: terms the script matcher finds."""
    return _SCRIPT.search(text) is not None


def is_worded(text: str) -> bool:
    """True for Cyrillic and Greek terms, which must start at a word boundary."""
    return _WORDED.search(text) is not None


def script_text(text: str) -> str:
    """``text`` with Traditional Chinese folded to Simplified and Cyrillic/Greek lowercased, same length."""
    if _CJK.search(text):
        text = _simplified(text)
    if _WORDED.search(text):
        text = text.translate(_LOWER)
    return text


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")  # character-level table: one Traditional character, one Simplified


def _simplified(text: str) -> str:
    converted: str = _converter().convert(text)
    if len(converted) == len(text):
        return converted
    return "".join(_simplified_char(char) for char in text)  # never seen; keeps offsets if a phrase maps


@lru_cache(maxsize=8192)
def _simplified_char(char: str) -> str:
    converted: str = _converter().convert(char)
    return converted if len(converted) == 1 else char


# A sentence ends at ".", "!" or "?" (plus closing quotes/brackets) followed by whitespace and not by a
# lowercase letter — unless the word before the full stop is an initial ("F.", the "S." of "U.S.") or a
# known abbreviation ("Co.", "Corp.") — at a newline, or after a CJK full stop.
_ABBREVIATIONS = {
    2: "co|mr|ms|dr|st|jr|sr|no|vs|lt|mt|ft",
    3: "inc|ltd|plc|llc|pty|bhd|mrs|nos|gen|gov|sen|rep|col|sgt|est|fig"
    "|jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec",
    4: "corp|prof|capt|sept|dept|govt",
    6: "approx",
}
_NOT_ABBREVIATION = "".join(rf"(?<!\b(?i:{words})\.)" for words in _ABBREVIATIONS.values())
# One character class first, so the regex engine can skip ahead quickly (3x faster than alternatives).
_BOUNDARY = re.compile(
    r"[.!?\n。！？](?:(?<=[.!?])[.!?]*[\"')\]]?(?<!\b[A-Za-z]\.)" + _NOT_ABBREVIATION + r"(\s+)(?![\sa-z])"
    r"|(?<=\n)\s*|(?<=[。！？])(\s*))"
)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` of the sentences of ``text``, in order, without surrounding space."""
    spans: list[tuple[int, int]] = []
    start = len(text) - len(text.lstrip())
    for match in _BOUNDARY.finditer(text):
        end = match.start(1)  # after the punctuation; -1 at a newline or a CJK full stop
        if end < 0:
            end = match.start(2)
        if end < 0:
            end = match.start()
            while end > start and text[end - 1] in " \t\r":  # spaces before the newline
                end -= 1
        if end > start:
            spans.append((start, end))
        start = match.end()
    end = len(text.rstrip())
    if end > start:
        spans.append((start, end))
    return spans


def sentence_index(starts: list[int], offset: int) -> int:
    """Index of the sentence containing ``offset``, given the sorted sentence starts."""
    return max(bisect_right(starts, offset) - 1, 0)


def body_start(title: str, text: str) -> int:
    """Where the body begins in ``title + "\n\n" + text`` when the title only repeats the text's
    opening (a plain-text article without a headline gets its first sentence as title, see
    ``extract_plain``): its words are read once, in the body. 0 when the title is a headline of its own."""
    head = " ".join(title.removesuffix("…").split())  # a title cut with "…" by its beginning
    repeated = bool(head) and bool(text) and " ".join(text[: 2 * len(title) + 20].split()).startswith(head)
    return len(title) + 2 if repeated else 0

