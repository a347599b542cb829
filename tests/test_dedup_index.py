"""The near-duplicate index on a real, migrated SQLite file."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlite_utils import Database

from monitor.dedup.fingerprint import NUM_BANDS, Signature, signature
from monitor.store import migrations as schema
from monitor.store import signatures as index
from monitor.store.migrations import migrations
from monitor.store.signatures import MAX_CANDIDATES, PER_BAND_LIMIT, add, candidates, find_match, remove
from tests.fixtures.dedup import labelled

ORIGINAL = "\n\n".join(
    f"Paragraph {n}: the refinery in Kuantan separated {n * 10} tonnes of dysprosium oxide for magnet "
    f"makers in Japan and Europe, the company said in statement number {n}."
    for n in range(30)
)
TRUNCATED = ORIGINAL[: int(len(ORIGINAL) * 0.6)]
OTHER = "\n\n".join(
    f"Section {n}: carmakers in Germany warned that licences for magnets from China arrived slowly, "
    f"and {n} assembly lines paused while buyers searched for supplies elsewhere."
    for n in range(30)
)


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(tmp_path / "dedup.db")
    migrations.apply(database)
    return database


def store(db: Database, article_id: int, text: str, story_id: int | None = None) -> Signature:
    """Insert an article (and its story) the way the pipeline does, then index it."""
    sig = signature(text)
    story_id = story_id or article_id
    db.table("stories").insert({"id": story_id, "title": f"story {story_id}"}, ignore=True)
    db.table("articles").insert(
        {
            "id": article_id,
            "url": f"https://example.com/{article_id}",
            "canonical_url": f"https://example.com/{article_id}",
            "fetched": "2026-01-01T00:00:00Z",
            "story_id": story_id,
        }
    )
    add(db, article_id, sig)
    return sig


def test_add_writes_one_row_per_band(db: Database) -> None:
    store(db, 1, ORIGINAL)
    assert db["article_bands"].count == NUM_BANDS
    assert {row["article_id"] for row in db["article_bands"].rows} == {1}


def test_truncated_copy_finds_the_original_and_its_story(db: Database) -> None:
    store(db, 1, ORIGINAL, story_id=7)
    store(db, 2, OTHER)
    match = find_match(db, signature(TRUNCATED))
    assert match is not None
    assert (match.article_id, match.story_id) == (1, 7)
    assert match.similarity >= 0.9


def test_different_article_finds_nothing(db: Database) -> None:
    store(db, 1, ORIGINAL)
    assert find_match(db, signature(OTHER)) is None


def test_exclude_skips_the_article_being_updated(db: Database) -> None:
    store(db, 1, ORIGINAL)
    assert find_match(db, signature(ORIGINAL), exclude=1) is None


def test_remove_forgets_the_bands(db: Database) -> None:
    store(db, 1, ORIGINAL)
    remove(db, 1)
    assert db["article_bands"].count == 0
    assert find_match(db, signature(ORIGINAL)) is None


def test_empty_text_is_not_indexed_and_matches_nothing(db: Database) -> None:
    store(db, 1, "")
    assert db["article_bands"].count == 0
    assert find_match(db, signature("")) is None


def test_candidates_are_capped_to_the_newest_per_band(db: Database) -> None:
    # 100 identical texts share every band: a lookup still reads only the newest few per band.
    for article_id in range(1, 101):
        store(db, article_id, ORIGINAL, story_id=1)
    found = candidates(db, signature(ORIGINAL))
    assert PER_BAND_LIMIT <= MAX_CANDIDATES
    assert found == list(range(100, 100 - PER_BAND_LIMIT, -1))


def test_candidates_rank_articles_sharing_more_bands_first(db: Database) -> None:
    store(db, 1, ORIGINAL)
    store(db, 2, TRUNCATED)
    store(db, 3, OTHER)
    assert candidates(db, signature(ORIGINAL))[:2] == [1, 2]


def test_band_lookup_is_an_indexed_point_read(db: Database) -> None:
    plan = db.execute("EXPLAIN QUERY PLAN " + index._BAND_QUERY, [1, PER_BAND_LIMIT]).fetchall()
    details = " ".join(row[-1] for row in plan)
    assert "SEARCH article_bands USING PRIMARY KEY (band=?)" in details
    assert "TEMP B-TREE" not in details


def test_statements_join_the_callers_transaction(db: Database) -> None:
    store(db, 1, ORIGINAL)
    db.conn.commit()
    db.conn.execute("BEGIN")
    add(db, 2, signature(OTHER))
    assert find_match(db, signature(TRUNCATED)) is not None
    assert db.conn.in_transaction
    db.conn.execute("ROLLBACK")
    assert db.execute("SELECT count(*) FROM article_bands WHERE article_id = 2").fetchone()[0] == 0


def test_labelled_set_clusters_into_one_story_per_family(db: Database) -> None:
    """Feed the whole labelled set through lookup-then-add, in shuffled order, like the pipeline."""
    texts = labelled.load()
    random.Random(5).shuffle(texts)
    story_of: dict[int, int] = {}
    for article_id, text in enumerate(texts, start=1):
        match = find_match(db, signature(text.body))
        story_of[article_id] = match.story_id if match and match.story_id else article_id
        store(db, article_id, text.body, story_id=story_of[article_id])
    families_per_story: dict[int, set[str]] = {}
    stories_per_family: dict[str, set[int]] = {}
    for article_id, text in enumerate(texts, start=1):
        families_per_story.setdefault(story_of[article_id], set()).add(text.family)
        stories_per_family.setdefault(text.family, set()).add(story_of[article_id])
    assert all(len(families) == 1 for families in families_per_story.values())
    assert all(len(stories) == 1 for stories in stories_per_family.values())


def test_migration_m004_keeps_existing_bands(db: Database) -> None:
    store(db, 1, ORIGINAL)
    bands = sorted(signature(ORIGINAL).bands())
    # Put the v1 layout (rowid table, two indexes) back with the same rows, then migrate again.
    db.execute("DROP TABLE article_bands")
    db.table("article_bands").create({"band": int, "article_id": int})
    db.table("article_bands").insert_all([{"band": band, "article_id": 1} for band in bands])
    schema.m004_article_bands_without_rowid(db)
    assert sorted(row["band"] for row in db["article_bands"].rows) == bands
    (sql,) = db.execute("SELECT sql FROM sqlite_master WHERE name = 'article_bands'").fetchone()
    assert "WITHOUT ROWID" in sql
    assert find_match(db, signature(TRUNCATED)) is not None


def test_migration_m005_moves_signatures_out_of_articles(tmp_path: Path) -> None:
    old = Database(tmp_path / "old.db")
    schema.migrations.apply(old, stop_before="m005_signatures_table")  # a store from before m005
    sig = signature(ORIGINAL)
    old.table("stories").insert({"id": 7, "title": "story"})
    old.table("articles").insert(
        {
            "id": 1,
            "url": "u",
            "canonical_url": "u",
            "fetched": "2026-01-01",
            "story_id": 7,
            "minhash": sig.to_bytes(),
        }
    )
    old.table("article_bands").insert_all([{"band": band, "article_id": 1} for band in sig.bands()])
    schema.migrations.apply(old)
    assert "minhash" not in old["articles"].columns_dict
    assert Signature.from_bytes(old.execute("select minhash from signatures").fetchone()[0]) == sig
    match = find_match(old, signature(TRUNCATED))
    assert match is not None and (match.article_id, match.story_id) == (1, 7)
