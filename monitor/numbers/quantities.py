"""Numbers with their unit and currency in one sentence: "$62.5/kg", "6.2万吨", "A$1.2 billion".

A regular expression built from the taxonomy's unit, currency and multiplier words finds where a
quantity is written; Zyte's price-parser reads the amount itself ("620,000", "1.234,56", "62.5"),
pint's factors (see ``metrics``) turn units into tonnes. A number with neither unit nor currency
("2025", "+86 10 1234 5678", "500 employees") is no quantity and never becomes an observation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cache

from price_parser import Price

from monitor.numbers.metrics import Taxonomy

# Full-width digits and signs as ASCII, one character for one (offsets stay valid).
FULL_WIDTH = str.maketrans({**{0xFF10 + i: str(i) for i in range(10)}, 0xFF05: "%", 0xFF0E: ".", 0xFF0F: "/"})
NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
RANGE = r"\s*(?:-|–|—|~|～|to|至|到)\s*"
PER = r"\s*(?:/|per\b|a\b|an\b|each\b|每)\s*"
YEAR = r"(?:/|per\b|a\b|an\b|each\b|every\b)[\s\-]*(?:year|yr|annum|y|a)(?![A-Za-z])|/\s*年|每年"
CONVERTED = (
    r"(?:\s*[(（][^()（）]{1,30}[)）])?"  # "620,000 yuan ($86,000) a tonne": the conversion is skipped
)
# "annual capacity of 5,000 tonnes", "年产5000吨": a tonnage said to be per year.
ANNUAL_BEFORE = re.compile(
    r"(?:\bannual(?:\s+(?:production|output|processing|nameplate|design|mining|separation|refining))?\s+"
    r"capacity\s+(?:of\s+|to\s+\w+\s+|will\s+\w+\s+|reaches\s+|reached\s+)?(?:up\s+to\s+|about\s+|some\s+)?"
    r"|年[^，。；\d]{0,4}(?:能力|产能)[^，。；\d]{0,6}|年产(?:能)?[^，。；\d]{0,4}|年处理[^，。；\d]{0,6}"
    r"|每年[^，。；\d]{0,12})$",
    re.IGNORECASE,
)
# "600 kg of rare earth magnets per megawatt", "每辆车1.5公斤": material use, not a quantity of trade.
INTENSITY_AFTER = re.compile(
    r"^[^,;，；。]{0,40}?(?:\bper\s+(?:megawatt|MW|gigawatt|GW|vehicle|car|EV|motor|turbine|unit|aircraft|jet|"
    r"household|capita|person|head)\b|每(?:辆|台|兆瓦|千瓦|架|人))",
    re.IGNORECASE,
)
# "3 million tonnes of ore a year": the rate after what is counted.
ANNUAL_AFTER = re.compile(
    r"^(?:\s+of\s+[\w\s\-]{1,40}?)?\s+(?:a|per|each|every)\s+year\b|^(?:\s+of\s+[\w\s\-]{1,40}?)?\s+"
    r"(?:annually|per\s+annum)\b",
    re.IGNORECASE,
)
# "每吨售价62万元", "每公斤1650元": the unit before the amount.
PER_BEFORE = re.compile(r"(?:每|单)(?P<per>吨|公斤|千克)[^，。,;；\d]{0,8}$")
PER_UNITS = {"吨": "t", "公斤": "kg", "千克": "kg"}
RATE_UNITS = {"tpa": 1.0, "tpy": 1.0, "t/y": 1.0, "t/a": 1.0, "ktpa": 1e3, "kt/y": 1e3, "mtpa": 1e6}


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number as the sentence writes it, normalised."""

    start: int  # offsets in the sentence
    end: int
    written: str
    shape: str  # "price" (money per unit), "t", "t/y" or "money"
    value: float
    value_high: float | None = None
    currency: str | None = None
    unit: str | None = None  # "t"/"t/y" for tonnages; the per-unit of a price ("t", "kg", "lb")
    per_year_nearby: bool = (
        False  # t/y from the words around ("每年供应", "annual capacity of"), not the unit
    )


def _alternation(words: list[str], boundary: bool) -> str:
    parts = []
    for word in sorted(set(words), key=len, reverse=True):
        escaped = re.escape(word).replace(r"\ ", r"\s+")
        parts.append(escaped + (r"(?![A-Za-z])" if boundary and word[-1:].isalpha() else ""))
    return "(?:" + "|".join(parts) + ")"


@dataclass(frozen=True, slots=True)
class _Patterns:
    plain: re.Pattern[str]  # from the number on: "620,000 yuan/t", "60-65 $/kg"
    between: re.Pattern[str]  # the same with "and" ranges, after "between"
    prefix: re.Pattern[str]  # a currency right before the number: "US$", "RMB "
    follows: frozenset[str]  # first words (lowercase) or characters of what may follow a quantity's number


@cache
def _patterns(taxonomy: Taxonomy) -> _Patterns:
    currencies = list(taxonomy.currencies_written)
    signs = [word for word in currencies if re.search("[$¥￥€£]", word)]  # "$", "US$", "¥": before the number
    codes = [word for word in currencies if re.fullmatch("[A-Z]{3}", word)]  # "RMB 620,000", "620,000 RMB"
    symbols = signs + codes
    after = [word for word in currencies if word not in signs]  # "yuan", "元", "RMB"
    units = [word for unit in taxonomy.units.values() for word in unit.words]
    pre, post = _alternation(symbols, False), _alternation(after, True)
    unit = _alternation(units, True)
    rate = _alternation(list(RATE_UNITS), True)
    mult = _alternation(list(taxonomy.multipliers), True)

    def compiled(ranges: str) -> re.Pattern[str]:
        # The number comes first, so the regex engine skips ahead to digits (ten times faster than
        # trying the currency alternatives at every position); the prefix is looked up backwards.
        return re.compile(
            rf"(?P<num>{NUMBER})"
            rf"(?:(?:\s*{mult})?(?:{ranges})(?:{pre}\s?)?(?P<num2>{NUMBER}))?"
            rf"(?:\s*(?P<mult>{mult}))?"
            rf"(?:\s*(?P<cur>{post}|{pre}(?=\s*/)))?"
            rf"(?:{CONVERTED}{PER}(?P<per>{unit})(?![A-Za-z0-9])"
            rf"|\s*-?\s*(?P<rate>{rate})"
            rf"|\s*-?\s*(?P<unit>{unit})(?P<year>\s*-?\s*(?:{YEAR}))?)?"
            rf"(?![A-Za-z0-9])",
            re.IGNORECASE,
        )

    words = [*after, *units, *RATE_UNITS, *taxonomy.multipliers, "to", "and"]
    follows = {word.split()[0].lower() if word[0].isascii() else word[0] for word in words}
    follows |= set("$¥￥€£/-–—~～至到")
    return _Patterns(
        compiled(RANGE),
        compiled(RANGE + r"|\s+and\s+"),
        re.compile(rf"(?:^|(?<![A-Za-z0-9]))(?P<pre>{pre})\s?$", re.IGNORECASE),
        frozenset(follows),
    )


BETWEEN = re.compile(r"\bbetween\s+$", re.IGNORECASE)
NOT_AFTER = frozenset("0123456789.,")
# The last characters of the currencies written before a number ("US$", "RMB", "CNY", "USD", "EUR", "GBP").
CURRENCY_ENDS = frozenset("$¥￥€£BYDRP")  # "1.5" is one number, not "1." and "5"


def amount(text: str) -> float | None:
    """The number in ``text`` as price-parser reads it ("620,000" → 620000.0)."""
    parsed = Price.fromstring(text).amount_float
    return None if parsed is None else float(parsed)


# Digits and their separators: found seven times faster than NUMBER itself (no alternation to try).
NUMBER_SCAN = re.compile(r"[0-9][0-9.,]*")
# The first word or sign after a number ("5,000-tonne" → "tonne", "60-65" → "-", "62万元" → "万").
NEXT_TOKEN = re.compile(r"\s*-?\s*([A-Za-z]+|[$¥￥€£/~～\-–—]|[\u3400-\u9fff])")
# Both in one scan (one regex call per number fewer): the number, then what NEXT_TOKEN finds after it.
NUMBER_AND_NEXT = re.compile(
    rf"(?P<num>{NUMBER_SCAN.pattern})(?:\s*-?\s*(?P<word>[A-Za-z]+|[$¥￥€£/~～\-–—]|[\u3400-\u9fff]))?"
)


def _numbers(text: str, patterns: _Patterns) -> Iterator[tuple[int, bool]]:
    """(start, has a currency sign or code right before it) of each number that may be a quantity.

    The full pattern is tried only where the next word could be a unit, a currency, a multiplier or
    a range ("2025," or "1,200 people" are dismissed with one set lookup): most numbers are neither.
    """
    for number in NUMBER_AND_NEXT.finditer(text):
        start = number.start()
        previous = text[start - 1] if start else ""
        signed = previous in CURRENCY_ENDS or (
            previous == " " and text[start - 2 : start - 1] in CURRENCY_ENDS
        )
        if previous.isascii() and previous.isalpha() and not signed:
            continue  # inside a word: "Q1", "H2", "A1"
        if signed:
            yield start, signed
            continue
        word = number["word"]  # None after a trailing "." or ",": "in 2025, the" is no quantity
        if word is not None and number["num"][-1] not in ".," and word.lower() in patterns.follows:
            yield start, signed


def number_starts(text: str, taxonomy: Taxonomy) -> list[tuple[int, bool]]:
    """(start, currency before it) of every number of ``text`` that may be a quantity: one scan of an
    article, whose results :func:`find_quantities` takes sentence by sentence."""
    return list(_numbers(text, _patterns(taxonomy)))


def find_quantities(
    sentence: str, taxonomy: Taxonomy, numbers: Iterable[tuple[int, bool]] | None = None
) -> list[Quantity]:
    """Every quantity of ``sentence`` (full-width digits already folded), in order; ``numbers`` are
    :func:`number_starts` of the sentence when already known."""
    patterns = _patterns(taxonomy)
    found = []
    reached = 0
    for start, signed in _numbers(sentence, patterns) if numbers is None else numbers:
        if start < reached:
            continue  # the second number of a range already read
        match = patterns.plain.match(sentence, start)
        if match is None:
            continue
        prefix = patterns.prefix.search(sentence[max(0, start - 8) : start]) if signed else None
        if sentence.startswith(" and ", match.end()):
            back = start - (len(prefix.group()) if prefix else 0)
            if BETWEEN.search(sentence[max(0, back - 12) : back]):
                match = patterns.between.match(sentence, start) or match
        if prefix is None and not (match["cur"] or match["per"] or match["rate"] or match["unit"]):
            continue  # a year, a date, a count
        reached = match.end()
        quantity = _quantity(
            match, prefix["pre"] if prefix else None, len(prefix.group()) if prefix else 0, taxonomy
        )
        if quantity is None:
            continue
        before = sentence[max(0, quantity.start - 40) : quantity.start]
        after = sentence[quantity.end : quantity.end + 60]
        if quantity.shape == "t" and INTENSITY_AFTER.match(after):
            continue  # "600 kg of magnets per megawatt": how much goes into one thing, not a total
        if quantity.shape == "t" and (ANNUAL_BEFORE.search(before) or ANNUAL_AFTER.search(after)):
            quantity = replace(quantity, shape="t/y", unit="t/y", per_year_nearby=True)
        elif quantity.shape == "money" and (per := PER_BEFORE.search(before)):
            quantity = replace(quantity, shape="price", unit=PER_UNITS[per["per"].lower()])
        found.append(quantity)
    return found


def _currency(written: str | None, taxonomy: Taxonomy) -> str | None:
    if not written:
        return None
    return taxonomy.currencies.get(re.sub(r"\s+", " ", written).lower())


def _quantity(match: re.Match[str], pre: str | None, back: int, taxonomy: Taxonomy) -> Quantity | None:
    """The quantity of ``match``, with the currency ``pre`` written ``back`` characters before it."""
    if not (pre or match["cur"] or match["per"] or match["rate"] or match["unit"]):
        return None  # a bare number: a year, a date, a count
    value = amount(match["num"])
    if value is None:
        return None
    high = amount(match["num2"]) if match["num2"] else None
    factor = taxonomy.multipliers.get(match["mult"].lower(), 1.0) if match["mult"] else 1.0
    currency = _currency(pre, taxonomy) or _currency(match["cur"], taxonomy)
    start = match.start() - back
    written = match.string[start : match.end()].rstrip()
    end = start + len(written)

    def made(shape: str, scale: float, unit: str | None) -> Quantity:
        return Quantity(
            start, end, written, shape, value * scale, None if high is None else high * scale, currency, unit
        )

    if match["per"]:
        if currency is None:
            return None
        per = taxonomy.units[re.sub(r"\s+", " ", match["per"]).lower()]
        unit = {"tonne": "t", "kilotonne": "kt", "kilogram": "kg", "pound": "lb"}.get(per.pint, per.pint)
        return made("price", factor, unit)
    if currency is not None:
        if match["unit"] or match["rate"]:
            return None  # "$5 tonnes": nonsense, or a price written in a way not understood
        return made("money", factor, None)
    if match["rate"]:
        return made("t/y", factor * RATE_UNITS[match["rate"].lower()], "t/y")
    if match["unit"]:
        word = re.sub(r"\s+", " ", match["unit"])
        tonnes = 1e6 if word == "Mt" else taxonomy.units[word.lower()].tonnes  # "Mt" is a megatonne
        if match["year"]:
            return made("t/y", factor * tonnes, "t/y")
        return made("t", factor * tonnes, "t")
    return None
