"""Golden tests: the five seed articles, cleaned and extracted, against what a careful reader keeps."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from monitor.extract.clean import clean
from monitor.extract.plain import extract_plain
from monitor.models import Extracted

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_NAMES = {
    "000": "000_7159b2663a9bb89f.txt",
    "001": "001_c85f48b8e77e91ac.txt",
    "002": "002_41cebc1cddee565f.txt",
    "003": "003_2274d3ac29155189.txt",
    "004": "004_473b1b1740844f32.txt",
}


@cache
def raw(seed: str) -> str:
    return (SEEDS / SEED_NAMES[seed]).read_text(encoding="utf-8")


@cache
def extracted(seed: str) -> Extracted:
    return extract_plain(raw(seed))


def paragraphs(seed: str) -> list[str]:
    return extracted(seed).text.split("\n\n")


TITLES = [
    ("000", "China's rare earths El Dorado gives strategic edge"),
    (
        "001",
        "China's rare earth industry is shifting focus from expanding mining to comprehensive utilization",
    ),
    ("002", "China seized mines and built factories"),
    (
        "003",
        "The Global Race for Rare Earths: America's Urgent Push to Diversify Critical Supply Chains",
    ),
    (
        "004",
        "The relative decline of the US defense technology leadership is synchronized with the decline of "
        "its rare earth capabilities",
    ),
]


@pytest.mark.parametrize(("seed", "title"), TITLES)
def test_title(seed: str, title: str) -> None:
    assert extracted(seed).title == title


FIRST_AND_LAST = [
    (
        "000",
        "Buried in the reddish soil of southern China lies latent power",
        "with bare patches of red soil visible where vegetation has struggled to regrow.",
    ),
    ("001", "Highlights", "it’s about systems, standards, recycling, and industrial intelligence."),
    (
        "002",
        "China seized mines and built factories. Japan took note and invested in Australia.",
        "said David Sandalow, who oversaw critical minerals policy in the Obama administration.",
    ),
    (
        "003",
        "US Ramps Up Efforts to Break China's Grip on Rare Earths",
        "from a truly diverse global marketplace.",
    ),
    (
        "004",
        "The relative decline of the US defense technology leadership",
        "it is clear from the report that the United States",
    ),
]


@pytest.mark.parametrize(("seed", "start", "end"), FIRST_AND_LAST)
def test_body_starts_and_ends_with_article_sentences(seed: str, start: str, end: str) -> None:
    text = extracted(seed).text
    assert text.startswith(start)
    assert text.endswith(end)


BODY_PARAGRAPHS = [
    (
        "000",
        "The flourishing industry is closely protected by Chinese authorities and media access is "
        "seldom granted.",
    ),
    ("000", "Heavy metal"),
    ("000", "'Moving mountains'"),
    ("000", '"It\'s busy 24 hours a day, seven days a week," a resident in the town of Banshi said.'),
    ("000", "Unlicensed mining has been drastically reduced over time."),
    ("001", "- Recycling"),
    ("001", "- AI optimization"),
    ("001", "- Not just opening new mines"),
    ("001", "What China Is Signaling"),
    ("001", "Why This Matters for the U.S. and the West"),
    ("001", "Key implications:"),
    ("001", "Bottom Line"),
    (
        "001",
        "- Digitally optimized processing raises the barrier for competitors trying to replicate "
        "China’s cost "
        "and quality advantages.",
    ),
    ("002", "“You can spend a whole career getting a mine up and running,” Smith said."),
    (
        "002",
        "By contrast, mines in China can be opened quickly and do not have to undergo the same kind "
        "of rigorous "
        "regulatory approval.",
    ),
    (
        "002",
        "The American failure to devise an alternative to its dependence on Chinese supplies has spanned "
        "Democratic and Republican administrations.",
    ),
    (
        "003",
        "The U.S. is intensifying its global campaign to reduce reliance on China for vital rare "
        "earth minerals, "
        "pushing allies to build diversified and secure supply chains for the future.",
    ),
    (
        "004",
        "In the meantime, China has taken important equity and debt positions from many projects that have "
        "failed or are on the verge of failure. Once the project starts production, China will take control.",
    ),
]


@pytest.mark.parametrize(("seed", "paragraph"), BODY_PARAGRAPHS)
def test_body_paragraph_is_kept_whole(seed: str, paragraph: str) -> None:
    assert paragraph in paragraphs(seed)


NOISE = [
    ("000", "Paris fashion doyenne Nichanian bows out at Hermes after 37 years"),
    ("000", "German auto supplier ZF axes electric projects as demand stalls"),
    ("000", "What's driving Guatemala's surge in gang violence?"),
    ("000", "F.Stadler--VB"),
    ("000", "\n\n-\n\n"),
    ("001", "wp:paragraph"),
    ("001", "0 Comments"),
    ("001", "Disclaimer"),
    ("001", "state-affiliated"),
    ("002", "Photo /"),
    ("002", "Song Zuokai, 81"),
    ("002", "Written by"),
    ("002", "originally appeared"),
    ("002", "Photographs by"),
    ("003", "Share-"),
    ("003", "Nishadil"),
    ("003", "Views"),
    ("003", "minutes read"),
    ("003", "January 12, 2026"),
    ("003", "artificial intelligence"),
    ("003", "before relying on"),
]


@pytest.mark.parametrize(("seed", "noise"), NOISE)
def test_noise_is_gone(seed: str, noise: str) -> None:
    assert noise not in extracted(seed).text


def test_headline_list_of_000_is_removed_whole_and_title_kept_out_of_body() -> None:
    result = extracted("000")
    headlines = [r.text for r in result.removed if r.reason == "headline-list" and r.text != "-"]
    assert len(headlines) == 50
    assert result.title not in result.text


def test_title_of_003_is_not_repeated_in_body() -> None:
    assert "The Global Race for Rare Earths" not in extracted("003").text


def test_caption_of_002_is_kept_once_as_caption_and_its_repeat_marked_duplicate() -> None:
    result = extracted("002")
    song = [c for c in result.captions if c.startswith("Song Zuokai")]
    assert len(song) == 1
    reasons = [r.reason for r in result.removed if r.text.startswith("Song Zuokai")]
    assert reasons == ["caption", "duplicate"]
    assert len(result.captions) == 3


@pytest.mark.parametrize(
    ("seed", "authors", "origin", "flags", "published"),
    [
        ("000", ("F. Stadler",), None, (), None),
        ("001", (), None, ("translated", "state_affiliated_source"), None),
        ("002", ("Keith Bradsher",), "The New York Times", (), None),
        ("003", ("Nishadil",), None, ("ai_generated",), "2026-01-12"),
        ("004", (), None, (), None),
    ],
)
def test_provenance(
    seed: str, authors: tuple[str, ...], origin: str | None, flags: tuple[str, ...], published: str | None
) -> None:
    result = extracted(seed)
    assert (result.authors, result.origin, result.flags, result.published) == (
        authors,
        origin,
        flags,
        published,
    )


@pytest.mark.parametrize(
    ("seed", "outlet"),
    [("000", "AFP"), ("001", None), ("002", "The New York Times"), ("003", None), ("004", None)],
)
def test_outlet_the_text_names(seed: str, outlet: str | None) -> None:
    # AFP names itself ("AFP journalists", "told AFP"); 002 says where it originally appeared.
    assert extracted(seed).site_name == outlet


@pytest.mark.parametrize(
    ("seed", "reason", "evidence"),
    [
        ("001", "disclaimer", "Disclaimer: This article is translated"),
        ("002", "origin", "This article originally appeared in The New York Times."),
        ("002", "byline", "Written by: Keith Bradsher"),
        ("002", "photo-credit", "Photographs by: Christie Johnston and Keith Bradsher"),
        ("003", "disclaimer", "Disclaimer: This article was generated in part"),
        ("003", "share-widget", "Share- Nishadil"),
        ("003", "comment-count", "- 0 Comments"),
        ("000", "signoff", "F.Stadler--VB"),
        ("001", "wp-debris", "©!-- /wp:paragraph -->"),
    ],
)
def test_evidence_is_kept_in_removed(seed: str, reason: str, evidence: str) -> None:
    assert any(r.reason == reason and r.text.startswith(evidence) for r in extracted(seed).removed)


@pytest.mark.parametrize(
    ("seed", "repaired", "glued"),
    [
        ("000", "declined to identify themselves Companies did not", "themselvesCompanies"),
        ("000", "a wide range of products including", "ofproducts"),
        ("000", "told AFP that one rare earths mine", "thatone"),
    ],
)
def test_glued_words_are_repaired(seed: str, repaired: str, glued: str) -> None:
    text = extracted(seed).text
    assert repaired in text
    assert glued not in text


@pytest.mark.parametrize("seed", sorted(SEED_NAMES))
def test_cleaning_a_seed_twice_changes_nothing(seed: str) -> None:
    once = clean(raw(seed)).text
    assert clean(once).text == once


@pytest.mark.parametrize("seed", sorted(SEED_NAMES))
def test_every_line_is_kept_or_removed_with_a_reason(seed: str) -> None:
    result = clean(raw(seed))
    non_empty = [line for line in raw(seed).splitlines() if line.strip()]
    assert len(result.text.split("\n\n")) + len(result.removed) == len(non_empty)
