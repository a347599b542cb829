"""Quality gate: the extractor's F1 on the vendored collections never falls below the pinned floors.

The model is trafilatura's ``tests/eval_gate.py``: the data ships with the repository (the 88
MIT dev pages in ``bench/data/extraction-dev``, the 125 Apache-2.0 Mozilla Readability test pages
in ``bench/data/readability-pages``), the floors live in ``bench/baselines/`` (written by
``bench/extraction.py --write-baseline``, once per collection), and a missing dataset or baseline
fails here with a message; it never skips. Quality only, never speed.
"""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from bench.extraction import (
    BASELINE_FILE,
    BASELINES,
    DEFAULT_DATA,
    EXTRACTORS,
    READABILITY_DATA,
    Result,
    Sample,
    load,
    run,
)

COLLECTIONS = {"dev": DEFAULT_DATA, "readability": READABILITY_DATA}
LICENCES = {"dev": ("LICENSE", "MIT License"), "readability": ("LICENSE", "Apache License")}


def _baseline(collection: str) -> dict[str, Any]:
    path = BASELINES[COLLECTIONS[collection]]
    assert path.is_file(), f"quality baseline missing: {path}"
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


@cache
def _samples(collection: str) -> tuple[Sample, ...]:
    return tuple(load(COLLECTIONS[collection], None))


@cache
def _measured(collection: str, name: str) -> Result:
    return run(name, EXTRACTORS[name], _samples(collection), repeat=1)


def _gated() -> list[tuple[str, str]]:
    """(collection, extractor) pairs; a missing baseline still yields a case, which then fails."""
    pairs: list[tuple[str, str]] = []
    for collection, data in COLLECTIONS.items():
        path = BASELINES[data]
        pinned = json.loads(path.read_text(encoding="utf-8"))["extractors"] if path.is_file() else {"?": None}
        names = sorted(pinned)
        pairs.extend((collection, name) for name in names)
    return pairs


@pytest.mark.parametrize("collection", sorted(COLLECTIONS))
def test_the_dataset_ships_with_the_repository(collection: str) -> None:
    data = COLLECTIONS[collection]
    truth_file = data / "ground-truth.json"
    assert truth_file.is_file(), (
        f"extraction data missing at {data}: the quality gate cannot run "
        f"(it ships with the repository: restore {data.name} from git)"
    )
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    pages = sorted((data / "html").glob("*.html.gz"))
    assert sorted(truth) == [p.name.removesuffix(".html.gz") for p in pages]
    assert len(truth) == _baseline(collection)["pages"]
    assert all(gzip.decompress(p.read_bytes()) for p in pages)
    licence, first_words = LICENCES[collection]
    assert (data / licence).read_text(encoding="utf-8").strip().startswith(first_words)


def test_the_mozilla_pages_carry_their_notice() -> None:
    assert "Mozilla" in (READABILITY_DATA / "NOTICE").read_text(encoding="utf-8")


@pytest.mark.parametrize("collection", sorted(COLLECTIONS))
def test_the_baseline_gates_what_the_benchmark_measures(collection: str) -> None:
    baseline = _baseline(collection)
    assert baseline["extractors"], "no extractor is gated"
    assert set(baseline["extractors"]) <= set(EXTRACTORS)
    assert baseline["data"] == f"bench/data/{COLLECTIONS[collection].name}"


def test_the_dev_baseline_keeps_its_place() -> None:
    assert BASELINES[DEFAULT_DATA] == BASELINE_FILE


@pytest.mark.parametrize(("collection", "name"), _gated())
@pytest.mark.parametrize("metric", ["f1", "f1_even", "f1_odd"])
def test_f1_stays_above_its_floor(collection: str, name: str, metric: str) -> None:
    baseline = _baseline(collection)
    floor = baseline["extractors"][name][metric] - baseline["tolerance"]
    result = _measured(collection, name)
    measured = {"f1": result.score.f1, "f1_even": result.even.f1, "f1_odd": result.odd.f1}[metric]
    assert measured >= floor, f"{collection}: {name} {metric} {measured:.4f} fell below its floor {floor:.4f}"


@pytest.mark.parametrize(("collection", "name"), _gated())
def test_no_more_empty_or_wrong_pages(collection: str, name: str) -> None:
    pinned = _baseline(collection)["extractors"][name]
    result = _measured(collection, name)
    found = f"{collection}: {name}: {result.empty} empty and {result.wrong} wrong pages (pinned {pinned})"
    assert result.empty <= pinned["max_empty"] and result.wrong <= pinned["max_wrong"], found


def test_the_gate_fails_loudly_without_its_data(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "extraction-dev", None)
