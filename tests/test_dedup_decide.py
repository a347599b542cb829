"""The pure dedup decision: what happens to a new article given what the store holds."""

from __future__ import annotations

import pytest

from monitor.dedup import Action, Decision, Match, Signature, Stored, content_hash, decide, signature

TEXT = " ".join(f"The plant in Kuantan shipped batch {n} of dysprosium oxide to Japan." for n in range(40))
EDITED = TEXT.replace("batch 3 ", "lot 3 ").replace("batch 7 ", "lot 7 ")
UNRELATED = " ".join(f"Carmakers in Germany paused line {n} for lack of magnets." for n in range(40))

SIG, HASH = signature(TEXT), content_hash(TEXT)
EDITED_SIG, EDITED_HASH = signature(EDITED), content_hash(EDITED)
UNRELATED_SIG, UNRELATED_HASH = signature(UNRELATED), content_hash(UNRELATED)

OLD_VERSION = Stored(article_id=1, story_id=10, content_hash=HASH, signature=SIG)
OTHER_HASH_COPY = Stored(article_id=2, story_id=20, content_hash=EDITED_HASH)
NEAR = Match(article_id=3, story_id=30, similarity=0.9)

CASES = [
    # (name, new text's hash and signature, same_url, same_hash, match, expected action, article, story)
    ("nothing stored", EDITED_HASH, EDITED_SIG, None, None, None, Action.NEW, None, None),
    ("exact copy elsewhere", EDITED_HASH, EDITED_SIG, None, OTHER_HASH_COPY, NEAR, Action.COPY, 2, 20),
    ("near copy elsewhere", EDITED_HASH, EDITED_SIG, None, None, NEAR, Action.JOIN, 3, 30),
    ("same url, same text", HASH, SIG, OLD_VERSION, None, NEAR, Action.UNCHANGED, 1, 10),
    ("same url, edited text", EDITED_HASH, EDITED_SIG, OLD_VERSION, None, NEAR, Action.UPDATE, 1, 10),
    (
        "same url, new text that matches another story",
        UNRELATED_HASH,
        UNRELATED_SIG,
        OLD_VERSION,
        None,
        NEAR,
        Action.UPDATE,
        1,
        30,
    ),
    (
        "same url, new text, no match",
        UNRELATED_HASH,
        UNRELATED_SIG,
        OLD_VERSION,
        None,
        None,
        Action.UPDATE,
        1,
        None,
    ),
]


@pytest.mark.parametrize(
    ("name", "new_hash", "new_sig", "same_url", "same_hash", "match", "action", "article_id", "story_id"),
    CASES,
    ids=[case[0] for case in CASES],
)
def test_decide(
    name: str,
    new_hash: str,
    new_sig: Signature,
    same_url: Stored | None,
    same_hash: Stored | None,
    match: Match | None,
    action: Action,
    article_id: int | None,
    story_id: int | None,
) -> None:
    decision = decide(new_hash, new_sig, same_url=same_url, same_hash=same_hash, match=match)
    assert (decision.action, decision.article_id, decision.story_id) == (action, article_id, story_id)


def test_update_reports_similarity_with_the_old_version() -> None:
    edited = decide(EDITED_HASH, EDITED_SIG, same_url=OLD_VERSION)
    rewritten = decide(UNRELATED_HASH, UNRELATED_SIG, same_url=OLD_VERSION)
    assert edited.similarity >= 0.8
    assert rewritten.similarity < 0.2


def test_update_without_stored_signature_keeps_nothing_of_the_old_story() -> None:
    legacy = Stored(article_id=1, story_id=10, content_hash=HASH, signature=None)
    assert decide(EDITED_HASH, EDITED_SIG, same_url=legacy) == Decision(Action.UPDATE, 1, None, 0.0)


def test_actions_are_plain_strings_for_logs_and_rows() -> None:
    assert f"{Action.JOIN}" == "join"
    assert Action("copy") is Action.COPY
