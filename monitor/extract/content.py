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

# One CSS query collects every element that may be a structural body marker (a query over the
# whole page costs about as much as rendering the article); Python then ranks the few matches.
STRUCTURAL_QUERY = (
    "[itemprop=articleBody], [class*='body' i], [class*='content' i], [class*='text' i], "
    "article, main, [role=main]"
)
_BODY_CLASS = re.compile(
    r"article[-_]?(?:body|content|text)|story[-_]?(?:body|content)|entry[-_]?content|"
    r"post[-_]?(?:content|body)|body[-_]?text",
    re.I,
)
PARAGRAPHS = "p, pre, blockquote"
BARE_TEXT_HOLDERS = "div, td, section, article, dd"
_POSITIVE = re.compile(r"article|body|content|entry|main|page|post|text|blog|story", re.I)
_NEGATIVE = re.compile(
    r"comment|meta|footer|footnote|sidebar|share|social|related|promo|sponsor|widget|nav|menu|"
    r"header|banner|masthead|popular|trending|newsletter|ad-|-ad\b|advert",
    re.I,
)
# A class or id naming a comment thread or one comment in it; "comments-open" or "has-comments"
# on an article wrapper is a setting, not a thread, so the whole name must match.
_COMMENT_THREAD = re.compile(
    r"comments?(?:[-_]?(?:list|area|section|container|thread|wrap(?:per)?|content|body|text))?", re.I
)
_CANDIDATES = 5  # best voted elements whose link density and hints are measured
_MIN_PARAGRAPH = 25  # characters; shorter blocks are labels, not prose
_ENOUGH_SHARE = 0.6  # structural matches must hold this share of the best scored candidate's prose
_TRUSTED_PROSE = 1500  # characters; a structural match this long is not a teaser card
_CHUNK_SHARE = 0.1  # a further match is a chunk of the body if it holds this share of the largest


@dataclass(frozen=True, slots=True)
class Candidate:
    node: LexborNode
    score: float
    prose: int  # characters of text outside links


def find_article(body: LexborNode) -> list[LexborNode]:
    """The elements that hold the article body, in page order; empty when the page has no prose."""
    structural = best_structural(body)
    prose = sum(c.prose for c in structural)
    if prose >= _TRUSTED_PROSE:  # a long structural match is the body; scoring costs a third of the time
        return [c.node for c in structural]
    scored = best_scored(body)
    if not structural:
        return [scored.node] if scored else []
    if scored is None or prose >= scored.prose * _ENOUGH_SHARE or _inside(structural, scored.node):
        return [c.node for c in structural]
    return [scored.node]


def _inside(structural: list[Candidate], node: LexborNode) -> bool:
    """Whether the structural matches lie inside ``node``: then they are the more precise answer."""
    return any(a.mem_id == node.mem_id for c in structural for a in _ancestors(c.node, 1000))


def best_structural(body: LexborNode) -> list[Candidate]:
    """The matches of the strongest structural signal that finds real prose.

    Signals, strongest first: ``itemprop=articleBody``, a CMS body class, ``<article>``,
    ``<main>``. Bodies split in chunks (one ``article-body`` div per few paragraphs, ads
    between) give several matches: all that hold prose are kept, outermost only, in page order.
    """
    ranked: dict[int, list[LexborNode]] = {}
    for node in _unique(body.css(STRUCTURAL_QUERY)):
        rank = _structural_rank(node)
        if rank is not None:
            ranked.setdefault(rank, []).append(node)
    link_lengths: dict[int, int] = {}  # matches nest: read each link's text once
    for rank in sorted(ranked):
        matches = [Candidate(n, 0.0, prose_length(n, link_lengths)) for n in ranked[rank]]
        best = max(m.prose for m in matches)
        if best >= _MIN_PARAGRAPH * 4:
            kept = [m for m in matches if m.prose >= max(_MIN_PARAGRAPH, best * _CHUNK_SHARE)]
            return _outermost(kept)
    return []


def _structural_rank(node: LexborNode) -> int | None:
    attrs = node.attributes
    if (attrs.get("itemprop") or "").lower() == "articlebody":
        return 0
    if _BODY_CLASS.search(attrs.get("class") or ""):
        return 1
    if node.tag == "article":
        return 2
    if node.tag == "main" or attrs.get("role") == "main":
        return 3
    return None


def _unique(nodes: list[LexborNode]) -> list[LexborNode]:
    """Lexbor returns a node once per selector of a group that matches it."""
    return list({node.mem_id: node for node in nodes}.values())


def _outermost(candidates: list[Candidate]) -> list[Candidate]:
    ids = {c.node.mem_id for c in candidates}
    return [c for c in candidates if not any(a.mem_id in ids for a in _ancestors(c.node, 1000))]


def best_scored(body: LexborNode) -> Candidate | None:
    """Readability-style voting: each block of prose votes for the elements around it."""
    votes: dict[int, float] = {}
    nodes: dict[int, LexborNode] = {}
    for voters, text in _prose_blocks(body):
        vote = 1 + text.count(",") + min(len(text) / 100, 3)
        for share, node in zip((1.0, 0.5), voters, strict=False):
            votes[node.mem_id] = votes.get(node.mem_id, 0.0) + vote * share
            nodes[node.mem_id] = node
    ranked = sorted(votes.items(), key=lambda item: item[1], reverse=True)
    link_lengths: dict[int, int] = {}  # candidates nest: read each link's text once
    candidates = [_finalize(nodes[key], score, link_lengths) for key, score in _top(ranked, nodes)]
    return max(candidates, key=lambda c: c.score) if candidates else None


def _top(ranked: list[tuple[int, float]], nodes: dict[int, LexborNode]) -> list[tuple[int, float]]:
    """The five best voted elements outside comment threads.

    Readers' comments are prose too, and a long thread outvotes a short article; the thread's
    own markup says what it is, so an element in it is no candidate for the article.
    """
    found: list[tuple[int, float]] = []
    for key, score in ranked:
        if not _in_comment_thread(nodes[key]):
            found.append((key, score))
            if len(found) == _CANDIDATES:
                break
    return found


def _in_comment_thread(node: LexborNode) -> bool:
    current: LexborNode | None = node
    while current is not None and current.tag not in ("body", "html", "-document"):
        attrs = current.attributes
        hints = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
        if any(_COMMENT_THREAD.fullmatch(name) for name in hints.split()):
            return True
        current = current.parent
    return False


def _prose_blocks(body: LexborNode) -> Iterable[tuple[list[LexborNode], str]]:
    """(who gets the vote, text) for every paragraph, and for every div holding bare text.

    A paragraph votes for its parent and grandparent, unless one of them is a link; a div whose
    own text nodes are prose
    (``text<br><br>text``, common on older sites) votes for itself and its parent.
    """
    found = 0
    for paragraph in body.css(PARAGRAPHS):
        text = paragraph.text(deep=True, strip=True)
        if len(text) >= _MIN_PARAGRAPH:
            voters = list(_ancestors(paragraph, 2))
            # A paragraph inside a link is a teaser card's summary (related stories, guides),
            # not prose of this page: it neither votes nor makes the page "written in paragraphs".
            if any(voter.tag == "a" for voter in voters):
                continue
            found += len(text)
            yield voters, text
    if found >= _TRUSTED_PROSE:  # a page written in paragraphs: no need to look for bare text
        return
    for block in body.css(BARE_TEXT_HOLDERS):
        text = block.text(deep=False, strip=True)
        if len(text) >= _MIN_PARAGRAPH * 2:
            yield [block, *_ancestors(block, 1)], text


def _finalize(node: LexborNode, score: float, link_lengths: dict[int, int]) -> Candidate:
    text = text_length(node)
    prose = max(0, text - _link_length(node, link_lengths))
    return Candidate(node, score * prose / (text or 1) + _hint_weight(node), prose)


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


def prose_length(node: LexborNode, link_lengths: dict[int, int] | None = None) -> int:
    """Characters of text below ``node`` that are not link text.

    ``link_lengths`` (mem_id → text length) may be shared by calls on a tree that does not change.
    """
    linked = _link_length(node, {} if link_lengths is None else link_lengths)
    return max(0, text_length(node) - linked)


def _link_length(node: LexborNode, link_lengths: dict[int, int]) -> int:
    total = 0
    for link in node.css("a"):
        length = link_lengths.get(link.mem_id)
        if length is None:
            length = link_lengths[link.mem_id] = text_length(link)
        total += length
    return total
