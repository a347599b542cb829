"""The boilerplate vocabulary: what scraping noise looks like, kept as data in one place.

Every family the text cleaner (``monitor.extract.clean``) removes is described here by patterns
and word lists; the classifier applies them, in its own module. Adding a phrase to a family is an
edit here and a test case in ``tests/test_clean_families.py``, never a new code path.
"""

from __future__ import annotations

import re

from monitor.extract import provenance

# Line rules. Each is a fullmatch on a short line; long lines are body text and skip most of them.

SHORT = 300  # characters: no noise line is longer
BULLET = re.compile(r"[-–—•·*▪►|]\s*")
SEPARATOR = re.compile(r"[-–—_=*•·|~#\s]+")
# AFP-style in-body subheads: "- Heavy metal -" becomes the heading "Heavy metal".
SUBHEAD = re.compile(r"[-–—]\s+(?P<head>[^-–—].{0,98}?)\s+[-–—]")
SIGNOFF = re.compile(
    r"[A-Z][A-Za-z]*\.(?:\s?[A-Z][A-Za-z'’-]+)+\s?--\s?[A-Za-z]{2,4}(?:/[A-Za-z]{2,4})*"  # F.Stadler--VB
    r"|(?:[a-z]{2,5}-)*[a-z]{2,5}(?:/[a-z]{2,5})+"  # bur-jm/dw
    r"|\(?\s*(?:Reporting|Writing|Additional reporting|Editing|Edited|Compiled)\s+by\b[^()]{0,250}\)?"
    r"|[-–—]{1,2}\s*\(?(?:AFP|Reuters|AP|Bloomberg|Xinhua|dpa|ANI|PTI|IANS|Kyodo|Yonhap|ANSA|EFE|TASS)\)?"
    r"|\(?(?:AFP|Reuters|AP|Xinhua|dpa|ANI|PTI|IANS|Kyodo|Yonhap|ANSA|EFE|TASS)\)?"
)
COPYRIGHT = re.compile(
    r"(?:©|\(c\))\s*\S.{0,150}|copyright\s*(?:©\s*)?\d{4}\b.{0,150}|.{0,100}all rights reserved\.?",
    re.IGNORECASE,
)
ADVERTISEMENT = re.compile(
    r"(?:advertisement|advertising|ad|sponsored(?: content)?|skip advertisement|remove ads?"
    r"|(?:story|article) continues below(?: this)?(?: advertisement)?|continue reading below"
    r"|scroll (?:down )?to continue(?: with content| reading)?)\W*",
    re.IGNORECASE,
)
SUBSCRIBE_LEAD = re.compile(
    r"(?:subscribe\b|sign up\b|get (?:our|the)\b|join (?:our|us)\b|don[’']?t miss\b|enter your email"
    r"|already a subscriber|become a (?:member|subscriber)|support (?:our|independent) journalism"
    r"|want (?:more|the latest)|stay (?:informed|up to date)|register (?:now|for free))",
    re.IGNORECASE,
)
SUBSCRIBE_WORD = re.compile(
    r"newsletter|inbox|e-?mail|subscri|free trial|unlimited access|digital access|membership",
    re.IGNORECASE,
)
READ_MORE = re.compile(
    r"(?:read more|read also|also read|see also|read next|continue reading|more on this|recommended"
    r"|watch|listen|related(?: articles?| stories| news| coverage| content| reading)?)"
    r"\s*(?:[:>»|–—-].{0,200})?",
    re.IGNORECASE,
)
# Headings over lists of other stories; the lines under them go with them.
LIST_HEADING = re.compile(
    r"(?:related(?: articles?| stories| news| coverage| content| posts| reading)?"
    r"|most (?:read|popular|viewed)"
    r"|more (?:stories|news|from [^.]{1,40}|on this(?: topic| story)?|to read)|you (?:may|might) also like"
    r"|trending(?: now| stories)?|top stories|latest(?: news| stories)?|popular(?: now| stories)?"
    r"|recommended(?: for you| stories)?|what to read next|further reading|read more|also read"
    r"|editor[’']?s picks)"
    r"\s*:?",
    re.IGNORECASE,
)
COMMENTS = re.compile(
    r"(?:\d+|no|zero|one)\s+comments?|comments?\s*\(?\d+\)?"
    r"|(?:leave|post|add|view|show|read) (?:a |all |\d+ )?"
    r"(?:comments?|replies)|be the first to comment|comments? (?:are )?closed\.?",
    re.IGNORECASE,
)
READ_TIME = re.compile(
    r"\d+\s*(?:min(?:ute)?s?\.?)\s*(?:read|reading(?: time)?)"
    r"|(?:reading|read) time\s*:?\s*\d+\s*min(?:ute)?s?\.?"
    r"|[\d,.]+\s*[kKmM]?\s+(?:views?|reads?|shares?)|(?:views?|shares?)\s*:?\s*[\d,.]+[kKmM]?",
    re.IGNORECASE,
)
NETWORK = (
    r"(?:facebook|twitter|x|linkedin|whatsapp|e-?mail|print|reddit|telegram|copy link|pinterest"
    r"|flipboard|messenger|tweet|share|comment)"
)
SHARE = re.compile(
    r"share(?:\s*$|\s*[-:|–—].{0,60}|\s+(?:this|on|via|article|story|to|the story|now)\b.{0,60})"
    rf"|{NETWORK}(?:(?:\s*[,|·•/]\s*|\s+){NETWORK})*\s*[,|·•/]?",
    re.IGNORECASE,
)
WIDGET_SPLIT = re.compile(r"\s+[|•·]\s+|\s+[-–—]\s+|\s*\|\s*")
CREDIT = (
    r"(?:(?:Photo(?:graph)?s?|Pictures?|Images?|Credit|Photo credit|Image credit|Foto|Video|Graphic)"
    r"\s*(?:/|:|\|)|Image source\s*[,:])\s*[A-Z0-9“\"'][^\n]{0,120}"
)
PHOTO_AGENCIES = r"(?:Getty Images|AP Photo|Shutterstock|EPA|iStock|Alamy|Supplied|File photo|Photo\b)"
AGENCY_CREDIT = r"\([^()]{0,60}" + PHOTO_AGENCIES + r"[^()]{0,40}\)"
WIRE_CREDIT = r"\([^()]{0,60}(?:AFP|Reuters|Bloomberg|Xinhua|File)[^()]{0,40}\)"
CREDIT_LINE = re.compile(
    CREDIT
    + r"|"
    + AGENCY_CREDIT
    + r"|"
    + WIRE_CREDIT
    + r"|(?:Photo(?:graph)?s?|Pictures?|Images?|Video|Graphics?|Illustrations?)\s+by\s*:?\s*[A-Z].{0,150}"
    r"|(?:Getty Images|Shutterstock|iStock|Alamy|AFP via Getty Images)(?:\s*/\s*\w[\w .]{0,40})?"
)
CAPTION_TAIL = re.compile(r"(?:^|[.!?”\"’)]\s+)(?:" + CREDIT + r"|" + AGENCY_CREDIT + r")$")
CAPTION_TAIL_MID = re.compile(r"[.!?”\"’)]\s+(?:" + CREDIT + r"|" + AGENCY_CREDIT + r")$")
CAPTION_TAIL_CHARS = 180
IMAGE_CAPTION_LEAD = re.compile(r"(?:Image caption|Caption|Photo caption)\s*[,:]\s*\S.*")

DUPLICATE_MIN = 20  # characters: shorter lines ("- Yes") may repeat in a body legitimately

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
DATE_HEAD = r"[\s,]*(?:\d|[A-Za-z]{3,9}+\.?\s+\d|(?i:published|updated|posted|last updated|modified|date))"
WIDGET_HEADS = (
    _any_case("share|" + NETWORK),
    _any_case(READ_TIME.pattern),
    _any_case(COMMENTS.pattern),
    DATE_HEAD,
    r"\s*" + _any_case(_unnamed(provenance.BYLINE)),
)
NOISE_HEAD = re.compile(
    "|".join(
        (
            r"[-–—_=*•·|~#▪►\s]",  # separators, bullets, subheads and lines starting with one
            SIGNOFF.pattern,
            CREDIT_LINE.pattern,
            IMAGE_CAPTION_LEAD.pattern,
            _any_case(r"©|\(c\)|copyright"),
            _any_case(ADVERTISEMENT.pattern),
            _any_case(SUBSCRIBE_LEAD.pattern),
            _any_case(READ_MORE.pattern),
            *WIDGET_HEADS,
            *(r"\s*" + _any_case(_unnamed(pattern)) for pattern in provenance.NOTE_PATTERNS),
        )
    )
)
RIGHTS_TAIL = re.compile(r"all rights reserved\.?$", re.IGNORECASE)
RIGHTS_TAIL_CHARS = len("all rights reserved.")
# What a credit at the end of a caption contains, unless it is an agency credit ending the line with ")".
CREDIT_WORD = re.compile(r"Photo|Picture|Image|Credit|Foto|Video|Graphic")
