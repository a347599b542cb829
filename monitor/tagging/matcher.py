"""One pass over the text finds every term of every tag.

The text is folded to ASCII, lowercased, and its punctuation turned into spaces (the *word
haystack*, see ``text.py``). One Aho-Corasick automaton scans it in C for every term, each key
padded with spaces (``" lynas "``, ``" rare earths "``, ``" dy and tb "``), so every hit is a
whole-word hit without a check in Python. Plural and possessive forms are keys of their own.

Case-sensitive terms (acronyms, formulae, tickers, element symbols) are keys too, in lowercase;
a hit counts only when the folded text at that place spells the term exactly ("REE", not "ree";
"NYSE: MP", not "nyse mp") and is not a currency prefix ("US" of "US$").

Chinese, Japanese, Cyrillic and Greek terms have their own automaton over the *script text*
(Traditional Chinese folded to Simplified, Cyrillic and Greek lowercased, see ``text.py``), with
no word boundary at the end (Chinese has none; "диспрози" finds every case ending of
"диспрозий") and, for Cyrillic and Greek, one at the start.

The words of the rules (``context``, ``exclude``, ``doubt``...) are found by a third automaton in
the same call, so checking a rule is a lookup, not a regular-expression scan.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import ahocorasick

from monitor.tagging.entry import TagInfo
from monitor.tagging.text import (
    ascii_fold,
    fold_for_matching,
    has_script,
    is_worded,
    script_text,
    word_haystack,
    word_key,
)

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

Hit = tuple[
    int, int, int, bool
]  # start, -end (so that sorting puts longer terms first), entry, needs context


class Target(NamedTuple):
    """What a key finds: tag ``entry`` at ``rel_start .. rel_end`` from where the key's word starts.

    ``surfaces`` (case-sensitive terms only) are the exact spellings allowed, starting ``lead``
    characters before the word ("$" of "$MP").
    """

    entry: int
    contextual: bool
    rel_start: int
    rel_end: int
    lead: int
    surfaces: frozenset[str] | None


class Found:
    """What one scan of a text found besides the hits: the word haystack, the script text (None
    without Chinese, Japanese, Cyrillic or Greek) and the rule words in the hay.

    The words of ``exclude`` and ``doubt`` lists (rare, specific phrases) are keys of the term
    automaton, found in the same pass; a word set is indexed the first time it is asked for.
    ``context`` words are common ("export", "price"): they are searched in the sentence only,
    with a pattern.
    """

    __slots__ = ("_present", "_rule_hits", "_starts", "hay", "script")

    def __init__(
        self, hay: str, script: str | None, rule_hits: list[tuple[int, tuple[int, ...]]] | None = None
    ) -> None:
        self.hay = hay
        self.script = script
        self._rule_hits = rule_hits or []
        self._present: set[int] | None = None
        self._starts: dict[int, list[int]] = {}

    def anywhere(self, number: int) -> bool:
        """Whether a word of rule word set ``number`` is anywhere in the text."""
        if self._present is None:
            self._present = set().union(*(owners for _, owners in self._rule_hits))
        return number in self._present

    def starts(self, number: int) -> list[int]:
        """Sorted starts (hay offsets) of the words of rule word set ``number``."""
        found = self._starts.get(number)
        if found is None:
            present = self.anywhere(number)
            found = sorted(start for start, owners in self._rule_hits if number in owners) if present else []
            self._starts[number] = found
        return found


@dataclass(frozen=True, slots=True)
class Words:
    """Words to look for in a span of text, each at a word start: `` export`` also finds "exports".

    Latin words are found by the rule automaton (``latin`` is this word set's number there) or, for
    context words, by ``pattern`` over the hay; others by a pattern over the script text (same
    offsets).
    """

    latin: int | None
    pattern: re.Pattern[str] | None
    script: re.Pattern[str] | None

    def __bool__(self) -> bool:
        return self.latin is not None or self.pattern is not None or self.script is not None

    def search(self, found: Found, start: int = 0, end: int | None = None) -> bool:
        """Whether one of the words starts in ``hay[start:end]`` (anywhere when ``end`` is None)."""
        hay = found.hay
        if self.pattern is not None and self.pattern.search(hay, start, len(hay) if end is None else end):
            return True
        if self.latin is not None:
            if end is None:
                if found.anywhere(self.latin):
                    return True
            elif starts := found.starts(self.latin):
                index = bisect_left(starts, start)
                if index < len(starts) and starts[index] < end:
                    return True
        if self.script is None or found.script is None:
            return False
        # hay index i + 1 is text index i
        limit = len(found.script) if end is None else end
        return self.script.search(found.script, max(start - 1, 0), limit) is not None


class _RuleWords:
    """Every word set of every rule, interned, and the automaton that finds their Latin words."""

    def __init__(self, indexed: bool = True) -> None:
        self.indexed = indexed  # False: context words, searched with a pattern
        self.sets: dict[frozenset[str], int] = {}
        self.owners: dict[str, list[int]] = {}

    def words(self, words: Iterable[str]) -> Words:
        latin = frozenset(" " + key for key in (word_key(w) for w in words if not has_script(w)) if key)
        script = {script_text(word) for word in words if has_script(word)}
        number = None
        if latin and not self.indexed:
            return Words(None, _pattern(latin), _pattern(script))
        if latin:
            number = self.sets.get(latin)
            if number is None:
                number = self.sets[latin] = len(self.sets)
                for fragment in latin:
                    self.owners.setdefault(fragment, []).append(number)
        return Words(number, None, _pattern(script))

    def keys(self) -> dict[str, tuple[int, ...]]:
        """Each word (a key of the term automaton) and the word sets it belongs to."""
        return {fragment: tuple(owners) for fragment, owners in self.owners.items()}


def _pattern(fragments: Iterable[str]) -> re.Pattern[str] | None:
    ordered = sorted(fragments, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, ordered))) if ordered else None


@dataclass(frozen=True, slots=True)
class Rules:
    """Per-tag checks: ``context``/``exclude`` in the sentence, ``article_context``/``doubt`` anywhere."""

    context: Words
    exclude: Words
    article_context: Words
    doubt: Words

    @classmethod
    def of(cls, entry: TagInfo, negative: _RuleWords, context: _RuleWords) -> Rules:
        return cls(
            context.words(entry.context),
            negative.words(entry.exclude),
            context.words(entry.article_context),
            negative.words(entry.doubt),
        )


def variants(key: str) -> Iterator[str]:
    """A word key and its plural and possessive forms: "refinery", "refineries", "lynas s"."""
    yield key
    yield key + "s"
    yield key + "es"
    yield key + " s"
    if key.endswith("y") and len(key) > 3 and key[-2] not in "aeiou":
        yield key[:-1] + "ies"


@dataclass
class _Keys:
    """Keys being collected for one automaton; the same key may find several tags."""

    targets: dict[str, dict[tuple[Any, ...], set[str] | None]] = field(default_factory=dict)

    def add(self, key: str, target: tuple[Any, ...], surface: str | None = None) -> None:
        found = self.targets.setdefault(key, {})
        if surface is None:
            found[target] = None
        elif found.get(target, set()) is not None:
            found.setdefault(target, set()).add(surface)  # type: ignore[union-attr]

    def automaton(self, rule_words: Mapping[str, tuple[int, ...]] | None = None) -> Any:
        """The automaton of the keys; ``rule_words`` (word automaton only) are found in the same
        pass: their value is ``(length, (), (), word sets)``, a term's ``(length, plain, checked, ())``."""
        automaton = ahocorasick.Automaton()
        for fragment, owners in (rule_words or {}).items():
            automaton.add_word(fragment, (len(fragment), (), (), owners))
        for key, targets in self.targets.items():
            built = [_target(target, surfaces) for target, surfaces in targets.items()]
            # Names (no surfaces to check) find the whole key: a lean path for the common case.
            plain = tuple((t[0], t[1]) for t in built if len(t) == 3 or t.surfaces is None)
            if any(len(t) == 3 for t in built):  # a script key: the third value says "starts a word"
                automaton.add_word(key, (len(key), plain, any(t[2] for t in built)))
                continue
            checked = tuple(
                (*t[:5], len(next(iter(t.surfaces))), t.surfaces) for t in built if len(t) > 3 and t.surfaces
            )
            automaton.add_word(key, (len(key), plain, checked, ()))
        if self.targets or rule_words:
            automaton.make_automaton()
        return automaton


def _target(target: tuple[Any, ...], surfaces: set[str] | None) -> Any:
    if len(target) == 3:  # script terms: (entry, contextual, starts at a word boundary)
        return target
    return Target._make((*target, None if surfaces is None else frozenset(surfaces)))


class Matcher:
    """The compiled form of a taxonomy: call :meth:`find` on a text."""

    def __init__(self, entries: Sequence[TagInfo]) -> None:
        self.entries = tuple(entries)
        negative, context = _RuleWords(), _RuleWords(indexed=False)
        self.rules = tuple(Rules.of(entry, negative, context) for entry in self.entries)
        self.names = tuple(entry.tag for entry in self.entries)
        self.weights = tuple(entry.weight for entry in self.entries)
        self.gated = tuple(entry.gated for entry in self.entries)
        self.windows = tuple(entry.window for entry in self.entries)
        self.opens = tuple(entry.opens for entry in self.entries)
        # Mentions that open the gate: only ungated tags can (a gated tag cannot open its own gate).
        self.opening = tuple(entry.opens and not entry.gated for entry in self.entries)
        self.categories = tuple(entry.category for entry in self.entries)
        self.checked = tuple(bool(rule.exclude) or bool(rule.context) for rule in self.rules)
        self.doubted = tuple(bool(rule.doubt) for rule in self.rules)
        self.name_words = tuple(frozenset(entry.name_words) for entry in self.entries)
        words, scripts = _Keys(), _Keys()
        for index, entry in enumerate(self.entries):
            _add_entry(index, entry, words, scripts)
        _add_symbols(self.entries, words)
        self.key_count = len(words.targets) + len(scripts.targets)
        self._words = words.automaton(negative.keys())
        self._scripts = scripts.automaton() if scripts.targets else None

    def find(self, text: str) -> tuple[list[Hit], Found]:
        """Every term occurrence in ``text`` (in order of their end), and what rules need to know."""
        folded, script = fold_for_matching(text)
        hay = word_haystack(folded)
        hits: list[Hit] = []
        rule_hits: list[tuple[int, tuple[int, ...]]] = []
        if self.key_count:
            _scan_words(self._words, hay, folded, hits, rule_hits)
        if self._scripts is not None and script is not None:
            _scan_script(self._scripts, script, hits)
        return hits, Found(hay, script, rule_hits)


def _add_entry(index: int, entry: TagInfo, words: _Keys, scripts: _Keys) -> None:
    for alias in entry.aliases:
        _add_name(alias, index, False, words, scripts)
    for term in entry.contextual:
        if term != term.lower():
            _add_cased(term, index, True, words)
        else:
            _add_name(term, index, True, words, scripts)
    for term in entry.cased:
        _add_cased(term, index, False, words)
    for quote in _ticker_quotes(entry.tickers):
        _add_cased(quote, index, False, words, plurals=False)


def _add_name(name: str, index: int, contextual: bool, words: _Keys, scripts: _Keys) -> None:
    if has_script(name):
        scripts.add(script_text(name), (index, contextual, is_worded(name)))
        return
    for form in variants(word_key(name)):
        words.add(f" {form} ", (index, contextual, 0, len(form), 0))


def _add_cased(term: str, index: int, contextual: bool, words: _Keys, plurals: bool = True) -> None:
    folded = ascii_fold(term)
    forms = {folded, folded.replace("-", " "), folded.replace(" ", "-")}
    if plurals and folded[-1:].isalnum():
        forms |= {f"{form}s" for form in forms} | {f"{form}'s" for form in forms}
    for form in forms:
        core = word_key(form)
        if core:
            lead = next(i for i, char in enumerate(form) if char.isalnum())  # "$" of "$MP"
            words.add(f" {core} ", (index, contextual, 0, len(core), lead), form)


def _ticker_quotes(tickers: Iterable[str]) -> Iterator[str]:
    for ticker in tickers:
        yield f"${ticker}"
        for exchange in EXCHANGES:
            for separator in TICKER_SEPARATORS:
                yield f"{exchange}{separator}{ticker}"


def _add_symbols(entries: Sequence[TagInfo], words: _Keys) -> None:
    symbols = [(index, entry.symbol) for index, entry in enumerate(entries) if entry.symbol]
    for first, left in symbols:
        for noun in SYMBOL_NOUNS:
            phrase = f"{left} {noun}"
            words.add(f" {word_key(phrase)} ", (first, False, 0, len(left), 0), phrase)
        for second, right in symbols:
            for separator in SYMBOL_SEPARATORS if first != second else ():
                pair = f"{left}{separator}{right}"
                key = f" {word_key(pair)} "
                words.add(key, (first, False, 0, len(left), 0), pair)
                words.add(key, (second, False, len(pair) - len(right), len(pair), 0), pair)


# The hot loops: one automaton pass, then a check only where a term is case-sensitive.


def _scan_words(
    automaton: Any, hay: str, folded: str, hits: list[Hit], rule_hits: list[tuple[int, tuple[int, ...]]]
) -> None:
    append = hits.append
    for last, (length, plain, checked, owners) in automaton.iter(hay):
        start = last - length + 1  # hay index i + 1 is text index i, and the key starts with a space
        if owners:  # a rule word (exclude, doubt), not a term
            rule_hits.append((start, owners))
            continue
        for entry, contextual in plain:
            append((start, 1 - last, entry, contextual))  # end = last - 1: drop the padding
        for entry, contextual, rel_start, rel_end, lead, width, surfaces in checked:
            begin = start - lead
            if folded[begin : begin + width] in surfaces and folded[begin + width : begin + width + 1] != "$":
                append((start + rel_start, -start - rel_end, entry, contextual))


def _scan_script(automaton: Any, text: str, hits: list[Hit]) -> None:
    for last, (length, targets, worded) in automaton.iter(text):
        start = last - length + 1
        if worded and start > 0 and text[start - 1].isalpha():  # Cyrillic/Greek: not inside a word
            continue
        for entry, contextual in targets:
            hits.append((start, -last - 1, entry, contextual))
