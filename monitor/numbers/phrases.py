"""Phrase lookup in one pass: an Aho-Corasick automaton (pyahocorasick, as the tagger uses).

English phrases match in any case, at word boundaries, with a plural "s"/"es", a hyphen and a
space interchangeable ("rare-earth magnets" finds "rare earth magnet"); Chinese phrases match as
written (the text is folded to Simplified first). A big regular-expression alternation did the
same ten times slower: the regex engine tries every phrase at every position.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, NamedTuple, TypeVar

import ahocorasick

from monitor.tagging.text import is_cjk

T = TypeVar("T")
_HYPHEN_CHARS = "-\u2010\u2011\u2012\u2013"
_HYPHENS = str.maketrans(_HYPHEN_CHARS, " " * len(_HYPHEN_CHARS))


class Span(NamedTuple, Generic[T]):  # a tuple: made for every hit, several times cheaper than a dataclass
    start: int
    end: int
    values: tuple[T, ...]


def key(phrase: str) -> str:
    """A phrase as the automaton stores it: lowercase, hyphens as spaces, single spaces."""
    return " ".join(phrase.lower().translate(_HYPHENS).split())


def haystack(text: str) -> str:
    """``text`` as the automaton reads it: lowercase, hyphens as spaces, same length (else as is)."""
    lowered = text.lower()
    hay = lowered if len(lowered) == len(text) else text
    for hyphen in _HYPHEN_CHARS:  # str.replace runs in C; translate with a table is ten times slower
        if hyphen in hay:
            hay = hay.replace(hyphen, " ")
    return hay


class PhraseIndex(Generic[T]):
    """Phrases with the values they stand for (a phrase may stand for several)."""

    def __init__(self, entries: Iterable[tuple[str, T]]) -> None:
        values: dict[str, list[T]] = {}
        for phrase, value in entries:
            base = key(phrase)
            forms = [base] if is_cjk(base) else [base, base + "s", base + "es"]
            for form in forms:
                bucket = values.setdefault(form, [])
                if value not in bucket:
                    bucket.append(value)
        self.automaton = ahocorasick.Automaton()
        for form, bucket in values.items():
            self.automaton.add_word(form, (len(form), not is_cjk(form), tuple(bucket)))
        self.empty = not values
        if not self.empty:
            self.automaton.make_automaton()

    def find(self, text: str, *, longest: bool = True, folded: bool = False) -> list[Span[T]]:
        """Phrases of ``text`` in order; ``longest``: of overlapping ones only the longest, leftmost first.

        ``folded``: ``text`` is already a :func:`haystack`.
        """
        if self.empty:
            return []
        hay = text if folded else haystack(text)
        hits: list[Span[T]] = []
        for last, (length, worded, values) in self.automaton.iter(hay):
            start, end = last - length + 1, last + 1
            if worded and (_letter(hay, start - 1) or _letter(hay, end)):
                continue  # "ore" in "more", "t" in "the"
            hits.append(Span(start, end, values))
        if not longest or len(hits) < 2:
            return sorted(hits, key=lambda span: span.start)
        hits.sort(key=lambda span: (span.start, span.start - span.end))
        kept: list[Span[T]] = []
        for span in hits:
            if kept and span.start < kept[-1].end:
                continue
            kept.append(span)
        return kept

    def search(self, text: str) -> bool:
        return bool(self.find(text, longest=False))


def _letter(text: str, index: int) -> bool:
    if index < 0 or index >= len(text):
        return False
    char = text[index]
    return char.isascii() and char.isalnum()
