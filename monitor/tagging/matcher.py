"""One pass over the text finds every term of every tag.

Two Aho-Corasick automata do the scanning in C: one over the lowercased text for names
(case-insensitive), one over the original case for acronyms, formulae, tickers and element
symbols. Python only checks word boundaries of the (few) raw hits. Chinese terms skip the
boundary check: Chinese has no spaces between words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import ahocorasick

from monitor.tagging.taxonomy import TagInfo
from monitor.tagging.text import fold, lower

# Tickers count only in a quote: "NYSE: MP", "(ASX:LYC)", "$MP" — never bare ("MP said ...").
EXCHANGES = (
    "NYSE", "NYSE American", "NYSE Arca", "NASDAQ", "Nasdaq", "ASX", "TSX", "TSXV", "TSX-V", "TSX Venture",
    "CSE", "OTC", "OTCQX", "OTCQB", "LSE", "AIM", "FRA", "ETR", "XETRA", "Euronext", "EBR", "EPA", "TYO",
    "TSE", "SHA", "SSE", "SZSE", "SHE", "HKEX", "HKG", "KRX",
)  # fmt: skip
TICKER_SEPARATORS = (": ", ":", " : ")
# Element symbols are safe only next to another symbol ("Dy and Tb", "La, Ce, Pr and Nd", "Dy/Tb")...
SYMBOL_SEPARATORS = (", ", ",", "/", " and ", " & ", "&", "-", " or ", ", and ", "+", " + ")
# ...or followed by a word that only makes sense for an element ("Dy oxide", "Tb metal", "Nd prices").
SYMBOL_NOUNS = (
    "oxide", "oxides", "metal", "metals", "price", "prices", "alloy", "alloys", "content", "concentrate",
    "carbonate", "fluoride", "feedstock", "grade", "magnet", "magnets", "supply", "demand", "output",
    "production", "exports", "imports",
)  # fmt: skip


class Target(NamedTuple):
    """What a key finds: tag ``entry`` at ``key_start + rel_start .. key_start + rel_end``."""

    entry: int
    rel_start: int
    rel_end: int
    contextual: bool


class Key(NamedTuple):
    length: int
    check_start: bool  # the character before must not be a word character
    check_end: bool  # the character after must not be one (or be a plural "s"/"es")
    plural: bool
    targets: tuple[Target, ...]


class RawHit(NamedTuple):
    """A term found in the text, its boundaries checked, its context not yet."""

    start: int
    end: int
    entry: int
    contextual: bool


def is_cjk(text: str) -> bool:
    return any("\u2e80" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" for char in text)


def _is_word(char: str) -> bool:
    return char.isalnum() and char < "\u2e80"


def _plural_suffix(hay: str, end: int) -> int:
    """1 or 2 when ``hay[end:]`` starts with a plural "s"/"es" that ends the word, else 0."""
    for suffix in ("s", "es"):
        after = end + len(suffix)
        if hay.startswith(suffix, end) and (after >= len(hay) or not _is_word(hay[after])):
            return len(suffix)
    return 0


@dataclass
class _KeyTable:
    """Keys being collected for one automaton; the same string may find several tags."""

    keys: dict[str, Key]

    def add(self, key: str, target: Target, plural: bool = False) -> None:
        if not key:
            return
        known = self.keys.get(key)
        if known is not None:
            if target not in known.targets:
                self.keys[key] = known._replace(
                    targets=(*known.targets, target), plural=known.plural or plural
                )
            return
        boundaries = not is_cjk(key)
        check_start = boundaries and _is_word(key[0])
        check_end = boundaries and _is_word(key[-1])
        self.keys[key] = Key(len(key), check_start, check_end, plural and boundaries, (target,))

    def automaton(self) -> Any:
        automaton = ahocorasick.Automaton()
        for key, value in self.keys.items():
            automaton.add_word(key, value)
        if self.keys:
            automaton.make_automaton()
        return automaton


def variants(alias: str) -> Iterator[str]:
    """Spelling variants of a name: "rare earth" / "rare-earth", "refinery" / "refineries"."""
    forms = {alias, alias.replace("-", " "), alias.replace(" ", "-")}
    for form in list(forms):
        if form[-1:] == "y" and len(form) > 3 and form[-2:-1] not in "aeiou":
            forms.add(form[:-1] + "ies")
    yield from sorted(forms)


@dataclass(frozen=True, slots=True)
class Rules:
    """Per-tag sentence checks: a required context word, and words that veto a mention."""

    context: re.Pattern[str] | None
    exclude: re.Pattern[str] | None


def _words_pattern(words: Sequence[str]) -> re.Pattern[str] | None:
    if not words:
        return None
    alternatives = "|".join(re.escape(lower(fold(word))) for word in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![^\W_])(?:{alternatives})")


def rules_for(entries: Sequence[TagInfo]) -> tuple[Rules, ...]:
    return tuple(Rules(_words_pattern(e.context), _words_pattern(e.exclude)) for e in entries)


class Matcher:
    """The compiled form of a taxonomy: call :meth:`find` on a text."""

    def __init__(self, entries: Sequence[TagInfo]) -> None:
        self.entries = tuple(entries)
        self.rules = rules_for(self.entries)
        insensitive, sensitive = _KeyTable({}), _KeyTable({})
        for index, entry in enumerate(self.entries):
            _add_entry(index, entry, insensitive, sensitive)
        _add_symbols(self.entries, sensitive)
        self.key_count = len(insensitive.keys) + len(sensitive.keys)
        self._insensitive = insensitive.automaton()
        self._sensitive = sensitive.automaton()
        self._has_insensitive = bool(insensitive.keys)
        self._has_sensitive = bool(sensitive.keys)

    def find(self, text: str) -> list[RawHit]:
        """Every term occurrence in ``text`` whose word boundaries hold, in no particular order."""
        folded = fold(text)
        hits: list[RawHit] = []
        if self._has_sensitive:
            _scan(self._sensitive, folded, hits)
        if self._has_insensitive:
            _scan(self._insensitive, lower(folded), hits)
        return hits


def _add_entry(index: int, entry: TagInfo, insensitive: _KeyTable, sensitive: _KeyTable) -> None:
    for alias in entry.aliases:
        for form in variants(lower(fold(alias))):
            insensitive.add(form, Target(index, 0, len(form), False), plural=True)
    for term in entry.cased:
        for form in variants(fold(term)):
            sensitive.add(form, Target(index, 0, len(form), False), plural=True)
    for term in entry.contextual:
        folded = fold(term)
        table, form = (sensitive, folded) if folded != folded.lower() else (insensitive, folded)
        table.add(form, Target(index, 0, len(form), True), plural=True)
    for key in _ticker_keys(entry.tickers):
        sensitive.add(key, Target(index, 0, len(key), False))


def _ticker_keys(tickers: Iterable[str]) -> Iterator[str]:
    for ticker in tickers:
        yield f"${ticker}"
        for exchange in EXCHANGES:
            for separator in TICKER_SEPARATORS:
                yield f"{exchange}{separator}{ticker}"


def _add_symbols(entries: Sequence[TagInfo], sensitive: _KeyTable) -> None:
    symbols = [(index, entry.symbol) for index, entry in enumerate(entries) if entry.symbol]
    for first, left in symbols:
        for noun in SYMBOL_NOUNS:
            sensitive.add(f"{left} {noun}", Target(first, 0, len(left), False), plural=False)
        for second, right in symbols:
            if first == second:
                continue
            for separator in SYMBOL_SEPARATORS:
                key = f"{left}{separator}{right}"
                sensitive.add(key, Target(first, 0, len(left), False))
                sensitive.add(key, Target(second, len(key) - len(right), len(key), False))


def _scan(automaton: Any, hay: str, hits: list[RawHit]) -> None:
    """The hot loop: turn raw automaton hits into boundary-checked hits."""
    size = len(hay)
    append = hits.append
    for last, key in automaton.iter(hay):
        end = last + 1
        start = end - key.length
        if key.check_start and start > 0 and _is_word(hay[start - 1]):
            continue
        extra = 0
        if key.check_end and end < size and _is_word(hay[end]):
            extra = _plural_suffix(hay, end) if key.plural else 0
            if not extra:
                continue
        for target in key.targets:
            target_end = start + target.rel_end
            if target.rel_end == key.length:
                target_end += extra
            append(RawHit(start + target.rel_start, target_end, target.entry, target.contextual))
