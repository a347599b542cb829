"""Pure pieces of issue 13: publication times, who-and-when from text and sidecars, the search
translator, and what an alert message is built from."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path

import pytest

from monitor.alerts import render
from monitor.alerts.keys import idempotency_key
from monitor.extract import provenance
from monitor.search import NOTHING, fts_query
from monitor.sources.dates import publication
from monitor.sources.files import read_entry, split_front_matter

NOW = "2026-11-30T12:00:00+00:00"


@pytest.mark.parametrize(
    ("written", "utc", "offset", "problem"),
    [
        ("2026-11-30T08:15:00+08:00", "2026-11-30T00:15:00+00:00", "+08:00", None),
        ("2026-11-29T23:00:00Z", "2026-11-29T23:00:00+00:00", "+00:00", None),
        ("Mon, 30 Nov 2026 06:00:00 -0500", "2026-11-30T11:00:00+00:00", "-05:00", None),
        ("2026-01-12", "2026-01-12T00:00:00+00:00", None, None),  # a bare date: no zone claimed
        ("2026-11-30T13:30:00+00:00", "2026-11-30T13:30:00+00:00", "+00:00", None),  # clocks drift a little
        ("2027-03-01T00:00:00+00:00", None, None, "future_date"),
        ("1970-01-01T00:00:00+00:00", None, None, "impossible_date"),
        ("next Tuesday", None, None, None),
    ],
)
def test_publication_times_are_normalised_or_refused(
    written: str, utc: str | None, offset: str | None, problem: str | None
) -> None:
    found = publication(written, NOW)
    assert (found.utc, found.offset, found.problem) == (utc, offset, problem)


@pytest.mark.parametrize(
    ("text", "outlet"),
    [
        ("BEIJING (Reuters) - China said on Monday it would tighten exports.", "Reuters"),
        ("GANZHOU, China, Jan 12 (AFP) — Buried in the soil lies power.", "AFP"),
        ("By contrast (the ministry said) - nothing.", None),
    ],
)
def test_a_dateline_names_the_agency(text: str, outlet: str | None) -> None:
    assert provenance.dateline_outlet(text) == outlet


def test_a_wire_naming_itself_twice_is_its_outlet_once_is_a_citation() -> None:
    assert provenance.wire_outlet("Locals told AFP that ... An AFP team saw plants.") == "AFP"
    assert provenance.wire_outlet("The minister told Reuters last year that exports would fall.") is None


@pytest.mark.parametrize(
    ("line", "author"),
    [("F.Stadler--VB", "F. Stadler"), ("J.Smith--ah/jz", "J. Smith"), ("Contact us--now", None)],
)
def test_wire_signoffs_name_the_writer(line: str, author: str | None) -> None:
    assert provenance.signoff_author(line) == author


def test_front_matter_and_sidecar_declare_what_the_text_cannot(tmp_path: Path) -> None:
    text, fields = split_front_matter(
        "---\noutlet: Reuters\npublished: 2026-11-30T08:15:00+08:00\n---\nTitle\n"
    )
    assert (text, fields["outlet"]) == ("Title\n", "Reuters")
    assert split_front_matter("---\nnot: front matter because\nthis line has none\n---\nx")[1] == {}
    article = tmp_path / "a.txt"
    article.write_text("China tightens dysprosium export licences\n\nText.\n")
    (tmp_path / "a.json").write_text(
        json.dumps(
            {
                "url": "https://www.reuters.com/x",
                "date": "2026-11-30",
                "outlet": "Reuters",
                "authors": ["Ann Lee", "Bo Ma"],
            }
        )
    )
    entry = read_entry(article)
    assert (entry.url, entry.published, entry.outlet, entry.authors, entry.declared) == (
        "https://www.reuters.com/x",
        "2026-11-30",
        "Reuters",
        ("Ann Lee", "Bo Ma"),
        True,
    )
    (tmp_path / "a.json").write_text("{broken")
    assert read_entry(article).url.startswith("file:")  # a bad sidecar is no sidecar, never an error


@pytest.mark.parametrize(
    ("typed", "query"),
    [
        ("rare-earth magnets", '"rare earth" AND "magnets"'),
        ("Lynas's", '"Lynas"'),
        ("Lynas’ plant", '"Lynas" AND "plant"'),
        ("dysprosium OR terbium prices", '("dysprosium" OR "terbium") AND "prices"'),
        ('"heavy rare earths" -China', '"heavy rare earths" NOT "China"'),
        ("magnet*", '"magnet"*'),
        ("title:x NEAR(a b)", '"title x" AND "NEAR a" AND "b"'),
        ("-only", NOTHING),
        ("", NOTHING),
        ('"unclosed phrase', '"unclosed phrase"'),
    ],
)
def test_search_translation(typed: str, query: str) -> None:
    assert fts_query(typed) == query


@pytest.mark.parametrize(
    "typed", ["a AND", "OR OR", "(((", '"', "*", "-", "x:y:z", "NOT", "a -", "^b", "NEAR("]
)
def test_any_input_is_a_valid_fts5_query(typed: str) -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("create virtual table t using fts5(x, tokenize=porter)")
    conn.execute("select * from t where t match ?", [fts_query(typed)]).fetchall()


FACTS = render.Facts(
    rule="dy",
    title="Curbs",
    url="https://reuters.example/a",
    outlet="Mining Weekly",
    outlets=("Mining Weekly",),
    published="2025-03-03T17:30:00+00:00",
    score=0.8,
    reason="tagged",
    article_id=3,
    story_id=7,
    first_outlet="Mining Weekly",
    first_published="2025-03-03T17:30:00+00:00",
    timezone="Asia/Tokyo",
    tags=("element:dysprosium",),
)


def test_send_time_facts_take_the_story_as_it_stands() -> None:
    now = render.with_story(
        FACTS,
        ["Reuters", "Mining Weekly"],
        "Reuters",
        "2025-03-03T04:30:00+00:00",
        False,
        "https://reuters.example/a",
    )
    body = render.markdown(now, "http://m")
    assert "First: Reuters, Mon 3 Mar 2025, 13:30 JST" in body and "carried by 2 outlets" in body
    fields = render.structured(now, "http://m")
    assert (
        fields["outlets"] == ["Reuters", "Mining Weekly"]
        and fields["published"] == "2025-03-03T04:30:00+00:00"
    )
    assert fields["idempotency_key"] == idempotency_key("dy", 7) == idempotency_key("dy", 7)
    assert idempotency_key("dy", 7) != idempotency_key("dy", 8)


def test_old_payloads_still_render() -> None:
    old = json.loads(FACTS.to_json())
    for key in ("first_outlet", "first_published", "lede", "tags", "timezone", "backfill", "first_url"):
        old.pop(key)
    assert "Mining Weekly" in render.text(render.Facts.from_json(json.dumps(old)), "http://m")


def test_lede_is_the_first_two_sentences() -> None:
    text = "China said on Monday it would act. Prices rose 5%. Analysts expect more.\n\nSecond paragraph."
    assert render.lede(text) == "China said on Monday it would act. Prices rose 5%."


def test_digest_lists_newest_published_first_within_a_tag() -> None:
    older = dataclasses.replace(FACTS, title="Older", first_published="2025-03-01T00:00:00+00:00")
    newer = dataclasses.replace(FACTS, title="Newer", first_published="2025-03-04T00:00:00+08:00")
    body = render.digest("dy", [older, newer], "text", "http://m")
    assert body.index("Newer") < body.index("Older")
