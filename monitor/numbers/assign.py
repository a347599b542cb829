"""Which metric a quantity of a sentence measures, and how sure that is.

A quantity takes the metric whose phrase stands nearest (before it counts more than after: "NdPr
oxide rose to $62/kg"), among the metrics that expect its shape (a price needs money per unit, a
quota tonnes), when the metric's family cue is in the sentence too ("exports" for
exports:magnets). "Respectively" pairs named metrics and quantities in order. Confidence starts
high and drops for a loose phrase ("dysprosium" for its oxide), a far phrase, a rival metric about
as near, or a distractor ("a share", "market value", "tariff") between the phrase and the number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from monitor.numbers.metrics import FAMILIES_WITH_CUES, Metric, Taxonomy
from monitor.numbers.quantities import Quantity

BASE = 0.9
LOOSE = 0.2  # a fallback phrase
FAR = 60  # characters between phrase and number before the confidence drops
DISTRACTED = 0.6
RIVAL = 0.2
AFTER_WEIGHT = 1.5  # a phrase after the number is further than its distance says
WEAK = 60  # a fallback phrase counts as this many characters further: a proper name or plant word wins
CLAUSE_BREAK = re.compile(
    r"[;；]|,\s*(?:and|while)\b|\b(?:while|whereas|but|compared with|against)\b|，而|而"
)
# Words before a number that make it an earlier level or the size of a move, not the level now.
PREVIOUS = re.compile(
    r"(?:\bfrom|\bthan|\bcompared\s+(?:with|to)|\bversus|\bvs\.?|\bagainst|较上月的?|较去年同期的?|比|从)\s*$",
    re.IGNORECASE,
)
# "rose 10,000 yuan/t (to ...)", "up 1,000 yuan/t from", "increased by 5,000 tonnes", "增加1.3万吨": a move.
_MOVES = (
    r"up|down|rose|risen|fell|fallen|gained|lost|climbed|dropped|increased|decreased|jumped|slid|shed|added|"
    r"raised|cut|lifted|lowered|reduced|grew|declined|eased|firmed|slipped|surged|soared|plunged|tumbled|"
    r"doubled|tripled|halved|quadrupled"
)
_DIRECT = _MOVES.replace("raised|", "")  # "raised C$25 million" is money raised, "raised by" a move
MOVE_BEFORE = re.compile(
    rf"(?:\b(?:{_DIRECT})(?:\s+(?:by|another|a\s+further|further))?|\b(?:{_MOVES})\s+(?:[\w'’-]+\s+){{0,4}}?by"
    r"|上涨|下跌|上调|下调|增加|减少|增长|下降|提高|降低|上升|回落|涨|跌|增|减)"
    r"\s*(?:about\s+|nearly\s+|almost\s+|some\s+|around\s+|约|近|了)?$",
    re.IGNORECASE,
)
# "raised its rare earth mining quota by 10,000 tonnes": "by" after a move word of the clause, however
# far; or "by X to Y" whatever the verb. X is the size of the move (the level is Y).
_ABOUT = r"(?:about|nearly|almost|some|around|roughly|over|more\s+than|less\s+than|another|a\s+further)"
BY_BEFORE = re.compile(rf"\bby\s+(?:{_ABOUT}\s+)?$", re.IGNORECASE)
MOVE_THEN_BY = re.compile(rf"\b(?:{_MOVES})\b[^,;:.，；。]*\bby\s+(?:{_ABOUT}\s+)?$", re.IGNORECASE)
TO_LEVEL_AFTER = re.compile(
    r"\s*(?:,\s*or\s+[\d.,]+\s*(?:%|per\s*cent|percent)\s*,?\s*)?\bto\s+[^\d,;:.]{0,15}\d", re.IGNORECASE
)
# A money amount reached after a move ("shares down 9% to $14.20") is a level, never funding.
LEVEL_AFTER_MOVE = re.compile(
    rf"\b(?:{_MOVES})\b(?!\s+to\b)[^,;]{{0,30}}\bto\s*$", re.IGNORECASE
)  # not "up to"
# "135,000 tonnes for mining": a metric word just after a number, joined by "for", is that number's
# own; it names no other number of the sentence. ("1,500 tonnes of NdPr oxide" names a material.)
OWN_AFTER = re.compile(r"\s*for\s+(?:(?:the|a|an|rare[\s-]earths?)\s+)?", re.IGNORECASE)
RESPECTIVELY = re.compile(r"\brespectively\b|分别", re.IGNORECASE)


class Named(NamedTuple):
    """A phrase of the sentence that names a metric (a tuple: made for every metric of every hit)."""

    start: int
    end: int
    metric: Metric


@dataclass(frozen=True, slots=True)
class Assigned:
    quantity: Quantity
    metric: Metric
    confidence: float
    phrase: Named
    earlier: bool = False  # an earlier level ("from 1,600 tonnes in the March quarter"): kept with its period


def named_metrics(sentence: str, taxonomy: Taxonomy) -> list[Named]:
    """Metric phrases of ``sentence``, in order; of a family's overlapping phrases the longest wins
    ("praseodymium-neodymium oxide" hides "neodymium oxide"; "钕铁硼磁材" the price's, "钕铁硼" the
    capacity's both stand)."""
    found = [
        Named(span.start, span.end, metric)
        for span in taxonomy.index.find(sentence, longest=False)
        for metric in span.values
    ]
    if found:
        found = _not_another_minerals(sentence, found, taxonomy)
    if len(found) < 2:
        return found
    found.sort(key=lambda named: (named.start - named.end, named.start))  # longest first
    kept: list[Named] = []
    by_family: dict[str, list[Named]] = {}  # only a family's own phrases hide one another
    for named in found:
        same = by_family.setdefault(named.metric.family, [])
        if not any(named.start < other.end and other.start < named.end for other in same):
            same.append(named)
            kept.append(named)
    kept.sort(key=lambda named: named.start)
    # "rare earth permanent magnets": the generic "rare earth" only qualifies the magnets that follow.
    return [
        named
        for named in kept
        if not (
            named.metric.name.endswith(":rare-earths")
            and any(
                0 <= other.start - named.end <= 2 and other is not named
                for other in by_family[named.metric.family]
            )
        )
    ]


# Before a mineral's name, a hyphen or a rare-earth element's character makes it part of a compound.
_COMPOUND_BEFORE = frozenset("-‐‑/镧铈镨钕钷钐铕钆铽镝钬铒铥镱镥钪钇")


@lru_cache(maxsize=256)  # asked by named_metrics, then by assign, for the same sentence
def mineral_phrases(sentence: str, taxonomy: Taxonomy) -> tuple[tuple[int, int], ...]:
    """Spans of another mineral's name with the metric words that follow it: "tungsten concentrate",
    "iron ore imports", "钨精矿". Those words are that mineral's, not rare earths'."""
    minerals = taxonomy.other_minerals.find(sentence, longest=True)
    if not minerals:
        return ()
    phrases = sorted((span.start, span.end) for span in taxonomy.index.find(sentence, longest=False))
    found = []
    for mineral in minerals:
        if any(start < mineral.start and mineral.end <= stop for start, stop in phrases):
            continue  # inside a rare-earth name: "dysprosium-iron alloy", "镝铁合金", "钕铁硼"
        if sentence[mineral.start - 1 : mineral.start] in _COMPOUND_BEFORE:
            continue  # the second half of a compound: "samarium-cobalt magnets", "钐钴磁体"
        end = mineral.end
        for start, stop in phrases:
            if start >= end and start - end <= 1 and sentence[end:start] in ("", " ", "-"):
                end = max(end, stop)
        if end > mineral.end:
            found.append((mineral.start, end))
    return tuple(found)


def _not_another_minerals(sentence: str, found: list[Named], taxonomy: Taxonomy) -> list[Named]:
    """Without the phrases that belong to another mineral (:func:`mineral_phrases`)."""
    foreign = mineral_phrases(sentence, taxonomy)
    if not foreign:
        return found
    return [named for named in found if not any(s <= named.start and named.end <= e for s, e in foreign)]


def cue_spans(sentence: str, taxonomy: Taxonomy) -> dict[str, list[tuple[int, int]]]:
    """Where each family's cue words stand in ``sentence`` (families without one are absent)."""
    found: dict[str, list[tuple[int, int]]] = {}
    for span in taxonomy.cues.find(sentence, longest=False):
        for family in span.values:
            found.setdefault(family, []).append((span.start, span.end))
    return found


def _distance(sentence: str, start: int, end: int, quantity: Quantity) -> float:
    """How far a phrase at ``start:end`` is from ``quantity``, in characters (0 when inside it)."""
    if end <= quantity.start:
        gap: float = quantity.start - end
        between = sentence[end : quantity.start]
    elif start >= quantity.end:
        gap = (start - quantity.end) * AFTER_WEIGHT + 5
        between = sentence[quantity.end : start]
    else:
        return 0.0
    return gap + (40 if CLAUSE_BREAK.search(between) else 0)


def earlier_or_move(sentence: str, quantity: Quantity) -> str | None:
    """ "earlier" for an earlier level ("up from $55/kg"), "move" for the size of a move ("rose $5/kg
    to $62/kg", "up 1,000 yuan/t from a week ago", "增加1.3万吨"), else None."""
    before = sentence[max(0, quantity.start - 40) : quantity.start]
    if PREVIOUS.search(before[-25:]):
        return "earlier"
    if MOVE_BEFORE.search(before):
        return "move"
    if BY_BEFORE.search(before) and (
        MOVE_THEN_BY.search(sentence[max(0, quantity.start - 120) : quantity.start])
        or TO_LEVEL_AFTER.match(sentence, quantity.end)
    ):
        return "move"
    return None


def _nearest(sentence: str, spans: list[tuple[int, int]], quantity: Quantity) -> float | None:
    distances = [_distance(sentence, start, end, quantity) for start, end in spans]
    return min(distances) if distances else None


def assign(
    sentence: str,
    quantities: list[Quantity],
    taxonomy: Taxonomy,
    relevant: bool = True,
    named: list[Named] | None = None,
) -> list[Assigned]:
    """The metric of each quantity that measures one, with a confidence; ``relevant``: the article is
    about rare earths (else gated metrics, named by everyday words, are left out); ``named``: the
    sentence's :func:`named_metrics` when already found."""
    if named is None:
        named = named_metrics(sentence, taxonomy)
    named = [phrase for phrase in named if relevant or not phrase.metric.gated]
    shapes = {quantity.shape for quantity in quantities}
    if not any(shape in phrase.metric.expects for phrase in named for shape in shapes):
        return []  # "$3.5 billion" and only trade or capacity named: nothing below could take it
    cues = _cues(sentence, taxonomy, named)
    # Another mineral's price or trade ("tungsten concentrate prices") is another subject.
    distractors = other_subjects(sentence, taxonomy, named, cues) + list(mineral_phrases(sentence, taxonomy))
    paired = _respectively(sentence, quantities, named, cues)
    owner = _owned_after(sentence, quantities, named)
    assigned = []
    for quantity in quantities:
        role = earlier_or_move(sentence, quantity)
        if role == "move":
            continue
        before = sentence[max(0, quantity.start - 40) : quantity.start]
        scored: list[tuple[float, Named]] = []
        for phrase in named:
            metric = phrase.metric
            if quantity.shape not in metric.expects:
                continue
            if metric.kind == "funding" and LEVEL_AFTER_MOVE.search(before):
                continue
            owned_by = owner.get(phrase)
            if owned_by is not None and owned_by is not quantity:
                continue  # "135,000 tonnes for mining and 127,000 tonnes for smelting": not 127,000's
            distance = _distance(sentence, phrase.start, phrase.end, quantity) + (
                WEAK if metric.fallback else 0
            )
            # A rate in the unit ("5,000 tpa") says capacity by itself; "每年供应" (a yearly supply) does not.
            rate = quantity.shape == "t/y" and not quantity.per_year_nearby
            if metric.family in FAMILIES_WITH_CUES and not (metric.family == "capacity" and rate):
                cue = _nearest(sentence, cues.get(metric.family, []), quantity)
                if cue is None:
                    continue
                distance += 0.5 * cue
            if owned_by is quantity:
                distance = 0.0
            scored.append((distance, phrase))
        if not scored:
            continue
        scored.sort(key=lambda item: item[0])
        distance, phrase = scored[0]
        if quantity in paired:
            phrase = paired[quantity]
            distance = 0.0
        rivals = [d for d, other in scored[1:] if other.metric.name != phrase.metric.name]
        confidence = BASE - (LOOSE if phrase.metric.fallback else 0.0)
        far = distance - (WEAK if phrase.metric.fallback and quantity not in paired else 0)
        if far > FAR:
            confidence -= 0.15 if far <= 2 * FAR else 0.3
        if rivals and rivals[0] - distance < 6 and quantity not in paired:
            confidence -= RIVAL
        if _distracted(sentence, phrase, quantity, distractors):
            confidence -= DISTRACTED
        assigned.append(
            Assigned(
                quantity, phrase.metric, round(max(confidence, 0.0), 2), phrase, earlier=role == "earlier"
            )
        )
    return assigned


def _owned_after(sentence: str, quantities: list[Quantity], named: list[Named]) -> dict[Named, Quantity]:
    """Phrases that follow a quantity joined by "for" ("127,000 tonnes for smelting and
    separation"), with the quantity they belong to (one of that shape's metrics)."""
    owned: dict[Named, Quantity] = {}
    for quantity in quantities:
        joined = OWN_AFTER.match(sentence, quantity.end)
        if joined is None:
            continue
        for phrase in named:
            if phrase.start == joined.end() and quantity.shape in phrase.metric.expects:
                owned.setdefault(phrase, quantity)
    return owned


def _cues(sentence: str, taxonomy: Taxonomy, named: list[Named]) -> dict[str, list[tuple[int, int]]]:
    """Cue spans per family; a cue inside only other families' phrases is no cue ("Export-Import Bank"
    names funding, no trade)."""
    found: dict[str, list[tuple[int, int]]] = {}
    for family, spans in cue_spans(sentence, taxonomy).items():
        for start, end in spans:
            around = [phrase for phrase in named if phrase.start <= start and end <= phrase.end]
            longer = [phrase for phrase in around if phrase.end - phrase.start > end - start]
            if longer and all(phrase.metric.family != family for phrase in around):
                continue
            found.setdefault(family, []).append((start, end))
    return found


def other_subjects(
    sentence: str,
    taxonomy: Taxonomy,
    named: list[Named],
    cues: dict[str, list[tuple[int, int]]] | None = None,
) -> list[tuple[int, int]]:
    """Spans of the distractor words ("profit", "market value") that are not part of a metric's own
    words: "index" in "control index" names the quota, it is no other subject."""
    if cues is None:
        cues = _cues(sentence, taxonomy, named)
    own = [(phrase.start, phrase.end) for phrase in named]
    own += [span for spans in cues.values() for span in spans]
    return [
        (span.start, span.end)
        for span in taxonomy.distractors.find(sentence, longest=False)
        if not any(start <= span.start and span.end <= end for start, end in own)
    ]


def _distracted(sentence: str, phrase: Named, quantity: Quantity, distractors: list[tuple[int, int]]) -> bool:
    """A distractor between the phrase and the number, right next to the number, or, when the phrase
    comes after the number, the clause's subject before it ("market value ... to $9 billion since the
    Pentagon deal")."""
    low, high = min(phrase.end, quantity.start), max(phrase.start, quantity.end)
    for start, end in distractors:
        if low <= start and end <= high:
            return True
        if quantity.end <= start <= quantity.end + 12 or quantity.start - 12 <= end <= quantity.start:
            return True
        if (
            phrase.start >= quantity.end
            and quantity.start - 60 <= end <= quantity.start
            and not re.search(r"[;；，]|,(?!\d)", sentence[end : quantity.start])
        ):
            return True
    return False


def _respectively(
    sentence: str, quantities: list[Quantity], named: list[Named], cues: dict[str, list[tuple[int, int]]]
) -> dict[Quantity, Named]:
    """Named metrics and quantities paired in order.

    "Mining and smelting quotas of 135,000 t and 127,000 t respectively".
    """
    marker = RESPECTIVELY.search(sentence)
    if marker is None or len(quantities) < 2:
        return {}
    first = quantities[0].start
    pairs: dict[Quantity, Named] = {}
    for family in sorted({phrase.metric.family for phrase in named}):
        if family in FAMILIES_WITH_CUES and family not in cues:
            continue  # "开采、冶炼分离" name capacity stages too, but no capacity word is in the sentence
        distinct: list[Named] = []
        for phrase in named:
            metric = phrase.metric
            if metric.family != family or phrase.end > first or metric.fallback:
                continue
            if all(other.metric.name != metric.name for other in distinct):
                distinct.append(phrase)
        expects = distinct[0].metric.expects if distinct else ()
        fitting = [quantity for quantity in quantities if quantity.shape in expects]
        if len(distinct) >= 2 and len(distinct) == len(fitting):
            pairs.update(zip(fitting, distinct, strict=True))
    return pairs
