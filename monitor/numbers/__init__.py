"""Market numbers: prices, quotas, trade volumes, capacities and funding stated in an article (issue 16).

A pure stage: text in, :class:`monitor.models.Observation` tuple out. No IO, no clock.
"""

from __future__ import annotations

from monitor.models import Observation, Tags

__all__ = ["extract_observations"]


def extract_observations(
    title: str,
    text: str,
    *,
    published: str | None = None,
    lang: str | None = None,
    tags: Tags | None = None,
) -> tuple[Observation, ...]:
    """The number statements in an article, in reading order.

    ``published`` (ISO 8601) anchors relative periods ("in May", "last year"); ``lang`` is the
    article's language when known (detected otherwise); ``tags`` gives the tagger's mentions so an
    observation can name the element, company or place its sentence is about.
    """
    del title, text, published, lang, tags  # placeholder until the extractor lands (wt-numbers-core)
    return ()
