"""Quality gate: the tagger on the hand-written evaluation set, held to the floors pinned in
``bench/baselines/tagging.json``. The data ships in the repository; a missing file fails, never skips."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.gates import baseline, load_bench

BASELINE = baseline("tagging")
bench: Any = load_bench("tagging_eval.py", "tagging_eval")


@pytest.fixture(scope="module")
def cases() -> list[Any]:
    found: list[Any] = bench.load_cases()
    assert len(found) >= BASELINE["min_cases"], "a case file is missing or was cut"
    assert sum(case.kind == "near-miss" for case in found) >= BASELINE["min_near_misses"]
    return found


@pytest.fixture(scope="module")
def score(cases: list[Any]) -> Any:
    return bench.evaluate(cases)


def test_overall_floors(score: Any) -> None:
    failures = "\n".join(score.failures)
    assert score.precision() >= BASELINE["precision"], failures
    assert score.recall() >= BASELINE["recall"], failures
    assert score.clean_rate >= BASELINE["near_miss_clean"], failures


@pytest.mark.parametrize("batch", BASELINE["held_out"]["batches"])
def test_held_out_batches_meet_the_targets_on_their_own(cases: list[Any], batch: int) -> None:
    """The batches written blind (never tuned on before their first run) are the honest check."""
    floors = BASELINE["held_out"]
    held = bench.evaluate([case for case in cases if case.batch == batch])
    assert held.cases >= 40, f"held-out batch {batch} is missing"
    assert held.precision() >= floors["precision"], held.failures
    assert held.recall() >= floors["recall"], held.failures
    assert held.clean_rate >= floors["near_miss_clean"], held.failures


@pytest.mark.parametrize("category", sorted(BASELINE["category_f1"]))
def test_category_floors(score: Any, category: str) -> None:
    assert category in score.categories(), f"no case scores {category}"
    assert score.f1(category) >= BASELINE["category_f1"][category], score.failures


@pytest.mark.parametrize("lang", BASELINE["languages"])
def test_every_language_is_covered_and_found(cases: list[Any], lang: str) -> None:
    subset = [case for case in cases if case.lang == lang]
    assert subset, f"no {lang} case in the evaluation set"
    score = bench.evaluate(subset)
    assert score.recall() >= BASELINE["language_recall"], score.failures


def test_language_detection_floor(score: Any) -> None:
    right, wrong = score.languages["right"], score.languages["wrong"]
    assert right / score.cases >= BASELINE["language_detection"]
    assert wrong <= BASELINE["language_detection_wrong"]


def test_missing_data_fails_loudly(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        bench.load_cases(tmp_path / "absent.jsonl")
