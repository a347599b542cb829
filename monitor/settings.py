"""Settings declared once, as data: each field carries its default, help and check.

A settings group is a frozen dataclass whose fields are made with :func:`setting`.
``monitor.config`` validates TOML tables against these declarations, docs/configuration.md's
settings table is generated from them, and a test checks that every one is documented.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], str | None]  # returns what is wrong, or None
Convert = Callable[[Any], Any]  # turns the TOML value into the field's value; ValueError says why not


def required(help: str, check: Check | None = None, convert: Convert | None = None) -> Any:
    """A dataclass field with no default: the key must be present."""
    return dataclasses.field(metadata={"help": help, "check": check, "convert": convert})


def setting(default: Any, help: str, check: Check | None = None, convert: Convert | None = None) -> Any:
    """A dataclass field with its default, help text, and optional validation and conversion."""
    meta = {"help": help, "check": check, "convert": convert}
    if isinstance(default, list | dict | tuple):
        frozen = tuple(default) if isinstance(default, list) else default
        return dataclasses.field(default_factory=lambda: frozen, metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


def positive(value: Any) -> str | None:
    return None if isinstance(value, int | float) and value > 0 else "must be a positive number"


def non_negative(value: Any) -> str | None:
    return None if isinstance(value, int | float) and value >= 0 else "must be zero or more"


def one_of(*choices: str) -> Check:
    def check(value: Any) -> str | None:
        return None if value in choices else f"must be one of {', '.join(choices)}"

    return check


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def duration(value: Any) -> int:
    """Seconds from an int or a string such as ``"90s"``, ``"15m"``, ``"1h"``, ``"1d"``."""
    if isinstance(value, bool):
        raise ValueError('must be a duration such as 900, "15m" or "1h"')
    if isinstance(value, int | float):
        return int(value)
    text = str(value).strip().lower()
    if text[:-1].isdigit() and text[-1:] in _UNITS:
        return int(text[:-1]) * _UNITS[text[-1]]
    if text.isdigit():
        return int(text)
    raise ValueError('must be a duration such as 900, "15m" or "1h"')


def string_list(value: Any) -> tuple[str, ...]:
    """A TOML string or list of strings, as a tuple."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ValueError("must be a string or a list of strings")


def default_of(f: dataclasses.Field[Any]) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return dataclasses.MISSING


def describe(group: type) -> list[tuple[str, Any, str]]:
    """(name, default, help) of every setting in a group, for docs and `monitor config show`."""
    rows = []
    for f in dataclasses.fields(group):
        default = default_of(f)
        shown = "(required)" if default is dataclasses.MISSING else default
        rows.append((f.name, shown, str(f.metadata.get("help", ""))))
    return rows
