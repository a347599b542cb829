"""``tag``: the text of one article in; its tags, mentions, evidence and relevance out."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from fnmatch import fnmatchcase

from monitor.models import Mention, TagHit, Tags
from monitor.tagging.matcher import Found, Hit, Matcher
from monitor.tagging.score import UMBRELLA, relevance
from monitor.tagging.taxonomy import Taxonomy
from monitor.tagging.text import body_start, split_sentences

CHARACTERS_PER_WORD = 6  # English news averages about six characters a word, spaces included
# Inside a longer name (company, place, organisation), only terms that weigh fully for rare earths
# count: "rare earths" in "Lynas Rare Earths" does; "USA" in "USA Rare Earth" or "Australia" in
# "Western Australia" do not. Inside a longer term of its own category nothing counts: "mining" in
# "urban mining" (recycling), "neodymium oxide" in "praseodymium-neodymium oxide" (NdPr oxide).
# Two exceptions: a country inside an agency's name is that agency's country ("US" in "US
# Export-Import Bank", "Japan" in "Japan Organization for Metals..."), and an element inside a
# mineral's name is not a mention of the element (铈 in 氟碳铈矿, bastnäsite; 钇 in 磷钇矿, xenotime).
NAMES = frozenset({"company", "place", "org"})

Located = tuple[int, int, int, int]  # start, end, entry index, sentence index


class _Document:
    """The joined text, its sentence spans, and the word haystack and script text for rule checks."""

    def __init__(self, title: str, text: str) -> None:
        self.text = f"{title}\n\n{text}" if text else title
        self.title_end = len(title)
        self.spans = split_sentences(self.text)
        self.starts = [start for start, _ in self.spans]
        self.found = Found("", None)

    def sentences(self) -> tuple[str, ...]:
        return tuple(self.text[start:end] for start, end in self.spans)

    def window(self, index: int) -> tuple[int, int]:
        """Where sentence ``index`` is in the word haystack, with the space before it."""
        start, end = self.spans[index] if self.spans else (0, len(self.text))
        return start, end + 2


def tag(title: str, text: str, taxonomy: Taxonomy) -> Tags:
    """Find every tag of ``taxonomy`` in an article; docs/tagging.md describes the rules."""
    matcher = taxonomy.matcher
    document = _Document(title, text)
    hits, document.found = matcher.find(document.text)
    body = body_start(title, text)
    if body:  # a title that only repeats the text's opening is not counted twice
        hits = [hit for hit in hits if hit[0] >= body]
    if not hits:
        return Tags(sentences=document.sentences())
    located = _locate(hits, document, matcher)
    undoubted = _undoubted(located, document, matcher)
    return _result(_gate(undoubted, document, matcher), document, matcher)


def _locate(hits: list[Hit], document: _Document, matcher: Matcher) -> list[Located]:
    """Hits in text order with their sentence: one per tag per place, context rules applied, and
    none inside a longer name or term (see ``NAMES``)."""
    hits.sort()  # by start, longest first
    starts, checked, rules, found = document.starts, matcher.checked, matcher.rules, document.found
    categories, weights = matcher.categories, matcher.weights
    last_end: dict[int, int] = {}
    verdicts: dict[tuple[int, int, bool], bool] = {}
    unexcluded: dict[int, bool] = {}  # tags whose exclude words are nowhere in the article
    located: list[Located] = []
    around: list[Located] = []  # earlier mentions that may contain this one
    reach = -1  # where the earlier mentions end, at the furthest
    name_words, text = matcher.name_words, document.text

    for start, negative_end, entry, contextual in hits:
        if start < last_end.get(entry, -1):  # "rare earth" inside "rare earth elements"
            continue
        sentence = bisect_right(starts, start) - 1
        if sentence < 0:  # only space before the first sentence
            sentence = 0
        if contextual or checked[entry]:
            clear = contextual is False and unexcluded.get(entry)
            if clear is None:  # first plain mention of this tag: are its exclude words anywhere?
                clear = unexcluded[entry] = not rules[entry].exclude.search(found)
            if not clear:
                key = (entry, sentence, contextual)
                verdict = verdicts.get(key)
                if verdict is None:
                    verdict = verdicts[key] = _allowed(matcher, document, key)
                if not verdict:
                    continue
        end = -negative_end
        if name_words[entry] and _in_proper_name(text, start, end, name_words[entry]):
            continue
        last_end[entry] = end
        item = (start, end, entry, sentence)
        if start >= reach:  # the common case: no earlier mention reaches this one
            around = [item]
            reach = end
            located.append(item)
            continue
        around = [outer for outer in around if outer[1] > start]
        around.append(item)
        reach = max(reach, end)
        category, weight, length = categories[entry], weights[entry], end - start
        if not any(
            outer[1] >= end
            and outer[1] - outer[0] > length
            and _contains(categories[outer[2]], category, weight)
            for outer in around
        ):
            located.append(item)
    return located


def _contains(outer: str, inner: str, weight: float) -> bool:
    """Whether a mention of category ``inner`` inside a longer one of category ``outer`` is hidden."""
    if outer == inner:
        return True
    if inner == "element":
        return outer == "mineral"
    return weight < 1 and outer in NAMES and not (inner == "place" and outer == "org")


_NEXT_WORD = re.compile(r"[ \t]+([A-Za-z][\w'’&.-]*)")


def _in_proper_name(text: str, start: int, end: int, words: frozenset[str]) -> bool:
    """Whether the mention at ``start:end`` is written capitalised next to a word of ``words``: part
    of a name ("Lanthanum Lounge", "Terbium Labs", "Hotel Cerium", "the yacht Neodymium", "the Lynas
    family"), not the thing itself."""
    if not text[start : start + 1].isupper():
        return False
    after = _NEXT_WORD.match(text, end)
    if after and _bare(after.group(1)) in words:
        return True
    before = text[max(0, start - 30) : start]
    word = before.rstrip(" \t")
    if len(word) == len(before) or not word:  # no space before it: the text's start, a bracket, a quote
        return False
    return _bare(word[max(word.rfind(" "), word.rfind("\n"), word.rfind("\t")) + 1 :]) in words


def _bare(word: str) -> str:
    """A word without a possessive or trailing punctuation: "Lounge's" -> "Lounge", "Mr." -> "Mr"."""
    if word[-1:].isalnum() and not word.endswith(("'s", "’s")):
        return word
    for suffix in ("'s", "’s"):
        if word.endswith(suffix):
            word = word[: -len(suffix)]
    return word.rstrip(".'’-&")


def _allowed(matcher: Matcher, document: _Document, key: tuple[int, int, bool]) -> bool:
    """Whether tag ``key[0]`` may count in sentence ``key[1]``: context present, no excluded word."""
    entry, sentence, contextual = key
    rule, (start, end), found = matcher.rules[entry], document.window(sentence), document.found
    if rule.exclude and rule.exclude.search(found, start, end):
        return False
    return not contextual or rule.context.search(found, start, end) or rule.article_context.search(found)


def _undoubted(located: list[Located], document: _Document, matcher: Matcher) -> list[Located]:
    """A tag whose ``doubt`` words are in the article counts only if another opening tag confirms it."""
    rules, doubted = matcher.rules, matcher.doubted
    present = {item[2] for item in located}
    doubtful = {e for e in present if doubted[e] and rules[e].doubt.search(document.found)}
    if not doubtful:
        return located
    if any(matcher.opening[e] for e in present - doubtful):
        return located
    return [item for item in located if item[2] not in doubtful]


def _gate(located: list[Located], document: _Document, matcher: Matcher) -> list[Located]:
    """Gated tags (themes, places, organisations) only near rare-earth or critical-minerals signal:
    within their ``window`` of sentences of an opening mention, anywhere when the window is 0 or
    the title has one."""
    opening, gated, windows = matcher.opening, matcher.gated, matcher.windows
    openers = sorted({item[3] for item in located if opening[item[2]]})
    if not openers:
        return [item for item in located if not gated[item[2]]]
    title_end = document.title_end
    for item in located:  # in text order: the title comes first
        if item[0] >= title_end:
            break
        if opening[item[2]]:
            return located
    return [
        item
        for item in located
        if not windows[item[2]] or not gated[item[2]] or _near(openers, item[3], windows[item[2]])
    ]


def _near(sentences: list[int], sentence: int, window: int) -> bool:
    """Whether one of the sorted ``sentences`` is within ``window`` of ``sentence``."""
    index = bisect_left(sentences, sentence - window)
    return index < len(sentences) and sentences[index] <= sentence + window


def _result(located: list[Located], document: _Document, matcher: Matcher) -> Tags:
    """Mentions, per-tag hits (first-seen order) and the score, from the kept hits."""
    names, weights, text, title_end = matcher.names, matcher.weights, document.text, document.title_end
    sentences = document.sentences()
    mentions = tuple(
        [
            Mention(names[e], text[start:end], start, end, sentence, start < title_end)
            for start, end, e, sentence in located
        ]
    )
    counts = Counter(item[2] for item in located)
    titled = {item[2] for item in located if item[0] < title_end}
    first: dict[int, int] = {}
    for item in located:
        first.setdefault(item[2], item[3])
    hits = tuple(
        [
            TagHit(names[e], counts[e], sentences[sentence] if sentences else "", e in titled)
            for e, sentence in first.items()
        ]
    )
    score = relevance(
        signal=sum(weights[e] * count for e, count in counts.items()),
        title=any(weights[e] > 0 for e in titled),
        umbrella=UMBRELLA in _names(first, names),
        words=len(text) // CHARACTERS_PER_WORD + 1,
    )
    return Tags(hits=hits, mentions=mentions, sentences=sentences, score=score)


def _names(entries: Iterable[int], names: Sequence[str]) -> set[str]:
    return {names[e] for e in entries}


def cooccurs(tags: Tags, a: str, b: str) -> list[str]:
    """Sentences where a mention of a tag matching ``a`` and another matching ``b`` stand together.

    Patterns are exact tags or fnmatch globs: ``"element:*"``, ``"company:*"``, ``"*"``.
    """
    by_sentence: dict[int, list[Mention]] = {}
    for mention in tags.mentions:
        by_sentence.setdefault(mention.sentence, []).append(mention)
    return [
        tags.sentences[index]
        for index, group in sorted(by_sentence.items())
        if index < len(tags.sentences) and any(_pair(x, y, a, b) for x in group for y in group)
    ]


def _pair(left: Mention, right: Mention, a: str, b: str) -> bool:
    if left.start == right.start and left.tag == right.tag:
        return False
    return fnmatchcase(left.tag, a) and fnmatchcase(right.tag, b)
