"""Dedup, pure: canonical URLs, text fingerprints and the story decision.

The near-duplicate index lives with the rest of the SQL in ``monitor.store.signatures``.

canonicalize(url)            -> identity key for articles.canonical_url
content_hash(text)           -> exact-copy key for articles.content_hash
signature(text)              -> MinHash for the signatures and article_bands tables
decide(...)                  -> what the pipeline does with a new article
"""

from monitor.dedup.decide import Action, Decision, Stored, decide
from monitor.dedup.fingerprint import Signature, content_hash, same_story, signature, similarity
from monitor.dedup.urls import canonicalize
from monitor.models import Match

__all__ = [
    "Action",
    "Decision",
    "Match",
    "Signature",
    "Stored",
    "canonicalize",
    "content_hash",
    "decide",
    "same_story",
    "signature",
    "similarity",
]
