"""extract_plain: the title of a plain-text article, and the fields it fills from clean()."""

from __future__ import annotations

import pytest

from monitor.extract.plain import derive_title, extract_plain, split_title
from monitor.models import EmptyReason

BODY = "Lynas said on Tuesday that it would expand its Malaysian refinery to process heavy rare earths."


@pytest.mark.parametrize(
    ("text", "title", "body"),
    [
        (f"Lynas to expand Malaysian refinery\n{BODY}", "Lynas to expand Malaysian refinery", BODY),
        (
            f"Why Lynas is betting on heavy rare earths?\n\n{BODY}",
            "Why Lynas is betting on heavy rare earths?",
            BODY,
        ),
        # not headline-like: the first sentence gives the title, the body keeps the paragraph
        (BODY, BODY.rstrip("."), BODY),
        (
            f"Highlights\n- Lynas expands its refinery, adding:\n- Heavy rare earths\n{BODY}",
            "Lynas expands its refinery",
            f"Highlights\n\n- Lynas expands its refinery, adding:\n\n- Heavy rare earths\n\n{BODY}",
        ),
        # a lone headline-like line is the title and stays the body, never an empty article
        (
            "Lynas to expand Malaysian refinery",
            "Lynas to expand Malaysian refinery",
            "Lynas to expand Malaysian refinery",
        ),
        ("", "", ""),
    ],
)
def test_split_title(text: str, title: str, body: str) -> None:
    result = extract_plain(text)
    assert (result.title, result.text) == (title, body)


def test_split_title_on_empty_text() -> None:
    assert split_title("") == ("", "")


@pytest.mark.parametrize(
    ("paragraphs", "title"),
    [
        (
            ["China seized mines and built factories. Japan took note."],
            "China seized mines and built factories",
        ),
        (["“We must act,” he said. Then he left."], "“We must act,” he said"),
        (["The U.S. is intensifying its campaign. Allies follow."], "The U.S. is intensifying its campaign"),
        (["Key points", "Rare earths matter a great deal."], "Rare earths matter a great deal"),
        (
            [
                "The relative decline of the US defense technology leadership, which began decades ago, "
                "is now "
                "synchronized with the decline of its rare earth capabilities in every field."
            ],
            "The relative decline of the US defense technology leadership, which began decades ago",
        ),
        (
            ["word " * 40],
            "word word word word word word word word word word word word word word word word word word word…",
        ),
        (["Hi"], "Hi"),
    ],
)
def test_derive_title(paragraphs: list[str], title: str) -> None:
    assert derive_title(paragraphs) == title


def test_fields_come_from_clean() -> None:
    text = "\n".join(
        [
            "Lynas to expand Malaysian refinery",
            "By Jane Doe - January 12, 2026",
            BODY,
            "A worker at the plant in Kuantan. Photo: Jane Doe/Reuters",
            "This article originally appeared in The Edge.",
            "Disclaimer: This article was generated in part using artificial intelligence.",
        ]
    )
    result = extract_plain(text, url="file:///tmp/a.txt")
    assert result.title == "Lynas to expand Malaysian refinery"
    assert result.text == BODY
    assert result.authors == ("Jane Doe",)
    assert result.published == "2026-01-12"
    assert result.captions == ("A worker at the plant in Kuantan. Photo: Jane Doe/Reuters",)
    assert result.origin == "The Edge"
    assert result.flags == ("ai_generated",)
    assert [r.reason for r in result.removed] == ["byline", "caption", "origin", "disclaimer"]
    assert result.empty_reason is None


def test_text_that_is_only_noise_is_empty_with_a_reason() -> None:
    result = extract_plain("Advertisement\n0 Comments\nShare this article")
    assert (result.title, result.text, result.empty_reason) == ("", "", EmptyReason.NO_TEXT)
    assert len(result.removed) == 3


def test_not_a_string_gives_an_empty_extraction_instead_of_raising() -> None:
    result = extract_plain(None, url="file:///broken.txt")  # type: ignore[arg-type]
    assert result.text == ""
    assert result.empty_reason == EmptyReason.ERROR
