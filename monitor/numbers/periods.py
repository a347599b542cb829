"""The period a number refers to: "in May", "for 2025", "Q2", "上半年", "第一批", "last year".

Years, quarters, halves, months and quota batches are read here (a closed set of forms; dateparser
knows no quarters, halves or batches). Day-relative phrases ("on Tuesday", "yesterday", "上周二",
"last month") go to dateparser, which resolves them against the article's date; only that short
phrase is parsed, and each (phrase, date) once per process (dateparser costs about half a
millisecond a call, and loads its language data on the first).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
            ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sept", "sep"),
            ("october", "oct"), ("november", "nov"), ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip
ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4,
    "一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4,
}  # fmt: skip
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_ORD = r"(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th)"
_ZH_ORD = r"(?P<ord>[一二三四1-4])"
# Each form: a regex and what it resolves to. Year groups are optional: the article's year fills in.
FORMS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        ("batch", rf"(?:{_YEAR}\s*年?\s*(?:度)?\s*)?第\s*{_ZH_ORD}\s*批"),
        ("batch", rf"\b{_ORD}\s+(?:batch|round|tranche)\b(?:\s+of\s+(?:the\s+)?(?:{_YEAR}\b)?)?"),
        ("batch", r"\b(?:batch|round)\s+(?P<ord>[1-4])\b"),
        ("quarter", r"\bQ(?P<ord>[1-4])\s*(?:'|20)?(?P<yy>\d\d)?\b"),
        ("quarter", r"\b(?P<ord>[1-4])Q\s*(?:'|20)?(?P<yy>\d\d)?\b"),
        ("quarter", rf"\b{_ORD}\s+quarter\b(?:\s+(?:of\s+)?{_YEAR}\b)?"),
        ("quarter", rf"(?:{_YEAR}\s*年\s*)?第?\s*{_ZH_ORD}\s*季度"),
        ("half", rf"\b(?:H(?P<ord>[12])|(?P<word>first|second)\s+half)\b(?:\s+(?:of\s+)?{_YEAR}\b)?"),
        ("half", rf"(?:{_YEAR}\s*年\s*)?(?P<zh>上|下)半年"),
        ("day", rf"\b{_MONTH}\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b(?:,?\s+{_YEAR}\b)?"),
        ("day", rf"\b(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\s+{_MONTH}\b(?:,?\s+{_YEAR}\b)?"),
        ("day", rf"(?:{_YEAR}\s*年\s*)?(?P<month>1[0-2]|0?[1-9])\s*月\s*(?P<day>[0-3]?\d)\s*日"),
        ("month", rf"\b{_MONTH}(?:\s+|\s*,\s*|\s+of\s+){_YEAR}\b"),
        ("month", rf"\b(?:in|for|during|since|through|until|of|by|on|last|this)\s+{_MONTH}(?![A-Za-z])"),
        ("month", rf"(?:{_YEAR}\s*年\s*)?(?:1\s*[-—–至到~]\s*)?(?P<month>1[0-2]|0?[1-9])\s*月(?:份)?"),
        ("lastyear", r"\blast\s+year\b|去年|上一年"),
        ("thisyear", r"\bthis\s+year\b|今年|本年度"),
        ("year", rf"{_YEAR}\s*年(?:度)?"),
        ("year", rf"\b(?:in|for|during|of|by|from|since|through|until)\s+(?:(?:calendar|fiscal|the)\s+)?"
                 rf"(?:year\s+)?{_YEAR}\b"),
        ("year", rf"\b{_YEAR}\b(?=(?:\s+[\w\-]+){{0,3}}?\s+(?:quota|quotas|output|production|exports|imports|"
                 rf"sales|capacity|total|batch|allocation|target|average|prices?)\b)"),
        ("weekday", r"\b(?:on\s+|last\s+)?(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|"
                    r"sunday)\b"),
        ("weekday", r"(?P<zhlast>上)?(?:周|星期)(?P<weekday>[一二三四五六日天])"),
        ("relative", r"\byesterday\b|\blast\s+month\b|上月|上个月|本月|昨天|昨日"),
    )
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Period:
    start: int  # offsets in the sentence
    end: int
    value: str | None  # "2025-05", or None when it cannot be resolved without the article date


def _anchor(published: str | None) -> date | None:
    if not published:
        return None
    try:
        return datetime.fromisoformat(published.replace("Z", "+00:00")).date()
    except ValueError:
        try:
            return date.fromisoformat(published[:10])
        except ValueError:
            return None


def _year(match: re.Match[str], anchor: date | None) -> int | None:
    groups = match.groupdict()
    if groups.get("year"):
        return int(groups["year"])
    if groups.get("yy"):
        return 2000 + int(groups["yy"])
    return anchor.year if anchor else None


def _month_year(month: int, match: re.Match[str], anchor: date | None) -> int | None:
    """The year of a month named without one: the latest such month not after the article."""
    if match.groupdict().get("year") or anchor is None:
        return _year(match, anchor)
    return anchor.year - 1 if month > anchor.month else anchor.year


def _resolve(kind: str, match: re.Match[str], anchor: date | None) -> str | None:
    groups = match.groupdict()
    if kind == "weekday":
        if groups.get("zhlast") and anchor is not None:  # 上周二: the Tuesday of the week before
            monday = anchor.toordinal() - anchor.weekday() - 7
            return date.fromordinal(monday + WEEKDAYS[groups["weekday"]]).isoformat()
        return _weekday(groups["weekday"].lower(), match.group().lower().startswith("last"), anchor)
    if kind == "relative":
        return _relative(match.group().lower(), anchor) if anchor else None
    if kind == "lastyear":
        return str(anchor.year - 1) if anchor else None
    if kind == "thisyear":
        return str(anchor.year) if anchor else None
    if kind in ("month", "day"):
        word = groups["month"].lower().rstrip(".")
        month = MONTHS.get(word) or int(word)
        year = _month_year(month, match, anchor)
        if year is None:
            return None
        if kind == "day":
            return f"{year}-{month:02d}-{int(groups['day']):02d}" if 1 <= int(groups["day"]) <= 31 else None
        return f"{year}-{month:02d}"
    year = _year(match, anchor)
    if year is None:
        return None
    if kind == "year":
        return str(year)
    if kind == "half":
        half = (
            1
            if groups.get("word", "") == "first" or groups.get("zh") == "上" or groups.get("ord") == "1"
            else 2
        )
        return f"{year}-H{half}"
    number = ORDINALS[groups["ord"].lower()]
    return f"{year}-Q{number}" if kind == "quarter" else f"{year}-batch{number}"


WEEKDAYS = {
    name: number
    for number, names in enumerate(
        (("monday", "一"), ("tuesday", "二"), ("wednesday", "三"), ("thursday", "四"), ("friday", "五"),
         ("saturday", "六"), ("sunday", "日", "天"))
    )
    for name in names
}  # fmt: skip


def _weekday(name: str, last: bool, anchor: date | None) -> str | None:
    """News says "on Tuesday" of the latest Tuesday, the article's own day included (dateparser would
    take the week before)."""
    if anchor is None:
        return None
    back = (anchor.weekday() - WEEKDAYS[name]) % 7
    if last and back == 0:
        back = 7
    return date.fromordinal(anchor.toordinal() - back).isoformat()


@lru_cache(maxsize=1024)
def _relative(phrase: str, anchor: date) -> str | None:
    from dateparser.date import DateDataParser

    parser = DateDataParser(
        languages=["en", "zh"],
        settings={
            "RELATIVE_BASE": datetime(anchor.year, anchor.month, anchor.day),
            "PREFER_DATES_FROM": "past",
        },
    )
    data = parser.get_date_data(phrase.removeprefix("on ").strip())
    if data.date_obj is None:
        return None
    day: date = data.date_obj.date()
    if data.period == "day":
        return day.isoformat()
    if data.period == "month":
        return day.strftime("%Y-%m")
    return None  # a week is no period of this taxonomy


def find_periods(sentence: str, published: str | None) -> list[Period]:
    """Every period expression of ``sentence``; overlapping forms keep the first (most specific) one."""
    anchor = _anchor(published)
    found: list[Period] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in FORMS:
        for match in pattern.finditer(sentence):
            start, end = match.span()
            if any(start < other_end and other_start < end for other_start, other_end in taken):
                continue
            taken.append((start, end))
            found.append(Period(start, end, _resolve(kind, match, anchor)))
    found.sort(key=lambda period: period.start)
    return found
