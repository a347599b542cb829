"""Numbers with their unit and currency in one sentence: "$62.5/kg", "6.2万吨", "A$1.2 billion".

A regular expression built from the taxonomy's unit, currency and multiplier words finds where a
quantity is written; Zyte's price-parser reads the amount itself ("620,000", "1.234,56", "62.5"),
pint's factors (see ``metrics``) turn units into tonnes. A number with neither unit nor currency
("2025", "+86 10 1234 5678", "500 employees") is no quantity and never becomes an observation.
"""

from __future__ import annotations

import re
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
    r"(?:\bannual(?:\s+[a-z\-]+){0,3}?\s+(?:of\s+)?(?:up\s+to\s+|about\s+|some\s+)?"
    r"|年产(?:能)?(?:约|达|为|超过|近)?|年处理(?:能力)?(?:约|达|为)?|每年(?:约|可)?)$",
    re.IGNORECASE,
)
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


def _alternation(words: list[str], boundary: bool) -> str:
    parts = []
    for word in sorted(set(words), key=len, reverse=True):
        escaped = re.escape(word).replace(r"\ ", r"\s+")
        parts.append(escaped + (r"(?![A-Za-z])" if boundary and word[-1:].isalpha() else ""))
    return "(?:" + "|".join(parts) + ")"


@cache
def _pattern(taxonomy: Taxonomy) -> re.Pattern[str]:
    currencies = list(taxonomy.currencies_written)
    signs = [word for word in currencies if re.search("[$¥￥€£]", word)]  # "$", "US$", "¥": before the number
    codes = [word for word in currencies if re.fullmatch("[A-Z]{3}", word)]  # "RMB 620,000", "620,000 RMB"
    symbols = signs + codes
    after = [word for word in currencies if word not in signs]  # "yuan", "元", "RMB"
    units = [word for unit in taxonomy.units.values() for word in unit.words]
    multipliers = [word for word in taxonomy.multipliers]
    pre, post = _alternation(symbols, False), _alternation(after, True)
    unit = _alternation(units, True)
    rate = _alternation(list(RATE_UNITS), True)
    return re.compile(
        rf"(?<![A-Za-z0-9.,$¥€£])(?:(?P<pre>{pre})\s?)?(?P<num>{NUMBER})"
        rf"(?:{RANGE}(?:{pre}\s?)?(?P<num2>{NUMBER}))?"
        rf"(?:\s*(?P<mult>{_alternation(multipliers, True)}))?"
        rf"(?:\s*(?P<cur>{post}|{pre}(?=\s*/)))?"
        rf"(?:{CONVERTED}{PER}(?P<per>{unit})(?![A-Za-z0-9])"
        rf"|\s*-?\s*(?P<rate>{rate})"
        rf"|\s*-?\s*(?P<unit>{unit})(?P<year>\s*-?\s*(?:{YEAR}))?)?"
        rf"(?![A-Za-z0-9])",
        re.IGNORECASE,
    )


def amount(text: str) -> float | None:
    """The number in ``text`` as price-parser reads it ("620,000" → 620000.0)."""
    parsed = Price.fromstring(text).amount_float
    return None if parsed is None else float(parsed)


def find_quantities(sentence: str, taxonomy: Taxonomy) -> list[Quantity]:
    """Every quantity of ``sentence`` (full-width digits already folded), in order."""
    found = []
    for match in _pattern(taxonomy).finditer(sentence):
        quantity = _quantity(match, taxonomy)
        if quantity is None:
            continue
        if quantity.shape == "t" and ANNUAL_BEFORE.search(
            sentence[max(0, quantity.start - 40) : quantity.start]
        ):
            quantity = replace(quantity, shape="t/y", unit="t/y")
        found.append(quantity)
    return found


def _currency(written: str | None, taxonomy: Taxonomy) -> str | None:
    if not written:
        return None
    return taxonomy.currencies.get(re.sub(r"\s+", " ", written).lower())


def _quantity(match: re.Match[str], taxonomy: Taxonomy) -> Quantity | None:
    value = amount(match["num"])
    if value is None:
        return None
    high = amount(match["num2"]) if match["num2"] else None
    factor = taxonomy.multipliers.get(match["mult"].lower(), 1.0) if match["mult"] else 1.0
    currency = _currency(match["pre"], taxonomy) or _currency(match["cur"], taxonomy)
    start, end = match.span()
    written = match.group().rstrip()
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
