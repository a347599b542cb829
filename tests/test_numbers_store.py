"""Market numbers in the database: one row per source statement, copies linked, nothing lost.

The extractor is replaced here by a small stand-in that reads the corpus' price sentences, so these
tests pin the storage rules whatever the extractor's quality (tests/test_numbers_end_to_end.py runs
the real one).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlite_utils import Database

from monitor import commands as runner
from monitor import config, pipeline
from monitor.models import Observation, Tags
from monitor.store import observations as rows
from monitor.store.db import open_db
from tests import numbers_corpus as corpus

_EN = re.compile(r"(\d[\d,]*) yuan per tonne in (April|May)")
_ZH = re.compile(r"(\d+)万元/吨")
_MONTHS = {"April": "2025-04", "May": "2025-05"}


def stand_in(title: str, text: str, *, published: str | None = None, lang: str | None = None,
             tags: Tags | None = None, confidence: float = 0.9) -> tuple[Observation, ...]:
    found = []
    for sentence in text.split("\n\n"):
        for match in _EN.finditer(sentence):
            found.append(Observation("price:ndpr-oxide", float(match[1].replace(",", "")), "t", "CNY",
                                     match[0], sentence, period=_MONTHS[match[2]], confidence=confidence))
        for match in _ZH.finditer(sentence):
            found.append(Observation("price:ndpr-oxide", float(match[1]) * 10_000, "t", "CNY", match[0],
                                     sentence, change_pct=12.7, period="2025-05", confidence=confidence))
    return tuple(found)


@pytest.fixture
def numbers_config(write_config: Callable[[str], Path]) -> Path:
    return write_config('[monitor]\ndb = "data/monitor.db"\n')


def _ingest(cfg_path: Path, folders: dict[str, Path], *names: str) -> Database:
    cfg = config.load(cfg_path)
    db = open_db(cfg.db_path)
    for name in names:
        runner.ingest(cfg, db, [folders[name]], name)
    return db


def _prices(db: Database) -> list[dict[str, object]]:
    sql = "select * from observations where metric = 'price:ndpr-oxide' order by observed, id"
    return list(db.query(sql))


def test_observed_is_the_start_of_the_period_else_the_publication_date() -> None:
    published = "2025-06-03T06:00:00+00:00"
    cases = {None: "2025-06-03", "2025": "2025-01-01", "2025-05": "2025-05-01", "2025-05-14": "2025-05-14",
             "2025-Q2": "2025-04-01", "2025-H2": "2025-07-01", "2025-batch1": "2025-06-03",
             "2024-batch2": "2024-01-01", "soon": "2025-06-03"}
    assert {p: rows.observed_date(p, published) for p in cases} == cases


def test_two_wire_copies_are_one_statement_and_the_chinese_article_another(
    monkeypatch: pytest.MonkeyPatch, numbers_config: Path, tmp_path: Path
) -> None:
    monkeypatch.setattr(pipeline, "extract_observations", stand_in)
    folders = corpus.write(tmp_path / "outlets")
    db = _ingest(numbers_config, folders, "pricewatch", "wire", "metalsdaily", "xinwen")
    story = db.execute("select story_id from articles where outlet = 'Metals Daily'").fetchone()[0]
    assert db.execute("select story_id from articles where outlet = 'Wire Service'").fetchone()[0] == story
    prices = _prices(db)
    assert [(p["period"], p["value"], p["outlet"], p["lang"]) for p in prices] == [
        ("2025-04", 550000.0, "Price Watch", "en"),
        ("2025-05", 620000.0, "Wire Service", "en"),
        ("2025-05", 620000.0, "稀土新闻", "zh-Hans"),
    ]
    may = prices[1]
    assert may["copies"] == 2 and json.loads(str(may["outlets"])) == ["Wire Service", "Metals Daily"]
    assert may["observed"] == "2025-05-01" and "620,000 yuan per tonne" in str(may["sentence"])
    assert db["observation_articles"].count == 4


def test_an_exact_copy_elsewhere_adds_its_outlet_not_a_row(
    monkeypatch: pytest.MonkeyPatch, numbers_config: Path, tmp_path: Path
) -> None:
    monkeypatch.setattr(pipeline, "extract_observations", stand_in)
    folders = corpus.write(tmp_path / "outlets")
    text = (folders["wire"] / "may.txt").read_text().replace("outlet: Wire Service", "outlet: Mining Post")
    (tmp_path / "post").mkdir()
    (tmp_path / "post" / "copy.txt").write_text(text)
    folders["post"] = tmp_path / "post"
    db = _ingest(numbers_config, folders, "wire", "post")
    assert db["copies"].count == 1
    (may,) = _prices(db)
    assert may["copies"] == 2 and json.loads(str(may["outlets"])) == ["Wire Service", "Mining Post"]


def test_statements_below_the_confidence_threshold_are_not_stored(
    monkeypatch: pytest.MonkeyPatch, write_config: Callable[[str], Path], tmp_path: Path
) -> None:
    def unsure(title: str, text: str, **kwargs: object) -> tuple[Observation, ...]:
        return stand_in(title, text, confidence=0.5)

    monkeypatch.setattr(pipeline, "extract_observations", unsure)
    folders = corpus.write(tmp_path / "outlets")
    cfg = write_config('[monitor]\ndb = "data/monitor.db"\nnumber_confidence = 0.6\n')
    db = _ingest(cfg, folders, "wire")
    assert db["articles"].count == 1 and _prices(db) == []
    cfg = write_config('[monitor]\ndb = "data/low.db"\nnumber_confidence = 0.5\n')
    assert len(_prices(_ingest(cfg, folders, "wire"))) == 1


def test_a_failing_extractor_costs_the_numbers_never_the_article(
    monkeypatch: pytest.MonkeyPatch, numbers_config: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(title: str, text: str, **kwargs: object) -> tuple[Observation, ...]:
        raise ValueError("unexpected unit")

    monkeypatch.setattr(pipeline, "extract_observations", broken)
    folders = corpus.write(tmp_path / "outlets")
    with caplog.at_level(logging.WARNING, logger="monitor.pipeline"):
        db = _ingest(numbers_config, folders, "wire")
    assert db["articles"].count == 1 and db["observations"].count == 0
    lines = [r.getMessage() for r in caplog.records if "numbers_failed" in r.getMessage()]
    assert len(lines) == 1 and "error=" in lines[0] and "unexpected unit" in lines[0]


def test_retag_gives_an_upgraded_database_its_numbers_once(
    monkeypatch: pytest.MonkeyPatch, numbers_config: Path, tmp_path: Path
) -> None:
    monkeypatch.setattr(pipeline, "extract_observations", lambda *a, **k: ())  # stored before numbers
    folders = corpus.write(tmp_path / "outlets")
    db = _ingest(numbers_config, folders, "pricewatch", "wire", "metalsdaily", "xinwen")
    assert db["observations"].count == 0
    monkeypatch.setattr(pipeline, "extract_observations", stand_in)
    cfg = config.load(numbers_config)
    for _ in range(2):  # twice: the backfill is idempotent
        assert runner.retag(cfg, db, 2) == 4
        prices = _prices(db)
        assert [p["copies"] for p in prices] == [1, 2, 1]
    assert db["alerts"].count == 0


@pytest.mark.parametrize(
    ("value", "high", "currency", "unit"),
    [
        (595000.0, None, "CNY", "t"),
        (60.0, 65.0, "USD", "kg"),
        (62.5, None, "USD", "kg"),
        (270000.0, None, None, "t"),
        (400000000.0, None, "USD", None),
        (0.35, None, None, None),
        (1720000.0, None, "CNY", "t"),
        (99.0, None, "CNY", "kg"),
        (1234.5, None, "USD", "kg"),
        (123456.7, None, "CNY", "t"),
        (-1234.56, None, None, None),
        (7.05, 7.5, "CNY", "kg"),
    ],
)
def test_the_served_amount_reads_like_the_alerts(
    value: float, high: float | None, currency: str | None, unit: str | None
) -> None:
    # Datasette shows the SQL expression; alerts and the CLI use display.amount: one way to write a number.
    from monitor.numbers.display import amount
    from monitor.store.migrations import amount_sql

    db = Database(memory=True)
    row = db.execute(
        f"select {amount_sql()} from (select ? as value, ? as value_high, ? as currency, ? as unit)",
        [value, high, currency, unit],
    ).fetchone()
    assert row[0] == amount(value, high, currency, unit)


def test_the_metric_page_query_writes_amounts_the_same_way() -> None:
    from monitor.store.migrations import amount_sql

    path = Path(__file__).resolve().parent.parent / "datasette-metadata.json"
    metadata = json.loads(path.read_text("utf-8"))
    assert amount_sql("o.") in metadata["databases"]["monitor"]["queries"]["metric_series"]["sql"]
