"""Properties of the extractor on generated text: it never raises, offsets always point at what was
written, and values are finite. (Mixed scripts, full-width digits, units and currencies in any order.)"""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.numbers import find_observations
from monitor.tagging import load_taxonomy, tag

TAXONOMY = load_taxonomy()
PIECES = [
    "NdPr oxide", "氧化镨钕", "rose", "fell 3%", "同比增长5%", " to ", "620,000", "62万", "元/吨", "yuan/t",
    "$",
    "US$", "A$", "/kg", " per tonne", "tonnes", "吨", "万吨", " a year", "tpa", "exports", "出口", "quota",
    "指标", "第一批", "in May", "5月", "loan", "贷款", "million", "亿元", "between", " and ", "-", "，", ", ",
    ". ", "。", "\n", "１２３", "％", "rare earth", "稀土", "capacity", "产能", "offtake", "(", ")", "from",
    "1.5", "2024", "Q2", "上半年", "on Tuesday", "yesterday", "昨日",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40), st.sampled_from([None, "2025-06-10", "not a date"]))
def test_never_raises_and_offsets_hold(pieces: list[str], published: str | None) -> None:
    text = " ".join(pieces)
    for tags in (None, tag("Rare earths", text, TAXONOMY)):
        for observation in find_observations("Rare earths", text, published=published, tags=tags):
            document = f"Rare earths\n\n{text}" if text else "Rare earths"
            assert document[observation.start : observation.end] == observation.written
            assert observation.written in observation.sentence
            assert observation.value is None or math.isfinite(observation.value)
            assert 0.0 <= observation.confidence <= 1.0
