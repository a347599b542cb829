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
# Separators: none (articleBody), one (article-body, article_body) or BEM's two (article__body).
_BODY_CLASS = re.compile(
    r"article[-_]{0,2}(?:body|content|text)|story[-_]{0,2}(?:body|content)|entry[-_]{0,2}content|"
    r"post[-_]{0,2}(?:content|body)|body[-_]{0,2}text",
    re.I,
)
PARAGRAPHS = "p, pre, blockquote"
# Elements whose own text nodes may be the article: blocks (``text<br><br>text`` in a div or a
# table cell) and the inline wrappers older pages put the whole story in (``<font>``, ``<span>``).
BARE_TEXT_HOLDERS = "div, td, section, article, dd, center, font, span"
_INLINE = frozenset({"font", "span", "b", "strong", "i", "em", "small", "big", "u", "a", "tt"})
# A body class on one of these marks a paragraph's style (Word's ``<p class="MsoBodyText">``),
# not the element that holds the body.
_NOT_CONTAINERS = _INLINE | {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li"}
# Page furniture: prose inside it (an ad footer, a sidebar blurb) is never the article.
_FURNITURE_TAGS = frozenset({"footer", "nav", "aside"})
_FURNITURE_ROLES = frozenset({"contentinfo", "navigation", "complementary"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
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
_CHUNK_PROSE = 0.5  # ...and if at least this share of its text is outside links
_INNER_SHARE = 0.85  # matches inside a match that hold this share of its prose are the body
_MAIN_RANK = 3  # _structural_rank of <main>: the page's main column, not the story
_CLOSE_SHARE = 0.75  # a candidate scoring this share of the best is a runner-up
_SECTIONS = 3  # runners-up inside one element make it the story's container
_STORY_IN_COLUMN = 1000  # characters of prose a scored element inside <main> needs to be the story


@dataclass(frozen=True, slots=True)
class Candidate:
    node: LexborNode
    score: float
    prose: int  # characters of text outside links


def find_article(body: LexborNode) -> list[LexborNode]:
    """The elements that hold the article body, in page order; empty when the page has no prose."""
    structural = best_structural(body)
    prose = sum(c.prose for c in structural)
    column = bool(structural) and _structural_rank(structural[0].node) == _MAIN_RANK
    if prose >= _TRUSTED_PROSE and not column:  # a long match is the body; scoring costs a third of the time
        return [c.node for c in structural]
    scored = best_scored(body)
    if column and scored is not None and scored.prose >= _STORY_IN_COLUMN and any(
        a.mem_id == c.node.mem_id for c in structural for a in _ancestors(scored.node, 1000)
    ):
        # <main> is the page's main column: a story inside it comes without the column's video
        # player, teaser cards and calls to action.
        return [scored.node]
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
    checked: dict[int, bool] = {}  # and share ancestors: check each one's visibility once
    for rank in sorted(ranked):
        # A hidden copy (microdata for crawlers, a collapsed duplicate) is not what readers see.
        # Checked per rank, most pages stop at the first: the check walks up to the root.
        visible = [n for n in ranked[rank] if not _hidden(n, checked)]
        matches = [Candidate(n, 0.0, prose_length(n, link_lengths)) for n in visible]
        best = max((m.prose for m in matches), default=0)
        if best >= _MIN_PARAGRAPH * 4:
            kept = [m for m in matches if m.prose == best or _is_chunk(m, best)]
            return _most_precise(kept)
    return []


def _is_chunk(match: Candidate, best: int) -> bool:
    """Whether a further structural match is a chunk of the body, not a box that shares its class.

    A sidebar's category list or a teaser box may carry the CMS's body class too: it holds
    little prose, or its text is mostly links.
    """
    return match.prose >= max(_MIN_PARAGRAPH, best * _CHUNK_SHARE) and match.prose >= text_length(
        match.node) * _CHUNK_PROSE


def _structural_rank(node: LexborNode) -> int | None:
    if node.tag in _NOT_CONTAINERS:
        return None
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


def _most_precise(candidates: list[Candidate]) -> list[Candidate]:
    """The outermost matches, except where the one match inside another holds nearly all its prose.

    ``article-content`` around ``article-body`` is a wrapper that adds the headline, dateline and
    share links to the body: the inner match is the body.
    """
    if len(candidates) < 2:
        return candidates
    ids = {c.node.mem_id for c in candidates}
    nearest: dict[int, int] = {}  # mem_id -> mem_id of the nearest match around it
    for c in candidates:
        around = next((a.mem_id for a in _ancestors(c.node, 1000) if a.mem_id in ids), None)
        if around is not None:
            nearest[c.node.mem_id] = around
    found: list[Candidate] = []
    for outer in (c for c in candidates if c.node.mem_id not in nearest):
        inner = _outermost([c for c in candidates if nearest.get(c.node.mem_id) == outer.node.mem_id])
        # One inner match: a wrapper around the body. Several: sections, and text between them
        # (a paragraph, a quote) belongs to the story too.
        precise = len(inner) == 1 and inner[0].prose >= outer.prose * _INNER_SHARE
        found.extend(inner if precise else [outer])
    return found


def _outermost(candidates: list[Candidate]) -> list[Candidate]:
    ids = {c.node.mem_id for c in candidates}
    return [c for c in candidates if not any(a.mem_id in ids for a in _ancestors(c.node, 1000))]


def best_scored(body: LexborNode) -> Candidate | None:
    """Readability-style voting: each block of prose votes for the elements around it."""
    votes: dict[int, float] = {}
    nodes: dict[int, LexborNode] = {}
    for voters, vote in _prose_blocks(body):
        for share, node in zip((1.0, 0.5), voters, strict=False):
            votes[node.mem_id] = votes.get(node.mem_id, 0.0) + vote * share
            nodes[node.mem_id] = node
    ranked = sorted(votes.items(), key=lambda item: item[1], reverse=True)
    link_lengths: dict[int, int] = {}  # candidates nest: read each link's text once
    candidates = [_finalize(nodes[key], score, link_lengths) for key, score in _top(ranked, nodes)]
    if not candidates:
        return None
    best = max(candidates, key=lambda c: c.score)
    shared = _shared_ancestor(best, candidates)
    return best if shared is None else _finalize(shared, best.score, link_lengths)


def _shared_ancestor(best: Candidate, candidates: list[Candidate]) -> LexborNode | None:
    """The element around the best candidate that holds at least three close runners-up.

    A story split into sections (``<section>`` per subheading, one ``div`` per step, BEM
    ``post__section`` blocks) gives one candidate per section with similar votes; the
    element around them is the story. As in Readability.js, "close" is three quarters
    of the best score.
    """
    close = [c for c in candidates if c is not best and c.score >= best.score * _CLOSE_SHARE]
    if len(close) < _SECTIONS:
        return None
    around = [{a.mem_id for a in _ancestors(c.node, 1000)} for c in close]
    for ancestor in _ancestors(best.node, 1000):
        if ancestor.tag == "body":
            return None
        if sum(ancestor.mem_id in ids for ids in around) >= _SECTIONS:
            return ancestor
    return None


def _top(ranked: list[tuple[int, float]], nodes: dict[int, LexborNode]) -> list[tuple[int, float]]:
    """The five best voted elements outside comment threads, page furniture and hidden elements.

    Readers' comments are prose too, and a long thread outvotes a short article; so do the
    paragraphs of an ad footer on a page whose story has none. Their own markup says what
    they are, so an element in them is no candidate for the article.
    """
    found: list[tuple[int, float]] = []
    for key, score in ranked:
        if not _excluded(nodes[key]):
            found.append((key, score))
            if len(found) == _CANDIDATES:
                break
    return found


def _excluded(node: LexborNode) -> bool:
    """Whether ``node`` lies in a comment thread, page furniture or a hidden element."""
    current: LexborNode | None = node
    while current is not None and current.tag not in ("body", "html", "-document"):
        attrs = current.attributes
        names = f"{attrs.get('class') or ''} {attrs.get('id') or ''}".lower().split()
        if (
            current.tag in _FURNITURE_TAGS
            or attrs.get("role") in _FURNITURE_ROLES
            or any("footer" in name or _COMMENT_THREAD.fullmatch(name) for name in names)
            or _hidden_itself(attrs)
        ):
            return True
        current = current.parent
    return False


def _hidden(node: LexborNode, checked: dict[int, bool]) -> bool:
    """Whether ``node`` or an element around it is hidden from readers.

    ``checked`` (mem_id -> answer) is shared by calls on a tree that does not change.
    """
    walked: list[int] = []
    hidden = False
    current: LexborNode | None = node
    while current is not None and current.tag not in ("html", "-document"):
        known = checked.get(current.mem_id)
        if known is not None:
            hidden = known
            break
        walked.append(current.mem_id)
        if _hidden_itself(current.attributes):
            hidden = True
            break
        current = current.parent
    for key in walked:
        checked[key] = hidden
    return hidden


def _hidden_itself(attrs: dict[str, str | None]) -> bool:
    style = attrs.get("style")
    return (
        "hidden" in attrs
        or (attrs.get("aria-hidden") or "").lower() == "true"
        or (style is not None and _HIDDEN_STYLE.search(style) is not None)
    )


def _prose_blocks(body: LexborNode) -> Iterable[tuple[list[LexborNode], float]]:
    """(who gets the vote, the vote) for every paragraph, and for every element holding bare text.

    A paragraph votes for its parent and grandparent, unless one of them is a link. Bare text
    (``text<br><br>text`` in a div or table cell, common on older sites; or a whole story inside
    a ``<font>`` or ``<span>``, with stray ``</p>`` between its paragraphs) votes for the block
    that stands for it (``_block_around``) and that block's parent, one vote per stretch of
    prose, as if each were a paragraph: one long story must not count as one short paragraph.
    (Bare text in teaser links votes too; the link-density discount of the candidates sinks it.)
    """
    found: dict[int, int] = {}  # parent's mem_id -> characters of its paragraphs
    for paragraph in body.css(PARAGRAPHS):
        text = paragraph.text(deep=True, strip=True)
        if len(text) >= _MIN_PARAGRAPH:
            voters = list(_ancestors(paragraph, 2))
            # A paragraph inside a link is a teaser card's summary (related stories, guides),
            # not prose of this page: it neither votes nor makes the page "written in paragraphs".
            if not voters or any(voter.tag == "a" for voter in voters):
                continue
            key = voters[0].mem_id
            found[key] = found.get(key, 0) + len(text)
            yield voters, _vote(text)
    # A page whose story is written in paragraphs has one element holding a story's worth of them:
    # no need to look for bare text. Paragraphs spread over many elements (readers' comments, an
    # author's note, teasers) say nothing about where the story is.
    if max(found.values(), default=0) >= _TRUSTED_PROSE:
        return
    for holder in body.css(BARE_TEXT_HOLDERS):
        own_text = holder.text(deep=False, separator="\n", strip=True)
        stretches = [t for t in own_text.split("\n") if len(t) >= _MIN_PARAGRAPH]
        if sum(len(t) for t in stretches) >= _MIN_PARAGRAPH * 2:
            block = _block_around(holder)
            yield [block, *_ancestors(block, 1)], sum(_vote(t) for t in stretches)


def _vote(text: str) -> float:
    return 1 + text.count(",") + min(len(text) / 100, 3)


def _block_around(node: LexborNode) -> LexborNode:
    """The block that stands for ``node``'s text: the nearest block around an inline wrapper,
    then up through wrappers that hold nothing else (``<div><div><span>text</span></div></div>``,
    one paragraph per nest), so that a story's paragraphs vote for the element they share.
    """
    current = node
    while current.tag in _INLINE and current.parent is not None and current.parent.tag != "body":
        current = current.parent
    parent = current.parent
    while parent is not None and parent.tag not in ("body", "html") and _only_child(current):
        current, parent = parent, parent.parent
    return current


def _only_child(node: LexborNode) -> bool:
    """Whether ``node`` has no sibling elements and no sibling text (whitespace and comments aside)."""
    return _nothing_but_space(node.prev, backward=True) and _nothing_but_space(node.next, backward=False)


def _nothing_but_space(sibling: LexborNode | None, backward: bool) -> bool:
    while sibling is not None:
        if sibling.tag == "-text":
            if (sibling.text_content or "").strip():
                return False
        elif sibling.tag != "-comment":
            return False
        sibling = sibling.prev if backward else sibling.next
    return True


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
