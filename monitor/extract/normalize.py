"""Text normalisation before cleaning: characters, entities, markup debris, glued words, line breaks.

Applied to a whole text (glue repair, line breaks) and then to every line, before any line is
judged. Pure functions of strings; nothing here knows what noise is.
"""

from __future__ import annotations

import html
import re

from monitor.extract.boilerplate import SEPARATOR

# Normalisation: characters, entities, markup debris, glued words. Applied to every line first.

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff]")
_SPACES = re.compile(r"[ \t\xa0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# Mangled WordPress block comments whose "<" was lost or mis-decoded: "©!-- /wp:paragraph -->".
_WP_FRAGMENT = re.compile(r"\S?!--\s*/?wp:[^\n]{0,300}?-->|<!--\s*/?wp:[^\n]{0,300}$|^\s*/?wp:[a-z/-]+\s*-->")
# A tag's name is one case ("p", "BR", "svg:rect"); with anything after the name, an attribute ("=") or a
# lone "/": "<The Palace: Tale of Jang Noksu>" is a title in angle brackets, kept.
_TAG = re.compile(
    r"</?(?:[a-z][a-z0-9-]{0,30}|[A-Z][A-Z0-9-]{0,30})(?::[A-Za-z-]{1,30})?"
    r"(?:\s+[^<>=]{0,300}=[^<>]{0,300}|\s*)/?>"
)
# WordPress shortcodes: the known media ones, and any other that carries attributes ([button link=...]).
_SHORTCODE = re.compile(
    r"\[/?(?:caption|embed|gallery|video|audio|playlist)\b[^\[\]]{0,300}\]"
    r"|\[/?[a-z][a-z_-]{1,30}(?:\s+[a-z_-]{1,30}=[\"'“”][^\[\]]{0,300})+\]"
)

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


def normalize_line(line: str, keep_tags: bool = False) -> tuple[str, bool]:
    """The line with characters, entities, markup and spaces fixed; and whether markup debris was found.

    ``keep_tags``: a tag written out in the text is the page's own (see ``prepare``); comments,
    WordPress block fragments and shortcodes are still debris.
    """
    if "&" in line and _ENTITY.search(line):
        line = html.unescape(line)
    # Every _CONTROL character and every _SPACES character but " " is unprintable: skip what is a no-op.
    if not line.isprintable():
        line = _CONTROL.sub("", line)
    stripped = _strip_markup(line, keep_tags)
    had_debris = stripped != line
    if "  " in stripped or not stripped.isprintable():
        stripped = _SPACES.sub(" ", stripped)
    return stripped.strip(), had_debris


def is_tidy(text: str) -> bool:
    """Whether normalize_line would only strip each line: no entity, markup, control or odd space anywhere."""
    if "&" in text or "<" in text or "[" in text or "!--" in text or "wp:" in text or "  " in text:
        return False
    return all(map(str.isprintable, text.split("\n")))


def _strip_markup(line: str, keep_tags: bool = False) -> str:
    if "<" in line or "!--" in line or "wp:" in line:
        line = _strip_comments(_WP_FRAGMENT.sub(" ", line))
        if not keep_tags:
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


def repair_glue(text: str) -> str:
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


def join_lines(text: str) -> str:
    """The text with every line break written as "\\n"."""
    if "\r" in text or "\u2028" in text or "\u2029" in text or "\x85" in text:
        text = re.sub(r"\r\n?|[\u2028\u2029\x85]", "\n", text)
    return text


def prepare(text: str, extracted: bool = False) -> tuple[list[str], dict[int, str], bool]:
    """Non-empty normalised lines, the original text of lines where markup debris was stripped, and
    whether the text was tidy (see is_tidy).

    ``extracted``: the text was laid out from the page's DOM (monitor/extract/layout.py), which keeps
    the page's own spacing and turns every real tag into layout. A word run into a capitalised one
    ("remoteStorage") or a word starting with "of" ("ofrece") is then what the page prints, not a tag
    or full stop a scrape lost, and a tag written out ("the <img> element", a code sample) is text the
    page shows (it was ``&lt;img&gt;`` in the HTML). Only scrapes get glue repair and tag stripping.
    """
    lines: list[str] = []
    debris: dict[int, str] = {}
    # Glue repair runs once over the whole text: one regex scan instead of one per line.
    text = join_lines(text if extracted else repair_glue(text))
    if is_tidy(text):  # most extracted texts: skip the per-line normalisation
        return [line for raw in text.split("\n") if (line := raw.strip())], debris, True
    for raw in text.split("\n"):
        line, had_debris = normalize_line(raw, keep_tags=extracted)
        if (had_debris and SEPARATOR.fullmatch(line or "-")) or (not line and raw.strip()):
            debris[len(lines)] = raw.strip()
            lines.append(line)
        elif line:
            lines.append(line)
    return lines, debris, False
