"""The taxonomy: tags and their terms, read from ``topics.toml`` and the user's own files.

Each top-level table is one tag, named ``category:slug``::

    ["company:lynas"]
    label = "Lynas Rare Earths"
    aliases = ["Lynas", "Lynas Rare Earths"]      # any case, word boundaries, plurals, possessives
    cased = ["LYSCF"]                             # exact case (acronyms, formulae)
    tickers = ["LYC"]                             # only as "ASX: LYC", "(ASX:LYC)", "$LYC"
    contextual = ["Lynas Corp"]                   # only when a ``context`` word is in the sentence
    context = ["rare earth"]                      # (words match at a word start: "refin" finds "refinery")
    article_context = ["Kalgoorlie"]              # ...or an ``article_context`` word anywhere in the article
    exclude = ["Lynas Street"]                    # a sentence with one of these never counts
    doubt = ["football"]                          # one of these anywhere: count only if another tag confirms
    name_words = ["Arena"]                        # added to the category's list (entry.py): a capitalised
                                                  # mention next to one is part of a name ("Lynas Arena")
    symbol = "Nd"                                 # elements: the symbol, safe only in lists/compounds
    weight = 1.0                                  # how much one mention says "this is about rare earths"
    gated = false                                 # emit only when the article has rare-earth signal
    window = 2                                    # gated: the signal must be within 2 sentences (0: anywhere)
    opens = true                                  # mentions open the gate (default: ungated, weight > 0)

A user file with an existing tag extends its lists and overrides its scalars, or replaces the
entry when it says ``replace = true``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from monitor.errors import ConfigError
from monitor.tagging.entry import (
    CATEGORY_DEFAULTS,
    CATEGORY_NAME_WORDS,
    OPENING_CATEGORIES,
    OTHER_CATEGORY_DEFAULT,
    TagInfo,
)
from monitor.tagging.matcher import Matcher
from monitor.tagging.text import unreadable

DEFAULT_PATH = Path(__file__).with_name("topics.toml")
TAG_NAME = re.compile(r"^[a-z]+:[a-z0-9]+(?:-[a-z0-9]+)*$")
LIST_KEYS = (
    "aliases", "cased", "tickers", "contextual", "context", "article_context", "exclude", "doubt",
    "name_words",
)  # fmt: skip
SCALAR_KEYS: Mapping[str, type] = {
    "label": str,
    "symbol": str,
    "weight": float,
    "gated": bool,
    "window": int,
    "opens": bool,
    "replace": bool,
}


@dataclass(frozen=True)
class Taxonomy:
    """All tags, in file order; ``matcher`` is compiled on first use and kept."""

    entries: tuple[TagInfo, ...]
    sources: tuple[str, ...] = field(default=())

    @cached_property
    def matcher(self) -> Matcher:
        return Matcher(self.entries)

    @cached_property
    def by_tag(self) -> Mapping[str, TagInfo]:
        return {entry.tag: entry for entry in self.entries}


def load_taxonomy(extra: Sequence[Path] = ()) -> Taxonomy:
    """The shipped taxonomy plus ``extra`` files (same format), validated.

    Raises ``ConfigError`` naming the file, line and key of the first problem.
    """
    if not extra:
        return _default_taxonomy()
    merged = dict(_read_entries(DEFAULT_PATH))
    for path in extra:
        for tag, (raw, where) in _read_entries(Path(path)).items():
            merged[tag] = _merge(merged.get(tag), raw, where)
    entries = tuple(_build(tag, raw, where) for tag, (raw, where) in merged.items())
    return Taxonomy(entries, (str(DEFAULT_PATH), *map(str, extra)))


@lru_cache(maxsize=1)
def _default_taxonomy() -> Taxonomy:
    entries = tuple(_build(tag, raw, where) for tag, (raw, where) in _read_entries(DEFAULT_PATH).items())
    return Taxonomy(entries, (str(DEFAULT_PATH),))


@dataclass(frozen=True, slots=True)
class _Where:
    """Where an entry came from, to point errors at the right line."""

    file: str
    text: str

    def error(self, message: str, tag: str, key: str = "") -> ConfigError:
        return ConfigError(message, file=self.file, line=_line_of(self.text, tag, key), key=_key(tag, key))


def _key(tag: str, key: str) -> str:
    return f"{tag}.{key}" if key else tag


def _line_of(text: str, tag: str, key: str) -> int | None:
    """Line number of ``key`` inside the table ``[\"tag\"]`` (or of the table header)."""
    lines = text.splitlines()
    header = next((i for i, line in enumerate(lines) if _is_header(line, tag)), None)
    if header is None:
        return None
    if not key:
        return header + 1
    for number in range(header + 1, len(lines)):
        stripped = lines[number].lstrip()
        if stripped.startswith("["):
            break
        if re.match(rf"{re.escape(key)}\s*=", stripped):
            return number + 1
    return header + 1


def _is_header(line: str, tag: str) -> bool:
    stripped = line.strip().replace(" ", "")
    return stripped in (f'["{tag}"]', f"['{tag}']", f"[{tag}]")


RawEntries = dict[str, tuple[dict[str, Any], _Where]]


def _read_entries(path: Path) -> RawEntries:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read taxonomy file: {exc.strerror or exc}", file=str(path)) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(exc), file=str(path), line=_decode_error_line(exc, text)) from exc
    where = _Where(str(path), text)
    entries: RawEntries = {}
    for tag, raw in data.items():
        _check_entry(tag, raw, where)
        entries[tag] = (raw, where)
    return entries


def _decode_error_line(exc: tomllib.TOMLDecodeError, text: str) -> int | None:
    found = re.search(r"line (\d+)", str(exc))
    if found:
        return int(found.group(1))
    return len(text.splitlines()) if "end of document" in str(exc) else None


def _check_entry(tag: str, raw: Any, where: _Where) -> None:
    if not isinstance(raw, dict):
        raise where.error('must be a table such as ["category:slug"]', tag)
    if not TAG_NAME.match(tag):
        raise where.error("tag must look like category:slug (lowercase letters, digits, hyphens)", tag)
    for key, value in raw.items():
        _check_value(tag, key, value, where)


def _check_value(tag: str, key: str, value: Any, where: _Where) -> None:
    if key in LIST_KEYS:
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise where.error("must be a list of non-empty strings", tag, key)
    elif key in SCALAR_KEYS:
        _check_scalar(tag, key, value, where)
    else:
        known = ", ".join([*LIST_KEYS, *SCALAR_KEYS])
        raise where.error(f"unknown key (known: {known})", tag, key)


def _check_scalar(tag: str, key: str, value: Any, where: _Where) -> None:
    if key == "window":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise where.error("must be a whole number of sentences (0: anywhere)", tag, key)
    elif key == "weight":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise where.error(f"must be a number, not {type(value).__name__}", tag, key)
        if not 0 <= value <= 1:
            raise where.error("must be between 0 and 1", tag, key)
    elif not isinstance(value, SCALAR_KEYS[key]):
        raise where.error(f"has the wrong type ({type(value).__name__})", tag, key)


def _merge(
    base: tuple[dict[str, Any], _Where] | None, raw: dict[str, Any], where: _Where
) -> tuple[dict[str, Any], _Where]:
    """A user entry extends the lists of an existing tag and overrides its scalars."""
    if base is None or raw.get("replace"):
        return raw, where
    merged = dict(base[0])
    for key, value in raw.items():
        merged[key] = [*merged.get(key, []), *value] if key in LIST_KEYS else value
    return merged, where


def _build(tag: str, raw: dict[str, Any], where: _Where) -> TagInfo:
    category = tag.split(":", 1)[0]
    weight, gated, window = CATEGORY_DEFAULTS.get(category, OTHER_CATEGORY_DEFAULT)
    if not raw.get("label"):
        raise where.error("needs a label", tag, "label")
    if raw.get("contextual") and not (raw.get("context") or raw.get("article_context")):
        raise where.error("contextual terms need context words", tag, "context")
    weight = float(raw.get("weight", weight))
    gated = raw.get("gated", gated)
    info = TagInfo(
        tag=tag,
        category=category,
        label=raw["label"],
        symbol=raw.get("symbol", ""),
        weight=weight,
        gated=gated,
        window=raw.get("window", window),
        opens=raw.get("opens", category in OPENING_CATEGORIES or (not gated and weight > 0)),
        **{key: tuple(dict.fromkeys(raw.get(key, ()))) for key in LIST_KEYS if key != "name_words"},
        name_words=tuple(dict.fromkeys([*CATEGORY_NAME_WORDS.get(category, ()), *raw.get("name_words", ())])),
    )
    if info.term_count == 0:
        raise where.error("has no terms (aliases, cased, tickers, contextual or symbol)", tag)
    for key in ("aliases", "cased", "contextual"):
        for term in getattr(info, key):
            if unreadable(term):
                raise where.error(
                    f"{term!r} is in a script the matcher cannot read (it reads Latin, Chinese, Japanese,"
                    " Cyrillic and Greek)",
                    tag,
                    key,
                )
    return info
