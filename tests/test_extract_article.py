"""A fetched page as the pipeline stores it: structure first, then the text-level cleaner."""

from __future__ import annotations

from monitor.extract import extract_article, extract_html
from monitor.extract.clean import clean

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


REPEATED = ("The ministry will publish the second batch of mining quotas once the review of the southern "
            "ionic clay deposits is complete, a spokesman said.")


def test_a_long_paragraph_the_article_block_prints_twice_is_kept_twice() -> None:
    # The extractor chose one block: a paragraph it prints twice (a note under two headings, a
    # paragraph doubled in the body) is the article's; a plain-text scrape of a page is another matter.
    page = (
        "<html><head><title>Quota review</title></head><body><article><h1>Quota review</h1>"
        f"{BODY}<h2>Southern provinces</h2><p>{REPEATED}</p><h2>Northern provinces</h2><p>{REPEATED}</p>"
        "</article></body></html>"
    )
    article = extract_article(page, "https://example.com/quotas")
    assert article.text.count(REPEATED) == 2
    assert "duplicate" not in {r.reason for r in article.removed}
    assert clean(extract_html(page, "https://example.com/quotas").text).text.count(REPEATED) == 1
