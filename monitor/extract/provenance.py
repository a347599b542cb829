"""Lines that are not body text but say who wrote an article, where it came from, or what it is.

The cleaner takes such lines out of the body; the functions here turn them into fields instead of
throwing them away: authors from bylines, the syndication origin, flags from disclaimers, and the
publication date a byline widget carries. Every function takes one stripped line and returns
``None`` when the line is not of its kind, so the cleaner can try them in turn.
"""

from __future__ import annotations

import datetime as dt
import re

# A byline is short: a prefix, then names. Longer lines starting with "By" are sentences ("By contrast, ...").
BYLINE = re.compile(
    r"(?:Written|Story|Words|Text|Reported|Posted|Report|Article)\s+by\s*:?\s*(?P<names>.+)"
    r"|By\s*:?\s+(?P<names2>.+)"
    r"|Authors?\s*:\s*(?P<names3>.+)",
    re.IGNORECASE,
)
_NAME_SPLIT = re.compile(r"\s*(?:,|;|\band\b|&|\bwith\b)\s*")
_PARTICLES = frozenset(
    [
        "de",
        "da",
        "del",
        "della",
        "der",
        "den",
        "di",
        "do",
        "dos",
        "du",
        "la",
        "le",
        "van",
        "von",
        "bin",
        "ibn",
        "al",
        "el",
        "y",
        "ter",
    ]
)
# Job titles after a name ("By Jane Doe, Staff Writer") are not names.
_ROLE_WORDS = frozenset(
    [
        "staff",
        "writer",
        "reporter",
        "correspondent",
        "editor",
        "contributor",
        "columnist",
        "bureau",
        "chief",
        "senior",
        "special",
        "desk",
        "team",
        "news",
        "analyst",
    ]
)
_MAX_BYLINE_WORDS = 14

# "This article originally appeared in The New York Times." and its many wordings.
_ORIGIN_PATTERNS = (
    re.compile(
        r"(?:This|The)\s+(?:article|story|piece|post|column|commentary|op-ed|interview|feature|content)\s+"
        r"(?:was\s+|is\s+|has\s+been\s+|had\s+been\s+)?(?:originally\s+|first\s+)?"
        r"(?:appeared|published|posted|ran|syndicated|republished|reprinted|adapted)\s+"
        r"(?:here\s+)?(?:in|on|by|at|from|with|courtesy\s+of)\s+(?P<origin>.+)",
        re.IGNORECASE,
    ),
    re.compile(
        r"(?:Originally|First)\s+(?:published|appeared|posted|ran)\s+(?:in|on|by|at)\s+(?P<origin>.+)",
        re.IGNORECASE,
    ),
    re.compile(
        r"(?:Republished|Reprinted|Syndicated|Reproduced)\s+(?:with\s+permission\s+)?(?:from|by|of|courtesy\s+of)"
        r"\s+(?P<origin>.+)",
        re.IGNORECASE,
    ),
)
# Where the outlet's name ends: "The Conversation under a Creative Commons license", "Reuters on May 3".
_ORIGIN_END = re.compile(
    r"\s*(?:[;:,(]|\.(?=\s|$)"
    r"|\s(?:under|with|on|as|via|and is|and was|and has|in partnership|and republished)\s).*$",
    re.IGNORECASE | re.DOTALL,
)
_MAX_ORIGIN_WORDS = 30

# A disclaimer announces itself, or speaks about "this article" together with a flag-worthy fact.
_DISCLAIMER_LEAD = re.compile(
    r"(?P<kind>Disclaimer|Editor[’']?s?\s+note|Disclosure|Note)\s*[:：.\-–—]", re.IGNORECASE
)
# What a note about the text or its publisher speaks of (a price checked at publication, an update,
# a correction, a commission, the views of the author): a "Note:" line without it is article text.
_EDITORIAL = re.compile(
    r"\b(?:(?:this|the)\s+(?:article|story|post|report|piece|page|video|interview|column|version of "
    r"this)|updated?|corrected|corrections?|publication|published|sponsored|affiliate|commission|"
    r"views?|opinions?|author|editors?)\b",
    re.IGNORECASE,
)
_SELF_REFERENCE = re.compile(
    r"(?:This|The)\s+(?:article|story|content|report|piece|post|summary|text|page)\b", re.IGNORECASE
)
_FLAG_PATTERNS = (
    (
        "ai_generated",
        re.compile(
            r"\b(?:generated|written|produced|created|drafted|assisted|prepared|compiled)\b[^.]{0,60}?"
            r"\b(?:artificial intelligence|AI|generative|language models?|ChatGPT|LLMs?|automated tools?)\b"
            r"|\bAI[- ](?:generated|assisted|written)\b",
            re.IGNORECASE,
        ),
    ),
    ("translated", re.compile(r"\b(?:translated|machine[- ]translat\w*|translation)\b", re.IGNORECASE)),
    (
        "state_affiliated_source",
        re.compile(r"\bstate[- ](?:affiliated|owned|run|controlled|media|backed|sponsored)\b", re.IGNORECASE),
    ),
    ("sponsored", re.compile(r"\b(?:sponsored|paid (?:post|content)|advertorial|partner content)\b", re.I)),
    ("press_release", re.compile(r"\bpress release\b", re.IGNORECASE)),
)

# Every line origin_of or disclaimer_flags accepts starts with a match of one of these (after blanks).
NOTE_PATTERNS = (_DISCLAIMER_LEAD, _SELF_REFERENCE, *_ORIGIN_PATTERNS)

_MAX_DATE_CHARS = 80
_YEAR = re.compile(r"\d{4}")
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>[A-Za-z]{3,9})\.?"
_DATE_PATTERNS = (
    re.compile(_MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})"),
    re.compile(r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(?P<year>\d{4})"),
    re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"),
    # Chinese and Japanese pages: "2025年10月20日", "2025/10/20", "2025.10.20".
    re.compile(r"(?P<year>\d{4})\s*年\s*(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*日?"),
    re.compile(r"(?P<year>\d{4})[/.](?P<month>\d{1,2})[/.](?P<day>\d{1,2})"),
)
# Optional words around a date in a widget: "Updated: Jan 12, 2026, 10:30 AM ET".
_DATE_PREFIX = re.compile(
    r"(?:(?:Published|Updated|Posted|Last updated|Modified|Date)\s*(?:on|at)?\s*:?\s*"
    # 发布时间 / 發佈時間 / 发布日期 / 更新时间 / 时间 / 日期; Japanese 公開日 / 掲載日 / 更新日
    r"|(?:[发發][布佈](?:[时時][间間]|日期)?|更新(?:[时時][间間]|日期)?|[时時][间間]|日期|公開日|掲載日|更新日)"
    r"\s*[:：]?\s*)?",
    re.I,
)
_TIME_SUFFIX = re.compile(
    r"(?:\s*(?:,|at|-|–|\|)?\s*\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s*[A-Z]{2,4})?)?\s*$", re.IGNORECASE
)


def byline_authors(line: str) -> tuple[str, ...] | None:
    """Names from a byline ("Written by: Keith Bradsher", "By Jane Doe and John Roe"), else ``None``."""
    if len(line) > 160:
        return None
    match = BYLINE.fullmatch(line.strip())  # anchored: fails fast on the usual line, so before the split
    if match is None or len(line.split()) > _MAX_BYLINE_WORDS:
        return None
    names_text = match.group("names") or match.group("names2") or match.group("names3") or ""
    names = [part for part in _NAME_SPLIT.split(names_text.strip().rstrip(".")) if part]
    if not names or not all(_is_name(name) or _is_role(name) for name in names):
        return None
    authors = tuple(name for name in names if not _is_role(name))
    return authors or None


def byline_wire(line: str) -> str | None:
    """The wire agency a byline names beside its writers ("By Jane Doe, Reuters"), else ``None``."""
    return next((name for name in byline_authors(line) or () if name in WIRES), None)


def _is_name(text: str) -> bool:
    words = text.split()
    if not 1 <= len(words) <= 5:
        return False
    if not words[0][:1].isupper():
        return False
    return all(word[:1].isupper() or word.lower() in _PARTICLES for word in words) and any(
        ch.isalpha() for ch in text
    )


def _is_role(text: str) -> bool:
    words = text.lower().split()
    return bool(words) and all(word in _ROLE_WORDS for word in words)


def origin_of(line: str) -> str | None:
    """The outlet a syndication note names ("This article originally appeared in X."), else ``None``."""
    stripped = line.strip()
    for pattern in _ORIGIN_PATTERNS:
        match = pattern.fullmatch(stripped)  # anchored: fails fast on the usual line, so before the split
        if match is None:
            continue
        if len(line.split()) > _MAX_ORIGIN_WORDS:
            return None
        origin = _ORIGIN_END.sub("", match.group("origin")).strip(" .\"'“”")
        if origin[:1].isupper() and len(origin.split()) <= 8:
            return origin
    return None


def disclaimer_flags(line: str) -> tuple[str, ...] | None:
    """Flags a disclaimer line raises (``ai_generated``, ``translated``...); ``None`` if it is no disclaimer.

    A line that opens with "Disclaimer:" or "Editor's note:" is a disclaimer even with no flag (empty
    tuple); one that speaks of "this article" is one only when it states a flag-worthy fact.
    """
    lead = _DISCLAIMER_LEAD.match(line)
    if lead is None and _SELF_REFERENCE.match(line) is None:
        return None  # checked first: most lines are body text and need no flag search
    flags = tuple(name for name, pattern in _FLAG_PATTERNS if pattern.search(line))
    if lead is not None and lead.group("kind").casefold() == "note" and not flags:
        # A bare "Note:" opens the article's own asides too ("Note: older versions had no
        # compression..."): a disclaimer only when it speaks about the text or its publisher.
        return () if _EDITORIAL.search(line) else None
    return flags if lead is not None or flags else None


def parse_date(text: str) -> str | None:
    """ISO date (``2026-01-12``) from a line that is only a date, possibly labelled and timed."""
    # Every date pattern needs a four-digit year: most counters and numbered lines have none.
    if len(text) > _MAX_DATE_CHARS or _YEAR.search(text) is None:
        return None
    body = _TIME_SUFFIX.sub("", _DATE_PREFIX.sub("", text.strip(), count=1), count=1).strip(" ,")
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(body)
        if match is not None:
            return _iso_date(match.group("year"), match.group("month"), match.group("day"))
    return None


def _iso_date(year: str, month: str, day: str) -> str | None:
    month_number = int(month) if month.isdigit() else _MONTHS.get(month.lower())
    if month_number is None:
        return None
    try:
        return dt.date(int(year), month_number, int(day)).isoformat()
    except ValueError:
        return None


# Who published a plain text: a wire dateline, the wire's own way of naming itself, a sign-off.
WIRES = (
    "Reuters", "AFP", "AP", "Associated Press", "Bloomberg", "Xinhua", "Kyodo", "dpa", "Agence France-Presse"
)
_WIRE = "|".join(re.escape(w) for w in sorted(WIRES, key=len, reverse=True))
# "BEIJING (Reuters) -", "GANZHOU, China, Jan 12 (AFP) —": a place, maybe a date, the agency in brackets.
_DATELINE = re.compile(rf"^[A-Z][\w.,'’ -]{{0,60}}?\((?P<outlet>{_WIRE})\)\s*[-–—]")
# A wire speaks of itself in ways other outlets rarely do: "told AFP", "an AFP team", "AFP journalists".
_SELF_REFERENCE_WIRE = re.compile(
    rf"\btold (?P<a>{_WIRE})\b"
    rf"|\b(?P<b>{_WIRE}) (?:journalists?|reporters?|correspondents?|team|photographers?)\b"
)
# AFP/AP sign-offs: "F.Stadler--VB", "jz/ah": the writer's name, then desk initials.
_SIGNOFF_NAME = re.compile(
    r"(?P<name>[A-Z]\.\s?[A-Z][a-z]+(?:[- ][A-Z][a-z]+)?)\s*--\s*[A-Za-z]{2,4}(?:/[A-Za-z]{2,4})*"
)
# "Share- Nishadil": a share widget that carries the author's name.
_SHARE_AUTHOR = re.compile(r"Share\s*[-–—:]\s*(?P<name>[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,3})")


def dateline_outlet(paragraph: str) -> str | None:
    """The agency a dateline names ("BEIJING (Reuters) - ..."), else ``None``."""
    match = _DATELINE.match(paragraph.strip())
    return match.group("outlet") if match else None


def wire_outlet(text: str) -> str | None:
    """A wire agency the text names as itself twice or more ("told AFP", "AFP journalists"), else ``None``."""
    counts: dict[str, int] = {}
    for match in _SELF_REFERENCE_WIRE.finditer(text):
        name = match.group("a") or match.group("b")
        counts[name] = counts.get(name, 0) + 1
    found = [name for name, count in counts.items() if count >= 2]
    return max(found, key=lambda n: counts[n]) if found else None


def signoff_author(line: str) -> str | None:
    """The writer a wire sign-off names ("F.Stadler--VB" → "F. Stadler"), else ``None``."""
    match = _SIGNOFF_NAME.fullmatch(line.strip())
    if match is None:
        return None
    return re.sub(r"\.(?=\S)", ". ", match.group("name"))


def share_author(line: str) -> str | None:
    """The name a share widget carries ("Share- Nishadil"), else ``None``."""
    match = _SHARE_AUTHOR.fullmatch(line.strip())
    return match.group("name") if match else None
