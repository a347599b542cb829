"""A fetched page as the pipeline stores it: structure first, then the text-level cleaner."""

from __future__ import annotations

from monitor.extract import extract_article, extract_html

BODY = "".join(
    f"<p>Lynas said its Kuantan plant in Malaysia separated {n} tonnes of dysprosium oxide this quarter,"
    " the first heavy rare earths produced outside China at that scale.</p>"
    for n in (10, 20, 30, 40)
)
PAGE = (
    "<html><head><title>Lynas ships dysprosium</title></head><body><article><h1>Lynas ships dysprosium</h1>"
    f"{BODY}<p>Written by: Jane Doe</p><p>F.Stadler--VB</p>"
    "<p>Disclaimer: This article was generated in part using artificial intelligence and may contain errors."
    "</p></article></body></html>"
)


def test_cleaner_runs_over_extracted_text_and_keeps_provenance() -> None:
    article = extract_article(PAGE, "https://example.com/lynas")
    assert "tonnes of dysprosium oxide" in article.text
    for noise in ("F.Stadler--VB", "Disclaimer", "Written by"):
        assert noise not in article.text
    assert "ai_generated" in article.flags
    assert article.authors == ("Jane Doe",)
    assert {r.reason for r in article.removed} >= {"signoff", "disclaimer"}


def test_structure_alone_keeps_those_lines() -> None:
    # The benchmark measures extract_html; the cleaner is what removes text-level noise.
    assert "F.Stadler--VB" in extract_html(PAGE, "https://example.com/lynas").text


def test_empty_page_keeps_its_reason() -> None:
    assert extract_article("<html><frameset></frameset></html>").empty_reason == "frameset"
