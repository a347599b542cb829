"""Shingle matching: how much of a reference text an extraction recovered.

Benchmark-only code (``bench/extraction.py`` and the quality gate use it; the product does not).
The metric of the article-extraction benchmark: tokens are ``\\w+`` runs, each text
becomes a multiset of 4-token shingles, and one page's true/false positives and
false negatives are the multiset intersection and differences, normalised so that
long pages weigh no more than short ones.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

_TOKEN = re.compile(r"\w+")
SHINGLE_SIZE = 4


@dataclass(frozen=True, slots=True)
class Match:
    """One page's normalised counts: tp + fp + fn == 1 unless both texts are empty."""

    tp: float
    fp: float
    fn: float

    @property
    def precision(self) -> float | None:
        """None when the extraction produced no shingles (it is left out of the mean)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp > 0 else None

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn > 0 else 0.0

    @property
    def f1(self) -> float:
        return f1(self.precision or 0.0, self.recall)


def shingles(text: str, size: int = SHINGLE_SIZE) -> Counter[tuple[str, ...]]:
    """The multiset of ``size``-token shingles; a text shorter than ``size`` is one shingle."""
    tokens = _TOKEN.findall(text or "")
    count = max(1, len(tokens) - size + 1)
    return Counter(tuple(tokens[i : i + size]) for i in range(count) if tokens[i : i + size])


def match(true: str, predicted: str) -> Match:
    """Compare an extraction with the reference text of the same page."""
    truth, guess = shingles(true), shingles(predicted)
    tp = sum((truth & guess).values())
    fp = sum((guess - truth).values())
    fn = sum((truth - guess).values())
    total = tp + fp + fn
    if total == 0:
        return Match(0.0, 0.0, 0.0)
    return Match(tp / total, fp / total, fn / total)


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0


@dataclass(frozen=True, slots=True)
class Score:
    """Precision and recall averaged over pages, and the F1 of the two averages."""

    precision: float
    recall: float
    pages: int

    @property
    def f1(self) -> float:
        return f1(self.precision, self.recall)


def score(matches: Iterable[Match]) -> Score:
    """Average over pages; pages with empty output count for recall only."""
    found = list(matches)
    precisions = [p for p in (m.precision for m in found) if p is not None]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(m.recall for m in found) / len(found) if found else 0.0
    return Score(precision, recall, len(found))
