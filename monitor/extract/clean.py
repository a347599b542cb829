"""Text-level cleaning: take the scraping noise out of an article's text, keep the body.

Works on plain-text scrapes (one paragraph per line) and on text an HTML extractor produced
(paragraphs separated by blank lines): every non-empty line is one paragraph. Three steps: a scan
for what only neighbours reveal (lists of other stories' headlines, captions printed twice); one
pass judging each line by the families' rules in a fixed order; then, among the lines that survived,
repeats, menus and headline runs ending the text, until none is left. Nothing is silently dropped:
every removed line is returned with a reason slug, and lines that carry meaning (bylines,
syndication notes, disclaimers, widget dates, captions) become fields.

Module layout: ``normalize`` fixes characters and markup, ``boilerplate`` holds the patterns of
every noise family as data, ``headlines`` finds lists and menus by their shape, ``leads`` lets most
lines skip the furniture patterns, and this module is the classifier that applies them.

Rules (reason slugs): ``headline-list``, ``menu``, ``separator``, ``wp-debris``, ``signoff``,
``share-widget``, ``comment-count``, ``date``, ``byline``, ``photo-credit``, ``origin``,
``disclaimer``, ``copyright``, ``advertisement``, ``subscribe``, ``read-more``, ``consent``,
``breadcrumb``, ``tags``, ``prev-next``, ``sign-in``, ``standards``, ``republication``, ``gallery``,
``duplicate``, ``caption``. docs/extraction.md shows each with examples.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from monitor.extract import boilerplate as bp
from monitor.extract import provenance
from monitor.extract.context import bio_lines, context_lines
from monitor.extract.headlines import (
    headline_list_lines,
    inline_headline_lines,
    is_headline_like,
    is_separator,
    menu_lines,
    numbered_list_lines,
    trailing_headline_lines,
    unbullet,
)
from monitor.extract.layout import CELL_SEPARATOR
from monitor.extract.normalize import prepare
from monitor.models import Removed

__all__ = ["Cleaned", "clean", "headline_list_lines", "is_headline_like"]


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
# A cheap gate before the line rules (see boilerplate.NOISE_HEAD): most lines are sentences no rule
# removes, and trying every rule on each would cost more than the extraction itself.


def _may_be_noise(line: str) -> bool:
    """False only for lines none of the _SHORT_RULES can remove."""
    return (
        bp.NOISE_HEAD.match(line) is not None
        or bp.RIGHTS_TAIL.search(line, max(len(line) - bp.RIGHTS_TAIL_CHARS, 0)) is not None
    )


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
    refrains: frozenset[str] = frozenset()  # long lines printed three times or more: the text's own
    origin: str | None = None
    published: str | None = None
    tidy: bool = False  # lines hold no whitespace but single inner spaces: see _dedup_key
    extracted: bool = False  # the text is one block an HTML extractor chose: see clean
    table: set[str] = field(default_factory=set)  # rows of a data table: see _table_rows

    def remove(self, line: str, reason: str) -> None:
        self.removed.append(Removed(text=line, reason=reason))

    def result(self) -> Cleaned:
        return Cleaned(
            text="\n\n".join(self.kept),
            removed=tuple(self.removed),
            # "By Jane Doe, Reuters": the agency is the outlet (provenance.byline_wire), not a writer.
            authors=tuple(name for name in self.authors if name not in provenance.WIRES),
            origin=self.origin,
            flags=tuple(self.flags),
            captions=tuple(self.captions),
            published=self.published,
        )


def clean(text: str, *, extracted: bool = False) -> Cleaned:
    """Remove scraping noise from an article's text; see the module docstring for the rules.

    ``extracted``: the text is the block an HTML extractor chose, not a scrape of a whole page. A
    long paragraph printed twice is then the article's own (a placeholder under two headings, a
    paragraph the page prints twice in its body), not a teaser the page's furniture repeats: on the
    extracted text of both vendored collections, removing such repeats lost body text and no noise.
    """
    lines, debris, tidy = prepare(text, extracted)
    collector = _Collector(tidy=tidy, refrains=_long_refrains(lines, tidy), extracted=extracted)
    by_shape = _shaped_runs(lines, collector)
    table = _table_rows(lines)
    for index, line in enumerate(lines):
        if index in table:
            collector.kept.append(line)
            collector.table.add(line)
        elif index in by_shape:
            reason = by_shape[index]
            if reason == "caption":
                collector.captions[line] = None
                collector.seen.add(_dedup_key(line, collector.tidy))
            collector.remove(line, reason)
        elif index in debris and is_separator(line or "-"):
            collector.remove(debris[index], "wp-debris")
        else:
            _judge(line, collector)
    _remove_by_context(collector)
    return collector.result()


def _table_rows(lines: list[str]) -> frozenset[int]:
    """Rows of a data table: two or more lines in a row with the same number of cells, cells joined
    by ``CELL_SEPARATOR`` (the extractor lays a data table's row out so, monitor/extract/layout.py).

    Kept whole and unjudged: a table's cells are labels and figures, which read as a menu, a list of
    headlines or a breadcrumb line by line. A breadcrumb ("Home | Markets | Commodities") or a
    footer's link line stands alone, and a run of them is rare: on the whole-page text of the dev
    pages, keeping such runs cost 0.1 point of noise removed and kept about 40 table rows of body.
    """
    found: set[int] = set()
    bar = CELL_SEPARATOR.strip()
    start = 0
    for index in range(1, len(lines) + 1):
        cells = lines[start].count(bar) if CELL_SEPARATOR in lines[start] else 0
        if index < len(lines) and cells and lines[index].count(bar) == cells:
            continue  # the run goes on
        if index - start >= 2 and cells:
            found.update(range(start, index))
        start = index
    return frozenset(found)


def _long_refrains(lines: list[str], tidy: bool) -> frozenset[str]:
    """Long paragraphs printed three times or more: maybe a refrain (a meal plan's "Asparagus and Eggs
    [1 cup ...]" on each day), maybe not. The line pass keeps them; _long_repeats then decides on what
    survived, so that cleaning twice gives what cleaning once gave."""
    count = _long_counts(lines, tidy)
    return frozenset(key for key, seen in count.items() if seen >= bp.REFRAIN_MIN)


def _long_counts(lines: list[str], tidy: bool) -> dict[str, int]:
    count: dict[str, int] = {}
    for line in lines:
        if len(line) >= bp.DUPLICATE_ANYWHERE:
            key = _dedup_key(line, tidy)
            count[key] = count.get(key, 0) + 1
    return count


def _long_repeats(collector: _Collector) -> bool:
    """Among the surviving lines, long lines printed three times or more that are not refrains: when
    most long lines repeat, the whole text was pasted again, and every copy after the first goes. A
    page copies a caption or a teaser, not a paragraph three times: otherwise they are refrains and
    stay, as does a single paragraph repeated with nothing else: a paste copies more than one. Whether
    something was removed."""
    if not collector.refrains:
        return False  # no long line was printed three times: none can be now
    lines, tidy = collector.kept, collector.tidy
    count = _long_counts(lines, tidy)
    repeated = {key for key, seen in count.items() if seen >= bp.REFRAIN_MIN}
    # A pasted text repeats several paragraphs; one paragraph printed under each of several headings,
    # or over and over, is the text's own refrain (a template's placeholder, a chorus).
    if len(repeated) < 2 or len(repeated) * 2 <= len(count):
        return False
    first: set[str] = set()
    removed: set[int] = set()
    for index, line in enumerate(lines):
        if len(line) >= bp.DUPLICATE_ANYWHERE and (key := _dedup_key(line, tidy)) in repeated:
            if key in first:
                removed.add(index)
            first.add(key)
    for index in sorted(removed):
        collector.remove(lines[index], "duplicate")
    collector.kept = [line for index, line in enumerate(lines) if index not in removed]
    return bool(removed)


def _remove_by_context(collector: _Collector) -> None:
    """Long and short repeats, menus and trailing lists of other stories are found among the lines that
    survived, until none is left: judged on what a second cleaning would see, so that cleaning twice
    gives what cleaning once gave (taking a menu out can join the headlines around it into a trailing
    run, or leave a line printed twice where it was printed three times)."""
    finders = (
        (lambda lines: _repeated_lines(lines, collector.tidy, collector.extracted), "duplicate"),
        (menu_lines, "menu"),
        (trailing_headline_lines, "headline-list"),
        (bio_lines, "author-bio"),
    )
    changed = True
    while changed:
        changed = _long_repeats(collector)
        for find, reason in finders:
            found = {index for index in find(collector.kept) if collector.kept[index] not in collector.table}
            for index in sorted(found):
                collector.remove(collector.kept[index], reason)
            if found:
                collector.kept = [line for index, line in enumerate(collector.kept) if index not in found]
                changed = True


def _shaped_runs(lines: list[str], collector: _Collector) -> dict[int, str]:
    """Lines judged by their neighbours: lists of other stories, captions printed twice."""
    found = dict.fromkeys(numbered_list_lines(lines), "headline-list")
    found.update(dict.fromkeys(headline_list_lines(lines), "headline-list"))
    found.update(dict.fromkeys(inline_headline_lines(lines), "headline-list"))
    for index, reason in context_lines(lines).items():
        found.setdefault(index, reason)
    for index in range(len(lines) - 1):
        line = lines[index]
        if (
            bp.DUPLICATE_MIN <= len(line) <= bp.DOUBLED_CAPTION_MAX
            and lines[index + 1] == line
            and index not in found
            and (index == 0 or lines[index - 1] != line)  # exactly twice: a paragraph stuttering
            and (index + 2 == len(lines) or lines[index + 2] != line)  # three times is not a figure
            and not is_headline_like(line)  # a title printed twice is still the title
            and bp.REPORTED_SPEECH.search(line) is None  # a paragraph quoting someone is article text
            and _dedup_key(line, collector.tidy) not in collector.refrains  # two of a refrain's copies
        ):
            found[index], found[index + 1] = "caption", "duplicate"
    return found


def _judge(line: str, collector: _Collector) -> None:
    """Keep the line, or remove it with a reason and harvest what it says."""
    subhead = bp.SUBHEAD.fullmatch(line) if line.startswith(("-", "–", "—")) else None
    if subhead is not None:
        line = subhead.group("head")
    reason = _noise_reason(line, collector) if len(line) <= bp.SHORT else _long_line_reason(line, collector)
    if reason is None:
        reason = _repeat_reason(line, collector)
    if reason is None:
        collector.kept.append(line)
    else:
        collector.remove(line, reason)


def _noise_reason(line: str, collector: _Collector) -> str | None:
    if _is_consent(line):
        return "consent"
    note = _word_note(line)
    if note is not None:
        return note
    if _may_be_noise(line):
        for rule in _SHORT_RULES:
            reason = rule(line, collector)
            if reason is not None:
                return reason
    return _furniture(line) or _caption(line, collector) or _inner_notice(line)


def _inner_notice(line: str) -> str | None:
    """A copyright notice or a subscribe prompt inside the line rather than at its start."""
    if (
        len(line) <= bp.COPYRIGHT_INSIDE_MAX
        and ("©" in line or "opyright" in line or "(c)" in line)
        and bp.COPYRIGHT_INSIDE.search(line)
        and not line.endswith((".”", '."'))  # a quoted sentence that mentions a copyright
    ):
        return "copyright"
    if line[-1:] in (")", "]") and bp.SHOP_LINK.fullmatch(line):
        return "advertisement"
    if len(line) <= bp.SUBSCRIBE_TAIL_MAX and any(map(line.__contains__, bp.SUBSCRIBE_TAIL_HINTS)):
        last = line.rstrip(" .!").rsplit(". ", 1)[-1]
        if bp.SUBSCRIBE_LEAD.match(last) and bp.SUBSCRIBE_WORD.search(last):
            return "subscribe"
    return None


def _long_line_reason(line: str, collector: _Collector) -> str | None:
    # Long lines are body text unless they are consent notices, disclaimers, syndication notes or captions.
    if _is_consent(line):
        return "consent"
    return _disclaimer(line, collector) or _caption(line, collector)


def _word_note(line: str) -> str | None:
    """Notes recognised by a word inside the line (see boilerplate.CONTRIBUTED, CLICK_HERE)."""
    if len(line) > bp.WORD_NOTE_MAX:
        return None
    if bp.CONTRIBUTED_WORD in line and bp.CONTRIBUTED.fullmatch(line):
        return "signoff"
    if bp.COMMITTED_WORD in line and bp.COMMITTED.fullmatch(line):
        return "standards"
    if len(line) <= bp.NAMED_STAMP_MAX and bp.ISO_DATE.search(line) and bp.NAMED_STAMP.fullmatch(line):
        return "date"
    if ("licking here" in line or "LICKING HERE" in line) and bp.CLICK_HERE.fullmatch(line):
        return "read-more"
    return None


def _is_consent(line: str) -> bool:
    if len(line) > bp.CONSENT_MAX:
        return False
    # A few substring scans cost a third of one regex search for any of them.
    if not any(map(line.__contains__, bp.CONSENT_HINTS)):
        return False
    return bp.CONSENT_NOTICE.search(line) is not None


def _repeat_reason(line: str, collector: _Collector) -> str | None:
    """A long paragraph printed again, or a repeat of a caption. Shorter repeats are judged once all
    lines are (see _repeated_lines)."""
    if len(line) < bp.DUPLICATE_MIN or (collector.extracted and not _judged_by_count(line)):
        return None
    key = _dedup_key(line, collector.tidy)
    if key in collector.refrains:
        return None
    if key in collector.seen:
        return "duplicate"
    if not _judged_by_count(line):
        collector.seen.add(key)
    return None


def _judged_by_count(line: str) -> bool:
    """Whether a repeat of the line may be a refrain: a short line, or a question (the one an
    interviewer puts to each guest can be long)."""
    return len(line) >= bp.DUPLICATE_MIN and (len(line) < bp.DUPLICATE_ANYWHERE or line.endswith("?"))


def _repeated_lines(lines: list[str], tidy: bool, extracted: bool = False) -> set[int]:
    """Copies among the surviving short lines and questions: a line right after itself, and the
    second of a line printed exactly twice. One printed three times or more is the text's own refrain
    (the question put to each guest of an interview, a meal plan's "Drink during your workout"), kept.

    In an extracted text only the line right after itself is a copy: inside the block the extractor
    chose, a short line printed twice apart is the article's (a tweet's attribution under two
    embedded posts, a recipe step, a vote prompt under each candidate). On the extracted text of both
    vendored collections that rule removed 27 lines, 25 of them body the ground truth has twice.
    """
    copies: set[int] = set()
    count: dict[str, int] = {}
    previous = None
    for index, line in enumerate(lines):
        if not _judged_by_count(line):
            previous = None
            continue
        key = _dedup_key(line, tidy)
        if key == previous:
            copies.add(index)
            continue
        previous = key
        count[key] = count.get(key, 0) + 1
        if count[key] == 2 and not extracted:
            copies.add(index)
    refrains = {key for key, seen in count.items() if seen > 2}
    return {
        index
        for index in copies
        if _dedup_key(lines[index], tidy) not in refrains or _after_itself(lines, index, tidy)
    }


def _after_itself(lines: list[str], index: int, tidy: bool) -> bool:
    return index > 0 and _dedup_key(lines[index - 1], tidy) == _dedup_key(lines[index], tidy)


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
    return "separator" if is_separator(line) else None


def _signoff(line: str, collector: _Collector) -> str | None:
    return "signoff" if len(line) <= 260 and bp.SIGNOFF.fullmatch(line) else None


def _widget(line: str, collector: _Collector) -> str | None:
    """Share/byline/date/read-time widgets, one item per line or several joined by "|" or " - "."""
    if len(line) > 200:
        return None
    parts = [part for part in bp.WIDGET_SPLIT.split(unbullet(line)) if part.strip(" -–—|")]
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
    if bp.SHARE.fullmatch(part) or bp.READ_TIME.fullmatch(part):
        return "share-widget"
    if bp.COMMENTS.fullmatch(part):
        return "comment-count"
    if provenance.parse_date(part) or bp.NUMERIC_DATE_LINE.fullmatch(part) or bp.TIMESTAMP.fullmatch(part):
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
    return "photo-credit" if bp.CREDIT_LINE.fullmatch(line) else None


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
        return _origin(line, collector) if len(line) <= bp.SHORT * 2 else None
    collector.flags.update(dict.fromkeys(flags))
    return "disclaimer"


_Rule = Callable[[str, _Collector], "str | None"]


def _fullmatch_rule(pattern: re.Pattern[str], reason: str, max_len: int = 200) -> _Rule:
    def rule(line: str, collector: _Collector) -> str | None:
        return reason if len(line) <= max_len and pattern.fullmatch(line) else None

    return rule


def _subscribe(line: str, collector: _Collector) -> str | None:
    if not bp.SUBSCRIBE_LEAD.match(line) or len(line.split()) > 40:
        return None
    return "subscribe" if bp.SUBSCRIBE_WORD.search(line) else None


def _caption(line: str, collector: _Collector) -> str | None:
    # Credits stand at the end: search only the tail, where a cut line must not count as a line start.
    tail_pattern = bp.CAPTION_TAIL if len(line) <= bp.CAPTION_TAIL_CHARS else bp.CAPTION_TAIL_MID
    tail_start = len(line) - bp.CAPTION_TAIL_CHARS
    hinted = ")" in line[-2:] or bp.CREDIT_WORD.search(line, tail_start) is not None  # "$" may precede "\n"
    credited = bool(hinted and tail_pattern.search(line, tail_start))
    if "©" in line and not credited:
        credited = bp.CAPTION_COPYRIGHT_TAIL.search(line) is not None
    if not credited and line.endswith(("more", "less")):
        credited = bp.CAPTION_TOGGLE.search(line, len(line) - 20) is not None
    if not (credited or bp.IMAGE_CAPTION_LEAD.fullmatch(line)):
        return None
    key = _dedup_key(line, collector.tidy)
    if key in collector.seen:
        return "duplicate"
    collector.seen.add(key)
    collector.captions[line] = None
    return "caption"


def _is_breadcrumb(line: str) -> bool:
    items = [item for item in bp.CRUMB_SPLIT.split(line) if item.strip()]
    if len(items) < bp.CRUMB_MIN_ITEMS and not (len(items) >= 2 and bp.CRUMB_HOME.fullmatch(items[0])):
        return False
    return all(len(item.split()) <= bp.CRUMB_ITEM_WORDS and item[-1] not in ".!?" for item in items)


def _furniture(line: str) -> str | None:
    """The page-furniture families (boilerplate.FURNITURE_BANDS), tried in one regex call, and the two
    families a line's first characters cannot announce: breadcrumbs and bare photo credits."""
    if bp.CRUMB_CHARS.search(line) is not None and _is_breadcrumb(line):
        return "breadcrumb"
    if len(line) <= bp.CREDIT_ALONE_MAX and ("/" in line or "," in line) and bp.CREDIT_ALONE.fullmatch(line):
        return "photo-credit"  # "Jane Roe/Reuters"
    length = len(line)
    for longest, leads, families, reasons in bp.FURNITURE_BANDS:
        if length <= longest:
            if not leads.may_begin(line):
                return None
            match = families.fullmatch(line)
            return reasons[match.lastgroup] if match is not None and match.lastgroup else None
    return None


# A new rule must add what starts the lines it removes to bp.NOISE_HEAD, or the gate holds them back.
_SHORT_RULES: tuple[_Rule, ...] = (
    _separator,
    _signoff,
    _widget,
    _credit,
    _disclaimer,
    _fullmatch_rule(bp.COPYRIGHT, "copyright"),
    _fullmatch_rule(bp.ADVERTISEMENT, "advertisement", max_len=80),
    _subscribe,
    _fullmatch_rule(bp.READ_MORE, "read-more", max_len=220),
)
