"""One tag of the taxonomy and the terms and rules that find it (shared by taxonomy and matcher)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# Which categories speak for rare earths by themselves (weight) and which only describe an article
# that already does (gated): "Texas", "mining" or "tariffs" alone must not make a story relevant.
# The third value is the gate window in sentences (0: anywhere in the article): a theme needs
# rare-earth or critical-minerals signal near it, a place or an organisation anywhere.
CATEGORY_DEFAULTS: Mapping[str, tuple[float, bool, int]] = {
    "topic": (1.0, False, 0),
    "element": (1.0, False, 0),
    "material": (1.0, False, 0),
    "mineral": (1.0, False, 0),
    "company": (1.0, False, 0),
    "critical": (0.0, False, 0),
    "place": (0.0, True, 0),
    "org": (0.0, True, 0),
    "theme": (0.0, True, 2),
}
OTHER_CATEGORY_DEFAULT = (0.0, True, 0)
# Adjacent critical minerals (gallium, germanium, ...) weigh nothing for rare-earth relevance but
# open the gate: an article on gallium export controls gets its themes, places and agencies.
OPENING_CATEGORIES = frozenset({"critical"})


@dataclass(frozen=True, slots=True)
class TagInfo:
    """One tag of the taxonomy and the terms that find it."""

    tag: str
    category: str
    label: str
    aliases: tuple[str, ...] = ()
    cased: tuple[str, ...] = ()
    tickers: tuple[str, ...] = ()
    contextual: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    article_context: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    doubt: tuple[str, ...] = ()
    name_words: tuple[str, ...] = ()
    symbol: str = ""
    weight: float = 0.0
    gated: bool = True
    window: int = 0
    opens: bool = False

    @property
    def term_count(self) -> int:
        return (
            len(self.aliases) + len(self.cased) + len(self.tickers) + len(self.contextual) + bool(self.symbol)
        )
