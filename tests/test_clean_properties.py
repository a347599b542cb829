"""Properties of clean() and extract_plain() on arbitrary text: never raise, idempotent, nothing lost."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import monitor.extract.clean as cleaner
from monitor.extract.clean import clean
from monitor.extract.plain import extract_plain

SEEDS = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))

# Lines that look like the noise and the body the rules are about, so hypothesis mixes real cases.
NOISY_LINES = [
    "-",
    "Share- Nishadil",
    "- 0 Comments",
    "- 3 Views",
    "January 12, 2026",
    "Written by: Keith Bradsher",
    "By Jane Doe",
    "Photo / Keith Bradsher, The New York Times",
    "- Heavy metal -",
    "F.Stadler--VB",
    "©!-- /wp:paragraph -->",
    "Related",
    "Advertisement",
    "Disclaimer: This article was generated using AI.",
    "This article originally appeared in The New York Times.",
    "Gold nears $5,000 as stocks churn",
    "China shook the world in 2010 when it imposed an embargo.",
    "- Recycling",
    "themselvesCompanies ofproducts thatone",
    "",
]
# "&" and "<" are left out where idempotence is checked: "&amp;lt;b&amp;gt;" decodes one level per pass.
SAFE_TEXT = st.text(alphabet=st.characters(blacklist_characters="&<"), max_size=400)
LINES = st.lists(st.one_of(st.sampled_from(NOISY_LINES), SAFE_TEXT), max_size=30).map("\n".join)


@given(st.text(max_size=2000))
def test_clean_never_raises_and_returns_normalised_paragraphs(text: str) -> None:
    result = clean(text)
    assert "\n\n\n" not in result.text
    assert result.text == result.text.strip()
    assert all(
        paragraph.strip() == paragraph and paragraph for paragraph in result.text.split("\n\n") if result.text
    )


@given(st.text(max_size=2000))
def test_extract_plain_never_raises(text: str) -> None:
    result = extract_plain(text)
    assert (result.text == "") == (result.empty_reason is not None)


@given(
    st.text(
        alphabet=st.characters(codec="utf-8", categories=["Cc", "Cs", "Co", "Zs", "Zl", "Zp"]), max_size=500
    )
)
def test_control_and_separator_characters_never_reach_the_text(text: str) -> None:
    result = clean(text)
    assert not any(ord(ch) < 32 and ch != "\n" for ch in result.text)


@given(LINES)
def test_clean_is_idempotent(text: str) -> None:
    once = clean(text).text
    assert clean(once).text == once


@given(LINES)
def test_every_non_blank_line_is_kept_or_removed(text: str) -> None:
    result = clean(text)
    kept = len(result.text.split("\n\n")) if result.text else 0
    for separator in ("\r", "\x85", "\u2028", "\u2029"):
        text = text.replace(separator, "\n")
    assert kept + len(result.removed) == len([line for line in text.split("\n") if line.strip()])


@settings(max_examples=5, deadline=None)
@given(st.sampled_from(["-\n", "a" * 5000 + "\n", "<!--" * 2000, "ofthat" * 3000, "By Jane Doe\n", "x\n"]))
def test_huge_and_pathological_input_completes(chunk: str) -> None:
    text = chunk * max(1, 300_000 // len(chunk))
    assert isinstance(clean(text).text, str)
    assert isinstance(extract_plain(text).title, str)


def test_seeds_concatenated_and_repeated_still_clean() -> None:
    text = "\n".join(path.read_text(encoding="utf-8") for path in SEEDS) * 20
    result = clean(text)
    assert "F.Stadler--VB" not in result.text
    assert len(result.text) < len(text) // 10  # every repeat after the first is a duplicate


@given(st.one_of(st.sampled_from(NOISY_LINES), SAFE_TEXT, st.text(max_size=120)))
def test_the_noise_gate_lets_through_every_line_a_rule_removes(line: str) -> None:
    # The gate in front of the line rules may only skip lines on which every rule but the caption's fails.
    line = line.strip()
    if not line:
        return
    reasons = [rule(line, cleaner._Collector()) for rule in cleaner._SHORT_RULES[:-1]]
    if any(reasons):
        assert cleaner._may_be_noise(line)
