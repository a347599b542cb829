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


# --- Chinese and Japanese texts: no spaces, so no word counts --------------------------------

@pytest.mark.parametrize(
    ("text", "title", "body", "published"),
    [
        (  # a headline, a labelled date line, the body
            "中国稀土价格继续上涨\n\n发布时间：2025-10-20\n\n氧化镨钕价格上涨至每吨59.5万元，较上周上涨1.5%。",
            "中国稀土价格继续上涨",
            "氧化镨钕价格上涨至每吨59.5万元，较上周上涨1.5%。",
            "2025-10-20",
        ),
        (  # Traditional characters, a date written with 年月日 and a time
            "稀土出口管制再收緊\n\n發佈時間：2025年10月20日 14:30\n\n商務部宣布對鏑、鋱實施出口管制。",
            "稀土出口管制再收緊",
            "商務部宣布對鏑、鋱實施出口管制。",
            "2025-10-20",
        ),
        (  # Japanese
            "レアアース価格が上昇\n\n公開日：2025/10/20\n\n酸化ジスプロシウムの価格が上昇した。",
            "レアアース価格が上昇",
            "酸化ジスプロシウムの価格が上昇した。",
            "2025-10-20",
        ),
        (  # Korean: spaces between words, but no capitals for the English headline test
            "희토류 가격 상승\n\n중국 상무부는 희토류 수출 통제를 강화했다고 밝혔다.",
            "희토류 가격 상승",
            "중국 상무부는 희토류 수출 통제를 강화했다고 밝혔다.",
            None,
        ),
        (  # no headline: the first sentence becomes the title, the body keeps it
            "氧化镨钕价格上涨至每吨59.5万元。稀土出口管制推高了市场预期。\n\n分析人士表示价格仍将上涨。",
            "氧化镨钕价格上涨至每吨59.5万元",
            "氧化镨钕价格上涨至每吨59.5万元。稀土出口管制推高了市场预期。\n\n分析人士表示价格仍将上涨。",
            None,
        ),
    ],
)
def test_cjk_headline_and_date_line(text: str, title: str, body: str, published: str | None) -> None:
    extracted = extract_plain(text)
    assert (extracted.title, extracted.text, extracted.published) == (title, body, published)


@pytest.mark.parametrize(
    "line", ["2025年10月", "共2025条评论", "第2025期", "时间就是金钱，2025年不会等人。"]
)
def test_numbers_that_are_no_date_line_stay(line: str) -> None:
    text = f"稀土价格继续上涨\n\n{line}\n\n氧化镨钕价格上涨至每吨59.5万元。"
    assert line in extract_plain(text).text
