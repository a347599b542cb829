"""Market numbers: prices, quotas, trade volumes, capacities and funding stated in an article (issue 16).

A pure stage: text in, :class:`monitor.models.Observation` tuple out. No IO, no clock.

    observations = extract_observations(title, text, published="2025-06-10", lang="en", tags=tags)

Each module has one job: ``metrics`` (the taxonomy of metrics.toml), ``phrases`` (its phrase
index), ``quantities`` (numbers with their unit and currency), ``changes`` ("up 5 %"), ``periods``
("in May", and which period a number takes), ``assign`` (which metric, how sure) and ``sentences``
(the whole article, sentence by sentence). docs/numbers.md explains them.
"""

from __future__ import annotations

from monitor.models import Observation, Tags
from monitor.numbers.metrics import Taxonomy, default_taxonomy
from monitor.numbers.sentences import find_observations

__all__ = ["STORE_THRESHOLD", "Taxonomy", "extract_observations", "find_observations"]

# Observations below this confidence are not stored: a wrong price is worse than a missing one.
STORE_THRESHOLD = 0.6


def extract_observations(
    title: str,
    text: str,
    *,
    published: str | None = None,
    lang: str | None = None,
    tags: Tags | None = None,
) -> tuple[Observation, ...]:
    """The number statements in an article, in reading order, confident enough to store.

    ``published`` (ISO 8601) anchors relative periods ("in May", "last year"); ``lang`` is the
    article's language when known (the rules read English and Chinese in any case); ``tags`` gives
    the tagger's mentions so an observation can name the element, company or place its sentence
    is about.
    """
    del lang  # the phrases of both languages are looked for in every sentence: mixed text is common
    found = find_observations(title, text, published=published, tags=tags, taxonomy=default_taxonomy())
    return tuple(observation for observation in found if observation.confidence >= STORE_THRESHOLD)
