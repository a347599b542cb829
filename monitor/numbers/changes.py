"""Stated changes: "up 5%", "fell 3.2 per cent", "a 12% rise", "raised ... by 19%", "jumped
25,000 yuan/t, or 4.3%", "同比增长5.2%", "环比下降3%".

A percentage counts only next to a word that says which way it went: "2.5% TREO", "a 25% tariff"
or "a 10% stake" have none and are never a change.

A change is a number's own only when its subject is the number's metric (:func:`subject_elsewhere`):
"Shenghe's profit fell 20% as NdPr oxide prices averaged 420,000 yuan a tonne" has a price and a
change, but the change is the profit's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from monitor.numbers.quantities import NUMBER, amount

UP = (
    r"up|rose|rise|rises|rising|risen|increased|increase|increases|increasing|gained|gain|gains|climbed|climb|"
    r"climbs|jumped|jump|jumps|surged|surge|surges|soared|soar|rallied|rally|advanced|firmed|rebounded|"
    r"higher|grew|grow|grows|growth|added|raised|raise|lifted|boosted|expanded|hike|hiked|spiked|spike"
)
DOWN = (
    r"down|fell|fall|falls|falling|fallen|dropped|drop|drops|declined|decline|declines|declining|decreased|"
    r"decrease|decreases|slid|slide|slipped|slip|eased|ease|lost|lower|plunged|plunge|tumbled|tumble|sank|"
    r"slumped|slump|retreated|shed|cut|cuts|reduced|reduction|contracted|softened|weakened|dipped|dip|lowered"
)
ZH_UP = r"增长|上涨|上升|增加|提高|上调|攀升|回升|大涨|走高|反弹|增幅|涨幅|上扬|走强|扩大|增|涨|升"
ZH_DOWN = r"下降|下跌|减少|降低|下调|回落|下滑|降幅|跌幅|走低|缩减|萎缩|收窄|走弱|降|跌|减"
PERCENT = r"\s*(?:%|per\s*cent\b|percent\b|pct\b)"
# Between the word and the number: "rose by nearly", "fell a further", "year on year to"; no clause break.
_BETWEEN = r"[^.;,:!?()，。；：%\d]{0,30}?"
CHANGE = re.compile(
    rf"(?<![A-Za-z])(?P<up>{UP})(?![A-Za-z]){_BETWEEN}(?<![\d.,])(?P<pct>{NUMBER}){PERCENT}"
    rf"|(?<![A-Za-z])(?P<down>{DOWN})(?![A-Za-z]){_BETWEEN}(?<![\d.,])(?P<pct2>{NUMBER}){PERCENT}"
    rf"|(?<![\d.,])(?P<pct3>{NUMBER}){PERCENT}\s*(?:year[\s\-]on[\s\-]year\s+|y/y\s+|month[\s\-]on[\s\-]month\s+)?"
    rf"(?:(?P<up3>increase|rise|gain|jump|climb|surge|higher|more|growth)|(?P<down3>decrease|decline|drop|fall|"
    rf"slide|lower|less|dip|slump|cut|reduction))(?![A-Za-z])"
    rf"|(?<![A-Za-z])(?P<up5>{UP})(?![A-Za-z])[^.;:!?()，。；：%]{{0,60}}?(?:\bby|,\s*or)\s+(?P<pct5>{NUMBER}){PERCENT}"
    rf"|(?<![A-Za-z])(?P<down5>{DOWN})(?![A-Za-z])[^.;:!?()，。；：%]{{0,60}}?(?:\bby|,\s*or)\s+"
    rf"(?P<pct6>{NUMBER}){PERCENT}"
    rf"|(?:同比|环比|较上月|较去年同期|比上年|较上年)?(?:(?P<zup>{ZH_UP})|(?P<zdown>{ZH_DOWN}))(?:了|约|近|逾|超过|达|为)?\s*"
    rf"(?P<pct4>{NUMBER}){PERCENT}",
    re.IGNORECASE,
)


# Between a change and a number, a word that starts another clause with a subject of its own:
# "profit fell 20% as prices averaged ...", "revenue rose 15% while NdPr oxide averaged ...".
OTHER_CLAUSE = re.compile(
    r"[;；]|\b(?:while|whereas|but|although|though|because|after|when"
    r"|as(?!\s+(?:of|much|many|high|low|little|far|well|a\s+result|expected)\b))\b|，而|但|同时",
    re.IGNORECASE,
)
# What else rises and falls in this news, besides the metrics: a change said of one is not a metric's.
OTHER_SUBJECT = re.compile(
    r"\b(?:sales|shares|stocks?|revenues?|profits?|earnings|income|turnover|margins?|dividends?)\b"
    r"|营收|营业收入|收入|利润|销售额|销量|股价|股票|市值",
    re.IGNORECASE,
)

Span = tuple[int, int]


def subject_elsewhere(sentence: str, change: Span, quantity: Span, phrase: Span, others: list[Span]) -> bool:
    """The change at ``change`` is said of something other than the number at ``quantity``, whose
    metric is named at ``phrase`` (spans of ``sentence``): another clause begins between them; or
    the metric is named between the change and the number, so the change's subject stands before
    that name ("profit fell 20% as NdPr oxide averaged ..."); or another subject (``others``, the
    distractor phrases such as "market value", or a word of :data:`OTHER_SUBJECT`) stands between
    the change and the number, or between the metric's name and a change that follows it."""
    if change[0] < quantity[1] and quantity[0] < change[1]:
        return False
    if change[1] <= quantity[0]:  # "fell 20% to 420,000 yuan"
        gap = (change[1], quantity[0])
        if gap[0] <= phrase[0] and phrase[1] <= gap[1]:
            return True
        side = (phrase[1] if phrase[1] <= change[0] else change[1], quantity[0])
    else:  # "420,000 yuan a tonne, down 20%"
        gap = side = (quantity[1], change[0])
    if OTHER_CLAUSE.search(sentence, *gap):
        return True
    low, high = side
    if OTHER_SUBJECT.search(sentence, low, high):
        return True
    return any(low <= start and end <= high for start, end in others)


@dataclass(frozen=True, slots=True)
class Change:
    start: int  # offsets in the sentence
    end: int
    pct: float  # signed
    written: str


# Where a change can begin: a direction word (a whole run of letters), a number's first digit, or a
# character that starts a Chinese change word. CHANGE is tried only there, in order, as finditer
# would (trying its many alternatives at every position cost more than the rest of the stage).
_WORDS = frozenset(word for word in f"{UP}|{DOWN}".split("|"))
_ZH_FIRST = "".join(sorted({word[0] for word in f"{ZH_UP}|{ZH_DOWN}|同比|环比|较|比".split("|")}))
_STARTS = re.compile(rf"[A-Za-z]+|(?<![\d.,])\d|[{_ZH_FIRST}]")


def _candidates(sentence: str) -> list[int]:
    starts = []
    for token in _STARTS.finditer(sentence):
        text = token.group()
        if text[0].isascii() and text[0].isalpha() and text.lower() not in _WORDS:
            continue
        starts.append(token.start())
    return starts


def find_changes(sentence: str) -> list[Change]:
    """Every signed percentage change of ``sentence``, in order (CHANGE.finditer, tried only where a
    match can start)."""
    found = []
    reached = 0
    for start in _candidates(sentence):
        if start < reached:
            continue
        match = CHANGE.match(sentence, start)
        if match is None:
            continue
        reached = match.end()
        groups = match.groupdict()
        text = (
            groups["pct"]
            or groups["pct2"]
            or groups["pct3"]
            or groups["pct4"]
            or groups["pct5"]
            or groups["pct6"]
        )
        value = amount(text) if text else None
        if value is None:
            continue
        down = bool(groups["down"] or groups["down3"] or groups["zdown"] or groups["down5"])
        found.append(Change(match.start(), match.end(), -value if down else value, match.group()))
    return found
