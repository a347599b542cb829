"""Made-up news articles for fetch tests: distinct texts (never near copies of one another).

Each text is drawn from a seeded shuffle of a small rare-earth vocabulary, so article ``n`` is
the same on every run and no two share enough shingles to be merged into one story.
"""

from __future__ import annotations

import random

_WORDS = (
    "magnet magnets mine mines refinery refineries export exports quota quotas licence licences plant "
    "plants supply chain chains price prices tonne tonnes oxide oxides processing separation ore ores "
    "deposit deposits drilling permit permits investor investors government ministry policy tariff "
    "tariffs smelter smelters battery batteries turbine turbines motor motors vehicle vehicles factory "
    "factories contract contracts shipment shipments port ports stockpile stockpiles auction auctions "
    "analyst analysts quarter quarters revenue output capacity expansion feasibility study studies "
    "partner partners venture ventures agreement agreements railway railways province provinces "
    "concentrate concentrates recycling recycler recyclers alloy alloys demand forecast forecasts"
)
VOCABULARY = tuple(_WORDS.split())


def article_text(n: int, words: int = 160, element: str = "") -> str:
    """A title line, then four paragraphs about mining; ``element`` is named in one sentence when given."""
    rng = random.Random(n * 7919 + 13)
    body = [rng.choice(VOCABULARY) for _ in range(words)]
    paragraphs = [" ".join(body[i : i + words // 4]).capitalize() + "." for i in range(0, words, words // 4)]
    if element:
        paragraphs[1] += f" The company said output of {element} oxide rose at its separation plant."
    title = f"Report {n}: " + " ".join(body[:6])
    return title + "\n\n" + "\n\n".join(paragraphs)


def article_html(n: int, element: str = "") -> bytes:
    title, _, rest = article_text(n, element=element).partition("\n\n")
    paragraphs = "".join(f"<p>{p}</p>" for p in rest.split("\n\n"))
    return (
        f"<!doctype html><html><head><title>{title}</title></head><body><nav>Home News</nav>"
        f"<article><h1>{title}</h1>{paragraphs}</article><footer>Contact us</footer></body></html>"
    ).encode()
