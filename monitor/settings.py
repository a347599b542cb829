"""Settings declared once, as data: each field carries its default, help and check.

A settings group is a frozen dataclass whose fields are made with :func:`setting`.
``monitor.config`` validates TOML tables against these declarations, the README's
settings table is generated from them, and a test checks that every one is documented.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], str | None]  # returns what is wrong, or None


def setting(default: Any, help: str, check: Check | None = None) -> Any:
    """A dataclass field with its help text and an optional validation function."""
    meta = {"help": help, "check": check}
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


def describe(group: type) -> list[tuple[str, Any, str]]:
    """(name, default, help) of every setting in a group, for docs and `monitor config show`."""
    rows = []
    for f in dataclasses.fields(group):
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[misc]
        rows.append((f.name, default, str(f.metadata.get("help", ""))))
    return rows
