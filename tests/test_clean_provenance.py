"""Provenance: bylines, syndication notes, disclaimers and widget dates become fields, not deletions."""

from __future__ import annotations

import pytest

from monitor.extract import provenance
from monitor.extract.clean import clean


@pytest.mark.parametrize(
    ("line", "authors"),
    [
        ("Written by: Keith Bradsher", ("Keith Bradsher",)),
        ("By Jane Doe", ("Jane Doe",)),
        ("BY JANE DOE", ("JANE DOE",)),
        ("By: Jane Doe", ("Jane Doe",)),
        ("By Jane Doe and John Roe", ("Jane Doe", "John Roe")),
        ("By Jane Doe, John Roe & Ann Lee", ("Jane Doe", "John Roe", "Ann Lee")),
        ("By Maria de la Cruz, Staff Writer", ("Maria de la Cruz",)),
        ("Story by Ahmed bin Salem", ("Ahmed bin Salem",)),
        ("Author: Li Wei", ("Li Wei",)),
        ("By Reuters", ("Reuters",)),
        ("Photographs by: Christie Johnston and Keith Bradsher", None),
        ("By contrast, mines in China can be opened quickly.", None),
        ("By 2030 output will triple", None),
        ("By Monday, the ministry had approved the licences.", None),
        ("By Staff Writer", None),
        ("By", None),
        ("Posted by admin", None),
        ("By " + "Name " * 20, None),
    ],
)
def test_byline_authors(line: str, authors: tuple[str, ...] | None) -> None:
    assert provenance.byline_authors(line) == authors


@pytest.mark.parametrize(
    ("line", "origin"),
    [
        ("This article originally appeared in The New York Times.", "The New York Times"),
        ("This story was first published by Grist.", "Grist"),
        ("This article was originally published on Mining.com.", "Mining.com"),
        (
            "This article is republished from The Conversation under a Creative Commons license.",
            "The Conversation",
        ),
        ("This story originally appeared on Bloomberg on May 3, 2025.", "Bloomberg"),
        ("Originally published by Nikkei Asia", "Nikkei Asia"),
        ("Republished with permission from Mongabay.", "Mongabay"),
        ("This report was published by the Government Accountability Office in 2016.", None),
        ("The report was published in March by the agency.", None),
        ("This article originally appeared in print.", None),
        ("China shook the world in 2010 when it imposed an embargo.", None),
    ],
)
def test_origin_of(line: str, origin: str | None) -> None:
    assert provenance.origin_of(line) == origin


@pytest.mark.parametrize(
    ("line", "flags"),
    [
        (
            "Disclaimer: This article was generated in part using artificial intelligence "
            "and may contain errors "
            "or omissions. Readers are advised to verify the information independently before relying on",
            ("ai_generated",),
        ),
        (
            "Disclaimer: This article is translated and interpreted from content published by a "
            "state-affiliated Chinese industry association.",
            ("translated", "state_affiliated_source"),
        ),
        ("This article was machine-translated from Japanese.", ("translated",)),
        ("This content was produced with the assistance of AI.", ("ai_generated",)),
        ("This is sponsored content. Disclaimer: paid post.", None),
        ("Disclaimer: The views expressed are the author's own.", ()),
        ("Editor's note: This story is a press release.", ("press_release",)),
        ("The document, translated by CSET, describes state-owned refiners.", None),
        ("AI optimization and digitalization are priorities.", None),
        ("This article explains how magnets are made.", None),
        # a bare "Note:" is a disclaimer only when it speaks about the text or its publisher
        ("Note: This article has been updated with the ministry's reply.", ()),
        ("Note: prices were correct at the time of publication.", ()),
        ("Note: we may earn a commission on purchases made through links here.", ()),
        ("Note: older separation circuits used ammonium bicarbonate, which left nitrogen behind.", None),
        ("Note: the oxide figures exclude scandium, which the bureau counts separately.", None),
    ],
)
def test_disclaimer_flags(line: str, flags: tuple[str, ...] | None) -> None:
    assert provenance.disclaimer_flags(line) == flags


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("January 12, 2026", "2026-01-12"),
        ("Jan. 12, 2026", "2026-01-12"),
        ("12 January 2026", "2026-01-12"),
        ("Sept 3 2025", "2025-09-03"),
        ("2026-01-12", "2026-01-12"),
        ("Updated: 12 January 2026, 10:30 GMT", "2026-01-12"),
        ("Published on March 1st, 2025 at 9:15 am", "2025-03-01"),
        ("February 30, 2026", None),
        ("Smarch 12, 2026", None),
        ("In January 12 people came", None),
        ("2026", None),
    ],
)
def test_parse_date(text: str, date: str | None) -> None:
    assert provenance.parse_date(text) == date


def test_clean_gathers_provenance_from_many_lines_in_order_without_repeats() -> None:
    text = "\n".join(
        [
            "By Jane Doe | January 12, 2026",
            "Lynas said it would expand its refinery in Malaysia this year.",
            "Written by: John Roe",
            "By Jane Doe",
            "This article originally appeared in The Japan Times.",
            "This story was first published by Grist.",
            "Disclaimer: This article was generated with the help of AI tools and translated from Chinese.",
        ]
    )
    result = clean(text)
    assert result.text == "Lynas said it would expand its refinery in Malaysia this year."
    assert result.authors == ("Jane Doe", "John Roe")
    assert result.origin == "The Japan Times"  # the first note wins; the second stays as evidence
    assert result.flags == ("ai_generated", "translated")
    assert result.published == "2026-01-12"
    assert [r.reason for r in result.removed] == [
        "byline",
        "byline",
        "byline",
        "origin",
        "origin",
        "disclaimer",
    ]


def test_a_note_in_the_article_s_own_voice_stays_in_the_text() -> None:
    note = "Note: the oxide figures exclude scandium, which the bureau counts separately."
    lead = "Output of separated oxides rose by a tenth in the first half, the bureau said on Monday."
    assert clean("\n".join([lead, note])).text == "\n\n".join([lead, note])
    editorial = "Note: This article has been updated with the ministry's reply."
    assert [r.reason for r in clean("\n".join([lead, editorial])).removed] == ["disclaimer"]


@pytest.mark.parametrize(
    ("line", "authors", "wire"),
    [
        ("By Jane Doe, Reuters", ("Jane Doe",), "Reuters"),
        ("By Jane Doe and John Roe, Bloomberg", ("Jane Doe", "John Roe"), "Bloomberg"),
        ("By Jane Doe", ("Jane Doe",), None),
        ("By Jane Doe, Mining Weekly", ("Jane Doe", "Mining Weekly"), None),  # an outlet we cannot tell
        ("By Reuters", (), "Reuters"),
    ],
)
def test_a_wire_in_a_byline_is_the_outlet(line: str, authors: tuple[str, ...], wire: str | None) -> None:
    text = f"{line}\n\nPrices of NdPr oxide rose to 520,000 yuan per tonne on Thursday, traders said."
    cleaned = clean(text)
    assert (cleaned.authors, cleaned.text.startswith("Prices")) == (authors, True)
    assert provenance.byline_wire(line) == wire


def test_plain_text_outlet_from_a_byline_wire() -> None:
    from monitor.extract.plain import extract_plain

    text = (
        "Rare earth prices climb\n\nBy Jane Doe, Reuters\n\n"
        "Prices of NdPr oxide rose to 520,000 yuan per tonne on Thursday, traders said in Beijing."
    )
    extracted = extract_plain(text)
    assert (extracted.authors, extracted.site_name) == (("Jane Doe",), "Reuters")
