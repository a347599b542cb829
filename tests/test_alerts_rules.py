"""Alert rules: validation through feeds.toml, and evaluate() as a table of rules × articles (pure)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor import config
from monitor.alerts.render import Facts
from monitor.alerts.rules import Rule, evaluate
from monitor.errors import ConfigError
from monitor.models import Article, Extracted, Mention, Story, TagHit, Tags


def tagged(sentences: list[str], found: list[tuple[str, str, int]], score: float) -> Tags:
    """Tags from (tag, term, sentence index) triples, as the tagger would report them."""
    mentions = tuple(Mention(tag, term, 0, len(term), index) for tag, term, index in found)
    hits: dict[str, TagHit] = {}
    for tag, _, index in found:
        hits.setdefault(tag, TagHit(tag, 1, sentences[index]))
    return Tags(hits=tuple(hits.values()), mentions=mentions, sentences=tuple(sentences), score=score)


def article(title: str, text: str, source: str = "wire-reuters", outlet: str = "Reuters") -> Article:
    return Article(
        url=f"https://news.example/{title.split()[0].lower()}",
        canonical_url=f"https://news.example/{title.split()[0].lower()}",
        source=source,
        outlet=outlet,
        fetched="2025-03-01T08:00:00+00:00",
        content=Extracted(title=title, text=text),
    )


EXPORT = "China added dysprosium and terbium to its export control list."
LYNAS = "Lynas Rare Earths said its Malaysian plant will process more ore."
NEO = "Neodymium output rose."
ARTICLES = {
    "curbs": (
        article("Curbs on dysprosium", f"{EXPORT} Prices rose."),
        tagged(
            [EXPORT, "Prices rose."],
            [
                ("place:china", "China", 0),
                ("element:dysprosium", "dysprosium", 0),
                ("element:terbium", "terbium", 0),
                ("theme:export-controls", "export control", 0),
            ],
            0.9,
        ),
        frozenset({"element:terbium"}),
    ),
    "lynas": (
        article("Lynas expands", f"{LYNAS} {NEO}", source="miningweekly", outlet="Mining Weekly"),
        tagged(
            [LYNAS, NEO],
            [
                ("company:lynas", "Lynas", 0),
                ("place:malaysia", "Malaysian", 0),
                ("element:neodymium", "Neodymium", 1),
            ],
            0.6,
        ),
        frozenset({"company:lynas"}),
    ),
    "football": (
        article(
            "Football results", "The club signed a magnet for young talent.", source="sports", outlet="Sport"
        ),
        Tags(sentences=("The club signed a magnet for young talent.",), score=0.05),
        frozenset(),
    ),
}

RULES = [  # (rule, articles it fires on)
    (Rule(name="dy", any=("element:dysprosium",)), {"curbs"}),
    (Rule(name="any-element", any=("element:*",)), {"curbs", "lynas"}),
    (Rule(name="case", any=("ELEMENT:Dysprosium",)), {"curbs"}),
    (Rule(name="all", all=("element:dysprosium", "place:china")), {"curbs"}),
    (Rule(name="all-miss", all=("element:dysprosium", "place:malaysia")), set()),
    (Rule(name="none", any=("element:*",), none=("theme:export-controls",)), {"lynas"}),
    (Rule(name="cat", categories=("company",)), {"lynas"}),
    (Rule(name="score", min_score=0.7), {"curbs"}),
    (Rule(name="co", cooccur=(("element:*", "theme:export-controls"),)), {"curbs"}),
    (Rule(name="co-apart", cooccur=(("element:neodymium", "company:lynas"),)), set()),
    (
        Rule(name="co-either", cooccur=(("element:neodymium", "company:lynas"), ("place:*", "company:*"))),
        {"lynas"},
    ),
    (Rule(name="kw", keyword=("magnet",)), {"football"}),
    (Rule(name="kw-word", keyword=("mag",)), set()),
    (Rule(name="kw-phrase", keyword=("Export Control",)), {"curbs"}),
    (Rule(name="re", regex=r"export\s+control"), {"curbs"}),
    (Rule(name="src", any=("element:*",), sources=("wire-*",)), {"curbs"}),
    (Rule(name="no-src", any=("element:*",), exclude_sources=("wire-*",)), {"lynas"}),
    (Rule(name="outlet", any=("element:*",), outlets=("mining weekly",)), {"lynas"}),
    (Rule(name="no-outlet", any=("element:*",), exclude_outlets=("Reuters",)), {"lynas"}),
    (Rule(name="first", first_mention=("*",)), {"curbs", "lynas"}),
    (Rule(name="first-co", first_mention=("company",)), {"lynas"}),
    (Rule(name="first-and", any=("element:dysprosium",), first_mention=("company",)), set()),
]


@pytest.mark.parametrize(("rule", "expected"), RULES, ids=[r.name for r, _ in RULES])
def test_rule_fires_on_exactly_the_expected_articles(rule: Rule, expected: set[str]) -> None:
    story = Story(7, "t", "2025-03-01", "Reuters", "2025-03-01", ("Reuters",))
    fired = {name for name, (a, tags, new) in ARTICLES.items() if evaluate([rule], a, tags, story, new, 3)}
    assert fired == expected


def _one(rule: Rule, name: str) -> Facts:
    a, tags, new = ARTICLES[name]
    story = Story(7, "t", "2025-03-01", "Reuters", "2025-03-01", ("Reuters", "AP", "AFP"))
    (alert,) = evaluate([rule], a, tags, story, new, 3)
    assert (alert.rule, alert.story_id, alert.article_id, alert.notify) == (rule.name, 7, 3, rule.notify)
    return Facts.from_json(alert.payload)


def test_cooccurrence_alert_carries_the_sentence_and_both_terms() -> None:
    facts = _one(Rule(name="co", cooccur=(("element:*", "theme:export-controls"),)), "curbs")
    assert facts.reason == "element:* and theme:export-controls in one sentence"
    (evidence,) = facts.evidence
    assert evidence.sentence == EXPORT
    assert {"dysprosium", "export control"} <= set(evidence.terms)


def test_alert_body_is_markdown_with_evidence_outlets_and_reason() -> None:
    a, tags, new = ARTICLES["curbs"]
    story = Story(7, "t", "2025-03-01", "Reuters", "2025-03-01", ("Reuters", "AP", "AFP"))
    (alert,) = evaluate(
        [Rule(name="dy", any=("element:dysprosium",), notify=("chat",))], a, tags, story, new, 3
    )
    assert "China added **dysprosium** and terbium" in alert.body
    assert "carried by 3 outlets" in alert.body
    assert alert.reason == "tagged element:dysprosium"
    assert "/articles/3" in alert.body and "https://news.example/curbs" in alert.body


def test_keyword_evidence_is_the_sentence_with_the_word() -> None:
    facts = _one(Rule(name="kw", keyword=("magnet",)), "football")
    assert [(e.sentence, e.terms) for e in facts.evidence] == [
        ("The club signed a magnet for young talent.", ("magnet",))
    ]


def test_first_mention_names_the_new_entity() -> None:
    facts = _one(Rule(name="first", first_mention=("company",)), "lynas")
    assert facts.reason == "first mention of company:lynas"
    assert facts.evidence[0].tag == "company:lynas"


def test_a_rule_without_evidence_of_its_own_shows_the_top_tags() -> None:
    facts = _one(Rule(name="score", min_score=0.5), "curbs")
    assert facts.evidence and facts.evidence[0].tag == "place:china"


def test_mode_and_throttle_travel_with_the_alert() -> None:
    a, tags, new = ARTICLES["curbs"]
    story = Story(7, "t", "2025-03-01", "Reuters", "2025-03-01", ("Reuters",))
    rules = [
        Rule(name="d", any=("element:*",), mode="digest", schedule="0 8 * * *"),
        Rule(name="t", any=("element:*",), throttle=5),
    ]
    found = evaluate(rules, a, tags, story, new, 3)
    assert [(x.rule, x.mode, x.throttle) for x in found] == [("d", "digest", 0), ("t", "immediate", 5)]
    assert json.loads(found[0].payload)["kind"] == "story"


# Validation through feeds.toml ---------------------------------------------------------------

BAD = [  # (the rule's TOML lines, key named in the error, words of the message)
    ('regex = "(unclosed"', "regex", "invalid regex"),
    ('any = ["element:*"]\nschedule = "61 * * * *"', "schedule", "invalid cron"),
    ('any = ["element:*"]\nschedule = "0 8 * *"', "schedule", "5 fields"),
    ('any = ["element:*"]\ntimezone = "Mars/Olympus"', "timezone", "unknown time zone"),
    ('any = ["element:*"]\nmode = "digest"', "schedule", "digest mode needs a schedule"),
    ('any = ["element:*"]\nmode = "weekly"', "mode", "must be one of"),
    ('notify = ["chat"]', "any", "every article"),
    ('any = ["dysprosium"]', "any", "not a tag"),
    ('cooccur = [["element:*"]]', "cooccur", "pairs"),
    ("min_score = 2", "min_score", "0 to 1"),
    ("first_mention = 3", "first_mention", "true, false or a list"),
    ('keyword = ["  "]', "keyword", "empty"),
    ('any = ["element:*"]\nthrotle = 3', "throtle", "did you mean 'throttle'"),
]


@pytest.mark.parametrize(("lines", "key", "words"), BAD, ids=[b[1] + "-" + b[2] for b in BAD])
def test_invalid_rules_are_reported_with_file_line_and_key(lines: str, key: str, words: str) -> None:
    text = f'[[alert]]\nname = "r"\n{lines}\n'
    with pytest.raises(ConfigError) as caught:
        config.parse(text, Path("/etc/monitor/feeds.toml"))
    error = caught.value
    assert error.key == f"alert[0].{key}"
    assert words in error.message
    assert error.line is not None and error.line >= 1


def test_a_full_rule_parses() -> None:
    text = """
[[alert]]
name = "weekly-exports"
notify = ["email"]
cooccur = ["element:*", "theme:export-controls"]
first_mention = true
mode = "digest"
schedule = "0 8 * * 1"
timezone = "Europe/Berlin"
throttle = 3
"""
    (rule,) = config.parse(text, Path("/tmp/feeds.toml")).alerts
    assert rule.cooccur == (("element:*", "theme:export-controls"),)
    assert rule.first_mention == ("*",)
    assert rule.digest_schedule == "0 8 * * 1"


@pytest.mark.parametrize(
    ("rule", "schedule"),
    [
        (Rule(name="a", any=("x:y",)), None),
        (Rule(name="a", any=("x:y",), throttle=2), "0 * * * *"),
        (Rule(name="a", any=("x:y",), throttle=2, schedule="30 7 * * *"), "30 7 * * *"),
        (Rule(name="a", any=("x:y",), mode="digest", schedule="0 8 * * *"), "0 8 * * *"),
    ],
)
def test_digest_schedule_of_digest_and_throttled_rules(rule: Rule, schedule: str | None) -> None:
    assert rule.digest_schedule == schedule
