"""Relevance: how much an article is *about* rare earths, from 0 (not at all) to 1.

    signal   = sum of the weights of the kept mentions (rare-earth terms weigh 1, themes
               and places 0, diversified companies and "critical minerals" in between)
    density  = min(1, signal per 100 words / 1.0)      mentions spread through the text
    volume   = 1 - exp(-signal / 4)                    more mentions, more certainty
    title    = 1 if a weighted mention is in the title
    umbrella = 1 if topic:rare-earths is present
    score    = 0.45 density + 0.20 volume + 0.20 title + 0.15 umbrella      (0 when signal is 0)

A sports story scores 0; a long trade story that mentions rare earths once scores about 0.25;
an article about rare earths scores 0.8 to 1.
"""

from __future__ import annotations

import math

UMBRELLA = "topic:rare-earths"
DENSITY_FULL = 1.0  # weighted mentions per 100 words that count as "dense"
VOLUME_SCALE = 4.0
WEIGHTS = {"density": 0.45, "volume": 0.20, "title": 0.20, "umbrella": 0.15}


def relevance(*, signal: float, title: bool, umbrella: bool, words: int) -> float:
    """Score from the summed mention weights, a weighted mention in the title, topic:rare-earths present,
    and the article's length in words."""
    if signal <= 0:
        return 0.0
    parts = {
        "density": min(1.0, signal * 100 / max(words, 1) / DENSITY_FULL),
        "volume": 1 - math.exp(-signal / VOLUME_SCALE),
        "title": 1.0 if title else 0.0,
        "umbrella": 1.0 if umbrella else 0.0,
    }
    return round(sum(WEIGHTS[name] * value for name, value in parts.items()), 3)
