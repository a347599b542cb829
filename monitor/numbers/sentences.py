"""An article, sentence by sentence: quantities, changes and periods assembled into observations.

Sentences are the tagger's (``monitor.tagging.text.split_sentences`` over ``title + "\\n\\n" +
text``), so a sentence index here is the tagger's ``Mention.sentence`` and the subjects of an
observation are the element, material, company and place tags mentioned in its sentence.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import replace

from monitor.models import Observation, Tags
from monitor.numbers.assign import Assigned, Named, assign, cue_spans, named_metrics, other_subjects
from monitor.numbers.changes import Change, find_changes, subject_elsewhere
from monitor.numbers.metrics import FAMILIES_WITH_CUES, Taxonomy, default_taxonomy
from monitor.numbers.periods import Period, choose, find_periods, usable
from monitor.numbers.quantities import FULL_WIDTH, Quantity, find_quantities, number_starts
from monitor.tagging.text import body_start, is_cjk, script_text, split_sentences

# Themes count: the tagger emits them only with rare-earth signal in the article.
RARE_EARTH_CATEGORIES = frozenset({"topic", "element", "material", "mineral", "company", "theme"})
SUBJECT_CATEGORIES = ("element", "material", "company", "place", "org")
BARE_CHANGE = 0.75  # "NdPr oxide prices rose 5 %": a move without a level
PRICE_WORD = re.compile(r"\bprices?\b|价格|价|报价|均价|quoted|assessed", re.IGNORECASE)
FULL_WIDTH_CHARS = re.compile("[\uff05\uff0e\uff0f\uff10-\uff19]")
PERCENT_SIGNS = ("%", "cent", "pct")  # "cent" only after "per": "per cent", "Percent", not "recent"
PERCENT_HINT = re.compile(r"%|cent\b|pct\b", re.IGNORECASE)
# A period after "from $215/kg in April", "than in 2024", "compared with May" is the comparison's.
PREVIOUS_PERIOD = re.compile(
    r"(?:\bfrom|\bthan|\bcompared\s+(?:with|to)|\bversus|\bsince|较|比)[^,;，；]{0,25}$", re.IGNORECASE
)


def find_observations(
    title: str,
    text: str,
    *,
    published: str | None = None,
    tags: Tags | None = None,
    taxonomy: Taxonomy | None = None,
) -> list[Observation]:
    """Every candidate observation of an article, whatever its confidence, in reading order."""
    taxonomy = taxonomy or default_taxonomy()
    document = f"{title}\n\n{text}" if text else title
    # Read a folded copy, same length: full-width digits as ASCII, Traditional Chinese as Simplified
    # (噸 → 吨, 萬 → 万, 氧化鐠釹 → 氧化镨钕); ``written`` and ``sentence`` come from the original.
    folded = document
    if not document.isascii() and _wide(document):  # Latin text with curly quotes skips both scans
        if FULL_WIDTH_CHARS.search(document):
            folded = document.translate(FULL_WIDTH)
        if is_cjk(folded):
            folded = script_text(folded)
    numbers = number_starts(folded, taxonomy)
    percents = list(_percent_offsets(folded))
    if not numbers and not percents:
        return []
    # "$6.5 billion in debt and equity", "iron ore exports": other news has such numbers too.
    relevant = about_rare_earths(tags)
    if not relevant and not taxonomy.ungated.search(folded):
        return []  # other news without a price, quota or trade phrase: nothing to read (and fast)
    subjects = _Subjects(tags)
    number_offsets = [start for start, _ in numbers]
    hints = [*number_offsets, *percents]
    spans = _spans(document, tags, max(hints))
    # A plain-text article without a headline gets its first sentence as title (extract_plain): the
    # text repeats it, and it is read once, there.
    body = body_start(title, text)
    starts = [start for start, _ in spans]
    # Only sentences with a quantity or a percentage are read: one pass over the article finds them.
    found: list[Observation] = []
    for index in sorted({max(bisect_right(starts, offset) - 1, 0) for offset in hints if offset >= body}):
        start, end = spans[index]
        sentence = folded[start:end]
        low, high = bisect_left(number_offsets, start), bisect_left(number_offsets, end)
        local = [(offset - start, signed) for offset, signed in numbers[low:high]]
        found.extend(
            _sentence(
                document[start:end], sentence, start, published, taxonomy, subjects, index, relevant, local
            )
        )
    return found


# Bytes below 0x2E: the high bytes of UTF-16 code units below U+2E00. A Latin article with curly
# quotes and dashes has no other, so it skips the full-width and Chinese scans; encoding, slicing and
# deleting are C loops over bytes, three times faster than one regular-expression search of the str.
_LOW_HIGH_BYTES = bytes(range(0x2E))


def _wide(document: str) -> bool:
    """``document`` may hold Chinese or full-width characters (U+2E00 and above)."""
    return bool(document.encode("utf-16-le", "surrogatepass")[1::2].translate(None, _LOW_HIGH_BYTES))


def _percent_offsets(text: str) -> Iterator[int]:
    """Where a percentage may stand (str.find: much faster than a regex over the whole article)."""
    for sign in PERCENT_SIGNS:
        found = text.find(sign)
        while found >= 0:
            if sign != "cent" or text[max(0, found - 4) : found].lower().endswith(("per", "per ")):
                yield found
            found = text.find(sign, found + 1)


def about_rare_earths(tags: Tags | None) -> bool:
    """The article is about rare earths for the tagger (a relevance score, a rare-earth topic, element,
    material, mineral, company or theme), or was not tagged."""
    if tags is None:
        return True  # the caller did not tag: every sentence is read
    return tags.score > 0 or any(hit.tag.split(":", 1)[0] in RARE_EARTH_CATEGORIES for hit in tags.hits)


def _spans(document: str, tags: Tags | None, until: int) -> list[tuple[int, int]]:
    """The tagger's sentence spans: found again from ``tags.sentences`` (cheaper than splitting twice),
    up to the one holding offset ``until`` (the sentences after the last number are not read)."""
    if tags is None or not tags.sentences:
        return split_sentences(document)
    spans, position = [], 0
    for sentence in tags.sentences:
        if position > until:
            break
        # Sentences follow one another after a little whitespace: a comparison there is cheaper than
        # str.find, which first studies the whole sentence it looks for.
        head = document[position : position + 8]
        start = position + len(head) - len(head.lstrip())
        if not document.startswith(sentence, start):
            start = document.find(sentence, position)
        if start < 0:  # tags of another text: split this one
            return split_sentences(document)
        spans.append((start, start + len(sentence)))
        position = start + len(sentence)
    return spans


class _Subjects:
    """Subject tags per sentence, gathered from the mentions on first use (most articles need none)."""

    def __init__(self, tags: Tags | None) -> None:
        self.tags = tags
        self.by_sentence: dict[int, tuple[str, ...]] | None = None

    def of(self, index: int) -> tuple[str, ...]:
        if self.by_sentence is None:
            found: dict[int, set[str]] = {}
            for mention in self.tags.mentions if self.tags else ():
                if mention.tag.split(":", 1)[0] in SUBJECT_CATEGORIES:
                    found.setdefault(mention.sentence, set()).add(mention.tag)
            self.by_sentence = {key: tuple(sorted(names)) for key, names in found.items()}
        return self.by_sentence.get(index, ())


def _sentence(
    original: str,
    sentence: str,
    offset: int,
    published: str | None,
    taxonomy: Taxonomy,
    all_subjects: _Subjects,
    index: int,
    relevant: bool,
    numbers: list[tuple[int, bool]],
) -> list[Observation]:
    quantities = find_quantities(sentence, taxonomy, numbers)
    changes = find_changes(sentence) if PERCENT_HINT.search(sentence) else []
    if not quantities and not changes:
        return []
    # No metric named, no observation (a quantity is assigned to a phrase, a bare change needs one in
    # its clause): the phrases are looked up once, and only now (most sentences stopped above).
    named = named_metrics(sentence, taxonomy)
    if not named:
        return []
    quantities = _per_unit_from_earlier(quantities, named)
    assigned = assign(sentence, quantities, taxonomy, relevant, named) if quantities else []
    periods = usable(sentence, find_periods(sentence, published)) if assigned or changes else []
    subjects = all_subjects.of(index) if assigned or changes else ()
    attached = _attach_changes(sentence, assigned, changes, named, taxonomy) if changes else {}
    observations = []
    for item in assigned:
        quantity = item.quantity
        change = attached.get(id(item))
        if item.earlier:  # "from 1,600 tonnes in the March quarter": kept only with a period of its own
            period = _own_period(sentence, item, find_periods(sentence, published))
            if period is None:
                continue
        else:
            period = choose(sentence, periods, quantity.start, quantity.end)
        observations.append(
            Observation(
                metric=item.metric.name,
                value=quantity.value,
                unit=quantity.unit if quantity.shape != "money" else None,
                currency=quantity.currency,
                written=original[quantity.start : quantity.end],
                sentence=original,
                value_high=quantity.value_high,
                change_pct=change.pct if change else None,
                period=period,
                subjects=subjects,
                start=offset + quantity.start,
                end=offset + quantity.end,
                confidence=item.confidence,
            )
        )
    used = {id(change) for change in attached.values()}
    for change in changes:
        if id(change) not in used:
            observation = _bare_change(original, sentence, offset, change, periods, taxonomy, subjects)
            if observation is not None:
                observations.append(observation)
    observations.sort(key=lambda observation: observation.start)
    return observations


def _per_unit_from_earlier(quantities: list[Quantity], named: list[Named]) -> list[Quantity]:
    """ "Terbium metal was quoted at 8.9 million yuan a tonne, while terbium oxide stood at 7.05
    million yuan": an amount in the currency of an earlier price of the sentence, with another
    price's phrase between them, is a price in the same unit (the unit is left to the first clause).
    Amounts of another order of magnitude (a company's profit) are left alone."""
    found, price = [], None
    for quantity in quantities:
        if quantity.shape == "price":
            price = quantity
        elif (
            price is not None
            and quantity.shape == "money"
            and quantity.currency == price.currency
            and price.value > 0
            and 0.01 <= quantity.value / price.value <= 100
            and any(
                phrase.metric.kind == "price" and price.end <= phrase.start < quantity.start
                for phrase in named
            )
        ):
            quantity = replace(quantity, shape="price", unit=price.unit)
        found.append(quantity)
    return found


def _attach_changes(
    sentence: str, assigned: list[Assigned], changes: list[Change], named: list[Named], taxonomy: Taxonomy
) -> dict[int, Change]:
    """Each change to the nearest observation of its clause whose metric is the change's subject,
    each observation at most one change."""
    # Distractor words ("profit", "market value") are other subjects, unless part of a metric's words.
    others = other_subjects(sentence, taxonomy, named)
    pairs = sorted(
        (_gap(sentence, change, item), index, change_index)
        for index, item in enumerate(assigned)
        for change_index, change in enumerate(changes)
    )
    attached: dict[int, Change] = {}
    taken: set[int] = set()
    for gap, index, change_index in pairs:
        if gap > 80 or change_index in taken or id(assigned[index]) in attached:
            continue
        item, change = assigned[index], changes[change_index]
        quantity = (item.quantity.start, item.quantity.end)
        if subject_elsewhere(sentence, (change.start, change.end), quantity, item.phrase[:2], others):
            continue
        attached[id(item)] = change
        taken.add(change_index)
    return attached


def _gap(sentence: str, change: Change, item: Assigned) -> float:
    quantity = item.quantity
    if change.end <= quantity.start:
        between = sentence[change.end : quantity.start]
    elif change.start >= quantity.end:
        between = sentence[quantity.end : change.start]
    else:
        return 0.0
    return len(between) + (100 if re.search(r"[;；]|\bwhile\b|\bwhereas\b|\bbut\b", between) else 0)


def _own_period(sentence: str, item: Assigned, periods: list[Period]) -> str | None:
    """The period right after an earlier level, in its clause ("1,600 tonnes in the March quarter")."""
    for period in periods:
        gap = sentence[item.quantity.end : period.start]
        if period.start >= item.quantity.end and len(gap) <= 20 and not re.search(r"[;，；]|,(?!\d)", gap):
            return period.value
    return None


def _bare_change(
    original: str,
    sentence: str,
    offset: int,
    change: Change,
    periods: list[Period],
    taxonomy: Taxonomy,
    subjects: tuple[str, ...],
) -> Observation | None:
    """A move named for a metric without a level: "NdPr oxide prices rose 5 %", "出口量同比下降10%"."""
    clause_start = max(
        [
            0,
            *(
                match.end()
                for match in re.finditer(
                    r"[;；，]|(?<!\d),|,(?!\d)|\b(?:while|whereas|but)\b", sentence[: change.start]
                )
            ),
        ]
    )
    clause = sentence[clause_start : change.start]
    named = [phrase for phrase in named_metrics(clause, taxonomy) if _names_a_move(phrase, clause, taxonomy)]
    if not named:
        return None
    phrase = max(named, key=lambda phrase: (phrase.end, not phrase.metric.fallback))  # the nearest before it
    metric = phrase.metric
    if taxonomy.distractors.search(sentence[clause_start + phrase.end : change.end]):
        return None
    confidence = BARE_CHANGE - (0.2 if metric.fallback else 0.0)
    return Observation(
        metric=metric.name,
        value=None,
        unit=None,
        currency=None,
        written=original[change.start : change.end],
        sentence=original,
        change_pct=change.pct,
        period=choose(sentence, periods, change.start, change.end),
        subjects=subjects,
        start=offset + change.start,
        end=offset + change.end,
        confidence=confidence,
    )


_BARE_KINDS = frozenset({"price", "trade", "production", "quota"})


def _names_a_move(phrase: Named, clause: str, taxonomy: Taxonomy) -> bool:
    """A price needs the word "price" in the clause; other families their cue."""
    metric = phrase.metric
    if metric.kind not in _BARE_KINDS:
        return False
    if metric.family in FAMILIES_WITH_CUES:
        return metric.family in cue_spans(clause, taxonomy)
    return metric.kind != "price" or PRICE_WORD.search(clause) is not None
