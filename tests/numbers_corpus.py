"""Articles that state market numbers, written for the tests (mirroring real constructions, no
third-party text): an April price report, a May price rise carried by two outlets as wire copies, the
same rise in a Chinese article, and a quota announcement.

:func:`write` puts them in folders, one per outlet, with front matter (outlet, date, title), so each
folder is ingested as its own source like the syndication test of tests/test_end_to_end.py.
"""

from __future__ import annotations

from pathlib import Path

WIRE_BODY = [
    "Prices of neodymium-praseodymium oxide in China rose 12.7% to 620,000 yuan per tonne in May,"
    " according to data from a state-backed price assessor, the sharpest monthly gain this year.",
    "The rise followed a tightening of supply from Myanmar, where a border closure has cut the flow of"
    " heavy rare earth concentrate to smelters in southern China for a second month.",
    "Magnet makers in Ningbo and Baotou said they had started to pass the higher cost on to motor"
    " customers, after absorbing earlier increases through the first quarter of the year.",
    "Traders said buying interest had returned after the Lunar New Year lull, with several large"
    " separation plants reporting that their order books were full until the end of the summer.",
    "Analysts at a Shanghai brokerage said the market remained sensitive to any change in export"
    " licensing, which has slowed shipments of permanent magnets to Europe and the United States.",
    "Officials in Beijing have not commented on the price movement. The industry ministry is expected"
    " to publish its next production guidance later in the year.",
    "Producers outside China, including miners in Australia and the United States, have argued that"
    " higher Chinese prices make new separation capacity elsewhere easier to finance.",
]

APRIL = [
    "Rare earth prices steady in April",
    "Neodymium-praseodymium oxide traded at 550,000 yuan per tonne in April in China, little changed"
    " from the month before, as magnet makers held off from buying.",
    "Dealers said stocks at the main smelters were ample and that they expected a quiet month ahead,"
    " with demand from the wind power sector yet to pick up after the winter.",
]

CHINESE = [
    "稀土价格五月大涨",
    "据行业机构数据，5月份中国氧化镨钕价格上涨12.7%，至62万元/吨。",
    "业内人士表示，缅甸边境关闭导致稀土原料供应趋紧，下游磁材企业开始向客户转嫁成本。",
    "分析人士认为，出口许可的变化仍是影响市场走势的重要因素，后续价格仍有上行空间。",
]

QUOTA = [
    "China sets first batch of rare earth quotas",
    "China's industry ministry set the first batch of rare earth mining quotas for 2025 at 135,000"
    " tonnes, the same level as a year earlier, according to a notice seen by reporters.",
    "The smelting and separation quota for the first batch was set at 127,000 tonnes.",
]


def document(outlet: str, published: str, title: str, paragraphs: list[str]) -> str:
    front = f"---\noutlet: {outlet}\npublished: {published}\ntitle: {title}\n---\n"
    return front + title + "\n\n" + "\n\n".join(paragraphs) + "\n"


def write(root: Path) -> dict[str, Path]:
    """One folder per outlet (ingest each as a source, in this order): April, two wire copies, Chinese."""
    files = {
        "pricewatch": ("april.txt", document("Price Watch", "2025-05-02T08:00:00Z", APRIL[0], APRIL[1:])),
        "wire": ("may.txt", document("Wire Service", "2025-06-03T06:00:00Z",
                                      "Rare earth prices jump in May", WIRE_BODY)),
        # The republisher adds its own headline and teaser line: a near copy, joined to the story.
        "metalsdaily": ("may.txt", document("Metals Daily", "2025-06-03T09:30:00Z",
                                             "NdPr oxide price surges on Myanmar supply squeeze",
                                             ["Market report.", *WIRE_BODY])),
        "xinwen": ("may-zh.txt", document("稀土新闻", "2025-06-04T02:00:00Z", CHINESE[0], CHINESE[1:])),
    }
    folders = {}
    for outlet, (name, text) in files.items():
        folder = root / outlet
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
        folders[outlet] = folder
    return folders
