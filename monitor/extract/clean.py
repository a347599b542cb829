"""Text-level cleaning: take the scraping noise out of an article's text, keep the body.

Works on plain-text scrapes (one paragraph per line) and on text an HTML extractor produced
(paragraphs separated by blank lines): every non-empty line is one paragraph. One pass over the
lines, each judged by small rules in a fixed order; only headline lists need to look at their
neighbours, and they are found in one earlier linear scan. Nothing is silently dropped: every
removed line is returned with a reason slug, and lines that carry meaning (bylines, syndication
notes, disclaimers, widget dates) become fields.

Rules (reason slugs): ``headline-list``, ``separator``, ``wp-debris``, ``signoff``, ``share-widget``,
``comment-count``, ``date``, ``byline``, ``photo-credit``, ``origin``, ``disclaimer``, ``copyright``,
``advertisement``, ``subscribe``, ``read-more``, ``duplicate``, ``caption``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from monitor.extract import provenance
from monitor.models import Removed


@dataclass(frozen=True, slots=True)
class Cleaned:
    """The body that survived cleaning, what was removed and why, and what the removed lines told us."""

    text: str  # paragraphs separated by one blank line
    removed: tuple[Removed, ...] = ()
    authors: tuple[str, ...] = ()
    origin: str | None = None  # syndicated from, e.g. "The New York Times"
    flags: tuple[str, ...] = ()  # ai_generated, translated, state_affiliated_source, ...
    captions: tuple[str, ...] = ()
    published: str | None = None  # ISO date a byline/share widget carried, e.g. "2026-01-12"


# ---------------------------------------------------------------------------------------------------------
# Normalisation: characters, entities, markup debris, glued words. Applied to every line first.

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff]")
_SPACES = re.compile(r"[ \t\xa0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# Mangled WordPress block comments whose "<" was lost or mis-decoded: "©!-- /wp:paragraph -->".
_WP_FRAGMENT = re.compile(r"\S?!--\s*/?wp:[^\n]{0,300}?-->|<!--\s*/?wp:[^\n]{0,300}$|^\s*/?wp:[a-z/-]+\s*-->")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]{0,30}(?:\s[^<>]{0,300})?/?>")
_SHORTCODE = re.compile(r"\[/?(?:caption|embed|gallery|video|audio|playlist)\b[^\[\]]{0,300}\]")

# A lowercase word run into a capitalised one where a tag or a full stop was lost: "themselvesCompanies".
_CAMEL_GLUE = re.compile(r"(?<![\w./@:-])([a-z]{3,40})([A-Z][a-z]{2,40})\b(?![@/.]\w)")
# What every such glue contains. Starting at the capital lets the scan skip lowercase text quickly, so
# finding these costs a fraction of a _CAMEL_GLUE pass; that pass then runs only on the words around them.
_CAMEL_HINT = re.compile(r"[A-Z](?<=[a-z][A-Z])[a-z]{2}")
# Real words and brands written that way stay whole.
_CAMEL_KEEP = frozenset(
    [
        "easyjet",
        "jetblue",
        "easyhotel",
        "airbaltic",
        "flydubai",
        "okcupid",
        "biomerieux",
        "wechat",
        "bioceres",
        "ecobee",
        "tinyml",
    ]
)
# "ofproducts", "thatone": no English word starts with "of" + not-f except "often", nor with "that"
# + not-"ch", so a split there is safe. Shorter function words ("on", "in", "to") are not: "onset", "into".
# Bounded: real words are short. One pattern per word, each starting with a literal, so the scan jumps
# from one "of" (or "that") to the next. The word start is checked in _split_function_word, not with a
# leading \b, which would make the scan try every position; a match that starts mid-word lies inside one
# word and is returned unchanged, so no match at a real word start is skipped. The "that" pass cannot
# find more in what the "of" pass split: a split leaves no word that _GLUED_HEAD would peel again.
_FUNCTION_GLUES = (re.compile(r"of[a-z]{3,30}\b"), re.compile(r"that[a-z]{3,30}\b"))
_GLUED_HEAD = re.compile(r"(of)(?!f|t(?:en|entimes|times)$)(?=[a-z]{3,}$)|(that)(?!ch)(?=[a-z]{3,}$)")


def _normalize(line: str) -> tuple[str, bool]:
    """The line with characters, entities, markup and spaces fixed; and whether markup debris was found."""
    if "&" in line and _ENTITY.search(line):
        line = html.unescape(line)
    # Every _CONTROL character and every _SPACES character but " " is unprintable: skip what is a no-op.
    if not line.isprintable():
        line = _CONTROL.sub("", line)
    stripped = _strip_markup(line)
    had_debris = stripped != line
    if "  " in stripped or not stripped.isprintable():
        stripped = _SPACES.sub(" ", stripped)
    return stripped.strip(), had_debris


def _is_tidy(text: str) -> bool:
    """Whether _normalize would only strip each line: no entity, markup, control or odd space anywhere."""
    if "&" in text or "<" in text or "[" in text or "!--" in text or "wp:" in text or "  " in text:
        return False
    return all(map(str.isprintable, text.split("\n")))


def _strip_markup(line: str) -> str:
    if "<" in line or "!--" in line or "wp:" in line:
        line = _strip_comments(_WP_FRAGMENT.sub(" ", line))
        line = _TAG.sub(" ", line)
    if "[" in line:
        line = _SHORTCODE.sub(" ", line)
    return line


def _strip_comments(line: str) -> str:
    # str.find instead of a lazy regex: a line full of "<!--" without "-->" stays linear.
    parts: list[str] = []
    position = 0
    while (start := line.find("<!--", position)) != -1:
        end = line.find("-->", start + 4)
        parts.append(line[position:start])
        if end == -1:
            return "".join(parts)
        position = end + 3
    parts.append(line[position:])
    return "".join(parts)


def _repair_glue(text: str) -> str:
    text = _repair_camel_glue(text)
    for pattern in _FUNCTION_GLUES:
        text = pattern.sub(_split_function_word, text)
    return text


def _repair_camel_glue(text: str) -> str:
    """_CAMEL_GLUE applied to the space-delimited words around each hint, which is all it could change.

    A glue match holds no whitespace and looks at most one character either side, where a cut at a space
    or line break sees the same as the whole text: no word character, no "@", "/" or ".".
    """
    parts: list[str] = []
    position = 0
    for hint in _CAMEL_HINT.finditer(text):
        capital = hint.start()
        if capital < position:
            continue  # in the words repaired already
        start = max(text.rfind(" ", 0, capital), text.rfind("\n", 0, capital)) + 1
        end = min(_find_or_end(text, " ", capital), _find_or_end(text, "\n", capital))
        parts += (text[position:start], _CAMEL_GLUE.sub(_split_camel, text[start:end]))
        position = end
    if not parts:
        return text
    parts.append(text[position:])
    return "".join(parts)


def _find_or_end(text: str, char: str, start: int) -> int:
    found = text.find(char, start)
    return len(text) if found == -1 else found


def _split_camel(match: re.Match[str]) -> str:
    word = match.group(0)
    if word.lower() in _CAMEL_KEEP:
        return word
    return f"{match.group(1)} {match.group(2)}"


def _split_function_word(match: re.Match[str]) -> str:
    word, start = match.group(0), match.start()
    if start and _is_word_char(match.string[start - 1]):
        return word  # not a word start: the pattern's \b, checked here
    # Peel every glued function word at once ("ofthatone" → "of that one") so a second pass finds none.
    heads: list[str] = []
    while (head := _GLUED_HEAD.match(word)) is not None:
        heads.append(head.group(0))
        word = word[head.end() :]
    return " ".join([*heads, word])


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"  # what re's \w matches in a str pattern


# ---------------------------------------------------------------------------------------------------------
# Line rules. Each is a fullmatch on a short line; long lines are body text and skip most of them.

_SHORT = 300  # characters: no noise line is longer
_BULLET = re.compile(r"[-–—•·*▪►|]\s*")
_SEPARATOR = re.compile(r"[-–—_=*•·|~#\s]+")
# AFP-style in-body subheads: "- Heavy metal -" becomes the heading "Heavy metal".
_SUBHEAD = re.compile(r"[-–—]\s+(?P<head>[^-–—].{0,98}?)\s+[-–—]")
_SIGNOFF = re.compile(
    r"[A-Z][A-Za-z]*\.(?:\s?[A-Z][A-Za-z'’-]+)+\s?--\s?[A-Za-z]{2,4}(?:/[A-Za-z]{2,4})*"  # F.Stadler--VB
    r"|(?:[a-z]{2,5}-)*[a-z]{2,5}(?:/[a-z]{2,5})+"  # bur-jm/dw
    r"|\(?\s*(?:Reporting|Writing|Additional reporting|Editing|Edited|Compiled)\s+by\b[^()]{0,250}\)?"
    r"|[-–—]{1,2}\s*\(?(?:AFP|Reuters|AP|Bloomberg|Xinhua|dpa|ANI|PTI|IANS|Kyodo|Yonhap|ANSA|EFE|TASS)\)?"
    r"|\(?(?:AFP|Reuters|AP|Xinhua|dpa|ANI|PTI|IANS|Kyodo|Yonhap|ANSA|EFE|TASS)\)?"
)
_COPYRIGHT = re.compile(
    r"(?:©|\(c\))\s*\S.{0,150}|copyright\s*(?:©\s*)?\d{4}\b.{0,150}|.{0,100}all rights reserved\.?",
    re.IGNORECASE,
)
_ADVERTISEMENT = re.compile(
    r"(?:advertisement|advertising|ad|sponsored(?: content)?|skip advertisement|remove ads?"
    r"|(?:story|article) continues below(?: this)?(?: advertisement)?|continue reading below"
    r"|scroll (?:down )?to continue(?: with content| reading)?)\W*",
    re.IGNORECASE,
)
_SUBSCRIBE_LEAD = re.compile(
    r"(?:subscribe\b|sign up\b|get (?:our|the)\b|join (?:our|us)\b|don[’']?t miss\b|enter your email"
    r"|already a subscriber|become a (?:member|subscriber)|support (?:our|independent) journalism"
    r"|want (?:more|the latest)|stay (?:informed|up to date)|register (?:now|for free))",
    re.IGNORECASE,
)
_SUBSCRIBE_WORD = re.compile(
    r"newsletter|inbox|e-?mail|subscri|free trial|unlimited access|digital access|membership",
    re.IGNORECASE,
)
_READ_MORE = re.compile(
    r"(?:read more|read also|also read|see also|read next|continue reading|more on this|recommended"
    r"|watch|listen|related(?: articles?| stories| news| coverage| content| reading)?)"
    r"\s*(?:[:>»|–—-].{0,200})?",
    re.IGNORECASE,
)
# Headings over lists of other stories; the lines under them go with them.
_LIST_HEADING = re.compile(
    r"(?:related(?: articles?| stories| news| coverage| content| posts| reading)?"
    r"|most (?:read|popular|viewed)"
    r"|more (?:stories|news|from [^.]{1,40}|on this(?: topic| story)?|to read)|you (?:may|might) also like"
    r"|trending(?: now| stories)?|top stories|latest(?: news| stories)?|popular(?: now| stories)?"
    r"|recommended(?: for you| stories)?|what to read next|further reading|read more|also read"
    r"|editor[’']?s picks)"
    r"\s*:?",
    re.IGNORECASE,
)
_COMMENTS = re.compile(
    r"(?:\d+|no|zero|one)\s+comments?|comments?\s*\(?\d+\)?"
    r"|(?:leave|post|add|view|show|read) (?:a |all |\d+ )?"
    r"(?:comments?|replies)|be the first to comment|comments? (?:are )?closed\.?",
    re.IGNORECASE,
)
_READ_TIME = re.compile(
    r"\d+\s*(?:min(?:ute)?s?\.?)\s*(?:read|reading(?: time)?)"
    r"|(?:reading|read) time\s*:?\s*\d+\s*min(?:ute)?s?\.?"
    r"|[\d,.]+\s*[kKmM]?\s+(?:views?|reads?|shares?)|(?:views?|shares?)\s*:?\s*[\d,.]+[kKmM]?",
    re.IGNORECASE,
)
_NETWORK = (
    r"(?:facebook|twitter|x|linkedin|whatsapp|e-?mail|print|reddit|telegram|copy link|pinterest"
    r"|flipboard|messenger|tweet|share|comment)"
)
_SHARE = re.compile(
    r"share(?:\s*$|\s*[-:|–—].{0,60}|\s+(?:this|on|via|article|story|to|the story|now)\b.{0,60})"
    rf"|{_NETWORK}(?:(?:\s*[,|·•/]\s*|\s+){_NETWORK})*\s*[,|·•/]?",
    re.IGNORECASE,
)
_WIDGET_SPLIT = re.compile(r"\s+[|•·]\s+|\s+[-–—]\s+|\s*\|\s*")
_CREDIT = (
    r"(?:(?:Photo(?:graph)?s?|Pictures?|Images?|Credit|Photo credit|Image credit|Foto|Video|Graphic)"
    r"\s*(?:/|:|\|)|Image source\s*[,:])\s*[A-Z0-9“\"'][^\n]{0,120}"
)
_PHOTO_AGENCIES = r"(?:Getty Images|AP Photo|Shutterstock|EPA|iStock|Alamy|Supplied|File photo|Photo\b)"
_AGENCY_CREDIT = r"\([^()]{0,60}" + _PHOTO_AGENCIES + r"[^()]{0,40}\)"
_WIRE_CREDIT = r"\([^()]{0,60}(?:AFP|Reuters|Bloomberg|Xinhua|File)[^()]{0,40}\)"
_CREDIT_LINE = re.compile(
    _CREDIT
    + r"|"
    + _AGENCY_CREDIT
    + r"|"
    + _WIRE_CREDIT
    + r"|(?:Photo(?:graph)?s?|Pictures?|Images?|Video|Graphics?|Illustrations?)\s+by\s*:?\s*[A-Z].{0,150}"
    r"|(?:Getty Images|Shutterstock|iStock|Alamy|AFP via Getty Images)(?:\s*/\s*\w[\w .]{0,40})?"
)
_CAPTION_TAIL = re.compile(r"(?:^|[.!?”\"’)]\s+)(?:" + _CREDIT + r"|" + _AGENCY_CREDIT + r")$")
_CAPTION_TAIL_MID = re.compile(r"[.!?”\"’)]\s+(?:" + _CREDIT + r"|" + _AGENCY_CREDIT + r")$")
_CAPTION_TAIL_CHARS = 180
_IMAGE_CAPTION_LEAD = re.compile(r"(?:Image caption|Caption|Photo caption)\s*[,:]\s*\S.*")

_DUPLICATE_MIN = 20  # characters: shorter lines ("- Yes") may repeat in a body legitimately


# ---------------------------------------------------------------------------------------------------------
# A cheap gate before the line rules. Most lines are sentences that no rule removes; trying a dozen rules
# on each costs more than the extraction itself. Every rule but the caption looks at the start of the
# line (the copyright rule also at its end), so one anchored match over the rules' own leading
# patterns rejects those lines at once. The gate may let through lines no rule removes; it must never
# hold back one a rule would: each alternative below is implied by a rule matching.


def _any_case(pattern: str) -> str:
    return f"(?i:{pattern})"


def _unnamed(pattern: re.Pattern[str]) -> str:
    return re.sub(r"\(\?P<\w+>", "(?:", pattern.pattern)  # one alternation cannot repeat a group name


# A widget's first item is read on the line's first characters (lines that start with a separator or a
# bullet pass the first alternative): share and read-time counters, comment counts, dates, bylines. Their
# patterns match the item alone, a prefix of the line, so only patterns without "$" are used whole.
# Possessive: a month name is a whole word of letters, so giving letters back never helps.
_DATE_HEAD = r"[\s,]*(?:\d|[A-Za-z]{3,9}+\.?\s+\d|(?i:published|updated|posted|last updated|modified|date))"
_WIDGET_HEADS = (
    _any_case("share|" + _NETWORK),
    _any_case(_READ_TIME.pattern),
    _any_case(_COMMENTS.pattern),
    _DATE_HEAD,
    r"\s*" + _any_case(_unnamed(provenance.BYLINE)),
)
_NOISE_HEAD = re.compile(
    "|".join(
        (
            r"[-–—_=*•·|~#▪►\s]",  # separators, bullets, subheads and lines starting with one
            _SIGNOFF.pattern,
            _CREDIT_LINE.pattern,
            _IMAGE_CAPTION_LEAD.pattern,
            _any_case(r"©|\(c\)|copyright"),
            _any_case(_ADVERTISEMENT.pattern),
            _any_case(_SUBSCRIBE_LEAD.pattern),
            _any_case(_READ_MORE.pattern),
            *_WIDGET_HEADS,
            *(r"\s*" + _any_case(_unnamed(pattern)) for pattern in provenance.NOTE_PATTERNS),
        )
    )
)
_RIGHTS_TAIL = re.compile(r"all rights reserved\.?$", re.IGNORECASE)
_RIGHTS_TAIL_CHARS = len("all rights reserved.")
# What a credit at the end of a caption contains, unless it is an agency credit ending the line with ")".
_CREDIT_WORD = re.compile(r"Photo|Picture|Image|Credit|Foto|Video|Graphic")


def _may_be_noise(line: str) -> bool:
    """False only for lines no rule but the caption rule can remove."""
    return (
        _NOISE_HEAD.match(line) is not None
        or _RIGHTS_TAIL.search(line, max(len(line) - _RIGHTS_TAIL_CHARS, 0)) is not None
    )


def _is_separator(line: str) -> bool:
    return _SEPARATOR.fullmatch(line) is not None


def _unbullet(line: str) -> str:
    match = _BULLET.match(line)
    return line[match.end() :] if match else line


def is_headline_like(line: str, min_words: int = 2) -> bool:
    """A short title-like line: a few words, starts with a capital, no final sentence punctuation."""
    if not line or len(line) > 200:
        return False
    first = line[0]
    if not (first.isupper() or first.isdigit() or first in "\"'“‘"):
        return False
    if line[-1] in ".,;:" or ". " in line.rstrip("."):
        return False
    return min_words <= len(line.split()) <= 25


# ---------------------------------------------------------------------------------------------------------
# Headline lists: the one rule that looks at neighbours, found by a linear scan before the line pass.

_MIN_SEPARATED_ITEMS = 3
_MIN_UNBULLETED_ITEMS = 2


def headline_list_lines(lines: Sequence[str]) -> set[int]:
    """Indices of lines that belong to lists of other stories' headlines."""
    marked: set[int] = set()
    # Every list has a separator line or a heading: most texts have neither, and need no scan.
    if not any(map(_SEPARATOR.fullmatch, lines)) and not any(
        len(line) <= 60 and _LIST_HEADING.fullmatch(line) for line in lines
    ):
        return marked
    index = 0
    while index < len(lines):
        end = _separated_run_end(lines, index)
        if end is None:
            end = _headed_run_end(lines, index)
        if end is None:
            index += 1
            continue
        marked.update(range(index, end))
        index = end
    return marked


def _separated_run_end(lines: Sequence[str], start: int) -> int | None:
    """End of a run "sep, headline, sep, headline, ..." (first separator optional) of 3+ headlines."""
    index = start + 1 if _is_separator(lines[start]) else start
    items = 0
    while index < len(lines) and is_headline_like(lines[index]):
        after = index + 1
        if after < len(lines) and _is_separator(lines[after]):
            items, index = items + 1, after + 1
        elif index > start and _is_separator(lines[index - 1]):
            items, index = items + 1, after  # last item, preceded by a separator
            break
        else:
            break
    if items < _MIN_SEPARATED_ITEMS:
        return None
    return index


def _headed_run_end(lines: Sequence[str], start: int) -> int | None:
    """End of "Related:" followed by headlines (bulleted: any number; unbulleted: two or more)."""
    if len(lines[start]) > 60 or _LIST_HEADING.fullmatch(lines[start]) is None:
        return None
    index, bulleted, plain = start + 1, 0, 0
    while index < len(lines):
        line = lines[index]
        if _BULLET.match(line) and is_headline_like(_unbullet(line)) and not plain:
            bulleted += 1
        elif is_headline_like(line) and not bulleted:
            plain += 1
        elif not _is_separator(line):
            break
        index += 1
    if bulleted or plain >= _MIN_UNBULLETED_ITEMS:
        return index
    return start + 1  # a lone heading is noise too


# ---------------------------------------------------------------------------------------------------------
# The line pass.


@dataclass(slots=True)
class _Collector:
    """What the pass has gathered so far; turned into a frozen Cleaned at the end."""

    kept: list[str] = field(default_factory=list)
    removed: list[Removed] = field(default_factory=list)
    authors: dict[str, None] = field(default_factory=dict)  # dicts keep first-seen order, drop repeats
    flags: dict[str, None] = field(default_factory=dict)
    captions: dict[str, None] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)
    origin: str | None = None
    published: str | None = None
    tidy: bool = False  # lines hold no whitespace but single inner spaces: see _dedup_key

    def remove(self, line: str, reason: str) -> None:
        self.removed.append(Removed(text=line, reason=reason))

    def result(self) -> Cleaned:
        return Cleaned(
            text="\n\n".join(self.kept),
            removed=tuple(self.removed),
            authors=tuple(self.authors),
            origin=self.origin,
            flags=tuple(self.flags),
            captions=tuple(self.captions),
            published=self.published,
        )


def clean(text: str) -> Cleaned:
    """Remove scraping noise from an article's text; see the module docstring for the rules."""
    lines, debris, tidy = _prepare(text)
    collector = _Collector(tidy=tidy)
    in_lists = headline_list_lines(lines)
    for index, line in enumerate(lines):
        if index in in_lists:
            collector.remove(line, "headline-list")
        elif index in debris and _is_separator(line or "-"):
            collector.remove(debris[index], "wp-debris")
        else:
            _judge(line, collector)
    return collector.result()


def _prepare(text: str) -> tuple[list[str], dict[int, str], bool]:
    """Non-empty normalised lines, the original text of lines where markup debris was stripped, and
    whether the text was tidy (see _is_tidy)."""
    lines: list[str] = []
    debris: dict[int, str] = {}
    # Glue repair runs once over the whole text: one regex scan instead of one per line.
    text = _join_lines(_repair_glue(text))
    if _is_tidy(text):  # most extracted texts: skip the per-line normalisation
        return [line for raw in text.split("\n") if (line := raw.strip())], debris, True
    for raw in text.split("\n"):
        line, had_debris = _normalize(raw)
        if (had_debris and _is_separator(line or "-")) or (not line and raw.strip()):
            debris[len(lines)] = raw.strip()
            lines.append(line)
        elif line:
            lines.append(line)
    return lines, debris, False


def _join_lines(text: str) -> str:
    """The text with every line break written as "\\n"."""
    if "\r" in text or "\u2028" in text or "\u2029" in text or "\x85" in text:
        text = re.sub(r"\r\n?|[\u2028\u2029\x85]", "\n", text)
    return text


def _judge(line: str, collector: _Collector) -> None:
    """Keep the line, or remove it with a reason and harvest what it says."""
    subhead = _SUBHEAD.fullmatch(line) if line.startswith(("-", "–", "—")) else None
    if subhead is not None:
        line = subhead.group("head")
    reason = _noise_reason(line, collector) if len(line) <= _SHORT else _long_line_reason(line, collector)
    if reason is None:
        reason = _repeat_reason(line, collector)
    if reason is None:
        collector.kept.append(line)
    else:
        collector.remove(line, reason)


def _noise_reason(line: str, collector: _Collector) -> str | None:
    if not _may_be_noise(line):
        return _caption(line, collector)
    for rule in _SHORT_RULES:
        reason = rule(line, collector)
        if reason is not None:
            return reason
    return None


def _long_line_reason(line: str, collector: _Collector) -> str | None:
    # Long lines are body text unless they are disclaimers, syndication notes or captions.
    return _disclaimer(line, collector) or _caption(line, collector)


def _repeat_reason(line: str, collector: _Collector) -> str | None:
    if len(line) < _DUPLICATE_MIN:
        return None
    key = _dedup_key(line, collector.tidy)
    if key in collector.seen:
        return "duplicate"
    collector.seen.add(key)
    return None


def _dedup_key(line: str, tidy: bool) -> str:
    """The line casefolded with its whitespace runs made single spaces."""
    key = line.casefold()
    if tidy:  # stripped lines of a tidy text, or pieces of them cut at a space (subheads)
        return key
    # Normalised lines rarely hold other whitespace than single inner spaces: every other whitespace
    # character is unprintable, so the split and join are needed only then.
    if "  " in key or not key.isprintable() or key[:1] == " " or key[-1:] == " ":
        return " ".join(key.split())
    return key


def _separator(line: str, collector: _Collector) -> str | None:
    return "separator" if _is_separator(line) else None


def _signoff(line: str, collector: _Collector) -> str | None:
    return "signoff" if len(line) <= 260 and _SIGNOFF.fullmatch(line) else None


def _widget(line: str, collector: _Collector) -> str | None:
    """Share/byline/date/read-time widgets, one item per line or several joined by "|" or " - "."""
    if len(line) > 200:
        return None
    parts = [part for part in _WIDGET_SPLIT.split(_unbullet(line)) if part.strip(" -–—|")]
    if not parts:
        return None
    kinds: list[str] = []
    for part in parts:  # most lines fail on the first part: classify no further
        kind = _widget_part(part.strip(" -–—|"))
        if kind is None:
            return None
        kinds.append(kind)
    _harvest_widget(parts, kinds, collector)
    if len(kinds) == 1:
        return kinds[0]
    return "byline" if "byline" in kinds else "share-widget"


def _widget_part(part: str) -> str | None:
    if _SHARE.fullmatch(part) or _READ_TIME.fullmatch(part):
        return "share-widget"
    if _COMMENTS.fullmatch(part):
        return "comment-count"
    if provenance.parse_date(part):
        return "date"
    if provenance.byline_authors(part):
        return "byline"
    return None


def _harvest_widget(parts: list[str], kinds: list[str], collector: _Collector) -> None:
    for part, kind in zip(parts, kinds, strict=True):
        if kind == "date" and collector.published is None:
            collector.published = provenance.parse_date(part.strip(" -–—|"))
        elif kind == "byline":
            collector.authors.update(dict.fromkeys(provenance.byline_authors(part.strip(" -–—|")) or ()))


def _credit(line: str, collector: _Collector) -> str | None:
    return "photo-credit" if _CREDIT_LINE.fullmatch(line) else None


def _origin(line: str, collector: _Collector) -> str | None:
    origin = provenance.origin_of(line)
    if origin is None:
        return None
    if collector.origin is None:
        collector.origin = origin
    return "origin"


def _disclaimer(line: str, collector: _Collector) -> str | None:
    flags = provenance.disclaimer_flags(line)
    if flags is None:
        return _origin(line, collector) if len(line) <= _SHORT * 2 else None
    collector.flags.update(dict.fromkeys(flags))
    return "disclaimer"


_Rule = Callable[[str, _Collector], "str | None"]


def _fullmatch_rule(pattern: re.Pattern[str], reason: str, max_len: int = 200) -> _Rule:
    def rule(line: str, collector: _Collector) -> str | None:
        return reason if len(line) <= max_len and pattern.fullmatch(line) else None

    return rule


def _subscribe(line: str, collector: _Collector) -> str | None:
    if not _SUBSCRIBE_LEAD.match(line) or len(line.split()) > 40:
        return None
    return "subscribe" if _SUBSCRIBE_WORD.search(line) else None


def _caption(line: str, collector: _Collector) -> str | None:
    # Credits stand at the end: search only the tail, where a cut line must not count as a line start.
    tail_pattern = _CAPTION_TAIL if len(line) <= _CAPTION_TAIL_CHARS else _CAPTION_TAIL_MID
    tail_start = len(line) - _CAPTION_TAIL_CHARS
    hinted = ")" in line[-2:] or _CREDIT_WORD.search(line, tail_start) is not None  # "$" may precede "\n"
    credited = hinted and tail_pattern.search(line, tail_start)
    if not (credited or _IMAGE_CAPTION_LEAD.fullmatch(line)):
        return None
    key = _dedup_key(line, collector.tidy)
    if key in collector.seen:
        return "duplicate"
    collector.seen.add(key)
    collector.captions[line] = None
    return "caption"


# A new rule must add what starts the lines it removes to _NOISE_HEAD, or the gate holds them back.
_SHORT_RULES: tuple[_Rule, ...] = (
    _separator,
    _signoff,
    _widget,
    _credit,
    _disclaimer,
    _fullmatch_rule(_COPYRIGHT, "copyright"),
    _fullmatch_rule(_ADVERTISEMENT, "advertisement", max_len=80),
    _subscribe,
    _fullmatch_rule(_READ_MORE, "read-more", max_len=220),
    _caption,
)
