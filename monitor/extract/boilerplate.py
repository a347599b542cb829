"""The boilerplate vocabulary: what scraping noise looks like, kept as data in one place.

Every family the text cleaner (``monitor.extract.clean``) removes is described here by patterns
and word lists; the classifier applies them, in its own module. Adding a phrase to a family is an
edit here and a test case in ``tests/test_clean_families.py``, never a new code path.
"""

from __future__ import annotations

import re

from monitor.extract import provenance
from monitor.extract.leads import Leads

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
    r"(?:advertisements?|advertising|adverts?|ad|ads|anzeige|publicité|publicidad|pubblicità|iklan"
    r"|sponsored(?: content)?|skip advertisement|remove ads?"
    r"|(?:story|article) continues below(?: this)?(?: advertisement)?|continue reading below"
    r"|scroll (?:down )?to continue(?: with content| reading)?)\W*",
    re.IGNORECASE,
)
SUBSCRIBE_LEAD = re.compile(
    r"(?:subscribe\b|sign up\b|get (?:our|the|access)\b|join (?:our|us)\b|don[’']?t miss\b|enter your email"
    r"|already a subscriber|become a (?:member|subscriber)|support (?:our|independent) journalism"
    r"|want (?:more|the latest)|stay (?:informed|up to date)|register (?:now|for free))",
    re.IGNORECASE,
)
SUBSCRIBE_WORD = re.compile(
    r"newsletter|inbox|e-?mail|subscri|free trial|unlimited access|digital access|membership",
    re.IGNORECASE,
)
READ_MORE = re.compile(
    r"\[?(?:read more|read also|also read|see also|see more|read next|continue reading|more on this"
    r"|recommended"
    r"|watch|listen|also|more|don[’']?t miss|related(?: [\w-]+)?)"
    r"\s*(?:[:>»|–—-].{0,200})?\]?"
    r"|(?:read|see|watch|get) more (?:on|at|from|of) .{1,80}|also on [\w.-]+\.[a-z]{2,6}\b.{0,200}",
    re.IGNORECASE,
)
# Headings over lists of other stories; the lines under them go with them.
LIST_HEADING = re.compile(
    r"(?:related(?: articles?| stories| news| coverage| content| posts| reading)?"
    r"|most (?:read|popular|viewed)"
    r"|more (?:stories|news|from [^.]{1,40}|on this(?: topic| story)?|to read)|you (?:may|might) also like"
    r"|trending(?: now| stories| news)?|top stories|latest(?: news| stories)?|popular(?: now| stories)?"
    r"|recommended(?: for you| stories)?|what to read next|further reading|read more|also read"
    r"|editor[’']?s picks|(?:more|other) (?:great |top )?(?:[A-Z]\w+ )?(?:stories|news|articles|reads)"
    r"|trending news|you (?:may|might|will|could) (?:also )?(?:like|enjoy"
    r"|be interested in)(?: these(?: posts)?)?(?:\.\.\.|…)?"
    r"|popular (?:on|at|in) [\w .]{1,30}|more|see more|don[’']?t miss|also on [\w .]{1,30}"
    r"|more in [\w .]{1,40}"
    r"|(?:top|latest) (?:headlines|videos)|in other news|elsewhere on [\w .]{1,30}|read these next"
    r"|story timeline|more (?:videos|galleries))"
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
PHOTO_AGENCIES = r"\b(?:Getty Images|AP Photo|Shutterstock|EPA|iStock|Alamy|Supplied|File photo|Photo)\b"
AGENCY_CREDIT = (
    r"(?:\([^()]{0,60}" + PHOTO_AGENCIES + r"[^()]{0,40}\)"
    r"|\((?:Image|Photo|Picture|Pic|Credit|Foto)s?(?: credit)?\s*:\s*[^()]{1,60}\))"  # "(Image: Getty)"
)
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
# A credit after the caption's last sentence; a bracketed one may follow the caption's last word.
CAPTION_TAIL = re.compile(r"(?:(?:^|[.!?”\"’)]\s+)" + CREDIT + r"|(?:^|\s)" + AGENCY_CREDIT + r")$")
CAPTION_TAIL_MID = re.compile(r"(?:[.!?”\"’)]\s+" + CREDIT + r"|\s" + AGENCY_CREDIT + r")$")
CAPTION_TAIL_CHARS = 180
# A caption with its expand/collapse toggle glued on: "... Nov. 19, 2019. less", "... vehicle at ... more".
CAPTION_TOGGLE = re.compile(r"(?:\.\.\.|…)\s*(?:more|show more)$|[.!?”)]\s+(?:less|show less)$")
IMAGE_CAPTION_LEAD = re.compile(r"(?:Caption\s*[,:]|(?:Image|Photo|Media|Video) caption\s*[,:]?)\s*\S.*")

DUPLICATE_MIN = 20  # characters: shorter lines ("- Yes") may repeat in a body legitimately
DUPLICATE_ANYWHERE = 80  # characters: a repeat this long is a copy wherever it stands
REFRAIN_MIN = 3  # ... unless printed this many times or more: then it is the text's own refrain

# ---------------------------------------------------------------------------------------------------------
# Page-furniture families (issue 14): each a fullmatch on a short line unless said otherwise.

# Cookie and consent notices: found anywhere in a line (a notice starts with anything), so the
# classifier checks them before the gate, on lines that hold one of CONSENT_HINTS.
CONSENT_HINTS = ("ookie", "onsent", "partners", "rivacy", "recaptcha")  # a notice holds one of these
CONSENT_NOTICE = re.compile(
    r"\b(?:we|this (?:web)?site|our (?:web)?site|this page|the site)\s+(?:uses?|place[sd]?"
    r"|stores?)\s+cookies\b"
    r"|\b(?:use|usage) of cookies\b|\bcookies? (?:policy|settings|preferences|consent|notice|banner)\b"
    r"|\bby (?:continuing|clicking|using|browsing|scrolling)\b.{0,120}\b(?:cookies|privacy policy"
    r"|terms of (?:use|service))"
    r"|\b(?:consent to|accept) (?:the use of |our |all )?cookies\b|\bwe value your privacy\b"
    r"|\bwe and our (?:\d+ )?(?:trusted )?partners\b|\bmanage (?:your )?(?:consent|privacy|cookie)"
    r"|\bprotected by recaptcha\b",
    re.IGNORECASE,
)
CONSENT_MAX = 600  # characters: a notice is a paragraph at most
# The banner's buttons, each alone on a line.
CONSENT_BUTTON = re.compile(
    r"(?:accept|reject|decline|refuse|allow|agree|deny)(?: all| selected| necessary| essential)?"
    r"(?: cookies| and close| & close| and continue)?"
    r"|(?:ok|okay|got it|i agree|i accept|i understand|agree and (?:close|continue)|yes,? i agree"
    r"|no,? thanks|close|dismiss|continue|more (?:info|information|options)|learn more|customi[sz]e"
    r"|manage (?:cookies|preferences|options|settings|choices)|(?:cookie|privacy) (?:settings|preferences"
    r"|policy)"
    r"|(?:only )?(?:necessary|essential) cookies(?: only)?|save (?:settings|preferences|choices)"
    r"|privacy policy|terms (?:of (?:use|service)|and conditions|& conditions)|skip to (?:main )?content"
    r"|back to top|print(?: this)?(?: article| page)?|copy(?: link)?|report|close (?:this )?(?:window|ad"
    r"|gallery)"
    r"|back to gallery|this slideshow requires javascript|caption|hide caption|toggle caption|expand|enlarge"
    r"|full ?screen|video|play(?: video)?|menu|search|open|more|less|show more|show less|load more"
    r"|print|e-?mail|imprimir|drucken|imprimer|stampa|cetak|surat elektronik|lagi|terkait|mehr|plus|más"
    r"|like loading|suka memuat|(?:sukai|gefällt mir|j[’']aime|me gusta) (?:ini|das|ça|esto)?)[\s.!:×✕…]*",
    re.IGNORECASE,
)
# Breadcrumbs and inline menus: "Home | Markets | Commodities", "News > World > Asia".
CRUMB_SPLIT = re.compile(r"\s*(?:[>»›→]|\s[|/·•]\s|\|)\s*")
CRUMB_CHARS = re.compile("[>»›→|/·•]")
CRUMB_ITEM_WORDS = 4  # each item is a section name
CRUMB_MIN_ITEMS = 3  # two items are too often "Nd/Pr" or "A | B" in a body
CRUMB_HOME = re.compile(r"(?:you are here\s*:?\s*)?(?:home|start|front ?page|homepage)\b", re.IGNORECASE)
# Tag and category lines: "Tags: rare earths, China", "Filed under: Mining", "Topics Japan Trade".
TAGS = re.compile(
    r"(?:tags?|tagged(?: with| in)?|topics?|filed (?:under|in)|categor(?:y|ies)|keywords|related topics"
    r"|posted in|more (?:about|on)|trends|subjects?|labels?|sections?)\s*(?::|\|)\s*.{0,250}",
    re.IGNORECASE,
)
# Without a colon the list follows the word directly, items capitalised: "Tags Kristi Noem Mining".
TAGS_BARE = re.compile(r"(?:Tags|Tagged|Topics|Filed under|Categories)\s+[A-Z0-9#][^.!?]{0,150}")
# Previous/next-article links.
PREV_NEXT = re.compile(
    r"(?:[-–—•]\s*)?[«‹<←]*\s*(?:previous|prev|next|older|newer|earlier|later)"
    r"(?:\s+(?:article|post|story|entry|item|page|news|[A-Z][a-z]+ news|in [A-Za-z ]{1,30}))?s?\s*[»›>→]*"
    r"(?:\s*[:|–—-]\s*.{0,200}|\s+(?:previous|prev|next|older|newer)(?:\s+(?:article|post|story"
    r"|entry))?\s*[»›>→]*)?"
    r"|(?:post|article|story) navigation|[«‹<←]+\s*back(?: to [a-z ]{1,30})?|more in [A-Z].{0,60}",
    re.IGNORECASE,
)
# Sign-in and comment prompts.
SIGN_IN = re.compile(
    r"(?:sign|log) ?(?:in|on|up)(?:\s*(?:/|or|\|)\s*(?:register|sign ?up|subscribe|create an account))?"
    r"(?: to (?:comment|reply|post|continue|read|join|save|follow|leave)\b.{0,80})?"
    r"|(?:please )?(?:sign|log) ?in (?:or (?:register|sign up) )?to .{0,80}"
    r"|you must be (?:logged|signed) in to .{0,80}|(?:register|create an account) (?:or (?:sign"
    r"|log) in )?to .{0,80}"
    r"|already have an account\??.{0,40}|don[’']?t have an account\??.{0,40}|forgot (?:your )?password\??"
    r"|(?:join|start) the (?:conversation|discussion|debate).{0,60}|leave a (?:reply|comment|response).{0,40}"
    r"|(?:post|add|write) (?:a|your) (?:comment|reply|response).{0,40}|comments?|discussion|conversation"
    r"|(?:show|view|hide|load|read|see) (?:all |more )?(?:\d+ )?comments?.{0,20}|comment via .{0,60}"
    r"|tell us what you think.{0,60}|have your say.{0,60}|what do you think\?.{0,60}"
    r"|your email address will not be published.{0,80}|required fields are marked.{0,20}"
    r"|(?:your )?(?:name|e-?mail|website|comment)\s*\*?|(?:you|your comment) .{0,40}(?:moderat"
    r"|can[’']?t be published).{0,80}"
    r"|(?:like|sukai) (?:this|ini)\s*:?|like loading\.*|(?:be the first|click) to (?:like|comment).{0,40}"
    r"|post limit reached.{0,80}|(?:\d+\s*)?(?:reactions?|replies|likes?)",
    re.IGNORECASE,
)
# Subscribe and paywall prompts that SUBSCRIBE_LEAD (which wants a newsletter word) lets pass.
PAYWALL = re.compile(
    r"(?:click|tap) here to (?:subscribe|sign up|register|get|download|read|continue|follow).{0,150}"
    r"|already (?:a )?(?:member|subscriber|registered)(?:\?.{0,80}|[.!]?)|(?:to )?(?:continue"
    r"|keep) reading.{0,120}"
    r"|to read the (?:full|rest of the|whole) (?:story|article).{0,120}|(?:unlock|read) (?:this"
    r"|the full) (?:article|story).{0,120}"
    r"|this (?:article|story|content) is (?:for|available to|only available to|reserved for) .{0,120}"
    r"|you (?:have|[’']ve) (?:\d+|one|two|three) free (?:articles?|stories) (?:left|remaining).{0,80}"
    r"|you[’']ve (?:read|reached) .{0,60}(?:free|limit).{0,80}|(?:start|begin) (?:your|a) free trial.{0,120}"
    r"|get (?:unlimited|full|digital|instant) access.{0,120}|(?:become|join as) a (?:member|subscriber"
    r"|supporter).{0,120}"
    r"|(?:give|send) (?:a|this) gift.{0,80}|(?:gift|share) this article.{0,80}|(?:need"
    r"|want) more \w+\?.{0,150}subscri.{0,150}"
    r"|get .{0,60} delivered .{0,100}|(?:get|download) (?:the|our) .{0,40}app.{0,80}"
    r"|let our news meet your inbox.{0,120}",
    re.IGNORECASE,
)
# Publisher standards and policy lines.
STANDARDS = re.compile(
    r"(?:our (?:standards|editorial (?:standards|guidelines|policy)|ethics policy)|editorial (?:standards"
    r"|guidelines)"
    r"|the thomson reuters trust principles|(?:learn|read) (?:more )?about (?:our|how we) .{0,60}"
    r"|(?:this (?:article|story) (?:was|has been) )?fact[- ]checked by .{0,80}|corrections? policy"
    r"|(?:to )?(?:report|submit) (?:a correction|an error|a typo).{0,100}|have a (?:news )?tip\?.{0,200}"
    r"|reuse this content|(?:reprints?|licensing) (?:and|&) (?:permissions|licensing).{0,60}"
    r"|ethics statement)"
    r"(?:\s*[:.|–—-]\s*.{0,120})?",
    re.IGNORECASE,
)
# Image credits that name the image's place or source: "Header image: via Wikimedia Commons".
IMAGE_CREDIT = re.compile(
    r"(?:(?:header|featured?|top|lead|main|cover|hero|banner|thumbnail|teaser|article|story|file|title)\s+)?"
    r"(?:image|photo|picture|illustration|graphic|video)s?\s*(?:credits?|copyright|source|courtesy)?"
    r"\s*(?::|\||via|courtesy(?: of)?)\s*\S.{0,150}"
    r"|credits?\s*(?:\.\.\.|…|:)\s*\S.{0,150}|(?:image|photo)s? (?:copyright|via|courtesy) .{0,150}"
    r"|(?:file )?photo\s*:.{0,150}",
    re.IGNORECASE,
)
# A caption's credit line alone: "Jane Roe/Reuters", "Michael Conroy, AP", "Getty Images".
CREDIT_ALONE = re.compile(
    r"(?:[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){0,3}\s*(?:/|,|for)\s*)+"
    r"(?:Getty Images|AFP|AP|Associated Press|Reuters|EPA(?:-EFE)?|Bloomberg|Shutterstock|iStock|Alamy|Xinhua"
    r"|The [A-Z]\w+(?: [A-Z]\w+){0,3}|[A-Z]\w+(?: [A-Z]\w+){0,2} Images|[A-Z][A-Za-z]+Net|NASA|ZDNet|CNET)"
    r"(?:\s*/\s*[A-Z][\w ]{1,30})?"
)
CREDIT_ALONE_MAX = 80  # characters
# Gallery counters and timestamps that stand alone: "Image 1 of 23", "1 / 23", "Published 11:34 PM EST
# Nov 19, 2019", "Updated at 1:23 p.m.", "Jane Roe 2019-11-20 14:35:08".
GALLERY = re.compile(
    r"(?:(?:image|photo|picture|slide|foto)s?\s*)?\d{1,3}\s*(?:of|/|-|von|de|sur)\s*(?:/\s*)?\d{1,4}"
    r"(?:\s*(?:of|/)\s*\d{1,4})?",
    re.IGNORECASE,
)
_DATE_WORDS = (
    r"(?:[\d:.,/|\s-]|[ap]\.?m\.?|[A-Z]{2,4}\b|on\b|at\b"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)[a-z]{0,6}\.?)"
)
# "11/19/19 06:56 AM EST", "19.11.2019, 21:17": a date in figures, with a time of day or not.
NUMERIC_DATE = (
    r"\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4},?(?:\s*(?:at\s*)?\d{1,2}[:.]\d{2}(?:[:.]\d{2})?\s*(?:[ap]\.?m\.?)?"
    r"(?:\s*[A-Z]{2,4})?)?"
)
NUMERIC_DATE_LINE = re.compile(NUMERIC_DATE, re.IGNORECASE)
# "Updated 3 hours ago", "Posted by Admin on March 3, 2026": a stamp with a relative time or a poster.
_RELATIVE_TIME = r"(?:\d{1,3}|an?|one)\s+(?:second|sec|minute|min|hour|hr|day|week|month|year)s?\s+ago"
TIMESTAMP = re.compile(
    r"(?:published|updated|posted|last updated|modified|first published)\s*:?\s*"
    + _DATE_WORDS
    + r"{3,70}"
    r"|(?:(?:published|updated|posted|last updated|modified)\s*:?\s*)?" + _RELATIVE_TIME
    + r"|(?:posted|published|written) by [A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,3} on " + _DATE_WORDS + r"{3,40}"
    r"|\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}(?::\d{2})?)?(?: [A-Z][\w'’.-]+){1,3}"
    r"|" + NUMERIC_DATE,
    re.IGNORECASE,
)

# Republication notices.
REPUBLISH = re.compile(
    r"(?:this (?:article|story|post|piece) (?:is|was|has been|(?:may|can) be) )?"
    r"(?:re-?published|re-?printed|reposted|syndicated)"
    r"(?: with (?:the )?permission| from| under| courtesy| by arrangement| here).{0,200}"
    r"|republish (?:this|our) (?:article|story|content).{0,200}|republication (?:rights|notice"
    r"|policy).{0,120}"
    r"|(?:for )?(?:reprint|republishing|syndication) (?:rights|requests|and licensing|inquiries).{0,120}"
    r"|read the original (?:article|story|post)(?: (?:here|on|at) .{0,80})?\.?"
    r"|(?:you (?:may|can) )?(?:freely )?republish .{0,200}|(?:this (?:article"
    r"|work) is )?licensed under (?:a |the )?creative commons.{0,200}",
    re.IGNORECASE,
)
# Share lines: every item a network, a count or a label.
SHARE_EXTRA = re.compile(
    r"(?:sharing is caring|share (?:this|the) (?:article|story|post|page)(?: (?:on|via|with))?"
    r"|like this (?:story|article)\?.{0,60}|share it with .{0,40}|follow (?:us"
    r"|[A-Z]\w*(?: [A-Z]\w*){0,3}) on\b.{0,120}"
    r"|get short url|short url|\d[\d,.]*[km]?\s*shares?|shares?\s*\d[\d,.]*[km]?|copy (?:link|url)"
    r"|google\+|blogger|stumbleupon|tumblr|vk|weibo|wechat|xing|pocket|buffer|sms|threads|bluesky|mastodon"
    r"|instagram|youtube|mix|digg|delicious|viber|line|skype|yummly|evernote|gmail"
    r"|follow [^.]{1,60}? on (?:facebook|twitter|instagram|x|linkedin|youtube|tiktok|telegram"
    r"|threads)\b.{0,120}"
    r"|(?:tempo de leitura|tiempo de lectura|temps de lecture|lesezeit"
    r"|tempo di lettura)\s*:?\s*\d+\s*\w{0,10}"
    r"|click here to get .{0,80})[!.:]*",
    re.IGNORECASE,
)
# The families above that are one fullmatch each, in the order they are tried, with their reasons and
# the longest line each removes. They are compiled into one alternation per length band, holding only
# the families whose lines can be that long: a long sentence is not tried against button labels.
_FURNITURE_FAMILIES: tuple[tuple[str, re.Pattern[str], int], ...] = (
    ("consent", CONSENT_BUTTON, 60),
    ("tags", TAGS, 260),
    ("tags", TAGS_BARE, 160),
    ("prev-next", PREV_NEXT, 260),
    ("sign-in", SIGN_IN, 200),
    ("subscribe", PAYWALL, 300),
    ("standards", STANDARDS, 300),
    ("photo-credit", IMAGE_CREDIT, 200),
    ("republication", REPUBLISH, 300),
    ("share-widget", SHARE_EXTRA, 200),
    ("gallery", GALLERY, 40),
    ("date", TIMESTAMP, 90),
)


def _alternation(families: tuple[tuple[str, re.Pattern[str]], ...]) -> re.Pattern[str]:
    """One pattern trying the families in order; the group that matched (f0, f1, ...) names the family."""
    return re.compile(
        "|".join(
            f"(?P<f{index}>{f'(?i:{pattern.pattern})' if pattern.flags & re.IGNORECASE else pattern.pattern})"
            for index, (_, pattern) in enumerate(families)
        )
    )


def _band(longest: int) -> tuple[int, Leads, re.Pattern[str], dict[str, str]]:
    """(band's longest line, how its matches begin, alternation of the families that reach it, group
    name → reason)."""
    families = tuple((reason, pattern) for reason, pattern, reach in _FURNITURE_FAMILIES if reach >= longest)
    reasons = {f"f{index}": reason for index, (reason, _) in enumerate(families)}
    return longest, Leads([pattern for _, pattern in families]), _alternation(families), reasons


FURNITURE_BANDS = tuple(_band(reach) for reach in sorted({reach for _, _, reach in _FURNITURE_FAMILIES}))

# Headlines ending the text after its last paragraph: this many or more, each this many words or more.
MIN_TRAILING_HEADLINES = 3
MIN_TRAILING_WORDS = 4
# ... and between two paragraphs, with no heading: this many or more.
MIN_INLINE_HEADLINES = 3
# Not another story's headline: a deal's price, an interview's "Q: ...", a quoted sentence (a pull
# quote), a caption with its "(Image: ...)" credit.
NOT_A_TEASER = re.compile(
    r"[$€£¥]\s?\d|\d\s?(?:USD|EUR|yuan)\b|^[A-Z]{1,2}:\s|[.!?][”\"’]$|\((?:Image|Photo|Picture|Credit)s?\s*:"
)

# Notes found by a word inside the line, not by its start: each rule checks its word first (cheap),
# then the pattern. "Jane Roe contributed reporting from Hong Kong." "GET THE APP BY CLICKING HERE".
# "Jane Roe 2019-11-20 14:35:08": a name, then a timestamp (found by its ISO date).
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
NAMED_STAMP_MAX = 90  # characters
NAMED_STAMP = re.compile(r"(?:[A-Z][\w'’.-]+ ){1,3}\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}(?::\d{2})?)?")
# "The Times is committed to publishing a diversity of letters...": a standards note.
COMMITTED_WORD = "committed to"
COMMITTED = re.compile(
    r"(?:we|the \w+(?: \w+)?) (?:is|are) committed to .{0,40}(?:accuracy|publishing a diversity).{0,200}",
    re.IGNORECASE,
)
CONTRIBUTED_WORD = "contributed"
CONTRIBUTED = re.compile(
    r"[A-Z][^.]{0,120}\s(?:also )?contributed (?:reporting|research|to this (?:report|article"
    r"|story))[^.]{0,100}\.?"
)
CLICK_HERE = re.compile(r".{0,80}\bby clicking here[!.]*", re.IGNORECASE)
WORD_NOTE_MAX = 260  # characters

# Menus rendered one item per line: runs of this many short lines or more, each a label.
MENU_MIN_ITEMS = 6
MENU_ITEM_WORDS = 3
# A numbered "most read" list: "1. Headline" (or "1 Headline") in order, this many or more.
NUMBERED_ITEM = re.compile(r"(?P<n>\d{1,2})\s*[.)]?\s+(?P<head>\S.*)")
MIN_NUMBERED_ITEMS = 3
MIN_NUMBERED_WORDS = 4  # "1. Neodymium" lists elements; a headline has a verb and a subject
# A caption printed twice (image alt text and figcaption): one copy goes to captions.
DOUBLED_CAPTION_MAX = 400
REPORTED_SPEECH = re.compile(r"\b(?:said|says|told|according to)\b|[“\"]")

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
DATE_HEAD = (
    r"[\s,]*(?:\d|[A-Za-z]{3,9}+\.?\s+\d|(?i:published|updated|posted|last updated|modified|date)"
    r"|[发發][布佈]|更新|[时時][间間]|日期|公開日|掲載日)"
)
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

# ---------------------------------------------------------------------------------------------------------
# Families found by their neighbours (monitor.extract.context).

# A media player's label over its title (and summary): "Video", "Watch", "Play video", "Listen".
PLAYER_LABEL = re.compile(
    r"(?:video|watch(?: now| video)?|play(?: video)?|listen(?: now)?|podcast)\s*[:.]?", re.IGNORECASE
)
# A gallery link: "Best gifts under $50 ... SEE FULL GALLERY", "View gallery".
GALLERY_LINK = re.compile(
    r".{0,150}\b(?:see|view|open|browse) (?:the )?(?:full |whole |entire )?(?:photo )?gallery\W*",
    re.IGNORECASE,
)
# A bare link under a teaser: "Read more", "Continue reading", "Read the full story".
BARE_READ_MORE = re.compile(
    r"(?:read (?:more|the full (?:story|article)|on)|continue reading|full story|more)\s*(?:[»›>→…]|\.\.\.)?",
    re.IGNORECASE,
)
# Bylines without "By" above the timestamp: names, joined by these, and an outlet's words.
NAME_JOINERS = frozenset(
    {"and", "&", "de", "van", "von", "der", "den", "da", "del", "la", "le", "bin", "al", "wire", "services",
     "staff", "reports"}
)
OUTLET_WORDS = frozenset(
    {"Press", "News", "Associated", "Reuters", "Times", "Post", "Journal", "Herald", "Tribune", "Leader",
     "Gazette", "Observer", "Telegraph", "Chronicle", "Bloomberg", "AFP", "AP", "Staff", "Wire", "Agency"}
)
BYLINE_MAX_WORDS = 12
# A credit label alone on its line, the credit on the next: "Photo:", "Фото:", "Image credit:".
CREDIT_LABEL = re.compile(
    r"(?:photo(?:graph)?s?|pictures?|images?|credits?|image credits?|photo credits?|source|foto|фото"
    r"|fotó|zdjęcie|bild|crédit photo|crédito)\s*:?",
    re.IGNORECASE,
)
CREDIT_MAX_WORDS = 8
# Author bios among the text's last lines.
BIO_TAIL = 1
BIO_MAX = 400  # characters
AUTHOR_BIO = re.compile(
    r"(?:[A-Z][\w'’.-]+ ){1,3}(?:(?:is|was|has been)\b.{0,80}?"
    r"\b(?:reporter|writer|editor|correspondent|journalist|columnist|contributor|curator|producer"
    r"|freelancer?|author|blogger|critic)\b|(?:covers|writes about|reports on)\b)"
)
FOLLOW_AUTHOR = re.compile(
    r"\b(?:follow (?:him|her|them|me)|email (?:him|her|them)|reach (?:him|her|them)|contact (?:him|her|them))"
    r"\b.{0,20}\b(?:on|at|@|via)\b",
    re.IGNORECASE,
)
# A copyright notice inside the line: "The contents of this site are ©2019 Example Corp."
COPYRIGHT_INSIDE = re.compile(r"©\s*(?:\d{4}|[A-Z])|(?i:\(c\)|copyright)\s*©?\s*\d{4}\b")
COPYRIGHT_INSIDE_MAX = 200
# A caption ending with a © credit: "Workers at the plant, May 2, 2019. © Reuters / Jane Roe".
CAPTION_COPYRIGHT_TAIL = re.compile(r"[.!?”\"’)]\s+©\s*[A-Z][^©.!?]{0,80}$")
# A prompt in the last sentence of a short paragraph: "There's more where that came from. Sign up for
# the free daily newsletter delivered to your inbox."
SUBSCRIBE_TAIL_HINTS = ("ign up", "ubscribe", "newsletter")
SUBSCRIBE_TAIL_MAX = 300  # characters
# A caption that points at its picture: "This satellite image from the agency shows fires near the city."
# Only "This ...": "Satellite images show the mine has grown" is how a news sentence reports imagery.
POINTING_CAPTION = re.compile(
    r"This (?:[\w’'-]+ ){0,2}"
    r"(?:image|photo(?:graph)?|picture|map|chart|graph|graphic|screenshot|still|illustration)"
    r"\b[^.]{0,120}?\b(?:shows|depicts|was taken)\b[^\n]{0,200}"
)
POINTING_CAPTION_MAX = 250  # characters
# A shopping link: "Buyer's Guide: Example Laptop (Buy Now)", "Example Phone [Check price]".
SHOP_LINK = re.compile(
    r".{0,150}[(\[](?:buy now|shop now|check price|see price|view deal|get (?:the )?deal|buy on \w+)[)\]]\W*",
    re.IGNORECASE,
)
