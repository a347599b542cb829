"""Quality gate for the text cleaner: the cleaning benchmark may not fall below its pinned floors.

Modelled on trafilatura's tests/eval_gate.py: the numbers come from ``bench/cleaning.py`` over data
that ships with the repository (the MIT dev pages vendored in ``bench/data/extraction-dev`` and the
hand-written cases in ``bench/data/cleaning-cases``); the floors live in
``bench/baselines/cleaning.json``. Missing data fails loudly: a gate that skips guards nothing.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from bench import cleaning

BASELINE = Path(__file__).resolve().parent.parent / "bench" / "baselines" / "cleaning.json"


@cache
def tallies() -> dict[str, cleaning.Tally]:
    return cleaning.results(cleaning.DEV_DATA, cleaning.CASES, whole_page=False)


def floors() -> dict[str, dict[str, float]]:
    loaded: dict[str, dict[str, float]] = json.loads(BASELINE.read_text(encoding="utf-8"))
    return {name: value for name, value in loaded.items() if not name.startswith("_")}


def test_the_data_and_the_baseline_ship_with_the_repository() -> None:
    assert (cleaning.DEV_DATA / "ground-truth.json").is_file(), f"missing {cleaning.DEV_DATA}"
    assert (cleaning.DEV_DATA / "LICENSE").is_file(), "the vendored dev pages need their MIT licence"
    assert len(list((cleaning.DEV_DATA / "html").glob("*.html.gz"))) == 88
    assert len(list(cleaning.CASES.glob("*.txt"))) >= 30
    assert BASELINE.is_file()


def test_missing_data_fails_instead_of_passing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        cleaning.results(tmp_path, cleaning.CASES)
    with pytest.raises(FileNotFoundError):
        cleaning.results(cleaning.DEV_DATA, tmp_path)


@pytest.mark.parametrize("name", sorted(floors()))
def test_cleaning_stays_above_its_floors(name: str) -> None:
    tally = tallies()[name]
    floor = floors()[name]
    measured = {
        "noise_removed": tally.removed_rate,
        "body_kept": tally.kept_rate,
        "titles_right": tally.titles_right / tally.titles if tally.titles else 1.0,
    }
    assert tally.noise > 0 and tally.body > 0, f"{name}: nothing was scored"
    below = {key: (round(measured[key], 4), value) for key, value in floor.items() if measured[key] < value}
    assert not below, (
        f"{name} fell below its floor (measured, floor): {below}; noise kept e.g. {tally.missed[:5]}, "
        f"body removed e.g. {tally.lost[:5]}"
    )
