"""Dedup: canonical URLs, text fingerprints, the near-duplicate index and the story decision.

canonicalize(url)            -> identity key for articles.canonical_url
content_hash(text)           -> exact-copy key for articles.content_hash
signature(text)              -> MinHash for the signatures and article_bands tables
find_match(db, sig) / add()  -> nearest stored copy, inside the caller's transaction
decide(...)                  -> what the pipeline does with a new article
"""

from monitor.dedup.decide import Action, Decision, Stored, decide
from monitor.dedup.fingerprint import Signature, content_hash, same_story, signature, similarity
from monitor.dedup.index import Match, add, find_match, remove
from monitor.dedup.urls import canonicalize

__all__ = [
    "Action",
    "Decision",
    "Match",
    "Signature",
    "Stored",
    "add",
    "canonicalize",
    "content_hash",
    "decide",
    "find_match",
    "remove",
    "same_story",
    "signature",
    "similarity",
]
