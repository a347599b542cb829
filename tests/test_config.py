"""feeds.toml validation: every error names file, line and key."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from monitor import config
from monitor.errors import ConfigError

VALID = """
[monitor]
db = "data/monitor.db"

[[source]]
name = "seeds"
kind = "files"
path = "seeds"

[[source]]
name = "feed"
kind = "rss"
url = "https://example.com/feed"
interval = "15m"
"""


def test_valid_config_is_parsed_with_defaults(write_config: Callable[[str], Path]) -> None:
    cfg = config.load(write_config(VALID))
    assert [s.name for s in cfg.sources] == ["seeds", "feed"]
    assert cfg.sources[1].interval == 900
    assert cfg.sources[0].interval == 3600
    assert cfg.serve.host == "127.0.0.1"
    assert cfg.db_path == (cfg.path.parent / "data/monitor.db").resolve()


BROKEN = [
    # (what is wrong, TOML text, expected line, expected key, words in the message)
    ("syntax", '[[source]]\nname = "a"\nkind = \n', 3, "", "invalid TOML"),
    (
        "unknown key",
        '[[source]]\nname = "a"\nkind = "rss"\nurll = "https://x.y/"\n',
        4,
        "source[0].urll",
        "did you mean 'url'",
    ),
    (
        "bad kind",
        '[[source]]\nname = "a"\nkind = "gopher"\nurl = "https://x.y/"\n',
        3,
        "source[0].kind",
        "must be one of",
    ),
    ("missing name", '[[source]]\nkind = "rss"\nurl = "https://x.y/"\n', 1, "source[0].name", "required"),
    (
        "second source",
        '[[source]]\nname = "a"\nkind = "files"\npath = "x"\n\n[[source]]\nname = "b"\n'
        'kind = "rss"\nurl = "ftp://x.y/"\n',
        9,
        "source[1].url",
        "http",
    ),
    (
        "bad interval",
        '[[source]]\nname = "a"\nkind = "files"\npath = "x"\ninterval = "soon"\n',
        5,
        "source[0].interval",
        "duration",
    ),
    (
        "interval too short",
        '[[source]]\nname = "a"\nkind = "files"\npath = "x"\ninterval = 5\n',
        5,
        "source[0].interval",
        "at least 60",
    ),
    ("wrong type", '[serve]\nport = "eighty"\n', 2, "serve.port", "whole number"),
    ("bool type", '[serve]\nallow_sql = "yes"\n', 2, "serve.allow_sql", "true or false"),
    ("unknown table", "[sevre]\nport = 1\n", 1, "sevre", "did you mean 'serve'"),
    (
        "duplicate name",
        '[[source]]\nname = "a"\nkind = "files"\npath = "x"\n[[source]]\nname = "a"\n'
        'kind = "files"\npath = "y"\n',
        6,
        "source[1].name",
        "duplicate",
    ),
    (
        "duplicate rule",
        '[[alert]]\nname = "r"\nany = ["element:*"]\n[[alert]]\nname = "r"\nany = ["element:*"]\n',
        5,
        "alert[1].name",
        "duplicate",
    ),
    ("files without path", '[[source]]\nname = "a"\nkind = "files"\n', 1, "source[0].path", "needs a path"),
    (
        "bad regex",
        '[[source]]\nname = "a"\nkind = "rss"\nurl = "https://x.y/"\ninclude = ["("]\n',
        5,
        "source[0].include",
        "invalid regex",
    ),
]


@pytest.mark.parametrize(("case", "text", "line", "key", "words"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_config_names_file_line_and_key(
    write_config: Callable[[str], Path], case: str, text: str, line: int, key: str, words: str
) -> None:
    path = write_config(text)
    with pytest.raises(ConfigError) as caught:
        config.load(path)
    error = caught.value
    assert error.line == line, case
    assert error.key == key, case
    assert words in error.message, case
    assert str(error).startswith(f"{path}:{line}: ")


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="No such file"):
        config.load(tmp_path / "absent.toml")


def test_shipped_config_is_valid() -> None:
    cfg = config.load(Path(__file__).resolve().parent.parent / "feeds.toml")
    assert any(s.kind == "files" for s in cfg.sources)
    assert any(s.kind == "rss" for s in cfg.sources)
