"""The pure dedup decision: given what the store already holds, what becomes of a new article.

The pipeline gathers three facts inside the article's write transaction (the article stored at the
same canonical URL, one stored with the same content hash, the nearest near-duplicate) and asks
``decide``; it then performs the returned action. No IO here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from monitor.dedup.fingerprint import Signature, same_story, similarity
from monitor.models import Match


class Action(StrEnum):
    UNCHANGED = "unchanged"  # same URL, same text: nothing new (refresh last seen at most)
    UPDATE = "update"  # same URL, new text: update the stored article in place
    COPY = "copy"  # another URL, the exact same text: record a row in ``copies``
    JOIN = "join"  # a new article, near copy of a stored one: add it to that story
    NEW = "new"  # a new article and a new story


@dataclass(frozen=True, slots=True)
class Stored:
    """What the pipeline read of one stored article."""

    article_id: int
    story_id: int | None
    content_hash: str = ""
    signature: Signature | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do. ``article_id`` is the stored article acted on (or joined); ``story_id`` None means
    "start a new story" and, for UPDATE, that the text changed so much it is no longer its old story."""

    action: Action
    article_id: int | None = None
    story_id: int | None = None
    similarity: float = 0.0


def decide(
    content_hash: str,
    sig: Signature,
    *,
    same_url: Stored | None = None,
    same_hash: Stored | None = None,
    match: Match | None = None,
) -> Decision:
    """Pick the action for a new article from the stored facts; see ``Action`` for their meaning."""
    if same_url is not None:
        return _decide_update(content_hash, sig, same_url, match)
    if same_hash is not None:
        return Decision(Action.COPY, same_hash.article_id, same_hash.story_id, 1.0)
    if match is not None:
        return Decision(Action.JOIN, match.article_id, match.story_id, match.similarity)
    return Decision(Action.NEW)


def _decide_update(content_hash: str, sig: Signature, old: Stored, match: Match | None) -> Decision:
    if content_hash == old.content_hash:
        return Decision(Action.UNCHANGED, old.article_id, old.story_id, 1.0)
    if old.signature is not None and same_story(sig, old.signature):
        return Decision(Action.UPDATE, old.article_id, old.story_id, similarity(sig, old.signature))
    # The page now carries another text (a reused URL, a live page): it joins whatever it matches.
    # (The caller looks ``match`` up with ``exclude=old.article_id``.)
    story_id = match.story_id if match is not None else None
    score = similarity(sig, old.signature) if old.signature is not None else 0.0
    return Decision(Action.UPDATE, old.article_id, story_id, score)
