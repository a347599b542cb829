"""Quality gate: the extractor's F1 on the vendored dev pages never falls below the pinned floors.

The model is trafilatura's ``tests/eval_gate.py``: the data ships with the repository
(``bench/data/extraction-dev``), the floors live in ``bench/baselines/extraction.json``
(written by ``bench/extraction.py --write-baseline``), and a missing dataset or baseline
fails here with a message; it never skips. Quality only, never speed.
"""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from bench.extraction import BASELINE_FILE, DEFAULT_DATA, EXTRACTORS, Result, Sample, load, run


def _baseline() -> dict[str, Any]:
    assert BASELINE_FILE.is_file(), f"quality baseline missing: {BASELINE_FILE}"
    loaded: dict[str, Any] = json.loads(BASELINE_FILE.read_text(encoding="utf-8"))
    return loaded


@cache
def _samples() -> tuple[Sample, ...]:
    return tuple(load(DEFAULT_DATA, None))


@cache
def _measured(name: str) -> Result:
    return run(name, EXTRACTORS[name], _samples(), repeat=1)


def test_the_dev_dataset_ships_with_the_repository() -> None:
    truth_file = DEFAULT_DATA / "ground-truth.json"
    assert truth_file.is_file(), (
        f"extraction dev data missing at {DEFAULT_DATA}: the quality gate cannot run "
        "(it ships with the repository: restore bench/data/extraction-dev from git)"
    )
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    pages = sorted((DEFAULT_DATA / "html").glob("*.html.gz"))
    assert sorted(truth) == [p.name.removesuffix(".html.gz") for p in pages]
    assert len(truth) == _baseline()["pages"]
    assert all(gzip.decompress(p.read_bytes()) for p in pages)
    assert (DEFAULT_DATA / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")


def test_the_baseline_gates_what_the_benchmark_measures() -> None:
    gated = _baseline()["extractors"]
    assert gated, "no extractor is gated"
    assert set(gated) <= set(EXTRACTORS)


@pytest.mark.parametrize("name", sorted(_baseline()["extractors"]) if BASELINE_FILE.is_file() else ["(none)"])
@pytest.mark.parametrize("metric", ["f1", "f1_even", "f1_odd"])
def test_f1_stays_above_its_floor(name: str, metric: str) -> None:
    baseline = _baseline()
    floor = baseline["extractors"][name][metric] - baseline["tolerance"]
    result = _measured(name)
    measured = {"f1": result.score.f1, "f1_even": result.even.f1, "f1_odd": result.odd.f1}[metric]
    assert measured >= floor, f"{name} {metric} {measured:.4f} fell below its floor {floor:.4f}"


@pytest.mark.parametrize("name", sorted(_baseline()["extractors"]) if BASELINE_FILE.is_file() else ["(none)"])
def test_no_more_empty_or_wrong_pages(name: str) -> None:
    pinned = _baseline()["extractors"][name]
    result = _measured(name)
    found = f"{name}: {result.empty} empty and {result.wrong} wrong pages (pinned {pinned})"
    assert result.empty <= pinned["max_empty"] and result.wrong <= pinned["max_wrong"], found


def test_the_gate_fails_loudly_without_its_data(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "extraction-dev", None)
