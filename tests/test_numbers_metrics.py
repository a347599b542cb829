"""The metric taxonomy file: the shipped one loads and is complete; a broken one is a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.errors import ConfigError
from monitor.numbers.metrics import DEFAULT_PATH, KINDS, default_taxonomy, load

SPEC_PRICES = [
    "ndpr-oxide", "ndpr-metal", "neodymium-oxide", "neodymium-metal", "praseodymium-oxide",
    "dysprosium-oxide",
    "dysprosium-iron", "terbium-oxide", "terbium-metal", "lanthanum-oxide", "cerium-oxide", "yttrium-oxide",
    "europium-oxide", "samarium-oxide", "gadolinium-oxide", "holmium-oxide", "mixed-carbonate", "concentrate",
    "ndfeb-magnet",
]  # fmt: skip


def test_shipped_taxonomy_names_every_metric_of_the_spec() -> None:
    names = {metric.name for metric in default_taxonomy().metrics}
    assert {f"price:{material}" for material in SPEC_PRICES} <= names
    assert {"quota:mining", "quota:smelting", "funding", "offtake"} <= names
    traded = ("rare-earths", "magnets", "concentrate", "oxides", "metals")
    assert {f"{flow}:{what}" for flow in ("exports", "imports") for what in traded} <= names
    assert {f"production:{what}" for what in ("mining", "oxide", "magnets", "ndpr-oxide")} <= names
    stages = ("mining", "separation", "refining", "metal", "magnets")
    assert {f"capacity:{stage}" for stage in stages} <= names
    assert {metric.kind for metric in default_taxonomy().metrics} == set(KINDS)


def test_every_price_is_named_in_english_and_chinese() -> None:
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    for material in SPEC_PRICES:
        block = text.split(f'name = "price:{material}"', 1)[1].split("[[metric]]", 1)[0]
        assert "en = [" in block and "zh = [" in block, material


def test_pint_converts_the_units() -> None:
    units = default_taxonomy().units
    assert units["kt"].tonnes == pytest.approx(1000.0)  # not a knot
    assert units["tons"].tonnes == 1.0  # the news means metric tonnes
    assert units["kg"].tonnes == pytest.approx(0.001)
    assert units["万吨".removeprefix("万")].tonnes == 1.0


def _names(text: str) -> list[tuple[str, str]]:
    return [
        (text[span.start : span.end], metric.name)
        for span in default_taxonomy().index.find(text)
        for metric in span.values
        if metric.kind == "price"
    ]


def test_phrases_match_plurals_hyphens_and_case_the_longest_winning() -> None:
    assert _names("NDPR OXIDES rose") == [("NDPR OXIDES", "price:ndpr-oxide")]
    assert _names("praseodymium-neodymium oxide") == [("praseodymium-neodymium oxide", "price:ndpr-oxide")]
    assert _names("NdProxide and Dysprosiumoxide") == []  # word boundaries
    assert _names("氧化鐠釹".replace("鐠釹", "镨钕")) == [("氧化镨钕", "price:ndpr-oxide")]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ('kind = "price"', "kind 'priced' must be one of"),
        ('name = "price:ndpr-oxide"', "must look like 'family:member'"),
        ('expects = ["price"]', "expects must list some of"),
        ('pint = "kilotonne"', "pint cannot convert"),
        ('code = "EUR"', "is not ISO 4217"),
    ],
)
def test_a_broken_file_names_the_mistake(tmp_path: Path, change: str, message: str) -> None:
    broken = {
        'kind = "price"': 'kind = "priced"',
        'name = "price:ndpr-oxide"': 'name = "Price NdPr"',
        'expects = ["price"]': 'expects = ["yuan"]',
        'pint = "kilotonne"': 'pint = "kilofurlong"',
        'code = "EUR"': 'code = "euro"',
    }[change]
    path = tmp_path / "metrics.toml"
    path.write_text(DEFAULT_PATH.read_text(encoding="utf-8").replace(change, broken, 1), encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load(path)


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"absent\.toml"):
        load(tmp_path / "absent.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[[metric]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.toml"):
        load(bad)
