"""Market numbers out of sentences written for these tests (they mirror how the news words numbers,
in English and Chinese; no article text is copied). Each case says what must be stored, field by
field; distractors must give nothing at all."""

from __future__ import annotations

from typing import Any

import pytest

from monitor.models import Observation
from monitor.numbers import STORE_THRESHOLD, extract_observations, find_observations
from monitor.tagging import load_taxonomy, tag

DATE = "2025-06-10"
TAXONOMY = load_taxonomy()

# (sentence, [(metric, value, value_high, unit, currency, change_pct, period), ...])
CASES: list[tuple[str, list[tuple[Any, ...]]]] = [
    ("NdPr oxide climbed 5% to 620,000 yuan/t in May, traders said.",
     [("price:ndpr-oxide", 620000, None, "t", "CNY", 5.0, "2025-05")]),
    ("Dysprosium oxide in Rotterdam was assessed at $230-240/kg this week.",
     [("price:dysprosium-oxide", 230, 240, "kg", "USD", None, None)]),
    ("Terbium metal slipped 2.1 per cent to 8,900 yuan a kilogram on Tuesday.",
     [("price:terbium-metal", 8900, None, "kg", "CNY", -2.1, "2025-06-10")]),
    ("The price of praseodymium-neodymium oxide fell to 415,000 yuan per tonne, down from 430,000 yuan.",
     [("price:ndpr-oxide", 415000, None, "t", "CNY", None, None)]),
    ("Europe's NdPr oxide quote stood at US$62.50 per kilogram in the second quarter.",
     [("price:ndpr-oxide", 62.5, None, "kg", "USD", None, "2025-Q2")]),
    ("NdPr oxide rose 10,000 yuan/t to 455,000 yuan/t over the week.",
     [("price:ndpr-oxide", 455000, None, "t", "CNY", None, None)]),
    ("Lanthanum oxide held at 4,000 yuan/t while cerium oxide eased to 7,200 yuan/t.",
     [("price:lanthanum-oxide", 4000, None, "t", "CNY", None, None),
      ("price:cerium-oxide", 7200, None, "t", "CNY", None, None)]),
    ("Heavy rare earths firmed: dysprosium oxide prices rose 4% last week.",
     [("price:dysprosium-oxide", None, None, None, None, 4.0, None)]),
    ("上海有色网数据显示，氧化镨钕均价报45.5万元/吨，较上周上涨2.3%。",
     [("price:ndpr-oxide", 455000, None, "t", "CNY", 2.3, None)]),
    ("6月10日，氧化镝报价为1650元/公斤。",
     [("price:dysprosium-oxide", 1650, None, "kg", "CNY", None, "2025-06-10")]),
    ("金属铽价格下跌至7800元/千克。",
     [("price:terbium-metal", 7800, None, "kg", "CNY", None, None)]),
    ("China issued the first batch of 2024 rare earth quotas, with mining at 135,000 tonnes and smelting "
     "and separation at 127,000 tonnes.",
     [("quota:mining", 135000, None, "t", None, None, "2024-batch1"),
      ("quota:smelting", 127000, None, "t", None, None, "2024-batch1")]),
    ("工业和信息化部下达2024年第一批稀土开采、冶炼分离总量控制指标，分别为13.5万吨和12.7万吨。",
     [("quota:mining", 135000, None, "t", None, None, "2024-batch1"),
      ("quota:smelting", 127000, None, "t", None, None, "2024-batch1")]),
    ("The mining quota for 2023 totalled 255,000 tonnes, up 21.4% from a year earlier.",
     [("quota:mining", 255000, None, "t", None, 21.4, "2023")]),
    ("Customs data showed China's rare earth exports fell 7.5% to 4,100 metric tons in May.",
     [("exports:rare-earths", 4100, None, "t", None, -7.5, "2025-05")]),
    ("Shipments abroad of permanent magnets reached 5,200 tonnes last month, the General Administration of "
     "Customs said.",
     [("exports:magnets", 5200, None, "t", None, None, "2025-05")]),
    ("据海关总署数据，5月中国稀土永磁体出口量为5,000吨，同比下降10%。",
     [("exports:magnets", 5000, None, "t", None, -10.0, "2025-05")]),
    ("1-4月，中国进口稀土矿1.8万吨，同比增长12%。",
     [("imports:concentrate", 18000, None, "t", None, 12.0, "2025-01/2025-04")]),
    ("China's imports of rare earth ore from Myanmar were worth $95 million in April.",
     [("imports:concentrate", 95e6, None, None, "USD", None, "2025-04")]),
    ("The company produced 6,800 tonnes of NdPr oxide in 2024.",
     [("production:ndpr-oxide", 6800, None, "t", None, None, "2024")]),
    ("Its Kalgoorlie plant will have a capacity of 12,000 tonnes per year of rare earth oxide.",
     [("capacity:separation", 12000, None, "t/y", None, None, None)]),
    ("The group plans a 10,000 tpa NdFeB magnet factory in Texas.",
     [("capacity:magnets", 10000, None, "t/y", None, None, None)]),
    ("该公司年产5000吨高性能钕铁硼磁材项目已投产。",
     [("capacity:magnets", 5000, None, "t/y", None, None, None)]),
    ("The Department of Defense awarded the company a $35 million grant for a rare earth separation plant.",
     [("funding", 35e6, None, None, "USD", None, None)]),
    ("The rare earths miner secured a A$1.65 billion loan from the government's Critical Minerals Facility.",
     [("funding", 1.65e9, None, None, "AUD", None, None)]),
    ("The rare earth developer raised C$25 million in a private placement on Monday.",
     [("funding", 25e6, None, None, "CAD", None, "2025-06-09")]),
    ("该公司完成定增募资12亿元，用于稀土分离项目。",
     [("funding", 1.2e9, None, None, "CNY", None, None)]),
    ("The binding offtake covers 1,500 tonnes a year of NdPr oxide over seven years.",
     [("offtake", 1500, None, "t/y", None, None, None)]),
]  # fmt: skip

DISTRACTORS = [
    "Lynas shares rose 5% to A$7.20 in Sydney on Tuesday.",
    "MP Materials has a market capitalisation of $4.2 billion.",
    "The deposit holds 25 million tonnes at 2.5% TREO.",
    "Washington imposed a 25% tariff on Chinese permanent magnets in 2025.",
    "For enquiries call +86 10 6532 1234 or visit the company's office.",
    "The company employs 1,200 people at its plant, which opened in 1998.",
    "China's GDP grew 5.2% in 2024, the statistics bureau said.",
    "The rare earth price index rose 3.1% to 215.4 points.",
    "Shenghe's revenue rose 12% to 30 billion yuan last year.",
    "Neodymium demand for wind turbines could grow 8% a year until 2030.",
    "稀土板块股价上涨5%，北方稀土市值达到1000亿元。",
    "该矿稀土品位为2.5%，资源量约500万吨。",
    "The company owns a 51% stake in the Halleck Creek project.",
    "The rare earth magnet maker's stock fell 8% to $12.40 a share.",
    "Temperatures at the mine reached 45 degrees in July.",
]


def _observations(sentence: str) -> tuple[Observation, ...]:
    return extract_observations(sentence, "", published=DATE, lang=None, tags=tag(sentence, "", TAXONOMY))


def _fields(observation: Observation) -> tuple[Any, ...]:
    return (
        observation.metric,
        observation.value,
        observation.value_high,
        observation.unit,
        observation.currency,
        observation.change_pct,
        observation.period,
    )


@pytest.mark.parametrize(("sentence", "expected"), CASES, ids=[case[0][:40] for case in CASES])
def test_sentence(sentence: str, expected: list[tuple[Any, ...]]) -> None:
    found = [_fields(observation) for observation in _observations(sentence)]
    assert found == [tuple(float(v) if isinstance(v, int) else v for v in item) for item in expected]


@pytest.mark.parametrize("sentence", DISTRACTORS)
def test_distractor_stays_silent(sentence: str) -> None:
    assert _observations(sentence) == ()


def test_everyday_metrics_need_an_article_about_rare_earths() -> None:
    sentence = "SoftBank agreed to inject $6.5 billion in debt and equity; iron ore exports rose to 80 Mt."
    assert _observations(sentence) == ()  # no rare-earth tag: loans and ore exports of other news
    assert extract_observations(sentence, "", tags=None)  # untagged text is read whole


def test_offsets_index_title_and_text() -> None:
    title = "Rare earth prices"
    text = "Analysts were cautious. NdPr oxide rose to 620,000 yuan/t on Monday."
    (observation,) = extract_observations(title, text, published=DATE, tags=tag(title, text, TAXONOMY))
    document = f"{title}\n\n{text}"
    assert document[observation.start : observation.end] == observation.written == "620,000 yuan/t"
    assert observation.sentence == "NdPr oxide rose to 620,000 yuan/t on Monday."
    assert "material:ndpr-oxide" in observation.subjects


def test_subjects_come_from_the_same_sentence() -> None:
    text = "Lynas runs a plant in Malaysia. Dysprosium oxide rose to $240/kg."
    (observation,) = extract_observations("Prices", text, published=DATE, tags=tag("Prices", text, TAXONOMY))
    assert "element:dysprosium" in observation.subjects
    assert "company:lynas" not in observation.subjects


def test_without_tags_or_date() -> None:
    (observation,) = extract_observations("NdPr oxide rose to $62/kg in May.", "")
    assert observation.subjects == ()
    assert observation.period is None  # "in May" of which year: unknown without the article's date


def test_loose_names_score_lower_than_exact_ones() -> None:
    exact = find_observations("Dysprosium oxide traded at $230/kg.", "")
    loose = find_observations("Dysprosium traded at $230/kg.", "")
    assert exact[0].confidence > loose[0].confidence


def test_low_confidence_candidates_are_not_stored() -> None:
    sentence = "NdPr oxide was quoted, and the company's valuation reached $62/kg of reserves."
    candidates = find_observations(sentence, "")
    assert candidates and all(item.confidence < STORE_THRESHOLD for item in candidates)
    assert extract_observations(sentence, "") == ()


def test_full_width_digits() -> None:
    (observation,) = _observations("氧化镨钕报４５万元／吨。")
    assert observation.value == 450000.0
    assert observation.written == "４５万元／吨"


def test_no_digits_no_work() -> None:
    assert extract_observations("Rare earths", "China's quotas were not published. Prices rose.") == ()


@pytest.mark.parametrize(
    "sentence",
    [
        "5月份，氧化镨钕价格录得今年以来最大月度涨幅，上涨8%至52万元/吨。",
        "5月份，氧化镨钕均价环比上涨8%，为今年以来最大月度涨幅，报52万元/吨。",
    ],
)
def test_since_this_year_is_a_comparison_not_the_period(sentence: str) -> None:
    """ "今年以来" (so far this year) compares; the month the price is of wins."""
    (found,) = extract_observations("", sentence, published=DATE)
    assert (found.metric, found.value, found.change_pct, found.period) == (
        "price:ndpr-oxide",
        520000,
        8.0,
        "2025-05",
    )


@pytest.mark.parametrize(
    ("sentence", "published"),
    [
        (
            "China issued the first batch of rare earth mining quotas for 2025, setting it at 98,000 t.",
            DATE,
        ),
        (
            "The first batch of rare earth mining quotas for 2025 came to 98,000 tonnes, the ministry said.",
            DATE,
        ),
        ("The first batch of rare earth mining quotas for 2025 came to 98,000 tonnes.", "2024-12-28"),
        ("Beijing put 98,000 tonnes in the first batch of rare earth mining quotas for 2025.", DATE),
    ],
)
def test_a_batch_of_a_year_is_the_batch(sentence: str, published: str) -> None:
    (found,) = extract_observations("", sentence, published=published)
    assert (found.metric, found.value, found.period) == ("quota:mining", 98000, "2025-batch1")


def test_a_title_taken_from_the_text_is_read_once() -> None:
    """extract_plain gives a text without a headline its first sentence as title: one statement."""
    line = "Terbium oxide eased 1.5% to 7,150 yuan/kg in March, dealers said."
    found = extract_observations(line.rstrip("."), line, published=DATE)
    assert [(item.metric, item.value) for item in found] == [("price:terbium-oxide", 7150)]
    assert found[0].start > len(line)  # in the text, after title + "\n\n"
    long_line = (
        " ".join(["Dysprosium oxide rose 3% to 1,720 yuan/kg in April"] + ["and traders stayed"] * 8) + "."
    )
    cut = " ".join(long_line.split()[:20]) + "…"  # a title cut short, as extract_plain cuts it
    assert len(extract_observations(cut, long_line, published=DATE)) == 1
    headline = "Dysprosium rallies"  # a real headline: nothing to skip
    assert len(extract_observations(headline, long_line, published=DATE)) == 1


def test_a_price_unit_left_to_the_earlier_clause() -> None:
    sentence = (
        "Dysprosium oxide was offered at 1.72 million yuan a tonne, and terbium oxide at 6.9 million yuan."
    )
    found = [
        (item.metric, item.value, item.unit, item.currency) for item in extract_observations("", sentence)
    ]
    assert found == [
        ("price:dysprosium-oxide", 1720000, "t", "CNY"),
        ("price:terbium-oxide", 6900000, "t", "CNY"),
    ]
    # No price named between them, or money of another order: not a price.
    for other in (
        "Dysprosium oxide was offered at 1.72 million yuan a tonne, and a trader paid 3 million yuan in fee.",
        "Terbium oxide was offered at 6,900 yuan/kg, and terbium oxide stocks were worth 2 billion yuan.",
    ):
        assert [item.metric for item in extract_observations("", other)] == [
            "price:" + other.split()[0].lower() + "-oxide"
        ]


def _stored(sentence: str) -> list[tuple[Any, ...]]:
    """(metric, value, change_pct, period) of what would be stored, in reading order."""
    return [
        (item.metric, item.value, item.change_pct, item.period)
        for item in extract_observations("", sentence, published=DATE)
        if item.confidence >= STORE_THRESHOLD
    ]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "China set its first batch of 2025 rare earth quotas at 135,000 tonnes for mining and "
            "127,000 tonnes for smelting and separation.",
            [("quota:mining", 135000, None, "2025-batch1"), ("quota:smelting", 127000, None, "2025-batch1")],
        ),
        (
            "Beijing fixed the 2024 quotas at 270,000 tonnes for mining and 254,000 tonnes for smelting.",
            [("quota:mining", 270000, None, "2024"), ("quota:smelting", 254000, None, "2024")],
        ),
        (  # the order reversed: each number still takes the word after it
            "The 2024 quotas came to 254,000 tonnes for smelting and separation and 270,000 tonnes "
            "for mining.",
            [("quota:smelting", 254000, None, "2024"), ("quota:mining", 270000, None, "2024")],
        ),
        (  # the mirror: the word before each number, nothing after
            "China set a mining quota of 135,000 tonnes and a smelting quota of 127,000 tonnes for 2025.",
            [("quota:mining", 135000, None, "2025"), ("quota:smelting", 127000, None, "2025")],
        ),
        (
            "2025年第一批稀土开采总量控制指标为13.5万吨，冶炼分离总量控制指标为12.7万吨。",
            [("quota:mining", 135000, None, "2025-batch1"), ("quota:smelting", 127000, None, "2025-batch1")],
        ),
    ],
)
def test_the_metric_word_after_a_number_is_its_own(sentence: str, expected: list[tuple[Any, ...]]) -> None:
    """ "X tonnes for mining and Y tonnes for smelting": "for smelting" names Y, not the "mining"
    that stands nearer before it (that word is X's)."""
    assert _stored(sentence) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "China raised its rare earth mining quota by 10,000 tonnes to 270,000 tonnes for 2024.",
            [("quota:mining", 270000, None, "2024")],
        ),
        (
            "The ministry lifted this year's rare earth mining quota by about 20,000 tonnes to "
            "290,000 tonnes.",
            [("quota:mining", 290000, None, "2025")],
        ),
        (
            "China's exports of rare earth magnets fell by 2,000 tonnes to 4,215 tonnes in May.",
            [("exports:magnets", 4215, None, "2025-05")],
        ),
        (
            "The 2024 mining quota increased 10,000 tonnes, or 4%, to 270,000 tonnes.",
            [("quota:mining", 270000, 4.0, "2024")],
        ),
        ("2024年稀土开采总量控制指标增加1万吨至27万吨。", [("quota:mining", 270000, None, "2024")]),
        ("2024年稀土开采总量控制指标同比增长1万吨至27万吨。", [("quota:mining", 270000, None, "2024")]),
        (  # "by" after no move word and before no "to" level: the amount itself
            "The rare earth separation project was financed by $400 million in loans.",
            [("funding", 400e6, None, None)],
        ),
        (  # a level "by" nothing: the by-phrase alone is no move
            "China's rare earth mining quota was set at 270,000 tonnes by the ministry for 2024.",
            [("quota:mining", 270000, None, "2024")],
        ),
    ],
)
def test_by_x_to_y_stores_the_level_only(sentence: str, expected: list[tuple[Any, ...]]) -> None:
    """ "by X to Y": X is the size of the move (no field holds an absolute change), Y the level."""
    assert _stored(sentence) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Shenghe's profit fell 20% as NdPr oxide prices averaged 420,000 yuan a tonne in the first half.",
            [("price:ndpr-oxide", 420000, None, "2025-H1")],
        ),
        (
            "Lynas said revenue rose 15% while NdPr oxide averaged $60 per kilogram in the quarter.",
            [("price:ndpr-oxide", 60, None, None)],
        ),
        (
            "The miner's quarterly sales jumped 30%, with NdPr oxide at 450,000 yuan/t.",
            [("price:ndpr-oxide", 450000, None, None)],
        ),
        (
            "NdPr oxide averaged 420,000 yuan a tonne in the first half and Shenghe's net profit fell 20%.",
            [("price:ndpr-oxide", 420000, None, "2025-H1")],
        ),
        (
            "北方稀土上半年净利润下降20%，氧化镨钕均价为42万元/吨。",
            [("price:ndpr-oxide", 420000, None, "2025-H1")],
        ),
        # The change that is the metric's own stays with it.
        (
            "NdPr oxide prices fell 20% to 420,000 yuan a tonne in the first half.",
            [("price:ndpr-oxide", 420000, -20.0, "2025-H1")],
        ),
        (
            "NdPr oxide averaged 420,000 yuan a tonne in the first half, down 20% from a year earlier.",
            [("price:ndpr-oxide", 420000, -20.0, "2025-H1")],
        ),
        (
            "Exports of rare earth magnets rose 12.7% to 5,000 tonnes in May as demand from carmakers "
            "recovered.",
            [("exports:magnets", 5000, 12.7, "2025-05")],
        ),
    ],
)
def test_a_change_belongs_to_its_own_subject(sentence: str, expected: list[tuple[Any, ...]]) -> None:
    """A percentage whose subject is something else (profit, revenue, sales), or that stands in
    another clause, is not the change of the price next to it."""
    assert _stored(sentence) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # "index" is a distractor ("price index", "stock index"), but inside the quota's official
        # name it names the quota: it neither lowers the reading nor takes the change away.
        (
            "The mining control index for 2024 rose 5.9% to 270,000 tonnes.",
            [("quota:mining", 270000, 5.9, "2024")],
        ),
        (
            "China's total control index for rare earth smelting and separation was 254,000 tonnes "
            "for 2024.",
            [("quota:smelting", 254000, None, "2024")],
        ),
        # A real index elsewhere in the sentence is still another subject.
        (
            "China's consumer price index rose 0.4% as rare earth mining quotas stayed at 270,000 tonnes.",
            [("quota:mining", 270000, None, None)],
        ),
    ],
)
def test_a_metric_s_own_words_are_no_distractor(sentence: str, expected: list[tuple[Any, ...]]) -> None:
    assert _stored(sentence) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # Another mineral's concentrate, ore or trade is not rare earths'.
        ("Tungsten concentrate prices rose to 168,000 yuan a tonne this week.", []),
        ("国内钨精矿价格上涨至每吨16.8万元。", []),
        ("China's iron ore imports rose to 100 million tonnes in May as rare earth exports fell.", []),
        (
            "Lithium concentrate prices fell to $800 a tonne, while rare earth concentrate held at "
            "40,000 yuan a tonne.",
            [("price:concentrate", 40000, None, None)],
        ),
        # A mineral's name inside a rare-earth compound is no other mineral.
        (
            "Dysprosium-iron alloy eased to 1.62 million yuan/t.",
            [("price:dysprosium-iron", 1620000, None, None)],
        ),
        ("镝铁合金报价160万元/吨。", [("price:dysprosium-iron", 1600000, None, None)]),
        (
            "Samarium oxide, used in samarium-cobalt magnets, rose 12% to CNY 14,500 per ton.",
            [("price:samarium-oxide", 14500, 12.0, None)],
        ),
        ("稀土精矿价格为每吨4万元。", [("price:concentrate", 40000, None, None)]),
    ],
)
def test_another_mineral_s_numbers_are_not_rare_earths(
    sentence: str, expected: list[tuple[Any, ...]]
) -> None:
    assert _stored(sentence) == expected
