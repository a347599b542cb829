"""The extractor never raises: hostile, huge, broken and random input all give an ``Extracted``."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.extract import extract_html, extract_text
from monitor.models import Extracted

PROSE = "Neodymium magnet makers warned of shortages as export licences were delayed again, officials said."

HOSTILE = [
    ("binary bytes as text", bytes(range(256)).decode("latin-1") * 50),
    ("NUL characters", f"<p>{PROSE}\x00{PROSE}</p>"),
    ("lone surrogates", f"<p>{PROSE} \ud800\udfff broken</p>"),
    ("100,000 nested divs", "<div>" * 100_000 + PROSE + "</div>" * 100_000),
    ("100,000 unclosed tags", "<p><b><i>" * 33_000 + PROSE),
    ("unterminated comment", f"<p>{PROSE}</p><!-- never closed"),
    ("broken JSON-LD", '<script type="application/ld+json">{"@type": [[[[</script><p>x</p>'),
    ("deep JSON-LD", '<script type="application/ld+json">' + "[" * 5000 + "]" * 5000 + "</script>"),
    ("mis-nested tables", "<table><p><tr><td><article><p>" + PROSE + "</table></p>"),
    ("only whitespace", " \n\t " * 1000),
]


@pytest.mark.parametrize(("name", "html"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_input_never_raises(name: str, html: str) -> None:
    result = extract_html(html, url="https://example.com/2026/01/02/x")
    assert isinstance(result, Extracted)
    assert bool(result.text) != bool(result.empty_reason)


def test_nested_text_survives() -> None:
    html = "<div>" * 100_000 + PROSE + "</div>" * 100_000
    assert PROSE in extract_text(html)


def test_twenty_megabyte_page() -> None:
    paragraph = f"<p>{PROSE}</p>"
    html = "<html><body><article>" + paragraph * (20_000_000 // len(paragraph)) + "</article></body></html>"
    text = extract_text(html)
    assert text.startswith(PROSE)
    assert text.count(PROSE) == 20_000_000 // len(paragraph)


# Random documents built from the tags and attributes the rules care about.
TAGS = ["p", "div", "article", "span", "b", "a", "li", "ul", "nav", "aside", "figure", "figcaption",
        "section", "main", "header", "footer", "br", "script", "table", "td", "h2", "form", "time"]
ATTRS = ["", " class='article-body'", " class='share'", " hidden", " itemprop='articleBody'",
         " style='display:none'", " href='/x'", " datetime='2026-01-01'", " class='caption'"]
words = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)


@st.composite
def documents(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        if depth < 5 and draw(st.booleans()):
            tag, attr = draw(st.sampled_from(TAGS)), draw(st.sampled_from(ATTRS))
            close = draw(st.sampled_from([f"</{tag}>", ""]))  # unclosed tags too
            parts.append(f"<{tag}{attr}>{draw(documents(depth + 1))}{close}")
        else:
            parts.append(draw(st.one_of(words, st.just(PROSE))))
    return "".join(parts)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_random_documents(html: str) -> None:
    result = extract_html(html)
    assert isinstance(result, Extracted)
    assert bool(result.text) != bool(result.empty_reason)
    assert "\n\n\n" not in result.text
    assert result.text == result.text.strip()
    assert "\ue000" not in result.text and "\ue001" not in result.text  # render markers never leak


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text(html: str) -> None:
    assert isinstance(extract_html(html, url=html[:50]), Extracted)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([PROSE, "Short line.", "Another paragraph of the article follows here."]),
                min_size=1, max_size=6))
def test_paragraph_words_survive_in_order(paragraphs: list[str]) -> None:
    html = "<article>" + "".join(f"<p>{p}</p>" for p in paragraphs) + f"<p>{PROSE}</p></article>"
    assert extract_text(html) == "\n\n".join([*paragraphs, PROSE])
