"""Each noise rule of the cleaner on its own: what it removes, and the body text it must leave alone."""

from __future__ import annotations

import pytest

from monitor.extract.clean import clean, headline_list_lines, is_headline_like

BEFORE = "Lynas said on Tuesday that it would expand its Malaysian refinery to process heavy rare earths."
AFTER = "The company expects the first dysprosium oxide from the new circuit in the second half of the year."


def around(line: str) -> str:
    return f"{BEFORE}\n{line}\n{AFTER}"


REMOVED = [
    # headline lists are tested below; one line per rule here
    ("-", "separator"),
    ("* * *", "separator"),
    ("<!-- wp:paragraph -->", "wp-debris"),
    ("©!-- /wp:paragraph -->", "wp-debris"),
    ("<p></p>", "wp-debris"),
    ("&nbsp;", "wp-debris"),
    ("F.Stadler--VB", "signoff"),
    ("J.Smith--ABC/XYZ", "signoff"),
    ("bur-jm/dw", "signoff"),
    ("(Reporting by Jane Doe in Beijing; Editing by John Roe)", "signoff"),
    ("-- AFP", "signoff"),
    ("(Reuters)", "signoff"),
    ("Share- Nishadil", "share-widget"),
    ("Share this article", "share-widget"),
    ("Facebook Twitter LinkedIn Email", "share-widget"),
    ("Copy link", "share-widget"),
    ("- 3 minutes read", "share-widget"),
    ("5 min read", "share-widget"),
    ("- 3 Views", "share-widget"),
    ("1,204 views", "share-widget"),
    ("0 Comments", "comment-count"),
    ("- 12 comments", "comment-count"),
    ("Leave a comment", "comment-count"),
    ("No comments", "comment-count"),
    ("January 12, 2026", "date"),
    ("Updated: 12 January 2026, 10:30 GMT", "date"),
    ("By Jane Doe | January 12, 2026 | 4 min read", "byline"),
    ("Written by: Keith Bradsher", "byline"),
    ("By Jane Doe and John Roe", "byline"),
    ("By Maria de la Cruz, Staff Writer", "byline"),
    ("Photo: Reuters", "photo-credit"),
    ("(Getty Images)", "photo-credit"),
    ("Image: AFP/Getty Images", "photo-credit"),
    ("Photographs by: Christie Johnston and Keith Bradsher", "photo-credit"),
    ("Getty Images", "photo-credit"),
    ("This article originally appeared in The New York Times.", "origin"),
    ("This story was first published by Grist.", "origin"),
    ("This article is republished from The Conversation under a Creative Commons license.", "origin"),
    ("Originally published on Mining.com", "origin"),
    ("Disclaimer: The views expressed are the author's own.", "disclaimer"),
    ("Editor's note: This story has been updated.", "disclaimer"),
    ("This article was generated with the help of AI tools.", "disclaimer"),
    ("© 2026 Example Media. All rights reserved.", "copyright"),
    ("Copyright 2025 The New York Times Company", "copyright"),
    ("Advertisement", "advertisement"),
    ("ADVERTISEMENT", "advertisement"),
    ("Story continues below advertisement", "advertisement"),
    ("Subscribe", "subscribe"),
    ("Sign up for our newsletter", "subscribe"),
    ("Get the latest rare earth news delivered to your inbox.", "subscribe"),
    ("Read more: China tightens rare earth export rules", "read-more"),
    ("Continue reading", "read-more"),
    ("See also: Lynas profit falls", "read-more"),
    ("A worker at the Mountain Pass mine in California. Photo: Jane Doe/Reuters", "caption"),
    ("Trucks at the mine in 2019. (Getty Images)", "caption"),
    ("A factory in Ganzhou, China. Photo / Keith Bradsher, The New York Times", "caption"),
    ("Image caption, The mine produces light rare earths", "caption"),
]


@pytest.mark.parametrize(("line", "reason"), REMOVED)
def test_noise_line_is_removed_with_its_reason(line: str, reason: str) -> None:
    result = clean(around(line))
    assert result.text == f"{BEFORE}\n\n{AFTER}"
    assert [r.reason for r in result.removed] == [reason]


KEPT = [
    "By contrast, mines in China can be opened quickly.",
    "By 2030 the company plans to triple output.",
    "By Monday, the ministry had approved the licences.",
    "Photo / video evidence from the site was shown to reporters.",
    "The photo: a quiet valley where mines once ran day and night.",
    "Photos of the mine, taken by a local resident, show bare red soil.",
    "The agency published a photo of the plant (courtesy of the company).",
    "Prices rose.",
    "Demand slowed.",
    "- Recycling",
    "- Heavy rare earths",
    "Share prices of Lynas rose 5% on Monday.",
    "Subscribers to the service get prices daily.",
    "Sign up for the programme closes on Friday, officials said.",
    "Related to this, the ministry said quotas would rise.",
    "Copyright law in China treats mining data as state secrets.",
    "The document, translated by CSET, describes state-owned refiners.",
    "This report was published by the Government Accountability Office in 2016.",
    "Advertising revenue at the miner's media arm fell.",
    "Watch for the quota announcement in March, analysts said.",
    "Bottom Line",
    "What China Is Signaling",
    "US Ramps Up Efforts to Break China's Grip on Rare Earths",
    "Mountain Pass - the only active US mine - reopened in 2017.",
    "Gold nears $5,000 as stocks churn",
]


@pytest.mark.parametrize("line", KEPT)
def test_body_line_survives(line: str) -> None:
    result = clean(around(line))
    assert result.text == f"{BEFORE}\n\n{line}\n\n{AFTER}"
    assert result.removed == ()


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ("- Heavy metal -", "Heavy metal"),
        ("- 'Moving mountains' -", "'Moving mountains'"),
        ("— Supply chains —", "Supply chains"),
    ],
)
def test_dash_framed_subhead_becomes_a_plain_heading(line: str, kept: str) -> None:
    assert clean(around(line)).text == f"{BEFORE}\n\n{kept}\n\n{AFTER}"


GLUE = [
    ("declined to identify themselvesCompanies did not", "declined to identify themselves Companies did not"),
    ("a wide range ofproducts including", "a wide range of products including"),
    ("told AFP thatone mine was busy", "told AFP that one mine was busy"),
    ("a mix ofthatone and this", "a mix of that one and this"),
    ("sold on eBay and iPhone makers", "sold on eBay and iPhone makers"),
    ("Milo McBride said on YouTube", "Milo McBride said on YouTube"),
    ("a PowerPoint slide for easyJet", "a PowerPoint slide for easyJet"),
    ("it often happens offshore", "it often happens offshore"),
    ("a thatched roof and Thatcherism", "a thatched roof and Thatcherism"),
    ("an mRNA plant on macOS and iPad", "an mRNA plant on macOS and iPad"),
    (
        "see https://example.com/someThing and john@mailCorp.com",
        "see https://example.com/someThing and john@mailCorp.com",
    ),
    ("onto the online platform into the inside", "onto the online platform into the inside"),
]


@pytest.mark.parametrize(("glued", "repaired"), GLUE)
def test_glued_words_are_split_only_on_strong_evidence(glued: str, repaired: str) -> None:
    assert clean(glued).text == repaired


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("Prices&nbsp;rose 5&#37; &amp; more.", "Prices rose 5% & more."),
        ("Prices <b>rose</b> sharply.<br/>", "Prices rose sharply."),
        ("Output <!-- wp:paragraph -->grew<!-- /wp:paragraph --> fast.", "Output grew fast."),
        ("Tabs\tand  spaces\u00a0collapse.", "Tabs and spaces collapse."),
        ("Zero\u200bwidth and control\x07 characters go.", "Zerowidth and control characters go."),
        ("Windows\r\nline endings\rwork.", "Windows\n\nline endings\n\nwork."),
        ('[caption id="1"]Mine[/caption] output rose.', "Mine output rose."),
    ],
)
def test_characters_entities_and_markup_are_normalised(raw: str, text: str) -> None:
    assert clean(raw).text == text


HEADLINES = [
    "Paris fashion doyenne bows out after 37 years",
    "Keys revels in Melbourne heat as Djokovic steps up",
    "What's driving Guatemala's surge in gang violence?",
    "Gold nears $5,000, silver shines as stocks churn",
]


def test_separated_headline_list_is_removed_but_the_title_after_it_stays() -> None:
    lines = [
        "-",
        HEADLINES[0],
        "-",
        HEADLINES[1],
        "-",
        HEADLINES[2],
        "-",
        HEADLINES[3],
        "Real title here",
        BEFORE,
    ]
    result = clean("\n".join(lines))
    assert result.text == f"Real title here\n\n{BEFORE}"
    assert {r.reason for r in result.removed} == {"headline-list"}
    assert len(result.removed) == 8


def test_two_separated_headlines_are_not_a_list() -> None:
    lines = [BEFORE, "-", HEADLINES[0], "-", HEADLINES[1], AFTER]
    result = clean("\n".join(lines))
    assert result.text == "\n\n".join([BEFORE, HEADLINES[0], HEADLINES[1], AFTER])
    assert [r.reason for r in result.removed] == ["separator", "separator"]


@pytest.mark.parametrize(
    "heading", ["Related", "Most read", "More stories", "You may also like:", "Read more"]
)
@pytest.mark.parametrize("bullet", ["- ", "• ", ""])
def test_headed_headline_list_is_removed(heading: str, bullet: str) -> None:
    items = [bullet + headline for headline in HEADLINES[:3]]
    result = clean("\n".join([BEFORE, AFTER, heading, *items]))
    assert result.text == f"{BEFORE}\n\n{AFTER}"
    assert [r.reason for r in result.removed] == ["headline-list"] * 4


def test_bulleted_list_in_the_body_survives() -> None:
    lines = [
        BEFORE,
        "Key implications:",
        "- Recycling could reduce the need for new mining",
        "- Digitally optimized processing raises the barrier",
        "- Heavy rare earths",
        AFTER,
    ]
    assert clean("\n".join(lines)).text == "\n\n".join(lines)


def test_a_list_heading_followed_by_prose_removes_only_the_heading() -> None:
    result = clean("\n".join([BEFORE, "Related", AFTER]))
    assert result.text == f"{BEFORE}\n\n{AFTER}"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("China's rare earths El Dorado gives strategic edge", True),
        ("What's driving Guatemala's surge in gang violence?", True),
        ("Highlights", False),
        ("The embargo lasted seven weeks.", False),
        ("- Recycling and secondary supply", False),
        ("lowercase start is not a headline", False),
        ("Key implications:", False),
        ("Two sentences. Are not one headline", False),
        ("", False),
    ],
)
def test_is_headline_like(line: str, expected: bool) -> None:
    assert is_headline_like(line) is expected


def test_headline_list_lines_marks_only_the_list() -> None:
    lines = ["-", HEADLINES[0], "-", HEADLINES[1], "-", HEADLINES[2], "Title of the story", BEFORE]
    assert headline_list_lines(lines) == {0, 1, 2, 3, 4, 5}


def test_repeated_paragraph_is_removed_once_short_repeats_stay() -> None:
    text = "\n".join([BEFORE, "- Yes", AFTER, BEFORE, "- Yes"])
    result = clean(text)
    assert result.text == "\n\n".join([BEFORE, "- Yes", AFTER, "- Yes"])
    assert [(r.reason, r.text) for r in result.removed] == [("duplicate", BEFORE)]


def test_blank_line_separated_input_gives_the_same_result_as_line_separated() -> None:
    lines = [BEFORE, "Advertisement", AFTER, "By Jane Doe"]
    assert clean("\n\n".join(lines)) == clean("\n".join(lines))


def test_empty_and_whitespace_input() -> None:
    for text in ("", " ", "\n\n\n", "\t \u00a0"):
        result = clean(text)
        assert result.text == ""
        assert result.removed == ()
