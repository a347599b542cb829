"""The taxonomy file: required content, user files that extend it, and errors that point at the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.errors import ConfigError
from monitor.tagging import load_taxonomy, tag

ELEMENTS = [
    "scandium",
    "yttrium",
    "lanthanum",
    "cerium",
    "praseodymium",
    "neodymium",
    "promethium",
    "samarium",
    "europium",
    "gadolinium",
    "terbium",
    "dysprosium",
    "holmium",
    "erbium",
    "thulium",
    "ytterbium",
    "lutetium",
]
REQUIRED = {
    "company:arafura",
    "company:china-northern-rare-earth",
    "company:china-rare-earth-group",
    "company:energy-fuels",
    "company:iluka",
    "company:lynas",
    "company:mp-materials",
    "company:neo-performance-materials",
    "company:niocorp",
    "company:noveon",
    "company:proterial",
    "company:shin-etsu",
    "company:solvay",
    "company:tdk",
    "company:ucore",
    "company:usa-rare-earth",
    "company:vulcan-elements",
    "material:mischmetal",
    "material:ndfeb-magnets",
    "material:ndpr-oxide",
    "material:rare-earth-metals-alloys",
    "material:rare-earth-oxides",
    "material:smco-magnets",
    "org:creia",
    "org:defense-logistics-agency",
    "org:dod",
    "org:eu-critical-raw-materials-act",
    "org:european-commission",
    "org:gao",
    "org:iaea",
    "org:mofcom",
    "org:nrc",
    "org:usgs",
    "place:baotou",
    "place:bayan-obo",
    "place:ganzhou",
    "place:greenland",
    "place:inner-mongolia",
    "place:jiangxi",
    "place:kachin",
    "place:kuantan",
    "place:kvanefjeld",
    "place:longnan",
    "place:malaysia",
    "place:mount-weld",
    "place:mountain-pass",
    "place:myanmar",
    "place:nebraska",
    "place:tanbreez",
    "place:texas",
    "theme:defense",
    "theme:environment",
    "theme:evs-wind",
    "theme:export-controls",
    "theme:investment-funding",
    "theme:magnets",
    "theme:mining",
    "theme:prices",
    "theme:processing-refining",
    "theme:quotas",
    "theme:recycling",
    "theme:regulation-permitting",
    "theme:smuggling-illegal-mining",
    "theme:stockpiles",
    "theme:supply-chain-diversification",
    "theme:tariffs-trade-war",
    "topic:critical-minerals",
    "topic:rare-earths",
}


def test_default_taxonomy_has_required_tags_and_is_cached() -> None:
    taxonomy = load_taxonomy()
    names = {entry.tag for entry in taxonomy.entries}
    assert REQUIRED | {f"element:{name}" for name in ELEMENTS} <= names
    assert load_taxonomy() is taxonomy
    assert all(entry.label and entry.category == entry.tag.split(":")[0] for entry in taxonomy.entries)


def write(tmp_path: Path, text: str, name: str = "mine.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_user_file_extends_an_existing_tag_and_adds_new_ones(tmp_path: Path) -> None:
    extra = write(
        tmp_path,
        '["company:lynas"]\naliases = ["Lynas Kalgoorlie plant"]\nlabel = "Lynas (ASX: LYC)"\n\n'
        '["project:round-top"]\nlabel = "Round Top"\naliases = ["Round Top"]\nweight = 1.0\ngated = false\n',
    )
    taxonomy = load_taxonomy([extra])
    lynas = next(entry for entry in taxonomy.entries if entry.tag == "company:lynas")
    assert lynas.label == "Lynas (ASX: LYC)"
    assert {"Lynas", "Lynas Kalgoorlie plant"} <= set(lynas.aliases)
    assert {"project:round-top", "company:lynas"} <= tag("", "Round Top and Lynas", taxonomy).tag_names()
    assert "project:round-top" not in {entry.tag for entry in load_taxonomy().entries}


def test_user_file_can_replace_a_tag(tmp_path: Path) -> None:
    extra = write(tmp_path, '["place:texas"]\nlabel = "Texas"\nreplace = true\ncased = ["TEXAS"]\n')
    taxonomy = load_taxonomy([extra])
    texas = next(entry for entry in taxonomy.entries if entry.tag == "place:texas")
    assert (texas.aliases, texas.cased) == ((), ("TEXAS",))


@pytest.mark.parametrize(
    ("text", "line", "key", "message"),
    [
        ('["company:x"]\nlabel = "X"\naliases = [1]\n', 3, "company:x.aliases", "list of non-empty strings"),
        ('["company:x"]\nlabel = "X"\naliases = ["x", ]]\n', 3, "", "line 3"),
        (
            '["company:x"]\nlabel = "X"\naliases = ["x"]\ncolour = "red"\n',
            4,
            "company:x.colour",
            "unknown key",
        ),
        ('["Company:X"]\nlabel = "X"\naliases = ["x"]\n', 1, "Company:X", "category:slug"),
        ('["company:x"]\naliases = ["x"]\n', 1, "company:x.label", "needs a label"),
        ('["company:x"]\nlabel = "X"\n', 1, "company:x", "has no terms"),
        (
            '["company:x"]\nlabel = "X"\naliases = ["x"]\nweight = 2\n',
            4,
            "company:x.weight",
            "between 0 and 1",
        ),
        ('["company:x"]\nlabel = "X"\naliases = ["x"]\ngated = "no"\n', 4, "company:x.gated", "wrong type"),
        ('["company:x"]\nlabel = "X"\ncontextual = ["x"]\n', 1, "company:x.context", "need context words"),
        ('["company:x"]\nlabel = "X"\naliases = ["x"\n', 3, "", "Unclosed array"),
    ],
)
def test_invalid_file_names_file_line_and_key(
    tmp_path: Path, text: str, line: int, key: str, message: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_taxonomy([path])
    assert (caught.value.file, caught.value.line, caught.value.key) == (str(path), line, key)
    assert message in caught.value.message


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_taxonomy([tmp_path / "absent.toml"])
