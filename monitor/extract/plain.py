"""Plain-text articles (``.txt`` files, feeds that carry text): clean, then find the title.

A text file has no <title>: the title is its first kept line when that line reads like a headline
(and then it is not repeated in the body); otherwise a short one is made from the first sentence.
"""

from __future__ import annotations

import logging
import re

from monitor import log
from monitor.extract import provenance
from monitor.extract.clean import Cleaned, clean, is_headline_like
from monitor.extract.headlines import WIDE_CHAR
from monitor.models import EmptyReason, Extracted

logger = logging.getLogger(__name__)

_MIN_TITLE_WORDS = 3  # "Highlights" or "Key points" label a section; they are not titles
_MAX_TITLE_WORDS = 20
_MAX_TITLE_CHARS = 140
_SENTENCE_END = re.compile(r"(?<=[^\s.][.!?])[\"'”’)]?\s+(?=[\"'“‘(]?[A-Z0-9])")
_BULLET = re.compile(r"[-–—•·*▪►]\s+")
_CLAUSE_BREAK = re.compile(r"\s*(?:,|;|:|，|；|：|\s[-–—]\s)\s*")
# Chinese and Japanese: no spaces between words, sentences end with 。！？.
_CJK_SENTENCE_END = re.compile(r"(?<=[。！？])")
_CJK_TITLE_CHARS = (4, 60)


def extract_plain(text: str, url: str | None = None) -> Extracted:
    """Extract title, body and provenance from a plain-text article. Never raises."""
    try:
        return _extract(text)
    except Exception as error:  # a bad input must cost one article, never the pipeline
        log.event(logger, "extract_plain_failed", url=url, error=repr(error)[:200])
        return Extracted(empty_reason=EmptyReason.ERROR)


def _extract(text: str) -> Extracted:
    cleaned = clean(text)
    title, body = split_title(cleaned.text)
    return _as_extracted(cleaned, title, body)


def _as_extracted(cleaned: Cleaned, title: str, body: str) -> Extracted:
    return Extracted(
        title=title,
        text=body,
        authors=cleaned.authors or _removed_authors(cleaned),
        published=cleaned.published,
        site_name=named_outlet(cleaned, body),
        captions=cleaned.captions,
        origin=cleaned.origin,
        flags=cleaned.flags,
        removed=cleaned.removed,
        empty_reason=None if body else EmptyReason.NO_TEXT,
    )


def named_outlet(cleaned: Cleaned, body: str) -> str | None:
    """Who published a text, as the text itself says: a wire dateline, the syndication note, or a
    wire naming itself ("told AFP"). A text file has no site metadata; this stands in for it."""
    first = body.split("\n\n", 1)[0]
    return (
        provenance.dateline_outlet(first)
        or cleaned.origin
        or next((wire for line in _bylines(cleaned) if (wire := provenance.byline_wire(line))), None)
        or provenance.wire_outlet(body)
    )


def _bylines(cleaned: Cleaned) -> list[str]:
    return [removed.text for removed in cleaned.removed if removed.reason == "byline"]


def _removed_authors(cleaned: Cleaned) -> tuple[str, ...]:
    """Writers named by lines the cleaner took out: a wire sign-off, a share widget with a name."""
    for removed in cleaned.removed:
        if removed.reason == "signoff":
            name = provenance.signoff_author(removed.text)
        elif removed.reason == "share-widget":
            name = provenance.share_author(removed.text)
        else:
            continue
        if name:
            return (name,)
    return ()


def split_title(text: str) -> tuple[str, str]:
    """(title, body) from cleaned text: a headline-like first paragraph moves out of the body."""
    paragraphs = text.split("\n\n") if text else []
    if not paragraphs:
        return "", ""
    first = paragraphs[0]
    if len(paragraphs) > 1 and (is_headline_like(first, min_words=_MIN_TITLE_WORDS) or _cjk_headline(first)):
        return first, "\n\n".join(paragraphs[1:])
    return derive_title(paragraphs), text


def derive_title(paragraphs: list[str]) -> str:
    """A short title from the first sentence of the first paragraph that is more than a label."""
    for paragraph in paragraphs:
        line = _BULLET.sub("", paragraph, count=1) if _BULLET.match(paragraph) else paragraph
        if len(line.split()) >= _MIN_TITLE_WORDS:
            return _shorten(_first_sentence(line))
    return _shorten(_first_sentence(paragraphs[0]))


def _cjk_headline(line: str) -> bool:
    """A Chinese, Japanese or Korean headline: short, mostly wide characters (``WIDE_CHAR``), no
    sentence or clause punctuation at its end (word counts mean nothing without spaces; Korean has
    spaces but no capitals)."""
    low, high = _CJK_TITLE_CHARS
    return (
        low <= len(line) <= high
        and "\n" not in line
        and line[-1] not in "。！？；：，、.!?;:,"
        and len(WIDE_CHAR.findall(line)) * 2 >= len(line)
    )


def _first_sentence(text: str) -> str:
    sentence = _SENTENCE_END.split(text[:1000], maxsplit=1)[0].strip()
    if WIDE_CHAR.search(sentence):
        sentence = _CJK_SENTENCE_END.split(sentence, maxsplit=1)[0].rstrip("。！？")
    if sentence.endswith(":"):  # "... to comprehensive utilization, emphasizing:" introduces a list
        head, _, _ = sentence.rpartition(",")
        sentence = head or sentence
    return sentence.rstrip(" .:;,")


def _shorten(sentence: str) -> str:
    """At most ~20 words: cut at the last clause break that fits, else at a word, with an ellipsis."""
    words = sentence.split()
    if len(words) <= _MAX_TITLE_WORDS and len(sentence) <= _MAX_TITLE_CHARS:
        return sentence
    head = " ".join(words[:_MAX_TITLE_WORDS])[:_MAX_TITLE_CHARS]
    breaks = [match.start() for match in _CLAUSE_BREAK.finditer(head)]
    if breaks and breaks[-1] >= len(head) // 2:
        return head[: breaks[-1]]
    return head.rsplit(" ", 1)[0].rstrip(" ,;:") + "…"
