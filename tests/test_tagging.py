"""Tagging: a table of tricky sentences, evidence and offsets, relevance, co-occurrence, the seeds."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.extract.plain import extract_plain
from monitor.tagging import cooccurs, load_taxonomy, tag
from monitor.tagging.text import split_sentences

TAXONOMY = load_taxonomy()
SEEDS = Path(__file__).resolve().parent.parent / "seeds"
NOTHING: frozenset[str] = frozenset()


def tags_of(text: str, title: str = "") -> frozenset[str]:
    return tag(title, text, TAXONOMY).tag_names()


# (text, tags that must be found, tags that must not be found). ``absent=None`` means "exactly present".
CASES: list[tuple[str, set[str], set[str] | None]] = [
    # element symbols: only in lists, compounds and before element nouns
    ("Dy and Tb supply", {"element:dysprosium", "element:terbium"}, None),
    ("Dy/Tb prices", {"element:dysprosium", "element:terbium", "theme:prices"}, None),
    (
        "La, Ce, Pr and Nd",
        {"element:lanthanum", "element:cerium", "element:praseodymium", "element:neodymium"},
        None,
    ),
    ("Dy oxide climbed", {"element:dysprosium"}, None),
    ("TB cases rose in Delhi", set(), None),
    ("ND voters backed the measure", set(), None),
    ("Teen shoots 60 to share PGA La Quinta lead", set(), None),
    ("Er, well, I am not sure", set(), None),
    ("Ce que je veux, c'est partir", set(), None),
    ("Dylan flew to Tbilisi on Monday", set(), None),
    ("Terbium tags help tuberculosis tests", set(), {"element:terbium"}),
    # compounds and formulae
    ("NdFeB magnets", {"element:neodymium", "material:ndfeb-magnets", "theme:magnets"}, None),
    ("Nd-Fe-B magnets", {"element:neodymium", "material:ndfeb-magnets"}, set()),
    ("NdPr oxide prices rose", {"element:neodymium", "element:praseodymium", "material:ndpr-oxide"}, set()),
    ("SmCo magnets survive heat", {"element:samarium", "material:smco-magnets"}, set()),
    ("an Nd:YAG laser", {"element:neodymium", "element:yttrium"}, set()),
    ("Lu-177 therapy", {"element:lutetium"}, set()),
    ("dysprosium oxide", {"element:dysprosium", "material:rare-earth-oxides"}, set()),
    ("ytterbium lasers", {"element:ytterbium"}, {"element:terbium", "element:erbium"}),
    ("cerium mischmetal lighters", {"element:cerium", "material:mischmetal"}, set()),
    # names: case, hyphens, plurals, possessives, Unicode
    ("rare-earth magnets", {"topic:rare-earths", "theme:magnets"}, set()),
    ("RARE EARTHS", {"topic:rare-earths"}, set()),
    ("rare earth's future", {"topic:rare-earths"}, set()),
    ("REEs and HREE", {"topic:rare-earths"}, set()),
    ("a ree of free trees", set(), None),
    ("lanthanides", {"topic:rare-earths"}, set()),
    ("a rare earthquake", set(), None),
    ("rare\u00a0earth", {"topic:rare-earths"}, set()),
    ("rare\u2010earth", {"topic:rare-earths"}, set()),
    ("rare\nearths", {"topic:rare-earths"}, set()),
    ("Lynas's plant", {"company:lynas"}, set()),
    ("Lynas' plant", {"company:lynas"}, set()),
    ("Lynas\u2019s plant", {"company:lynas"}, set()),
    ("\uff2d\uff30 \uff2d\uff41\uff54\uff45\uff52\uff49\uff41\uff4c\uff53", {"company:mp-materials"}, set()),
    # tickers only in ticker context
    ("MP Materials (NYSE: MP) rose", {"company:mp-materials"}, set()),
    ("Shares of $MP jumped", {"company:mp-materials"}, set()),
    ("The MP said in parliament that rare earths matter", {"topic:rare-earths"}, {"company:mp-materials"}),
    ("Lynas (ASX:LYC) fell", {"company:lynas"}, set()),
    (
        "Energy Fuels (NYSE American: UUUU) processes monazite into rare earths",
        {"company:energy-fuels"},
        set(),
    ),
    ("clean energy fuels the economy", set(), None),
    ("NioCorp (NASDAQ: NB) won a permit", {"company:niocorp"}, set()),
    # companies: former names, Chinese names, negative contexts
    ("Hitachi Metals", {"company:proterial"}, set()),
    ("China Rare Earth Holdings posted rare earth results", {"topic:rare-earths"}, None),
    # "China" (中国) is a place (issue 14): this exact set was {"topic:rare-earths"} before places had China
    ("中国稀土出口下降", {"topic:rare-earths", "place:china"}, None),
    ("The British Geological Survey said rare earths matter", {"topic:rare-earths"}, None),
    (
        "China Northern Rare Earth (600111.SS)",
        {"company:china-northern-rare-earth", "topic:rare-earths"},
        set(),
    ),
    ("北方稀土", {"company:china-northern-rare-earth", "topic:rare-earths"}, set()),
    ("中国稀土集团", {"company:china-rare-earth-group", "topic:rare-earths"}, set()),
    ("The Arafura Sea is rough", set(), None),
    ("Arafura's Nolans project signed a rare earth offtake", {"company:arafura"}, set()),
    ("The Solvay Conference on physics opened", set(), None),
    (
        "Solvay's La Rochelle rare earths plant",
        {"company:solvay", "topic:rare-earths"},
        {"element:lanthanum"},
    ),
    ("TDK Corp. said rare earth magnets", {"company:tdk"}, set()),
    ("TDK Corp. cut its forecast", set(), None),
    ("Shin-Etsu Chemical buys rare earths", {"company:shin-etsu"}, set()),
    # Chinese forms, matched without word boundaries
    ("稀土出口", {"topic:rare-earths"}, set()),
    ("镝和铽的供应", {"element:dysprosium", "element:terbium"}, set()),
    ("赣州和包头的稀土", {"place:ganzhou", "place:baotou", "topic:rare-earths"}, set()),
    ("白云鄂博", {"place:bayan-obo"}, set()),
    # places and themes alone do not make a story, and are not tagged without rare-earth signal
    ("Texas voters went to the polls", set(), None),
    ("Tariffs on steel rose", set(), None),
    ("Mining stocks fell as prices slid", set(), None),
    ("Danish PM visits Greenland for talks", set(), None),
    ("UN expert urges world to reject Myanmar 'sham' election", set(), None),
    (
        "MP Materials builds a magnet plant in Texas",
        {"company:mp-materials", "place:texas", "theme:magnets"},
        set(),
    ),
    ("Kvanefjeld", {"place:kvanefjeld"}, set()),
    ("Critical Metals Corp owns Tanbreez in Greenland", {"place:tanbreez", "place:greenland"}, set()),
    ("Kachin State mines supply heavy rare earths", {"place:kachin", "theme:mining"}, set()),
    ("Inner Mongolia's Baotou makes rare earths", {"place:inner-mongolia", "place:baotou"}, set()),
    ("a mountain pass near the rare earth mine", {"topic:rare-earths"}, {"place:mountain-pass"}),
    # organisations and their contexts
    ("The U.S. Geological Survey estimated rare earth reserves", {"org:usgs"}, set()),
    ("USGS data on rare earths", {"org:usgs"}, set()),
    (
        "China's Ministry of Commerce announced export controls on rare earths",
        {"org:mofcom", "theme:export-controls"},
        set(),
    ),
    ("India's Ministry of Commerce said rare earth imports rose", {"topic:rare-earths"}, {"org:mofcom"}),
    ("The NRC approved the thorium licence for the rare earth plant", {"org:nrc"}, set()),
    ("The NRC said rare earth output fell", {"topic:rare-earths"}, {"org:nrc"}),
    ("The NRC, the Norwegian Refugee Council, said aid is short", set(), None),
    ("Pentagon stockpile of rare earths", {"org:dod", "theme:stockpiles"}, set()),
    ("a pentagon shape near rare earths", {"topic:rare-earths"}, {"org:dod"}),
    ("DLA Piper advised on the rare earths deal", {"topic:rare-earths"}, {"org:defense-logistics-agency"}),
    ("The Defense Logistics Agency buys rare earth oxides", {"org:defense-logistics-agency"}, set()),
    ("The Government Accountability Office (GAO) reported on rare earths", {"org:gao"}, set()),
    # themes: contextual words and negative contexts
    ("China banned exports of rare earth processing technology", {"theme:export-controls"}, set()),
    ("The city banned smoking near the rare earth plant", {"topic:rare-earths"}, {"theme:export-controls"}),
    ("The magnet school teaches about rare earths", {"topic:rare-earths"}, {"theme:magnets"}),
    ("A friend of mine studies rare earths", {"topic:rare-earths"}, {"theme:mining"}),
    ("EVs and wind turbines need rare earth magnets", {"theme:evs-wind", "theme:magnets"}, set()),
    ("Smugglers moved rare earths across the border", {"theme:smuggling-illegal-mining"}, set()),
]


@pytest.mark.parametrize(("text", "present", "absent"), CASES, ids=[case[0][:40] for case in CASES])
def test_sentence_table(text: str, present: set[str], absent: set[str] | None) -> None:
    found = tags_of(text)
    if absent is None:
        assert found == present
    else:
        assert present <= found
        assert not found & absent


def test_mentions_point_into_title_and_text() -> None:
    title, text = (
        "Lynas and MP Materials",
        "Dy and Tb supply from Lynas\u2019s Kuantan plant. Rare earths again.",
    )
    tags = tag(title, text, TAXONOMY)
    joined = f"{title}\n\n{text}"
    assert tags.mentions
    for mention in tags.mentions:
        assert joined[mention.start : mention.end] == mention.term
        assert mention.in_title == (mention.start < len(title))
        assert mention.term in tags.sentences[mention.sentence] or mention.in_title


def test_hits_count_snippet_and_title_flag() -> None:
    tags = tag("Lynas expands", "Lynas said output rose. Lynas' rare earths sell well.", TAXONOMY)
    lynas = next(hit for hit in tags.hits if hit.tag == "company:lynas")
    assert (lynas.count, lynas.in_title, lynas.snippet) == (3, True, "Lynas expands")
    rare = next(hit for hit in tags.hits if hit.tag == "topic:rare-earths")
    assert (rare.count, rare.in_title, rare.snippet) == (1, False, "Lynas' rare earths sell well.")


def test_one_mention_per_tag_and_place() -> None:
    tags = tag("", "Rare earth elements matter.", TAXONOMY)
    assert [(m.tag, m.term) for m in tags.mentions] == [("topic:rare-earths", "Rare earth elements")]


SPORTS = (
    "Defending champion Keys surged into the last 16 of the Australian Open on Saturday, beating "
    "her opponent 6-3, 6-4 in the Melbourne heat. Djokovic plays later under the lights, and the "
    "crowd expects another long night of tennis before the quarter-finals begin on Tuesday."
)
PASSING = (
    "Steel tariffs dominated the summit. " * 40
    + "Officials also mentioned rare earths once. "
    + "Trade ministers will meet again in March to discuss car imports and farm goods. " * 40
)


def test_sports_scores_zero_and_has_no_tags() -> None:
    tags = tag("Keys surges into last 16", SPORTS, TAXONOMY)
    assert tags.score == 0
    assert tags.hits == ()
    assert len(tags.sentences) == 3


def test_passing_mention_scores_low_and_title_raises_the_score() -> None:
    passing = tag("Trade summit ends", PASSING, TAXONOMY).score
    titled = tag("Rare earths at the trade summit", PASSING, TAXONOMY).score
    assert 0 < passing < 0.3
    assert titled > passing


@pytest.fixture(scope="module")
def seeds() -> dict[str, tuple[str, str]]:
    cleaned = {}
    for path in sorted(SEEDS.glob("*.txt")):
        extracted = extract_plain(path.read_text(encoding="utf-8"))
        cleaned[path.name[:3]] = (extracted.title, extracted.text)
    return cleaned


SEED_TAGS = {
    "000": {
        "company:china-rare-earth-group",
        "element:dysprosium",
        "element:terbium",
        "element:yttrium",
        "org:usgs",
        "place:bayan-obo",
        "place:ganzhou",
        "place:inner-mongolia",
        "place:jiangxi",
        "place:longnan",
        "topic:rare-earths",
    },
    "002": {
        "company:lynas",
        "company:mp-materials",
        "company:niocorp",
        "company:proterial",
        "company:shin-etsu",
        "company:tdk",
        "place:malaysia",
        "place:mountain-pass",
        "place:nebraska",
        "place:texas",
        "theme:export-controls",
    },
    "004": {
        "element:dysprosium",
        "org:defense-logistics-agency",
        "org:dod",
        "org:gao",
        "org:iaea",
        "org:nrc",
    },
}


@pytest.mark.parametrize("seed", sorted(SEED_TAGS))
def test_seed_tags(seeds: dict[str, tuple[str, str]], seed: str) -> None:
    title, text = seeds[seed]
    assert SEED_TAGS[seed] <= tag(title, text, TAXONOMY).tag_names()


def test_seeds_score_high(seeds: dict[str, tuple[str, str]]) -> None:
    assert all(tag(title, text, TAXONOMY).score >= 0.75 for title, text in seeds.values())


def test_seed_000_headline_list_tags_nothing() -> None:
    lines = (SEEDS / "000_7159b2663a9bb89f.txt").read_text(encoding="utf-8").splitlines()
    headlines = "\n".join(
        line for line in lines[: lines.index("China's rare earths El Dorado gives strategic edge")]
    )
    assert "Greenland" in headlines and "Myanmar" in headlines and "La Quinta" in headlines
    tags = tag("", headlines, TAXONOMY)
    assert (tags.hits, tags.score) == ((), 0)


def test_seed_000_cleaned_text_has_no_headline_only_tags(seeds: dict[str, tuple[str, str]]) -> None:
    found = tag(*seeds["000"], TAXONOMY).tag_names()
    assert not found & {"place:greenland", "place:myanmar", "element:lanthanum"}


def test_cooccurs_finds_the_shared_sentence() -> None:
    text = "Prices were flat. China tightened the export ban on Dy and Tb. Lynas said little."
    tags = tag("", text, TAXONOMY)
    shared = ["China tightened the export ban on Dy and Tb."]
    assert cooccurs(tags, "element:*", "theme:export-controls") == shared
    assert cooccurs(tags, "element:dysprosium", "element:terbium") == shared
    assert cooccurs(tags, "company:*", "element:*") == []
    # China is a place since issue 14 (this was == [] when the taxonomy had no place:china)
    assert cooccurs(tags, "place:*", "element:*") == shared
    assert cooccurs(tags, "org:*", "element:*") == []


def test_cooccurs_needs_two_mentions() -> None:
    tags = tag("", "Dysprosium is scarce. Terbium too.", TAXONOMY)
    assert cooccurs(tags, "element:*", "element:*") == []


PIECES = st.sampled_from(
    ["Dy and Tb", "rare earths", "Lynas\u2019s", "İstanbul", "ﬁne", "U.S.", "稀土", "镝", "NYSE: MP", "\n\n",
     ". ", "\u00a0", "—", "NdFeB", "Texas", "ẞ", "ǅ", " ", "a", "x.", "(ASX:LYC)", "ﬀ", "\u200b", "Ⅻ"]
)  # fmt: skip


@given(st.lists(PIECES, max_size=30).map("".join), st.lists(PIECES, max_size=5).map("".join))
def test_offsets_and_sentences_are_consistent_for_any_text(text: str, title: str) -> None:
    tags = tag(title, text, TAXONOMY)
    joined = f"{title}\n\n{text}" if text else title
    for mention in tags.mentions:
        assert joined[mention.start : mention.end] == mention.term
        assert 0 <= mention.sentence < len(tags.sentences)
    assert 0 <= tags.score <= 1
    assert {hit.tag for hit in tags.hits} == {mention.tag for mention in tags.mentions}


SPLITS = [
    (
        "The U.S. Geological Survey said so. Then it stopped.",
        ["The U.S. Geological Survey said so.", "Then it stopped."],
    ),
    (
        "Shin-Etsu Chemical Co. and TDK Corp. moved. Next.",
        ["Shin-Etsu Chemical Co. and TDK Corp. moved.", "Next."],
    ),
    ("F. Stadler wrote it. Mr. Smith agreed!", ["F. Stadler wrote it.", "Mr. Smith agreed!"]),
    ('He said "go." Then he left.', ['He said "go."', "Then he left."]),
    ("It rose 3.5 percent. In 2020 it fell.", ["It rose 3.5 percent.", "In 2020 it fell."]),
    ("Title\n\nFirst paragraph.\nSecond paragraph", ["Title", "First paragraph.", "Second paragraph"]),
    ("稀土出口。中国稀土集团！ok", ["稀土出口。", "中国稀土集团！", "ok"]),
    ("e.g. this one. And i.e. that", ["e.g. this one.", "And i.e. that"]),
]


@pytest.mark.parametrize(("text", "expected"), SPLITS)
def test_sentence_splitter(text: str, expected: list[str]) -> None:
    assert [text[start:end] for start, end in split_sentences(text)] == expected


def test_a_title_taken_from_the_first_sentence_is_not_counted_twice() -> None:
    # A plain text without a headline gets its first sentence as title; that sentence is in the
    # body too, and each mention in it is one mention, not two.
    extracted = extract_plain("China's exports of rare earth magnets fell 12.4% in October.")
    assert extracted.text.startswith(extracted.title)
    counts = {hit.tag: hit.count for hit in tag(extracted.title, extracted.text, TAXONOMY).hits}
    assert counts["place:china"] == 1 and counts["theme:magnets"] == 1
    # A headline of its own still counts beside the body.
    tagged = tag("China curbs magnet exports", extracted.text, TAXONOMY)
    headline = {hit.tag: hit.count for hit in tagged.hits}
    assert headline["place:china"] == 2
