"""``tag``: the text of one article in, its tags, mentions, evidence and relevance out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fnmatch import fnmatchcase

from monitor.models import Mention, TagHit, Tags
from monitor.tagging.matcher import Matcher, RawHit, Rules
from monitor.tagging.score import relevance
from monitor.tagging.taxonomy import TagInfo, Taxonomy
from monitor.tagging.text import fold, lower, sentence_index, split_sentences

# Gated tags (themes, places, most organisations) are kept only when the article's rare-earth signal
# (sum of mention weights) reaches this: one mention of "rare earths", an element or a core company.
GATE_SIGNAL = 1.0


class _Document:
    """The joined text, its sentences, and lazily lowered sentences for context checks."""

    def __init__(self, title: str, text: str) -> None:
        self.text = f"{title}\n\n{text}" if text else title
        self.title_end = len(title)
        self.spans = split_sentences(self.text)
        self.starts = [start for start, _ in self.spans]
        self._lowered: dict[int, str] = {}

    def sentence_of(self, offset: int) -> int:
        return sentence_index(self.starts, offset)

    def lowered(self, index: int) -> str:
        if index not in self._lowered:
            start, end = self.spans[index] if self.spans else (0, 0)
            self._lowered[index] = lower(fold(self.text[start:end]))
        return self._lowered[index]

    def sentence(self, index: int) -> str:
        start, end = self.spans[index] if self.spans else (0, 0)
        return self.text[start:end]


def tag(title: str, text: str, taxonomy: Taxonomy) -> Tags:
    """Find every tag of ``taxonomy`` in an article; see docs/tagging.md for the rules."""
    matcher = taxonomy.matcher
    document = _Document(title, text)
    hits = matcher.find(document.text)
    if not hits:
        return Tags(sentences=tuple(document.sentence(i) for i in range(len(document.spans))))
    kept = _dedupe(_in_context(hits, document, matcher.rules))
    kept = _gate(kept, matcher.entries)
    return _result(kept, document, matcher)


def _in_context(
    hits: Iterable[RawHit], document: _Document, rules: Sequence[Rules]
) -> list[tuple[RawHit, int]]:
    """Hits whose sentence has the required context and none of the tag's excluded words."""
    kept = []
    for hit in hits:
        sentence = document.sentence_of(hit.start)
        rule = rules[hit.entry]
        if hit.contextual and rule.context and not rule.context.search(document.lowered(sentence)):
            continue
        if rule.exclude and rule.exclude.search(document.lowered(sentence)):
            continue
        kept.append((hit, sentence))
    return kept


def _dedupe(hits: list[tuple[RawHit, int]]) -> list[tuple[RawHit, int]]:
    """One mention per tag per place: "rare earths" also contains the key "rare earth"."""
    hits.sort(key=lambda item: (item[0].entry, item[0].start, -item[0].end))
    kept: list[tuple[RawHit, int]] = []
    for item in hits:
        previous = kept[-1][0] if kept else None
        if previous and previous.entry == item[0].entry and item[0].start < previous.end:
            continue
        kept.append(item)
    kept.sort(key=lambda item: (item[0].start, item[0].entry))
    return kept


def _gate(hits: list[tuple[RawHit, int]], entries: Sequence[TagInfo]) -> list[tuple[RawHit, int]]:
    signal = sum(entries[hit.entry].weight for hit, _ in hits)
    if signal >= GATE_SIGNAL:
        return hits
    return [(hit, sentence) for hit, sentence in hits if not entries[hit.entry].gated]


def _result(hits: list[tuple[RawHit, int]], document: _Document, matcher: Matcher) -> Tags:
    entries = matcher.entries
    mentions = tuple(
        Mention(
            tag=entries[hit.entry].tag,
            term=document.text[hit.start : hit.end],
            start=hit.start,
            end=hit.end,
            sentence=sentence,
            in_title=hit.start < document.title_end,
        )
        for hit, sentence in hits
    )
    sentences = tuple(document.sentence(i) for i in range(len(document.spans)))
    tag_hits = _tag_hits(mentions, sentences)
    weighted = ((entries[hit.entry].weight, hit.start < document.title_end) for hit, _ in hits)
    words = document.text.count(" ") + document.text.count("\n") + 1
    score = relevance(weighted, (h.tag for h in tag_hits), words)
    return Tags(hits=tag_hits, mentions=mentions, sentences=sentences, score=score)


def _tag_hits(mentions: Sequence[Mention], sentences: Sequence[str]) -> tuple[TagHit, ...]:
    """Per tag: count, first evidence sentence, whether the title names it; in first-seen order."""
    first: dict[str, Mention] = {}
    counts: dict[str, int] = {}
    titled: set[str] = set()
    for mention in mentions:
        first.setdefault(mention.tag, mention)
        counts[mention.tag] = counts.get(mention.tag, 0) + 1
        if mention.in_title:
            titled.add(mention.tag)
    return tuple(
        TagHit(
            tag=name,
            count=counts[name],
            snippet=sentences[m.sentence] if sentences else "",
            in_title=name in titled,
        )
        for name, m in first.items()
    )


def cooccurs(tags: Tags, a: str, b: str) -> list[str]:
    """Sentences where a tag matching ``a`` and another mention matching ``b`` stand together.

    Patterns are exact tags or fnmatch globs: ``"element:*"``, ``"company:mp-*"``, ``"*:*"``.
    """
    by_sentence: dict[int, list[Mention]] = {}
    for mention in tags.mentions:
        by_sentence.setdefault(mention.sentence, []).append(mention)
    found = []
    for index in sorted(by_sentence):
        group = by_sentence[index]
        if any(_pair(left, right, a, b) for left in group for right in group) and index < len(tags.sentences):
            found.append(tags.sentences[index])
    return found


def _pair(left: Mention, right: Mention, a: str, b: str) -> bool:
    if left is right or (left.tag == right.tag and left.start == right.start):
        return False
    return fnmatchcase(left.tag, a) and fnmatchcase(right.tag, b)
