"""Issue 14: languages, places and organisations, word forms, sense rules, the theme gate, user rules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from monitor.errors import ConfigError
from monitor.models import Entry, Page, Source
from monitor.pipeline import prepare
from monitor.tagging import load_taxonomy, tag
from monitor.tagging.language import detect_language
from monitor.tagging.text import script_text

TAXONOMY = load_taxonomy()
PACKAGE = Path(__file__).resolve().parent.parent / "monitor" / "tagging"


def tags_of(text: str, title: str = "") -> frozenset[str]:
    return tag(title, text, TAXONOMY).tag_names()


# (text, tags that must be found, tags that must not be found)
CASES: list[tuple[str, set[str], set[str]]] = [
    # Traditional Chinese folds to Simplified before matching
    (
        "中國商務部對釤、鏑、鋱實施出口管制",
        {
            "org:mofcom",
            "place:china",
            "element:samarium",
            "element:dysprosium",
            "element:terbium",
            "theme:export-controls",
        },
        set(),
    ),
    ("內蒙古包頭的稀土", {"place:inner-mongolia", "place:baotou", "topic:rare-earths"}, set()),
    # a republication notice's licence is not a mining licence
    (
        "Rare earth miners face new permit rules. This article may be republished under a"
        " Creative Commons licence.",
        {"topic:rare-earths", "theme:regulation-permitting"},
        set(),
    ),
    (
        "Rare earth output rose at Mount Weld. This article may be republished under a"
        " Creative Commons licence.",
        {"topic:rare-earths"},
        {"theme:regulation-permitting"},
    ),
    # Japanese forms, and Latin names glued to kana
    (
        "中国商務省はレアアースの輸出管理を強化",
        {"org:mofcom", "place:china", "topic:rare-earths", "theme:export-controls"},
        set(),
    ),
    (
        "米商務省はネオジム磁石を調査",
        {"org:us-commerce", "element:neodymium", "theme:magnets"},
        {"org:mofcom"},
    ),
    ("双日とJOGMECはライナスに出資", {"company:sojitz", "org:jogmec", "company:lynas"}, set()),
    ("内モンゴルの希土類", {"place:inner-mongolia", "topic:rare-earths"}, set()),
    # European element names, accents and inflections
    (
        "Il prezzo del disprosio e del terbio sale",
        {"element:dysprosium", "element:terbium", "theme:prices"},
        set(),
    ),
    ("Neodym und Praseodym aus China", {"element:neodymium", "element:praseodymium", "place:china"}, set()),
    ("Экспорт диспрозия и тербия ограничен", {"element:dysprosium", "element:terbium"}, set()),
    ("Редкоземельные металлы из Китая", {"topic:rare-earths", "place:china"}, set()),
    ("Bastnäsite and BASTNASITE", {"mineral:bastnaesite"}, set()),
    ("Скандинавия", set(), {"element:scandium"}),
    # word forms and paraphrase
    ("China restricted exports of rare earths", {"theme:export-controls", "place:china"}, set()),
    ("Rare earth export restrictions tightened", {"theme:export-controls"}, set()),
    ("Trade tensions rose over rare earths", {"theme:tariffs-trade-war"}, set()),
    ("Rare earth magnetic materials are scarce", {"theme:magnets"}, set()),
    ("The total control index for rare earths was not published", {"theme:quotas"}, set()),
    # names inside names count only when they weigh fully
    ("USA Rare Earth builds magnets", {"company:usa-rare-earth"}, {"place:united-states"}),
    ("Mount Weld in Western Australia", {"place:western-australia"}, {"place:australia"}),
    ("Urban mining of rare earth magnets", {"theme:recycling"}, {"theme:mining"}),
    ("NdPr: praseodymium-neodymium oxide", {"material:ndpr-oxide"}, {"material:rare-earth-oxides"}),
    ("Lynas paid US$50 million for rare earths", {"company:lynas"}, {"place:united-states"}),
    # false senses
    ("Rare Earth, the Motown band, released a new album", set(), {"topic:rare-earths"}),
    ("The Rare Earth hypothesis says complex life is rare", set(), {"topic:rare-earths"}),
    ("The band played a song at Lynas's rare earth plant", {"topic:rare-earths", "company:lynas"}, set()),
    ("Caltrans closed I-15 at Mountain Pass after snow", set(), {"place:mountain-pass"}),
    ("MP Materials' Mountain Pass mine sits off Interstate 15", {"place:mountain-pass"}, set()),
    (
        "Police are cracking down on rare earth smuggling",
        {"theme:smuggling-illegal-mining"},
        {"theme:processing-refining"},
    ),
    (
        "Rare earths: the law grants control of the mine to the state",
        {"theme:mining"},
        {"theme:investment-funding"},
    ),
    ("Neodymium, the new album by the band, is out", set(), {"element:neodymium"}),
    ("A tungsten carbide drill bit", set(), {"critical:tungsten"}),
    # an element inside a mineral's name is the mineral, not the element
    ("氟碳铈矿和磷钇矿", {"mineral:bastnaesite", "mineral:xenotime"}, {"element:cerium", "element:yttrium"}),
    ("Cerium comes from bastnäsite", {"mineral:bastnaesite", "element:cerium"}, set()),
    # a country inside an agency's name is that agency's country (not inside a company's name)
    ("The US Export-Import Bank backs a rare earth plant", {"org:exim", "place:united-states"}, set()),
    # Washington as the US government, with a trade or foreign-policy word in the sentence
    ("Washington and Beijing traded tariffs on rare earth magnets", {"place:united-states"}, set()),
    ("Washington state opened a rare earth recycling plant", set(), {"place:united-states"}),
    ("The Washington Post reported on rare earth exports", set(), {"place:united-states"}),
    # European compound and inflected forms
    ("Der Samarium-Kobalt-Magnet und Permanentmagnete", {"material:smco-magnets", "theme:magnets"}, set()),
    ("Il prezzo dell'ossido di terbio", {"material:rare-earth-oxides", "element:terbium"}, set()),
    ("La planta va a separar lantano y cerio", {"theme:processing-refining"}, set()),
    # paraphrase
    ("Japan's state lender lent Lynas A$200 million for rare earths", {"theme:investment-funding"}, set()),
    ("Police raided an illegal rare earth mine", {"theme:smuggling-illegal-mining"}, set()),
    ("Officials told the mine to stop exporting neodymium", {"theme:export-controls"}, set()),
    ("中国商務省はレアアースの輸出を禁止", {"theme:export-controls"}, set()),
    ("The mill in Utah made dysprosium oxide from ore", {"theme:processing-refining"}, set()),
    ("A pepper mill made in Utah", set(), {"theme:processing-refining"}),
    ("Beijing's curbs on heavy rare earths hit carmakers", {"theme:export-controls"}, set()),
    ("Los precios del disprosio subieron tras las restricciones de China", {"theme:export-controls"}, set()),
    ("China restricted rare earth mining in Jiangxi", {"theme:mining"}, {"theme:export-controls"}),
    ("Rare earth exports fell 25% in May", set(), {"theme:export-controls"}),
    ("The ministry cut the mining quota for rare earths", {"theme:quotas", "theme:mining"}, set()),
    ("米中の貿易摩擦でネオジム価格が上昇", {"place:united-states", "place:china"}, set()),
    ("Tensions over trade with Beijing lifted dysprosium", {"theme:tariffs-trade-war"}, set()),
    ("Die Bundesregierung plant ein Rohstofflager für Seltene Erden", {"theme:stockpiles"}, set()),
    ("The Rare Earth tribute act played two nights", set(), {"topic:rare-earths"}),
    # lenders and agencies the news names
    ("KfW IPEX-Bank and UKEF lent to the rare earth project", {"org:kfw", "org:ukef"}, set()),
    ("The state security ministry said rare earth smuggling rose", {"org:china-mss"}, set()),
    ("Rare earths: a santoku knife is sharp", set(), {"company:santoku"}),
    ("Torngat received C$100 million for its rare earth mine", {"theme:investment-funding"}, set()),
    ("Lynas received rare earth ore from Mount Weld", set(), {"theme:investment-funding"}),
    ("Rare earth refiners in Malaysia run below capacity", {"theme:processing-refining"}, set()),
    ("The G7 will counter China's dominance in rare earths", {"theme:supply-chain-diversification"}, set()),
    ("Sécuriser son approvisionnement en terres rares", {"theme:supply-chain-diversification"}, set()),
    ("日本はレアアースの中国依存度を下げる", {"theme:supply-chain-diversification", "place:china"}, set()),
]

# Terms inside capitalised names of venues, labels, firms, streets and ships (``name_words``).
PROPER_NAMES: list[tuple[str, str, bool]] = [
    ("The Lanthanum Lounge on Main Street hosts a jazz night.", "element:lanthanum", False),
    ("Yttrium Records signed two new acts.", "element:yttrium", False),
    ("The crew of the MV Holmium was rescued.", "element:holmium", False),
    ("Dinner at Hotel Europium's rooftop was fully booked.", "element:europium", False),
    ("Europium Capital Partners raised a new fund.", "element:europium", False),
    ("The yacht Neodymium was moored at Monaco.", "element:neodymium", False),
    ("Cerium Technology, a cyber security firm, opened an office.", "element:cerium", False),
    ("Rare Earth Records released a vinyl reissue.", "topic:rare-earths", False),
    ("Lynas Street was closed for the parade.", "company:lynas", False),
    ("The Lynas family donated their farm to the council.", "company:lynas", False),
    ("Mr. Lynas said the farm was sold.", "company:lynas", False),
    # the thing itself, also in title case and at a sentence start
    ("Lynas Rare Earths said output rose.", "company:lynas", True),
    ("Rare Earth Prices Climb", "topic:rare-earths", True),
    ("China will ship Neodymium Oxide to Japan.", "element:neodymium", True),
    ("Lanthanum prices fell for a third week.", "element:lanthanum", True),
    ("China Curbs Dysprosium Exports", "element:dysprosium", True),
    ("Terbium Oxide Prices Soar", "element:terbium", True),
    ("Lanthanum Carbonate Output Rose", "element:lanthanum", True),
    ("The Lanthanum Lounge is next to a rare earth plant that ships lanthanum.", "element:lanthanum", True),
]


@pytest.mark.parametrize(("text", "name", "found"), PROPER_NAMES, ids=[case[0][:40] for case in PROPER_NAMES])
def test_element_names_inside_proper_names_are_not_the_element(text: str, name: str, found: bool) -> None:
    assert (name in tags_of(text)) is found


def test_user_name_words_extend_the_shipped_ones(tmp_path: Path) -> None:
    extra = tmp_path / "names.toml"
    extra.write_text('["element:cerium"]\nname_words = ["Diner"]\n', encoding="utf-8")
    taxonomy = load_taxonomy([extra])
    assert "element:cerium" not in tag("", "We ate at the Cerium Diner.", taxonomy).tag_names()
    assert "element:cerium" in tag("", "We ate at the Cerium Diner.", TAXONOMY).tag_names()
    # the shipped words are kept
    assert "element:cerium" not in tag("", "Cerium Labs hired staff.", taxonomy).tag_names()


@pytest.mark.parametrize(("text", "present", "absent"), CASES, ids=[case[0][:40] for case in CASES])
def test_sense_table(text: str, present: set[str], absent: set[str]) -> None:
    found = tags_of(text)
    assert present <= found
    assert not found & absent


def test_mentions_index_the_original_traditional_text() -> None:
    text = "美國國防部向MP Materials提供貸款。中國鏑出口"
    tags = tag("", text, TAXONOMY)
    assert {
        "org:dod",
        "company:mp-materials",
        "place:united-states",
        "element:dysprosium",
    } <= tags.tag_names()
    for mention in tags.mentions:
        assert f"\n\n{text}"[mention.start : mention.end] == mention.term
    assert "鏑" in {mention.term for mention in tags.mentions}


def test_script_text_keeps_the_length() -> None:
    text = "經濟產業省 臺灣 鬱 ЁЛКА Διεθνής"
    folded = script_text(text)
    assert len(folded) == len(text)
    assert folded.startswith("经济产业省 台湾 郁 елка")


def test_commerce_ministry_needs_china_somewhere_in_the_article() -> None:
    with_china = "China tightened rare earth rules. The commerce ministry said licences are needed."
    without = "Rare earth imports rose. The commerce ministry said licences are needed."
    assert "org:mofcom" in tags_of(with_china)
    assert "org:mofcom" not in tags_of(without)
    assert "org:mofcom" not in tags_of("India's Ministry of Commerce said rare earth imports from China rose")


def test_themes_need_signal_nearby() -> None:
    filler = " ".join(f"Filler sentence number {n} is here." for n in range(6))
    far = f"Rare earth prices rose. {filler} Supply chain delays hit toy makers."
    near = "Rare earth prices rose. Supply chain delays hit magnet makers."
    assert "theme:supply-chain-diversification" not in tags_of(far)
    assert "theme:supply-chain-diversification" in tags_of(near)
    # a rare-earth title speaks for the whole article
    assert "theme:supply-chain-diversification" in tags_of(far, title="Rare earths")
    # places and organisations need the signal anywhere in the article
    assert "place:japan" in tags_of(f"Rare earth prices rose. {filler} Japan said so.")


def test_adjacent_critical_minerals_open_the_gate_but_weigh_nothing() -> None:
    tags = tag("", "China banned exports of gallium and germanium to the United States.", TAXONOMY)
    assert {"critical:gallium", "critical:germanium", "theme:export-controls", "place:china",
            "place:united-states"} <= tags.tag_names()  # fmt: skip
    assert tags.score == 0  # not a rare-earth story
    assert tags_of("The new charger uses gallium nitride chips to stay cool.") == frozenset()
    assert tags_of("Graphite shafts make the golf clubs lighter.") == frozenset()


def test_user_file_adds_terms_and_sense_rules(tmp_path: Path) -> None:
    extra = tmp_path / "mine.toml"
    extra.write_text(
        '["company:acme-magnets"]\nlabel = "Acme Magnets"\naliases = ["Acme Magnets"]\n'
        'contextual = ["Acme"]\narticle_context = ["magnet"]\ndoubt = ["cartoon", "Road Runner"]\n\n'
        '["theme:prices"]\nwindow = 0\n',
        encoding="utf-8",
    )
    taxonomy = load_taxonomy([extra])
    assert "company:acme-magnets" in tag("", "Acme Magnets opened a plant.", taxonomy).tag_names()
    assert "company:acme-magnets" in tag("", "Acme grew. Its magnet line sold out.", taxonomy).tag_names()
    assert "company:acme-magnets" not in tag("", "Acme grew fast.", taxonomy).tag_names()
    assert tag("", "Acme Magnets in the Road Runner cartoon.", taxonomy).tag_names() == frozenset()
    far = "Rare earths rose. " + "Filler here. " * 6 + "Prices fell."
    assert "theme:prices" in tag("", far, taxonomy).tag_names()
    assert "theme:prices" not in tag("", far, TAXONOMY).tag_names()
    # another rare-earth tag confirms a doubted one
    assert (
        "company:acme-magnets"
        in tag("", "Acme Magnets, not the cartoon, buys rare earths.", taxonomy).tag_names()
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('["theme:x"]\nlabel = "X"\naliases = ["x"]\nwindow = -1\n', "whole number"),
        ('["theme:x"]\nlabel = "X"\naliases = ["x"]\nwindow = true\n', "whole number"),
        ('["theme:x"]\nlabel = "X"\naliases = ["x"]\nopens = "yes"\n', "wrong type"),
        ('["theme:x"]\nlabel = "X"\naliases = ["x"]\ndoubt = "band"\n', "list of non-empty strings"),
        # a Korean name would fold to "xxxx" and match any four-letter word of an unread script
        ('["org:x"]\nlabel = "X"\naliases = ["X", "한국광업"]\n', "script the matcher cannot read"),
    ],
)
def test_new_keys_are_validated(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_taxonomy([path])


@pytest.mark.parametrize(
    ("title", "text", "lang"),
    [
        (
            "Lynas ramps up",
            "Lynas said its Malaysian plant produced more heavy rare earths in the quarter.",
            "en",
        ),
        ("", "中國商務部宣布對稀土實施出口管制，涉及七種中重稀土。", "zh-Hant"),
        ("", "中国商务部宣布对稀土实施出口管制，涉及七种中重稀土。", "zh-Hans"),
        ("", "中国商務省はレアアース関連技術の輸出管理を強化すると発表した。", "ja"),
        ("", "Die Preise für Neodym sind gestiegen, weil China die Ausfuhr beschränkt.", "de"),
        ("", "La Cina ha imposto restrizioni all'esportazione di disprosio e terbio.", "it"),
        ("", "Китай ограничил экспорт редкоземельных металлов.", "ru"),
        ("", "Lynas", None),
    ],
)
def test_detect_language(title: str, text: str, lang: str | None) -> None:
    assert detect_language(title, text) == lang


def _prepare(html: str) -> str | None:
    page = Page("https://ex.org/a", "https://ex.org/a", html)
    prepared = prepare(Source(name="s", kind="rss", url="https://ex.org/f"), Entry(url=page.url), page,
                       TAXONOMY, "now")  # fmt: skip
    assert prepared is not None
    return prepared.article.content.lang


def test_pipeline_sets_lang_when_the_page_does_not_declare_it() -> None:
    body = (
        "<p>Die Preise für Neodym und Dysprosium sind stark gestiegen, weil China die Ausfuhr beschränkt.</p>"
    )
    assert _prepare(f"<html><body><article>{body * 3}</article></body></html>") == "de"
    assert _prepare(f'<html lang="fr"><body><article>{body * 3}</article></body></html>') == "fr"


def test_tagging_modules_import_no_cycle() -> None:
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[path.stem] = {
            node.module.rsplit(".", 1)[-1]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("monitor.tagging.")
        }

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(
            nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt}))
            for nxt in graph.get(start, ())
        )

    assert not [name for name in graph if name != "__init__" and reaches(name, name, set())]


DOCS = Path(__file__).resolve().parent.parent / "docs" / "tagging.md"


TOML_BLOCKS = [b.split("```")[0] for b in DOCS.read_text(encoding="utf-8").split("```toml\n")[1:]]


def test_the_docs_show_topics_examples() -> None:
    assert len(TOML_BLOCKS) >= 2


@pytest.mark.parametrize("block", range(len(TOML_BLOCKS)))
def test_documented_examples_load(tmp_path: Path, block: int) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(TOML_BLOCKS[block], encoding="utf-8")
    assert load_taxonomy([path]).entries


NAMED_IN_ISSUE_14 = [
    "place:china", "place:japan", "place:france", "place:australia", "place:united-kingdom",
    "place:united-states", "place:myanmar", "place:vietnam", "place:brazil", "place:india", "place:malaysia",
    "place:greenland", "place:canada", "place:bayan-obo", "place:mountain-pass", "place:mount-weld",
    "place:kalgoorlie", "place:kuantan", "place:kachin", "place:kvanefjeld", "place:tanbreez", "place:nolans",
    "place:browns-range", "place:round-top", "company:serra-verde", "mineral:monazite", "mineral:bastnaesite",
    "mineral:xenotime", "mineral:ionic-clay", "company:china-northern-rare-earth",
    "company:china-rare-earth-group", "company:shenghe", "company:jl-mag", "company:lynas",
    "company:mp-materials", "company:iluka", "company:arafura", "company:energy-fuels",
    "company:neo-performance-materials", "company:usa-rare-earth", "company:vulcan-elements",
    "company:solvay",
    "company:shin-etsu", "company:proterial", "company:tdk", "company:sojitz", "org:jogmec", "org:exim",
    "org:dfc", "org:mofcom", "org:gac", "org:miit", "org:mnr", "org:dod", "org:doe", "org:us-commerce",
    "org:usgs", "org:european-commission", "org:eu-critical-raw-materials-act", "org:meti",
    "org:critical-minerals-office", "org:export-finance-australia", "org:kia",
]  # fmt: skip


def test_taxonomy_has_what_issue_14_names() -> None:
    names = {entry.tag for entry in TAXONOMY.entries}
    assert not set(NAMED_IN_ISSUE_14) - names
    assert sum(entry.category == "company" for entry in TAXONOMY.entries) >= 50
