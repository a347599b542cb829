"""``tag``: the text of one article in; its tags, mentions, evidence and relevance out."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from fnmatch import fnmatchcase

from monitor.models import Mention, TagHit, Tags
from monitor.tagging.matcher import Hit, Matcher
from monitor.tagging.score import UMBRELLA, relevance
from monitor.tagging.taxonomy import Taxonomy
from monitor.tagging.text import split_sentences

# Gated tags (themes, places, most organisations) are kept only when the article's rare-earth signal
# (sum of mention weights) reaches this: one mention of "rare earths", an element or a core company.
GATE_SIGNAL = 1.0
CHARACTERS_PER_WORD = 6  # English news averages about six characters a word, spaces included

Located = tuple[int, int, int, int]  # start, end, entry index, sentence index


class _Document:
    """The joined text, its sentence spans, and the word haystack for context checks."""

    def __init__(self, title: str, text: str) -> None:
        self.text = f"{title}\n\n{text}" if text else title
        self.title_end = len(title)
        self.spans = split_sentences(self.text)
        self.starts = [start for start, _ in self.spans]
        self.hay = ""

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
    hits, document.hay = matcher.find(document.text)
    if not hits:
        return Tags(sentences=document.sentences())
    located, signal = _locate(hits, document, matcher)
    if signal < GATE_SIGNAL:  # themes, places, most organisations: only in rare-earth articles
        gated = matcher.gated
        located = [item for item in located if not gated[item[2]]]
    return _result(located, document, matcher)


def _locate(hits: list[Hit], document: _Document, matcher: Matcher) -> tuple[list[Located], float]:
    """Hits in text order with their sentence: one per tag per place, context rules applied.

    Also returns the rare-earth signal: the sum of the kept mentions' weights.
    """
    hits.sort()  # by start, longest first
    starts, weights, checked = document.starts, matcher.weights, matcher.checked
    last_end: dict[int, int] = {}
    verdicts: dict[tuple[int, int, bool], bool] = {}
    located: list[Located] = []
    signal = 0.0
    for start, negative_end, entry, contextual in hits:
        if start < last_end.get(entry, -1):  # "rare earth" inside "rare earth elements"
            continue
        sentence = bisect_right(starts, start) - 1
        if sentence < 0:  # only space before the first sentence
            sentence = 0
        if (contextual or checked[entry]) and not _allowed(
            matcher, document, verdicts, (entry, sentence, contextual)
        ):
            continue
        last_end[entry] = -negative_end
        located.append((start, -negative_end, entry, sentence))
        signal += weights[entry]
    return located, signal


def _allowed(
    matcher: Matcher,
    document: _Document,
    verdicts: dict[tuple[int, int, bool], bool],
    key: tuple[int, int, bool],
) -> bool:
    """Whether tag ``key[0]`` may count in sentence ``key[1]``: context present, no excluded word."""
    if key not in verdicts:
        entry, sentence, contextual = key
        rule, (start, end) = matcher.rules[entry], document.window(sentence)
        hay = document.hay
        has_context = not contextual or (rule.context is not None and rule.context.search(hay, start, end))
        verdicts[key] = bool(has_context) and not (rule.exclude and rule.exclude.search(hay, start, end))
    return verdicts[key]


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
