"""The metric taxonomy of ``metrics.toml``, loaded and validated once, with its phrase indexes.

Phrases go into three Aho-Corasick indexes (``phrases.PhraseIndex``): the metrics' names, the
families' cues and the distractors. Unit factors come from pint: the file maps the words news uses
to pint's unit names, pint converts them to tonnes when the file loads.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from monitor.errors import ConfigError
from monitor.numbers.phrases import PhraseIndex

DEFAULT_PATH = Path(__file__).with_name("metrics.toml")
KINDS = ("price", "quota", "trade", "production", "capacity", "funding", "offtake")
EXPECTS = ("price", "t", "t/y", "money")
# A metric family needs a cue in the sentence unless its metrics name themselves (price, funding, offtake).
FAMILIES_WITH_CUES = ("quota", "exports", "imports", "production", "capacity")
METRIC_NAME = re.compile(r"^[a-z]+(?::[a-z0-9]+(?:-[a-z0-9]+)*)?$")


@dataclass(frozen=True, slots=True)
class Metric:
    name: str  # "price:ndpr-oxide"
    label: str
    kind: str  # one of KINDS
    expects: tuple[str, ...]  # of EXPECTS
    fallback: bool = False  # the phrases name the metric loosely: lower confidence
    words: tuple[str, ...] = ()  # the phrases that name it, as the file writes them
    gated: bool = False  # counts only in an article about rare earths (its words are everyday words)
    # "price" of "price:ndpr-oxide": read in the inner loops of assign, so split once, not per use.
    family: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "family", self.name.split(":", 1)[0])


@dataclass(frozen=True, slots=True)
class Unit:
    words: tuple[str, ...]
    pint: str
    tonnes: float  # how many tonnes one of it is (pint's conversion)


@dataclass(frozen=True, slots=True, eq=False)  # compared (and cached) by identity
class Taxonomy:
    metrics: tuple[Metric, ...]
    index: PhraseIndex[Metric]  # metric phrases → the metrics they name
    ungated: PhraseIndex[Metric]  # the phrases of metrics read in any article (prices, quotas, ...)
    cues: PhraseIndex[str]  # cue words → their families
    distractors: PhraseIndex[str]
    other_minerals: PhraseIndex[str]  # "tungsten", "钨": their "concentrate" or "ore" is not rare earths'
    units: Mapping[str, Unit]  # lowercase word → unit
    currencies: Mapping[str, str]  # lowercase word → ISO code
    currencies_written: tuple[str, ...]  # the words as the file writes them ("US$", "RMB", "yuan")
    multipliers: Mapping[str, float]  # lowercase word → factor

    def labels(self) -> dict[str, str]:
        return {metric.name: metric.label for metric in self.metrics}


def _strings(entry: Mapping[str, Any], key: str, where: str) -> list[str]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise ConfigError(f"{where}: {key} must be a list of non-empty strings")
    return value


def _metric(entry: Mapping[str, Any], index: int) -> Metric:
    where = f"metrics.toml metric #{index + 1}"
    name, kind = entry.get("name"), entry.get("kind")
    if not isinstance(name, str) or not METRIC_NAME.match(name):
        raise ConfigError(f"{where}: name {name!r} must look like 'family:member' in lowercase")
    if kind not in KINDS:
        raise ConfigError(f"{where} ({name}): kind {kind!r} must be one of {', '.join(KINDS)}")
    expects = _strings(entry, "expects", where)
    if not expects or any(item not in EXPECTS for item in expects):
        raise ConfigError(f"{where} ({name}): expects must list some of {', '.join(EXPECTS)}")
    phrases = _strings(entry, "en", where) + _strings(entry, "zh", where)
    if not phrases:
        raise ConfigError(f"{where} ({name}): no phrase names it")
    label = entry.get("label")
    if not isinstance(label, str) or not label:
        raise ConfigError(f"{where} ({name}): label missing")
    fallback, gated = bool(entry.get("fallback", False)), bool(entry.get("gated", False))
    return Metric(name, label, kind, tuple(expects), fallback, tuple(phrases), gated)


@cache
def _unit_registry() -> Any:
    import pint  # 0.2 s to import and 0.5 s to build: paid once, when the taxonomy loads

    return pint.UnitRegistry(cache_folder=None)


def _units(entries: list[Mapping[str, Any]]) -> dict[str, Unit]:
    registry = _unit_registry()
    units: dict[str, Unit] = {}
    for index, entry in enumerate(entries):
        where = f"metrics.toml unit #{index + 1}"
        words = _strings(entry, "words", where)
        try:
            tonnes = float(registry.Quantity(1, entry["pint"]).to("tonne").magnitude)
        except Exception as exc:  # pint raises its own hierarchy: UndefinedUnitError, DimensionalityError
            raise ConfigError(
                f"{where}: pint cannot convert {entry.get('pint')!r} to tonnes ({exc})"
            ) from exc
        unit = Unit(tuple(words), str(entry["pint"]), tonnes)
        units.update((word.lower(), unit) for word in words)
    return units


def load(path: Path = DEFAULT_PATH) -> Taxonomy:
    """Read and validate a metrics file; a mistake is a :class:`ConfigError` naming the entry."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    metrics = tuple(_metric(entry, index) for index, entry in enumerate(data.get("metric", [])))
    families = {metric.family for metric in metrics}
    cues: list[tuple[str, str]] = []
    for family in FAMILIES_WITH_CUES:
        if family not in families:
            raise ConfigError(f"metrics.toml: family {family} has cues but no metric")
        entry = data.get("family", {}).get(family)
        if not entry:
            raise ConfigError(f"metrics.toml: family {family} needs [family.{family}] cues")
        cues.extend((word, family) for word in _strings(entry, "en", family) + _strings(entry, "zh", family))
    distractors = data.get("distractors", {})
    currencies: dict[str, str] = {}
    written: list[str] = []
    for entry in data.get("currency", []):
        code = entry.get("code")
        if not isinstance(code, str) or not re.fullmatch(r"[A-Z]{3}", code):
            raise ConfigError(f"metrics.toml: currency code {code!r} is not ISO 4217")
        words = _strings(entry, "words", code)
        written.extend(words)
        currencies.update((re.sub(r"\s+", " ", word).lower(), code) for word in words)
    multipliers = {str(word).lower(): float(factor) for word, factor in data.get("multipliers", {}).items()}
    distractor_words = _strings(distractors, "en", "distractors") + _strings(distractors, "zh", "distractors")
    minerals = data.get("other_minerals", {})
    mineral_words = _strings(minerals, "en", "other_minerals") + _strings(minerals, "zh", "other_minerals")
    return Taxonomy(
        metrics=metrics,
        index=PhraseIndex((phrase, metric) for metric in metrics for phrase in metric.words),
        ungated=PhraseIndex(
            (phrase, metric)
            for metric in metrics
            if not metric.gated and not metric.fallback
            for phrase in metric.words
        ),
        cues=PhraseIndex(cues),
        distractors=PhraseIndex((word, "distractor") for word in distractor_words),
        other_minerals=PhraseIndex((word, "mineral") for word in mineral_words),
        units=_units(data.get("unit", [])),
        currencies=currencies,
        currencies_written=tuple(written),
        multipliers=multipliers,
    )


@cache
def default_taxonomy() -> Taxonomy:
    """The shipped taxonomy, loaded once per process."""
    return load()


@cache
def labels() -> dict[str, str]:
    """Each shipped metric's label ("price:ndpr-oxide" → "NdPr oxide price"), read without building the
    taxonomy (no pint): for pages and messages that only name metrics."""
    data = tomllib.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    return {str(entry["name"]): str(entry.get("label") or entry["name"]) for entry in data.get("metric", [])}
