"""Quality gate: the market-number extractor on the labelled set, held to the floors pinned in
``bench/baselines/numbers.json``. The data ships in the repository; a missing file fails, never skips."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.gates import ROOT, baseline, load_bench

BASELINE = baseline("numbers")
bench: Any = load_bench("market_numbers.py", "numbers_bench")


@pytest.fixture(scope="module")
def cases() -> list[Any]:
    found: list[Any] = bench.load_cases()
    assert len(found) >= BASELINE["cases"], "the labelled set must hold at least 300 cases"
    assert sum(case.kind == "distractor" for case in found) >= BASELINE["distractors"]
    return found


@pytest.fixture(scope="module")
def score(cases: list[Any]) -> Any:
    return bench.evaluate(cases)


def test_overall_floors(score: Any) -> None:
    failures = "\n\n".join(score.failures)
    assert score.precision() >= BASELINE["precision"], failures
    assert score.recall() >= BASELINE["recall"], failures
    assert score.observations.precision >= BASELINE["observation_precision"], failures
    assert score.observations.recall >= BASELINE["observation_recall"], failures


def test_distractors_stay_silent(score: Any) -> None:
    assert len(score.noisy_distractors) <= BASELINE["noisy_distractors"], score.noisy_distractors


@pytest.mark.parametrize("lang", sorted(BASELINE["language"]))
def test_language_floors(score: Any, lang: str) -> None:
    assert lang in score.by_lang, f"no {lang} case in the labelled set"
    fields, _ = score.by_lang[lang]
    assert fields.precision >= BASELINE["language"][lang]["precision"], score.failures
    assert fields.recall >= BASELINE["language"][lang]["recall"], score.failures


@pytest.mark.parametrize("kind", sorted(BASELINE["kind_recall"]))
def test_kind_floors(score: Any, kind: str) -> None:
    assert kind in score.by_kind, f"no {kind} case in the labelled set"
    fields, _ = score.by_kind[kind]
    assert fields.precision >= BASELINE["kind_precision"], score.failures
    assert fields.recall >= BASELINE["kind_recall"][kind], score.failures


def test_missing_data_fails_loudly(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="labelled market-number set is missing"):
        bench.load_cases(tmp_path / "absent.jsonl")


def test_the_scorer_matches_and_counts_fields() -> None:
    """The scorer itself: a right observation scores every field, a wrong value loses one field."""
    case = bench.Case(
        "t-1", "en", "2025-06-10", "price", "NdPr oxide rose 5% to 620,000 yuan/t in May.",
        ({"metric": "price:ndpr-oxide", "value": 620000, "value_high": None, "change_pct": 5.0,
          "currency": "CNY", "unit": "t", "period": "2025-05"},),
    )  # fmt: skip
    right = bench.evaluate([case])
    assert (right.fields.right, right.fields.predicted, right.fields.expected) == (6, 6, 6)
    wrong = bench.Case(
        case.id, case.lang, case.date, case.kind, case.text, ({**case.expected[0], "value": 600000},)
    )
    scored = bench.evaluate([wrong])
    assert (scored.fields.right, scored.observations.right) == (5, 0)


def test_fresh_cases_written_after_the_tuning() -> None:
    """40 cases written by the extractor's author after the fixes (tests/fixtures/numbers/fresh.jsonl)."""
    fresh = bench.load_cases(ROOT / "tests" / "fixtures" / "numbers" / "fresh.jsonl")
    assert len(fresh) == 40
    score = bench.evaluate(fresh)
    assert score.precision() >= BASELINE["fresh"]["precision"], score.failures
    assert score.recall() >= BASELINE["fresh"]["recall"], score.failures
    assert not score.noisy_distractors
