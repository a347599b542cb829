"""The near-duplicate index's storage: LSH band hashes in ``article_bands``, signatures in ``signatures``.

``article_bands`` is a WITHOUT ROWID table keyed (band, article_id) (migration m004). A lookup is
``NUM_BANDS`` point reads on that key, each capped to the newest
``PER_BAND_LIMIT`` rows, then one primary-key read of at most ``MAX_CANDIDATES`` signatures: its cost
does not grow with the store, and a band hash shared by thousands of articles (a boilerplate-only
text, say) cannot blow it up. Nothing here opens or commits a transaction: the caller's write
transaction holds these statements.
"""

from __future__ import annotations

from collections import Counter

from sqlite_utils import Database

from monitor.dedup.fingerprint import Signature, same_story, similarity
from monitor.models import Match

PER_BAND_LIMIT = 16  # newest articles read per band hash: wire copies cluster in time
MAX_CANDIDATES = 64  # signatures compared per lookup, the articles sharing the most bands first

# Newest first: article ids grow with time, and (band, article_id) is the table's primary key.
_BAND_QUERY = (
    "SELECT * FROM (SELECT article_id FROM article_bands WHERE band = ? ORDER BY article_id DESC LIMIT ?)"
)



def add(db: Database, article_id: int, sig: Signature) -> None:
    """Index an article: its signature, and its band hashes (an empty text has none)."""
    db.conn.execute(
        "INSERT OR REPLACE INTO signatures (article_id, minhash) VALUES (?, ?)", (article_id, sig.to_bytes())
    )
    db.conn.executemany(
        "INSERT OR IGNORE INTO article_bands (band, article_id) VALUES (?, ?)",
        [(band, article_id) for band in sig.bands()],
    )


def remove(db: Database, article_id: int) -> None:
    """Forget an article's signature and band hashes, before re-adding them for its updated text."""
    db.conn.execute("DELETE FROM article_bands WHERE article_id = ?", (article_id,))
    db.conn.execute("DELETE FROM signatures WHERE article_id = ?", (article_id,))


def candidates(db: Database, sig: Signature) -> list[int]:
    """Ids of stored articles sharing a band with ``sig``: most shared bands first, capped."""
    bands = sig.bands()
    if not bands:
        return []
    sql = " UNION ALL ".join([_BAND_QUERY] * len(bands))
    params = [value for band in bands for value in (band, PER_BAND_LIMIT)]
    shared = Counter(article_id for (article_id,) in db.conn.execute(sql, params))
    ranked = sorted(shared.items(), key=lambda item: (-item[1], -item[0]))
    return [article_id for article_id, _ in ranked[:MAX_CANDIDATES]]


def find_match(db: Database, sig: Signature, *, exclude: int | None = None) -> Match | None:
    """The most similar stored article that is the same story as ``sig``, or None."""
    ids = [article_id for article_id in candidates(db, sig) if article_id != exclude]
    if not ids:
        return None
    placeholders = ", ".join("?" * len(ids))
    rows = db.conn.execute(
        f"SELECT s.article_id, a.story_id, s.minhash FROM signatures s JOIN articles a ON a.id = s.article_id"
        f" WHERE s.article_id IN ({placeholders})",
        ids,
    )
    best: Match | None = None
    for article_id, story_id, blob in rows:
        stored = Signature.from_bytes(blob)
        if not same_story(sig, stored):
            continue
        score = similarity(sig, stored)
        if best is None or (score, -article_id) > (best.similarity, -best.article_id):
            best = Match(article_id=article_id, story_id=story_id, similarity=score)
    return best
