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

# Proper names that contain a term: a mention written capitalised next to one of these words is
# part of a name, not the thing ("Lanthanum Lounge", "Terbium Labs", "Hotel Europium", "the yacht
# Neodymium", "Rare Earth Records", "Lynas Street", "the Lynas family"), on either side of the
# mention, compared exactly. A tag's ``name_words`` add to its category's list (docs/tagging.md).
VENUE_WORDS = (
    "Lounge", "Bar", "Pub", "Cafe", "Café", "Club", "Hotel", "Restaurant", "Grill", "Kitchen", "Brewery",
    "Theatre", "Theater", "Cinema", "Records", "Recordings", "Band", "Quartet", "Ensemble", "Orchestra",
    "Choir", "Festival", "Studio", "Studios", "Productions", "Pictures", "Films", "Games", "Gallery",
    "Books", "Publishing", "Academy", "School", "FC", "United", "Racing", "Cup", "Award", "Prize", "Casa",
)  # fmt: skip
FIRM_WORDS = (
    "Lab", "Labs", "Networks", "Software", "Systems", "Technology", "Technologies", "Tech", "Solutions",
    "Digital", "Security", "Cyber", "Telecom", "Communications", "Media", "Entertainment", "Capital",
    "Partners", "Ventures", "Advisors", "Consulting", "Insurance", "Realty", "Properties", "Health",
    "Therapeutics", "Pharma", "Pharmaceuticals",
)  # fmt: skip
STREET_WORDS = (
    "Street", "St", "Road", "Rd", "Avenue", "Ave", "Lane", "Drive", "Boulevard", "Square", "Park", "Tower",
    "Towers", "Apartments", "Station",
)  # fmt: skip
VESSEL_WORDS = (
    "Star", "Princess", "Queen", "Express", "Spirit", "Voyager", "Explorer", "MV", "MS", "SS", "HMS", "USS",
    "RV", "yacht", "vessel", "tanker", "freighter", "trawler", "racehorse",  # not "ship": a verb too
)  # fmt: skip
PERSON_WORDS = ("Mr", "Mrs", "Ms", "Dr", "Sir", "Dame", "Lady", "Lord", "family", "brothers")  # surnames
CATEGORY_NAME_WORDS: Mapping[str, tuple[str, ...]] = {
    "element": VENUE_WORDS + FIRM_WORDS + STREET_WORDS + VESSEL_WORDS,
    "topic": VENUE_WORDS + VESSEL_WORDS,
    "company": STREET_WORDS + PERSON_WORDS,
}


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
