"""Find the element that holds the article body.

Structural signals first (``itemprop=articleBody``, CMS body classes, ``<article>``,
``<main>``); when none holds enough text, a scoring fallback in the spirit of
Readability: every paragraph votes for its parent and grandparent with its length,
and a candidate's score is discounted by its link density and nudged by class/id hints.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from selectolax.lexbor import LexborNode

from monitor.extract.noise import text_length

STRUCTURAL = (
    "[itemprop=articleBody]",
    "[class*='article-body' i], [class*='article__body' i], [class*='articlebody' i], "
    "[class*='story-body' i], [class*='storybody' i], [class*='entry-content' i], "
    "[class*='post-content' i], [class*='post-body' i], [class*='article-content' i], "
    "[class*='article-text' i], [class*='body-text' i], [class*='story-content' i]",
    "article",
    "main, [role=main]",
)
PARAGRAPHS = "p, pre, blockquote"
_POSITIVE = re.compile(r"article|body|content|entry|main|page|post|text|blog|story", re.I)
_NEGATIVE = re.compile(
    r"comment|meta|footer|footnote|sidebar|share|social|related|promo|sponsor|widget|nav|menu|"
    r"header|banner|masthead|popular|trending|newsletter|ad-|-ad\b|advert",
    re.I,
)
_MIN_PARAGRAPH = 25  # characters; shorter blocks are labels, not prose
_ENOUGH_SHARE = 0.6  # a structural match must hold this share of the best scored candidate's text


@dataclass(frozen=True, slots=True)
class Candidate:
    node: LexborNode
    score: float
    prose: int  # characters in its paragraphs


def find_article(body: LexborNode) -> LexborNode | None:
    """The element most likely to hold the article body, or None when the page has no prose."""
    scored = best_scored(body)
    structural = best_structural(body)
    if structural is None:
        return scored.node if scored else None
    if scored is None or structural.prose >= scored.prose * _ENOUGH_SHARE:
        return structural.node
    return scored.node


def best_structural(body: LexborNode) -> Candidate | None:
    """The first structural selector whose best match holds real prose."""
    for selector in STRUCTURAL:
        matches = [Candidate(n, 0.0, prose_length(n)) for n in body.css(selector)]
        matches = [m for m in matches if m.prose >= _MIN_PARAGRAPH * 4]
        if matches:
            return max(matches, key=lambda m: m.prose)
    return None


def best_scored(body: LexborNode) -> Candidate | None:
    votes: dict[int, float] = {}
    nodes: dict[int, LexborNode] = {}
    for paragraph in body.css(PARAGRAPHS):
        length = text_length(paragraph)
        if length < _MIN_PARAGRAPH:
            continue
        vote = 1 + paragraph.text(deep=True).count(",") + min(length / 100, 3)
        for share, ancestor in zip((1.0, 0.5), _ancestors(paragraph, 2), strict=False):
            votes[ancestor.mem_id] = votes.get(ancestor.mem_id, 0.0) + vote * share
            nodes[ancestor.mem_id] = ancestor
    ranked = sorted(votes.items(), key=lambda item: item[1], reverse=True)[:5]
    candidates = [_finalize(nodes[key], score) for key, score in ranked]
    return max(candidates, key=lambda c: c.score) if candidates else None


def _finalize(node: LexborNode, score: float) -> Candidate:
    text = text_length(node) or 1
    links = sum(text_length(a) for a in node.css("a"))
    adjusted = score * (1 - links / text) + _hint_weight(node)
    return Candidate(node, adjusted, prose_length(node))


def _hint_weight(node: LexborNode) -> float:
    hints = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"
    weight = 0.0
    if _POSITIVE.search(hints):
        weight += 25
    if _NEGATIVE.search(hints):
        weight -= 25
    return weight


def _ancestors(node: LexborNode, count: int) -> Iterable[LexborNode]:
    parent = node.parent
    while parent is not None and count > 0 and parent.tag not in ("html", "-document"):
        yield parent
        parent = parent.parent
        count -= 1


def prose_length(node: LexborNode) -> int:
    """Characters in the paragraphs below ``node`` that are long enough to be prose."""
    lengths = (text_length(p) for p in node.css(PARAGRAPHS))
    return sum(n for n in lengths if n >= _MIN_PARAGRAPH)
