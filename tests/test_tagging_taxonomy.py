"""The taxonomy file: required content, user files that extend it, and errors that point at the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.errors import ConfigError
from monitor.tagging import load_taxonomy, tag

ELEMENTS = (
    "scandium yttrium lanthanum cerium praseodymium neodymium promethium samarium europium gadolinium "
    "terbium dysprosium holmium erbium thulium ytterbium lutetium"
).split()
REQUIRED = {
    "topic:rare-earths", "topic:critical-minerals",
    "material:ndfeb-magnets", "material:smco-magnets", "material:ndpr-oxide", "material:rare-earth-oxides",
    "material:rare-earth-metals-alloys", "material:mischmetal",
    "company:mp-materials", "company:lynas", "company:china-rare-earth-group", "company:china-northern-rare-earth",
    "company:iluka", "company:energy-fuels", "company:usa-rare-earth", "company:neo-performance-materials",
    "company:niocorp", "company:proterial", "company:shin-etsu", "company:tdk", "company:arafura", "company:ucore",
    "company:solvay", "company:vulcan-elements", "company:noveon",
    "place:ganzhou", "place:longnan", "place:jiangxi", "place:bayan-obo", "place:baotou", "place:inner-mongolia",
    "place:mountain-pass", "place:mount-weld", "place:kuantan", "place:myanmar", "place:kachin", "place:greenland",
    "place:tanbreez", "place:kvanefjeld", "place:texas", "place:nebraska", "place:malaysia",
    "org:usgs", "org:defense-logistics-agency", "org:gao", "org:dod", "org:nrc", "org:iaea", "org:mofcom",
    "org:creia", "org:european-commission", "org:eu-critical-raw-materials-act",
    "theme:export-controls", "theme:quotas", "theme:tariffs-trade-war", "theme:magnets", "theme:mining",
    "theme:processing-refining", "theme:recycling", "theme:stockpiles", "theme:prices",
    "theme:smuggling-illegal-mining", "theme:environment", "theme:defense", "theme:evs-wind",
    "theme:investment-funding", "theme:supply-chain-diversification", "theme:regulation-permitting",
}  # fmt: skip


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
