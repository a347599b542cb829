"""The period a number refers to: "in May", "for 2025", "Q2", "上半年", "第一批", "last year".

Years, quarters, halves, months and quota batches are read here (a closed set of forms; dateparser
knows no quarters, halves or batches). Day-relative phrases ("on Tuesday", "yesterday", "上周二",
"last month") go to dateparser, which resolves them against the article's date; only that short
phrase is parsed, and each (phrase, date) once per process (dateparser costs about half a
millisecond a call, and loads its language data on the first).
"""

from __future__ import annotations

import re
from bisect import bisect_right
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
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_MONTH = r"(?P<month>" + _MONTH_NAMES + r")\.?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_ORD = r"(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th)"
_ZH_ORD = r"(?P<ord>[一二三四1-4])"
# Each form: a regex and what it resolves to. Year groups are optional: the article's year fills in.
FORMS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        ("cumulative", rf"\b(?:the\s+)?first\s+(?P<count>two|three|four|five|six|seven|eight|nine|ten|eleven|"
                       rf"[2-9]|1[01])\s+months\b(?:\s+of\s+(?:the\s+year\s+)?{_YEAR}\b)?"),
        ("cumulative", rf"\bjan(?:uary)?\.?\s*(?:-|–|to|through)\s*{_MONTH}(?:\s+{_YEAR}\b)?"),
        ("cumulative", rf"(?:{_YEAR}\s*年\s*)?1\s*(?:-|—|–|至|到|~)\s*(?P<month>1[0-2]|[2-9])\s*月(?:份)?"),
        ("cumulative", rf"(?:{_YEAR}\s*年\s*)?前\s*(?P<count>[二两三四五六七八九十]|十一|1[01]|[2-9])"
                       r"\s*个月"),
        ("cumulative", rf"(?:{_YEAR}\s*年\s*)?前\s*(?P<quarters>[二两三])\s*(?:个)?季度"),
        ("sameperiod", r"去年同期|上年同期|上年同月|去年同月"),
        ("today", r"\btoday\b|今日|今天|当日|本周[一二三四五六日]?(?=报价)"),
        ("batch", rf"(?:{_YEAR}\s*年?\s*(?:度)?\s*)?(?:第\s*{_ZH_ORD}\s*批|(?P<first>首)批)"),
        ("batch", rf"\b(?:(?P<yearb>(?:19|20)\d\d)\s+)?{_ORD}[\s\-]+(?:batch|round|tranche)\b"
                  rf"(?:\s+of\s+(?:the\s+)?(?:{_YEAR}\b)?)?"),
        ("batch", r"\b(?:batch|round)\s+(?P<ord>[1-4])\b"),
        ("quarter", r"\bQ(?P<ord>[1-4])\s*(?:'|20)?(?P<yy>\d\d)?\b"),
        ("quarter", r"\b(?P<ord>[1-4])Q\s*(?:'|20)?(?P<yy>\d\d)?\b"),
        ("quarter", rf"\b{_ORD}\s+quarter\b(?:\s+(?:of\s+)?{_YEAR}\b)?"),
        ("quarter", rf"(?:{_YEAR}\s*年\s*)?第?\s*{_ZH_ORD}\s*季度"),
        ("mquarter", rf"\b(?:(?:{_MONTH_NAMES})\.?\s*(?:-|–|to)\s*)?{_MONTH}\s+quarter\b"
                     rf"(?:\s+(?:of\s+)?{_YEAR}\b)?"),
        ("half", rf"\b(?:H(?P<ord>[12])|(?P<word>first|second)\s+half)\b(?:\s+(?:of\s+)?{_YEAR}\b)?"),
        ("half", rf"(?:{_YEAR}\s*年\s*)?(?P<zh>上|下)半年"),
        ("day", rf"\b{_MONTH}\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b(?:,?\s+{_YEAR}\b)?"),
        ("day", rf"\b(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\s+{_MONTH}\b(?:,?\s+{_YEAR}\b)?"),
        ("day", rf"(?:{_YEAR}\s*年\s*)?(?P<month>1[0-2]|0?[1-9])\s*月\s*(?P<day>[0-3]?\d)\s*日"),
        ("month", rf"\b{_MONTH}(?:\s+|\s*,\s*|\s+of\s+){_YEAR}\b"),
        ("month", rf"\b(?:in|for|during|since|through|until|of|by|on|last|this|over|across|throughout)\s+"
                  rf"(?:the\s+month\s+of\s+)?{_MONTH}(?![A-Za-z])"),
        ("month", rf"(?:{_YEAR}\s*年\s*)?(?P<month>1[0-2]|0?[1-9])\s*月(?:份)?"),
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
    kind: str = "year"  # the form: "year", "month", "batch", "quarter", "cumulative", "weekday"...
    explicit_year: bool = True  # the year is written ("2024年第一批"), not the article's


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
    if groups.get("year") or groups.get("yearb"):
        return int(groups.get("year") or groups["yearb"])
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
    if kind == "today":
        return anchor.isoformat() if anchor else None
    if kind == "sameperiod":
        return None  # resolved against the sentence's own period (``choose``)
    if kind == "cumulative":
        return _cumulative(match, anchor)
    if kind == "mquarter":
        month = MONTHS[groups["month"].lower().rstrip(".")]
        year = _month_year(month, match, anchor)
        return None if year is None else f"{year}-Q{(month - 1) // 3 + 1}"
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
    number = 1 if groups.get("first") else ORDINALS[groups["ord"].lower()]
    return f"{year}-Q{number}" if kind == "quarter" else f"{year}-batch{number}"


COUNTS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
    "十一": 11,
}  # fmt: skip


def _cumulative(match: re.Match[str], anchor: date | None) -> str | None:
    """ "In the first ten months", "1-10月", "前三季度": the ISO 8601 interval "2025-01/2025-10"."""
    groups = match.groupdict()
    if groups.get("quarters"):
        last = 3 * COUNTS[groups["quarters"]]
    elif groups.get("count"):
        count = groups["count"].lower()
        last = int(count) if count.isdigit() else COUNTS[count]
    else:
        word = groups["month"].lower().rstrip(".")
        last = MONTHS.get(word) or int(word)
    year = _month_year(last, match, anchor)
    return None if year is None else f"{year}-01/{year}-{last:02d}"


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


# Written forms dateparser's Chinese data lacks, as the ones it knows.
SYNONYMS = {"昨日": "昨天", "上月": "上个月"}


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
    phrase = SYNONYMS.get(phrase, phrase)
    try:
        data = parser.get_date_data(phrase.removeprefix("on ").strip())
    except Exception:  # a third-party parser: a phrase it chokes on is no period, never a failed article
        return None
    if data.date_obj is None:
        return None
    day: date = data.date_obj.date()
    if data.period == "day":
        return day.isoformat()
    if data.period == "month":
        return day.strftime("%Y-%m")
    return None  # a week is no period of this taxonomy


_MONTH_STEMS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_YEAR_STEMS = ("19", "20")
# For each form of FORMS, in order: words one of which a match must hold (lowercase). A form whose
# words are all absent is not tried: running the 31 expressions over every sentence cost more than
# the rest of the numbers stage, and most forms cannot match most sentences.
NEEDS: tuple[tuple[str, ...], ...] = (
    ("months",),  # first ten months
    ("jan",),  # January-October
    ("月",),  # 1-10月
    ("个月",),  # 前10个月
    ("季度",),  # 前三季度
    ("同期", "同月"),  # 去年同期
    ("today", "今日", "今天", "当日", "本周"),  # today
    ("批",),  # 第一批
    ("batch", "round", "tranche"),  # first batch
    ("batch", "round"),  # batch 2
    ("q",),  # Q2
    ("q",),  # 2Q25
    ("quarter",),  # second quarter
    ("季度",),  # 第二季度
    ("quarter",),  # June quarter
    ("half", "h1", "h2"),  # first half, H1
    ("半年",),  # 上半年
    _MONTH_STEMS,  # May 14
    _MONTH_STEMS,  # 14 May
    ("日",),  # 6月10日
    _MONTH_STEMS,  # May 2025
    _MONTH_STEMS,  # in May
    ("月",),  # 5月
    ("last", "去年", "上一年"),  # last year
    ("this", "今年", "本年度"),  # this year
    ("年",),  # 2025年
    _YEAR_STEMS,  # in 2025
    _YEAR_STEMS,  # 2025 quota
    ("day",),  # on Tuesday
    ("周", "星期"),  # 周二
    ("yesterday", "last", "上月", "上个月", "本月", "昨天", "昨日"),  # last month
)


def find_periods(sentence: str, published: str | None) -> list[Period]:
    """Every period expression of ``sentence``; overlapping forms keep the first (most specific) one."""
    anchor = _anchor(published)
    found: list[Period] = []
    taken: list[tuple[int, int]] = []
    lowered = sentence.lower()
    for (kind, pattern), needs in zip(FORMS, NEEDS, strict=True):
        if not any(word in lowered for word in needs):
            continue
        for match in pattern.finditer(sentence):
            start, end = match.span()
            if any(start < other_end and other_start < end for other_start, other_end in taken):
                continue
            taken.append((start, end))
            groups = match.groupdict()
            written_year = bool(groups.get("year") or groups.get("yy") or groups.get("yearb"))
            found.append(Period(start, end, _resolve(kind, match, anchor), kind, written_year))
    found.sort(key=lambda period: period.start)
    return found


# Choosing the period of one number ---------------------------------------------------------------------

# After "from $215/kg in April", "than in 2024", "compared with May", "与第一批持平": the comparison's period.
COMPARISON = re.compile(
    r"(?:\bfrom|\bthan|\bcompared\s+(?:with|to)|\bversus|\bsince|\bmatching|\bunchanged\s+from|\bsame\s+as"
    r"|\bin\s+line\s+with|较|比|与|同)[^,;，；]{0,25}$",
    re.IGNORECASE,
)
OWN_COMPARISON = re.compile(r"^(?:from|since|than)\b", re.IGNORECASE)
# "今年以来最大月度涨幅", "2024年以来": "since" written after the period, a comparison's span, not the period.
SINCE_AFTER = re.compile(r"\s*(?:以来|至今)")
# "data showed on Friday", "the ministry said on Tuesday": when it was said, not what it is about.
REPORTED = re.compile(
    r"\b(?:said|says|showed|shows|reported|announced|published|released|told\s+\w+|statement)\s*$",
    re.IGNORECASE,
)
# A clause that opens with these is about something else: "after China added yttrium ... in April".
SUBORDINATE = re.compile(
    r"^\s*(?:after|when|since|before|because|following|as|once|until|amid|despite)\b", re.IGNORECASE
)
CLAUSE = re.compile(r"(?<!\d),|,(?!\d)|[;，；]|\bwhile\b|\bwhereas\b|而")  # not "6,800"
# "bringing the annual total to 265,000 tonnes", "全年合计26.5万吨": the number is the year's.
ANNUAL_TOTAL = re.compile(
    r"(?:\b(?:annual|full[\s-]year|full\s+year's|whole[\s-]year|yearly)\b[^,;，；\d]{0,25}|全年[^，；\d]{0,6}"
    r"|年度总量[^，；\d]{0,4})$",
    re.IGNORECASE,
)
DAY_KINDS = frozenset({"day", "weekday", "relative", "today"})
YEAR_KINDS = frozenset({"year", "thisyear", "lastyear"})


def _clauses(sentence: str) -> list[int]:
    """Start offsets of the clauses of ``sentence``."""
    return [0, *(match.end() for match in CLAUSE.finditer(sentence))]


def _clause_of(starts: list[int], offset: int) -> int:
    return max(bisect_right(starts, offset) - 1, 0)


def usable(sentence: str, periods: list[Period]) -> list[Period]:
    """The periods a number of ``sentence`` may refer to: not a comparison's, not a report's date."""
    kept = []
    for period in periods:
        before = sentence[max(0, period.start - 40) : period.start]
        written = sentence[period.start : period.end]
        if (
            COMPARISON.search(before)
            or OWN_COMPARISON.match(written)
            or SINCE_AFTER.match(sentence, period.end)
        ):
            continue
        if period.kind in DAY_KINDS and REPORTED.search(before):
            continue
        kept.append(period)
    return kept


def choose(sentence: str, periods: list[Period], start: int, end: int) -> str | None:
    """The period of the number at ``start:end``: the nearest one in its clause, else the nearest in an
    earlier clause (not a subordinate one: "after ... in April"), else None. A quota batch absorbs the
    year it is of ("first batch of this year's quotas"); an annual total takes the year."""
    starts = _clauses(sentence)
    own = _clause_of(starts, start)
    candidates = []
    for period in periods:
        clause = _clause_of(starts, period.start)
        if clause > own:
            continue
        if clause != own and SUBORDINATE.match(sentence[starts[clause] : period.start]):
            continue
        gap = start - period.end if period.end <= start else period.start - end
        candidates.append((clause != own, abs(gap), period))
    if not candidates:
        return None
    chosen = min(candidates, key=lambda item: (item[0], item[1]))[2]
    value = chosen.value
    if chosen.kind == "sameperiod":
        value = _year_before(periods)
    batches = [period for _, _, period in candidates if period.kind == "batch"]
    if (
        chosen.kind in YEAR_KINDS
        and batches
        and not ANNUAL_TOTAL.search(sentence[max(0, start - 40) : start])
    ):
        batch = batches[0]
        if batch.value and chosen.value and not batch.explicit_year:
            return f"{chosen.value[:4]}{batch.value[4:]}"
        return batch.value
    if chosen.kind == "batch" and not chosen.explicit_year and chosen.value:
        years = [period for _, _, period in candidates if period.kind in YEAR_KINDS and period.value]
        if years:
            value = f"{years[0].value[:4]}{chosen.value[4:]}"  # type: ignore[index]
    if value and ANNUAL_TOTAL.search(sentence[max(0, start - 40) : start]):
        return value[:4]
    return value


def _year_before(periods: list[Period]) -> str | None:
    """ "去年同期": the sentence's own month or quarter, a year earlier."""
    for period in periods:
        if period.kind in ("month", "quarter", "mquarter", "half", "cumulative") and period.value:
            year = int(period.value[:4])
            return period.value.replace(str(year), str(year - 1))
    return None
