r"""How a pattern's matches can begin: a cheap pre-check before trying a large alternation.

Python's ``re`` tries the branches of an alternation one after another, so a line that matches none
of a few hundred furniture phrases pays for all of them. ``Leads`` reads the parsed pattern once and
lists every string of up to ``DEPTH`` characters (lower-cased) a match can begin with; a line whose
first characters are not among them cannot match, and the pattern is not tried. The lists are a
superset (lookarounds are ignored, a wide class ends a lead early), so a skipped line is one the
pattern would have refused: the result never changes, only the time. Leads are kept in ASCII, with
every digit written "0" and every space " " so that ``\d+\s*`` stays a handful of leads; a line whose
first characters are not ASCII is always tried.
"""

from __future__ import annotations

import re
from functools import cached_property
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

DEPTH = 5  # characters of a lead
_MAX_LEADS = 20_000  # beyond this many, give up and try the pattern on every line
_MAX_CLASS = 64  # a character class wider than this ends a lead (\w, [^.], ranges of letters)
# Digits and spaces each stand for their class: "1 / 23" and "12 of 30" both begin "0 / 0" / "00 o".
_FOLD = str.maketrans("123456789\t\n\r\f\v", "000000000     ")


class _TooMany(Exception):
    pass


class Leads:
    """The lower-cased beginnings a pattern's matches can have, by length; read on first use, so
    importing the cleaner costs no parsing."""

    def __init__(self, patterns: list[re.Pattern[str]]) -> None:
        self._patterns = tuple(patterns)

    @cached_property
    def _tables(self) -> tuple[bool, tuple[tuple[int, frozenset[str]], ...]]:
        found: set[str] = set()
        try:
            for pattern in self._patterns:
                _expand(list(sre_parse.parse(pattern.pattern, pattern.flags)), "", found, 0)
        except _TooMany:
            found = {""}
        by_length = ((n, frozenset(lead for lead in found if len(lead) == n)) for n in range(1, DEPTH + 1))
        return "" in found, tuple((n, leads) for n, leads in by_length if leads)

    @property
    def always(self) -> bool:
        """Whether some match can begin with anything, so that no line can be skipped."""
        return self._tables[0]

    def may_begin(self, line: str) -> bool:
        """Whether a match of the patterns can begin the line (False: it certainly cannot)."""
        always, tables = self._tables
        if always:
            return True
        head = line[:DEPTH]
        if not head.isascii():
            return True  # case and digit classes beyond ASCII: let the pattern decide
        head = head.lower().translate(_FOLD)
        return any(head[:length] in leads for length, leads in tables)


def _expand(items: list[Any], prefix: str, found: set[str], depth: int) -> None:
    """Add to ``found`` every lead the parsed ``items`` can produce after ``prefix``."""
    if len(found) > _MAX_LEADS or depth > 200:
        raise _TooMany
    if len(prefix) >= DEPTH or not items:
        found.add(prefix[:DEPTH])
        return
    (op, arg), rest = items[0], items[1:]
    if op is sre.LITERAL:
        char = chr(arg)
        if not char.isascii():
            return  # only a line that is not ASCII can begin so, and those are always tried
        _expand(rest, prefix + char.lower().translate(_FOLD), found, depth + 1)
    elif op is sre.IN:
        chars = _class(arg)
        if chars is None:
            found.add(prefix)
            return
        for char in chars:
            _expand(rest, prefix + char, found, depth + 1)
    elif op is sre.SUBPATTERN:
        _expand(list(arg[-1]) + rest, prefix, found, depth + 1)
    elif op is sre.BRANCH:
        for branch in arg[1]:
            _expand(list(branch) + rest, prefix, found, depth + 1)
    elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT)):
        low, high, body = arg
        if low == 0:
            _expand(rest, prefix, found, depth + 1)
        if high != 0:
            again = (op, (max(low - 1, 0), high - 1 if high != sre.MAXREPEAT else high, body))
            _expand([*body, again, *rest], prefix, found, depth + 1)
    elif op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
        _expand(rest, prefix, found, depth + 1)  # zero-width: what follows begins the match
    else:  # any character, a back-reference, a negated literal...: the lead ends here
        found.add(prefix)


def _class(items: list[Any]) -> set[str] | None:
    """The lower-cased characters a class matches, or None when it is too wide to list."""
    codes: set[int] = set()
    for op, arg in items:
        if op is sre.LITERAL:
            codes.add(arg)
        elif op is sre.RANGE and arg[1] - arg[0] <= _MAX_CLASS:
            codes.update(range(arg[0], arg[1] + 1))
        elif op is sre.CATEGORY and arg is sre.CATEGORY_DIGIT:
            codes.add(ord("0"))
        elif op is sre.CATEGORY and arg is sre.CATEGORY_SPACE:
            codes.add(ord(" "))
        else:
            return None
    chars = {chr(code).lower().translate(_FOLD) for code in codes if chr(code).isascii()}
    return chars if len(chars) <= _MAX_CLASS else None
