"""Regression guard: the extractor keeps recovering a handful of real news pages.

Uses the extraction dev pages vendored in ``bench/data/extraction-dev``; a missing dataset
fails (see ``tests/test_extraction_gate.py``), it never skips. Asserts quality only, never speed.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from bench.shingles import match
from monitor.extract import extract_html, extract_text

DATA = Path(__file__).resolve().parent.parent / "bench" / "data" / "extraction-dev"
# Ten pages across sites and layouts (itemprop, CMS classes, <article>, bare-text divs).
PAGES = ["042bb7b5", "06ee193d", "0d461229", "11ea381a", "1ace8c85",
         "21486419", "287e4d9f", "30b771a4", "358cc4a0", "374ac9a5"]
MIN_F1 = 0.85

def _truth() -> dict[str, dict[str, str]]:
    loaded: dict[str, dict[str, str]] = json.loads((DATA / "ground-truth.json").read_text(encoding="utf-8"))
    return loaded


@pytest.mark.parametrize("prefix", PAGES)
def test_page_is_recovered(prefix: str) -> None:
    truth = _truth()
    page_id = next(key for key in truth if key.startswith(prefix))
    html = gzip.decompress((DATA / "html" / f"{page_id}.html.gz").read_bytes()).decode("utf-8", "replace")
    result = match(truth[page_id]["articleBody"], extract_text(html, truth[page_id].get("url")))
    assert result.f1 >= MIN_F1, f"{page_id}: precision {result.precision}, recall {result.recall}"



def test_body_only_extraction_finds_the_same_body() -> None:
    # extract_text skips the metadata; reading it must never have been what shaped the body.
    truth = _truth()
    for page_id in sorted(truth):
        html = gzip.decompress((DATA / "html" / f"{page_id}.html.gz").read_bytes()).decode("utf-8", "replace")
        url = truth[page_id].get("url")
        assert extract_text(html, url) == extract_html(html, url).text, page_id

SHINGLE_CASES = [
    ("identical", "a b c d e", "a b c d e", 1.0, 1.0),
    ("disjoint", "a b c d e", "v w x y z", 0.0, 0.0),
    ("half found", "a b c d e f g", "a b c d e", 1.0, 0.5),
]


@pytest.mark.parametrize(("name", "true", "predicted", "precision", "recall"), SHINGLE_CASES,
                         ids=[c[0] for c in SHINGLE_CASES])
def test_shingle_metric(name: str, true: str, predicted: str, precision: float, recall: float) -> None:
    found = match(true, predicted)
    assert (found.precision, found.recall) == (precision, recall)


def test_empty_output_counts_for_recall_only() -> None:
    from bench.shingles import score

    total = score([match("a b c d", "a b c d"), match("a b c d", "")])
    assert (total.precision, total.recall) == (1.0, 0.5)
