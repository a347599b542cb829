"""Alert rules: the ``[[alert]]`` tables of feeds.toml, and which articles each one fires on.

:func:`evaluate` is pure: article, tags and story in, the alerts to create out. A rule fires when
every condition it sets holds (conditions it leaves empty are ignored); within one list of
patterns or keywords, one match is enough (except ``all``).
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from fnmatch import fnmatchcase
from typing import Any

from monitor.alerts.render import Evidence, Facts, lede, markdown
from monitor.models import Alert, Article, Story, Tags
from monitor.schedule import cron_trigger
from monitor.settings import duration, non_negative, one_of, required, setting, string_list

MODES = ("immediate", "digest")
THROTTLE_SCHEDULE = "0 * * * *"  # when a throttled rule without a schedule sends its overflow
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def _name(value: object) -> str | None:
    ok = isinstance(value, str) and _NAME.match(value)
    return None if ok else "must be letters, digits, '.', '_' or '-' (it names the rule in the outbox)"


def _unit(value: object) -> str | None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1
    return None if ok else "must be a number from 0 to 1"


def _pairs(value: Any) -> tuple[tuple[str, str], ...]:
    """``[["element:*", "theme:export-controls"], ...]`` as a tuple of pairs."""
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        value = [value]  # one pair written without the outer list
    if not isinstance(value, list) or not all(_is_pair(p) for p in value):
        raise ValueError(
            'must be a list of pairs of tag patterns, e.g. [["element:*", "theme:export-controls"]]'
        )
    return tuple((p[0], p[1]) for p in value)


def _is_pair(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)


def _number(value: object) -> str | None:
    ok = value is None or (isinstance(value, int | float) and not isinstance(value, bool))
    return None if ok else "must be a number"


def _nonzero(value: object) -> str | None:
    return _number(value) or (None if value else "must not be 0 (10: a rise of 10 %, -10: a fall)")


def _first_mention(value: Any) -> tuple[str, ...]:
    """``true`` (any category), ``false``, or a list of categories."""
    if value is True:
        return ("*",)
    if value is False:
        return ()
    try:
        return string_list(value)
    except ValueError:
        raise ValueError("must be true, false or a list of tag categories") from None


@dataclass(frozen=True, slots=True)
class Rule:
    """One ``[[alert]]`` table: when to alert, whom, and how often."""

    name: str = required("Unique name of the rule; alerts are deduplicated per rule and story.", _name)
    notify: tuple[str, ...] = setting(
        (), "Apprise tags of the targets to tell; empty tells every target.", convert=string_list
    )
    any: tuple[str, ...] = setting(
        (), "Tag patterns (fnmatch, e.g. element:*); the article needs one.", convert=string_list
    )
    all: tuple[str, ...] = setting((), "Tag patterns the article must all have.", convert=string_list)
    none: tuple[str, ...] = setting((), "Tag patterns the article must not have.", convert=string_list)
    categories: tuple[str, ...] = setting(
        (),
        "Tag categories (element, company, ...); the article needs a tag in one of them.",
        convert=string_list,
    )
    min_score: float = setting(0.0, "Lowest relevance (0..1) of the article.", _unit)
    cooccur: tuple[tuple[str, str], ...] = setting(
        (),
        "Pairs of tag patterns that must occur in one sentence, e.g."
        ' [["element:*", "theme:export-controls"]]; one pair is enough.',
        convert=_pairs,
    )
    sources: tuple[str, ...] = setting(
        (), "Only articles from these sources (names, fnmatch).", convert=string_list
    )
    exclude_sources: tuple[str, ...] = setting((), "Never articles from these sources.", convert=string_list)
    outlets: tuple[str, ...] = setting(
        (), "Only articles from these outlets (fnmatch, any case).", convert=string_list
    )
    exclude_outlets: tuple[str, ...] = setting((), "Never articles from these outlets.", convert=string_list)
    keyword: tuple[str, ...] = setting(
        (),
        "Words or phrases; the title or text must contain one (any case, whole words).",
        convert=string_list,
    )
    regex: str | None = setting(None, "Regular expression searched in title and text (case-insensitive).")
    first_mention: tuple[str, ...] = setting(
        (),
        "true: only when the article mentions an entity never seen before; or a list of categories "
        "that entity must belong to.",
        convert=_first_mention,
    )
    mode: str = setting(
        "immediate", "immediate (one message per story) or digest (one message per schedule).", one_of(*MODES)
    )
    schedule: str | None = setting(
        None, 'Cron line of the digest, e.g. "0 8 * * 1-5" (digest mode, throttle).'
    )
    timezone: str = setting(
        "UTC", "Time zone of the schedule and of the times messages show, e.g. Europe/Berlin."
    )
    throttle: int = setting(
        0,
        "At most this many immediate messages per hour; the rest wait for the next digest. 0 is no limit.",
        non_negative,
    )
    max_age: int = setting(
        2 * 86400,
        'Articles published longer ago than this ("2d", "12h"; default 172800 s = 2 days) never raise an'
        " immediate alert (a digest may list them, marked backfill); 0 is no limit.",
        non_negative,
        duration,
    )
    gather: int = setting(
        0,
        'Wait this long ("2m") before the first send, so copies arriving together make one message'
        " that lists every outlet; 0 sends at once.",
        non_negative,
        duration,
    )
    backfill: bool = setting(
        False,
        "true: alert during the first pass of a new source or of this rule too; by default that"
        " pass is backfill and silent.",
    )
    metric: tuple[str, ...] = setting(
        (),
        'Number rule: metric patterns (fnmatch), e.g. "price:ndpr-oxide" or "quota:*". The rule then'
        " fires on number statements (one message per statement), not on articles.",
        convert=string_list,
    )
    above: float | None = setting(
        None,
        "Number rule: fires when a statement puts the metric above this value (the previous one was not).",
        _number,
    )
    below: float | None = setting(
        None,
        "Number rule: fires when a statement puts the metric below this value (the previous one was not).",
        _number,
    )
    change_pct: float | None = setting(
        None,
        "Number rule: fires on a change of at least this many percent vs the previous statement of the"
        " series within window; 10 means a rise of 10 % or more, -10 a fall of 10 % or more.",
        _nonzero,
    )
    window: int = setting(
        90 * 86400,
        'Number rule: how far back ("30d") the previous statement compared by change_pct may be; 0 is'
        " no limit (default 90 days).",
        non_negative,
        duration,
    )
    new: bool = setting(
        False,
        "Number rule: fires on the first statement of a metric for a period not stated before (a new"
        " quota, a new batch).",
    )
    currency: str | None = setting(
        None, 'Number rule: only statements in this currency ("CNY", "USD"); above/below compare in it.'
    )
    unit: str | None = setting(None, 'Number rule: only statements in this unit ("t", "kg", "t/y").')

    @property
    def is_number_rule(self) -> bool:
        return bool(self.metric)

    @property
    def digest_schedule(self) -> str | None:
        """The cron line digests of this rule follow, or None when it never sends digests."""
        if self.mode == "digest":
            return self.schedule
        return (self.schedule or THROTTLE_SCHEDULE) if self.throttle else None


_CONDITIONS = ("any", "all", "categories", "min_score", "cooccur", "keyword", "regex", "first_mention")


def check_rule(rule: Rule) -> tuple[str, str] | None:
    """(key, problem) of the first semantic error in a rule, or None."""
    if rule.is_number_rule or _number_keys_set(rule):
        return _check_number_rule(rule) or _check_schedule(rule)
    return _check_patterns(rule) or _check_schedule(rule) or _check_conditions(rule)


_NUMBER_CONDITIONS = ("above", "below", "change_pct", "new")


def _number_keys_set(rule: Rule) -> bool:
    return any(getattr(rule, key) not in (None, False) for key in (*_NUMBER_CONDITIONS, "currency", "unit"))


def _check_number_rule(rule: Rule) -> tuple[str, str] | None:
    """A number rule names its metric and what to watch, and sets no article condition."""
    if not rule.metric:
        keys = (*_NUMBER_CONDITIONS, "currency", "unit")
        key = next(k for k in keys if getattr(rule, k) not in (None, False))
        return key, 'is a number-rule key: set metric too, e.g. metric = "price:ndpr-oxide"'
    if not any(getattr(rule, key) not in (None, False) for key in _NUMBER_CONDITIONS):
        return "metric", "a number rule needs above, below, change_pct or new = true"
    for key in _CONDITIONS:
        if getattr(rule, key):
            return key, f"a number rule (metric) fires on number statements: {key} does not apply"
    if rule.mode != "immediate" or rule.throttle:
        return "mode", "a number rule sends one message per statement: no digest mode or throttle"
    if rule.above is not None and rule.below is not None and rule.below > rule.above:
        return "below", "below is higher than above: no value could be both"
    return None


def _check_patterns(rule: Rule) -> tuple[str, str] | None:
    if rule.regex is not None:
        try:
            re.compile(rule.regex)
        except re.error as exc:
            return "regex", f"invalid regex {rule.regex!r}: {exc}"
    for key in ("any", "all", "none"):
        for pattern in getattr(rule, key):
            if ":" not in pattern and "*" not in pattern:
                return key, f"{pattern!r} is not a tag: tags look like category:name (element:dysprosium)"
    empty = [word for word in rule.keyword if not word.strip()]
    return ("keyword", "keywords must not be empty") if empty else None


def _check_schedule(rule: Rule) -> tuple[str, str] | None:
    try:
        zoneinfo.ZoneInfo(rule.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return "timezone", f"unknown time zone {rule.timezone!r}"
    if rule.mode == "digest" and not rule.schedule:
        return "schedule", 'digest mode needs a schedule, e.g. "0 8 * * *"'
    if rule.schedule:
        try:
            cron_trigger(rule.schedule, rule.timezone)
        except ValueError as exc:
            return "schedule", f"invalid cron schedule: {exc}"
    return None


def _check_conditions(rule: Rule) -> tuple[str, str] | None:
    if any(getattr(rule, key) for key in _CONDITIONS):
        return None
    return (
        "any",
        "the rule would fire on every article: set any, all, categories, min_score, cooccur, "
        "keyword, regex or first_mention",
    )


# Evaluation ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Found:
    """Why a condition held, and the sentences that show it."""

    reasons: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()


def evaluate(
    rules: Iterable[Rule],
    article: Article,
    tags: Tags,
    story: Story,
    new_entities: frozenset[str],
    article_id: int,
    now: str | None = None,
    quiet: frozenset[str] = frozenset(),
) -> list[Alert]:
    """The alerts the rules raise for one newly stored article. Pure.

    Backfill never raises an immediate alert: an article published more than the rule's
    ``max_age`` before ``now``, or stored while the rule is in ``quiet`` (the first pass of a new
    source or rule) unless the rule opts in. A rule with a digest still lists it, marked backfill.
    """
    alerts = []
    for rule in rules:
        if rule.is_number_rule:  # fires on the article's number statements (monitor.alerts.numbers)
            continue
        found = match(rule, article, tags, new_entities)
        if found is None:
            continue
        backfill = is_backfill(rule, article, now, quiet)
        if backfill and not rule.digest_schedule:
            continue
        alerts.append(_alert(rule, article, tags, story, article_id, found, backfill))
    return alerts


def is_backfill(rule: Rule, article: Article, now: str | None, quiet: frozenset[str]) -> bool:
    if rule.name in quiet and not rule.backfill:
        return True
    if now is None or not rule.max_age:
        return False
    published = datetime.fromisoformat(article.content.published or article.fetched)
    return published < datetime.fromisoformat(now) - timedelta(seconds=rule.max_age)


def match(rule: Rule, article: Article, tags: Tags, new_entities: frozenset[str]) -> Found | None:
    """What made the rule fire on this article, or None when a condition fails."""
    parts = [
        _scope(rule, article),
        _score(rule, tags),
        _any(rule, tags),
        _all(rule, tags),
        _none(rule, tags),
        _categories(rule, tags),
        _cooccur(rule, tags),
        _keyword(rule, article, tags),
        _regex(rule, article, tags),
        _first(rule, tags, new_entities),
    ]
    if any(part is None for part in parts):
        return None
    kept = [p for p in parts if p is not None]
    return Found(tuple(r for p in kept for r in p.reasons), _unique(e for p in kept for e in p.evidence))


def _unique(evidence: Iterable[Evidence]) -> tuple[Evidence, ...]:
    seen: dict[tuple[str, str], Evidence] = {}
    for item in evidence:
        seen.setdefault((item.tag, item.sentence), item)
    return tuple(seen.values())


def _matches(value: str, patterns: Sequence[str]) -> bool:
    return any(fnmatchcase(value.casefold(), p.casefold()) for p in patterns)


def _scope(rule: Rule, article: Article) -> Found | None:
    if rule.sources and not _matches(article.source, rule.sources):
        return None
    if rule.outlets and not _matches(article.outlet, rule.outlets):
        return None
    if _matches(article.source, rule.exclude_sources) or _matches(article.outlet, rule.exclude_outlets):
        return None
    return Found()


def _score(rule: Rule, tags: Tags) -> Found | None:
    if not rule.min_score:
        return Found()
    if tags.score < rule.min_score:
        return None
    return Found((f"relevance {tags.score:.2f} ≥ {rule.min_score:.2f}",))


def _tagged(tags: Tags, patterns: Sequence[str]) -> list[str]:
    return [hit.tag for hit in tags.hits if _matches(hit.tag, patterns)]


def _any(rule: Rule, tags: Tags) -> Found | None:
    if not rule.any:
        return Found()
    found = _tagged(tags, rule.any)
    return Found((f"tagged {', '.join(found)}",), _tag_evidence(tags, found)) if found else None


def _all(rule: Rule, tags: Tags) -> Found | None:
    found = [_tagged(tags, [pattern]) for pattern in rule.all]
    if not all(found):
        return None
    names = list(dict.fromkeys(tag for group in found for tag in group))
    return Found((f"tagged {', '.join(names)}",), _tag_evidence(tags, names)) if names else Found()


def _none(rule: Rule, tags: Tags) -> Found | None:
    return None if _tagged(tags, rule.none) else Found()


def _categories(rule: Rule, tags: Tags) -> Found | None:
    if not rule.categories:
        return Found()
    found = [tag for tag in tags.tag_names() if category(tag) in rule.categories]
    found.sort()
    return (
        Found((f"in {', '.join(rule.categories)}: {', '.join(found)}",), _tag_evidence(tags, found))
        if found
        else None
    )


def category(tag: str) -> str:
    """``element`` of ``element:dysprosium``."""
    return tag.partition(":")[0]


def _cooccur(rule: Rule, tags: Tags) -> Found | None:
    if not rule.cooccur:
        return Found()
    for a, b in rule.cooccur:
        evidence = cooccurrences(tags, a, b)
        if evidence:
            return Found((f"{a} and {b} in one sentence",), evidence[:1])
    return None


def cooccurrences(tags: Tags, a: str, b: str) -> tuple[Evidence, ...]:
    """Sentences where a tag matching ``a`` and another matching ``b`` both occur, terms to highlight."""
    by_sentence: dict[int, list[tuple[str, str]]] = {}
    for mention in tags.mentions:
        by_sentence.setdefault(mention.sentence, []).append((mention.tag, mention.term))
    found = []
    for index, pairs in sorted(by_sentence.items()):
        left = [(t, w) for t, w in pairs if _matches(t, [a])]
        right = [(t, w) for t, w in pairs if _matches(t, [b]) and (t, w) not in left[:1]]
        if left and right and index < len(tags.sentences):
            terms = tuple(dict.fromkeys(w for _, w in left + right))
            found.append(Evidence(f"{left[0][0]} + {right[0][0]}", tags.sentences[index], terms))
    return tuple(found)


def _keyword(rule: Rule, article: Article, tags: Tags) -> Found | None:
    if not rule.keyword:
        return Found()
    for word in rule.keyword:
        pattern = re.compile(rf"(?<!\w){re.escape(word.strip())}(?!\w)", re.IGNORECASE)
        evidence = _text_evidence(pattern, article, tags, f"keyword {word}")
        if evidence:
            return Found((f"keyword “{word}”",), evidence)
    return None


def _regex(rule: Rule, article: Article, tags: Tags) -> Found | None:
    if rule.regex is None:
        return Found()
    evidence = _text_evidence(re.compile(rule.regex, re.IGNORECASE), article, tags, "regex")
    return Found((f"regex {rule.regex}",), evidence) if evidence else None


def _text_evidence(
    pattern: re.Pattern[str], article: Article, tags: Tags, label: str
) -> tuple[Evidence, ...]:
    """The first sentence (or the title) where the pattern occurs, with the matched text."""
    for sentence in (article.title, *(tags.sentences or article.text.split("\n\n"))):
        found = pattern.search(sentence)
        if found and found.group(0):
            return (Evidence(label, sentence.strip(), (found.group(0),)),)
    found = pattern.search(article.text)  # a match across sentence boundaries
    return (Evidence(label, found.group(0)[:300], ()),) if found else ()


def _first(rule: Rule, tags: Tags, new_entities: frozenset[str]) -> Found | None:
    if not rule.first_mention:
        return Found()
    wanted = sorted(t for t in new_entities if "*" in rule.first_mention or category(t) in rule.first_mention)
    return Found((f"first mention of {', '.join(wanted)}",), _tag_evidence(tags, wanted)) if wanted else None


def _tag_evidence(tags: Tags, names: Iterable[str]) -> tuple[Evidence, ...]:
    wanted = set(names)
    return tuple(
        Evidence(hit.tag, hit.snippet, _terms(tags, hit.tag)) for hit in tags.hits if hit.tag in wanted
    )


def _terms(tags: Tags, tag: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(m.term for m in tags.mentions if m.tag == tag))


def _alert(
    rule: Rule, article: Article, tags: Tags, story: Story, article_id: int, found: Found, backfill: bool
) -> Alert:
    title = article.title or story.title
    matched = found.evidence or _tag_evidence(tags, [hit.tag for hit in tags.hits[:3]])
    evidence = _not_the_title(matched, title)
    facts = Facts(
        rule=rule.name,
        title=title,
        url=article.url,
        outlet=article.outlet,
        outlets=story.outlets or (article.outlet,),
        published=article.content.published or article.fetched,
        score=tags.score,
        reason="; ".join(found.reasons),
        article_id=article_id,
        story_id=story.id,
        evidence=evidence or _body_evidence(tags, title, {item.tag for item in matched}),
        first_outlet=story.first_outlet or article.outlet,
        first_published=story.first_published or article.content.published or article.fetched,
        first_estimated=story.first_estimated,
        lede=lede(article.text),
        tags=tuple(hit.tag for hit in tags.hits),
        timezone=rule.timezone,
        backfill=backfill,
    )
    return Alert(
        rule=rule.name,
        story_id=story.id,
        article_id=article_id,
        notify=rule.notify,
        title=facts.title,
        body=markdown(facts, ""),
        reason=facts.reason,
        mode="digest" if backfill else rule.mode,
        throttle=rule.throttle,
        payload=facts.to_json(),
        gather=rule.gather,
    )


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()).strip(" .").casefold() == " ".join(b.split()).strip(" .").casefold()


def _not_the_title(evidence: Iterable[Evidence], title: str) -> tuple[Evidence, ...]:
    """Evidence that says more than the headline: a sentence equal to the title shows nothing new."""
    return tuple(item for item in evidence if not _same_text(item.sentence, title))


def _body_evidence(tags: Tags, title: str, wanted: set[str]) -> tuple[Evidence, ...]:
    """When every matched sentence was the title itself: the first body sentence that mentions a tag
    the rule matched (any tag when none of them recurs in the body)."""
    body = [m for m in tags.mentions if not m.in_title and m.sentence < len(tags.sentences)]
    for mention in sorted(body, key=lambda m: (m.tag not in wanted, m.start)):
        sentence = tags.sentences[mention.sentence]
        if not _same_text(sentence, title):
            same = (m.term for m in body if (m.sentence, m.tag) == (mention.sentence, mention.tag))
            terms = tuple(dict.fromkeys(same))
            return (Evidence(mention.tag, sentence.strip(), terms),)
    return ()
