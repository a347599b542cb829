"""Fingerprints: exact hash folding, signature encoding and bands, and same-story precision/recall."""

from __future__ import annotations

import numpy as np
import pytest

from monitor.dedup import fingerprint
from monitor.dedup.fingerprint import (
    MIN_JACCARD,
    NUM_BANDS,
    SAME_STORY,
    Signature,
    content_hash,
    jaccard,
    same_story,
    signature,
    similarity,
)
from tests.fixtures.dedup import labelled

Labelled = tuple[list[labelled.Text], list[Signature]]

BASE = "China's rare earth exports fell 10 percent in May, customs data showed."

SAME_HASH = [
    "CHINA'S RARE EARTH EXPORTS FELL 10 PERCENT IN MAY, CUSTOMS DATA SHOWED.",
    "China’s rare earth exports fell 10 percent in May — customs data showed",
    "  China's   rare earth\nexports fell 10 percent\tin May, customs data showed.  ",
    "“China's” rare-earth exports fell 10 percent in May; customs data showed!",
    "Ｃｈｉｎａ's rare earth exports fell 10 percent in May, customs data showed.",  # fullwidth (NFKC)
]
OTHER_HASH = [
    "China's rare earth exports fell 11 percent in May, customs data showed.",
    "China's rare earth exports rose 10 percent in May, customs data showed.",
    "Customs data showed China's rare earth exports fell 10 percent in May.",
    "",
]


@pytest.mark.parametrize("text", SAME_HASH)
def test_content_hash_folds_case_space_punctuation_and_quotes(text: str) -> None:
    assert content_hash(text) == content_hash(BASE)


@pytest.mark.parametrize("text", OTHER_HASH)
def test_content_hash_tells_different_words_apart(text: str) -> None:
    assert content_hash(text) != content_hash(BASE)


def test_signature_round_trips_through_bytes() -> None:
    sig = signature(BASE * 20)
    blob = sig.to_bytes()
    assert isinstance(blob, bytes)
    assert Signature.from_bytes(blob) == sig
    assert len(blob) == 5 + 4 * fingerprint.NUM_PERM


@pytest.mark.parametrize("blob", [b"", b"\x01" * 10, b"\x02" + b"\x00" * (4 + 4 * fingerprint.NUM_PERM)])
def test_from_bytes_rejects_other_formats(blob: bytes) -> None:
    with pytest.raises(ValueError, match="signature"):
        Signature.from_bytes(blob)


def test_bands_are_signed_64_bit_and_distinct_per_position() -> None:
    bands = signature(BASE * 20).bands()
    assert len(bands) == NUM_BANDS
    assert all(-(2**63) <= band < 2**63 for band in bands)
    # One repeated word fills every bin alike: only the band number tells the bands apart.
    assert len(set(signature("magnet " * 50).bands())) == NUM_BANDS


@pytest.mark.parametrize("text", ["", "   ", "!!! ... ---"])
def test_empty_text_has_no_bands_and_matches_nothing(text: str) -> None:
    sig = signature(text)
    assert sig.empty
    assert sig.bands() == []
    assert similarity(sig, sig) == 0.0


def test_short_text_is_one_shingle() -> None:
    assert signature("rare earths").size == 1
    assert similarity(signature("Rare earths!"), signature("rare earths")) == 1.0


def test_signature_does_not_depend_on_text_order_outside_shingles() -> None:
    sig = signature("alpha beta gamma delta epsilon zeta eta theta")
    assert sig == signature("ALPHA, beta; gamma delta epsilon. Zeta eta theta")
    assert sig != signature("theta eta zeta epsilon delta gamma beta alpha")


def test_similarity_is_containment_of_the_shorter_text() -> None:
    words = [f"w{n}" for n in range(2000)]
    full = signature(" ".join(words))
    cut = signature(" ".join(words[:1200]))  # truncated to 60 %: Jaccard 0.6, contained whole
    assert jaccard(full, cut) == pytest.approx(0.6, abs=0.1)
    assert similarity(full, cut) == pytest.approx(1.0, abs=0.1)
    assert similarity(full, cut) == similarity(cut, full)


def test_minhash_estimate_tracks_exact_jaccard() -> None:
    rng = np.random.default_rng(7)
    vocabulary = [f"w{n}" for n in range(5000)]
    for overlap in (0.2, 0.5, 0.8):
        shared = list(rng.choice(vocabulary, 600))
        a = shared + list(rng.choice(vocabulary, int(600 * (1 - overlap) / overlap)))
        b = shared + list(rng.choice(vocabulary, int(600 * (1 - overlap) / overlap)))
        exact = _exact_jaccard(a, b)
        assert jaccard(signature(" ".join(a)), signature(" ".join(b))) == pytest.approx(exact, abs=0.12)


def _exact_jaccard(a: list[str], b: list[str]) -> float:
    def shingles(tokens: list[str]) -> set[tuple[str, ...]]:
        return {tuple(tokens[i : i + 4]) for i in range(len(tokens) - 3)}

    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb)


@pytest.fixture(scope="module")
def labelled_set() -> Labelled:
    texts = labelled.load()
    return texts, [signature(text.body) for text in texts]


def test_labelled_set_covers_the_required_cases(labelled_set: Labelled) -> None:
    texts, _ = labelled_set
    mine = {text.family for text in texts if text.family.startswith("a")}
    variants = {text.variant for text in texts}
    assert len(mine) >= 8
    assert {"headlines", "boilerplate", "retitled", "trunc60", "edited", "reordered", "updated"} <= variants
    assert all(
        300 <= len(text.body.split()) <= 600
        for text in texts
        if text.variant == "original" and text.family in mine
    )


def test_same_story_precision_and_recall_at_threshold(
    labelled_set: Labelled,
) -> None:
    texts, sigs = labelled_set
    scores = labelled.score(texts, lambda i, j: same_story(sigs[i], sigs[j]))
    assert scores.true_positives + scores.false_negatives >= 600
    assert scores.negatives >= 10_000
    assert scores.precision >= 0.99
    assert scores.recall >= 0.95


@pytest.mark.parametrize(
    ("first", "second"), [("s002", "s004"), ("a01", "a02"), ("a03", "a04"), ("a05", "a06"), ("a08", "a09")]
)
def test_same_topic_different_articles_stay_apart(labelled_set: Labelled, first: str, second: str) -> None:
    texts, sigs = labelled_set
    one = next(sig for text, sig in zip(texts, sigs, strict=True) if text.family == first)
    other = next(sig for text, sig in zip(texts, sigs, strict=True) if text.family == second)
    assert not same_story(one, other)
    assert jaccard(one, other) < MIN_JACCARD / 2
    assert similarity(one, other) < SAME_STORY / 2


def test_updated_article_is_detectably_similar_to_its_old_version(
    labelled_set: Labelled,
) -> None:
    texts, sigs = labelled_set
    by_key = {(text.family, text.variant): (text.body, sig) for text, sig in zip(texts, sigs, strict=True)}
    for family in {text.family for text in texts}:
        (old_text, old), (new_text, new) = by_key[(family, "original")], by_key[(family, "updated")]
        assert content_hash(old_text) != content_hash(new_text)
        assert same_story(old, new)
        assert similarity(old, new) >= 0.8
