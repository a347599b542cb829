"""Number alerts: ``[[alert]]`` rules with a metric, checked in the config, decided on statements and
delivered through the outbox with real Apprise to a real JSON endpoint and SMTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from monitor import commands as runner
from monitor import config, pipeline
from monitor.alerts import notify, numbers
from monitor.alerts.receiver import HEADER
from monitor.alerts.rules import Rule
from monitor.errors import ConfigError
from monitor.store.db import open_db
from monitor.store.observations import StoredObservation
from tests import numbers_corpus as corpus
from tests.alert_servers import JsonEndpoint, SmtpServer, body_text
from tests.test_numbers_store import stand_in

pytestmark = pytest.mark.usefixtures("no_send_interval")

# The corpus is old news in a first pass: these rules opt in to backfill to test delivery.
CHANGE_RULE = (
    '[[alert]]\nname = "ndpr-jump"\nmetric = "price:ndpr-oxide"\nchange_pct = 10\nwindow = "60d"\n'
    "backfill = true\nmax_age = 0\n"
)


# The keys, checked with file, line and key ------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "key", "words"),
    [
        ('metric = "price:*"', "metric", "needs above, below, change_pct or new"),
        ("above = 600000", "above", "set metric too"),
        ('metric = "price:*"\nchange_pct = 0', "change_pct", "must not be 0"),
        ('metric = "price:*"\nabove = "high"', "above", "must be a number"),
        ('metric = "quota:*"\nnew = true\nany = ["element:*"]', "any", "does not apply"),
        ('metric = "quota:*"\nnew = true\nmode = "digest"\nschedule = "0 8 * * *"', "mode", "no digest"),
        ('metric = "price:*"\nabove = 5\nbelow = 9', "below", "no value could be both"),
        ('metric = "price:*"\nchange_pct = 5\nwindow = "soon"', "window", "duration"),
    ],
)
def test_a_bad_number_rule_is_named_with_its_line_and_key(
    tmp_path: Path, rule: str, key: str, words: str
) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text(f'[monitor]\ndb = "x.db"\n\n[[alert]]\nname = "n"\n{rule}\n')
    with pytest.raises(ConfigError) as caught:
        config.load(path)
    assert (caught.value.key, words in caught.value.message) == (f"alert[0].{key}", True), caught.value
    assert caught.value.line is not None and str(caught.value).startswith(f"{path}:")


def test_number_rules_parse_and_never_fire_on_articles(tmp_path: Path) -> None:
    cfg = config.parse(
        CHANGE_RULE + '\n[[alert]]\nname = "quota"\nmetric = "quota:*"\nnew = true\n', tmp_path / "feeds.toml"
    )
    jump, quota = cfg.alerts
    assert (jump.metric, jump.change_pct, jump.window) == (("price:ndpr-oxide",), 10, 60 * 86400)
    assert quota.new is True


# Deciding -------------------------------------------------------------------------------------


def _obs(
    value: float | None, period: str = "2025-05", change: float | None = None, **kw: Any
) -> StoredObservation:
    fields: dict[str, Any] = dict(
        id=2,
        statement="s",
        metric="price:ndpr-oxide",
        value=value,
        value_high=None,
        change_pct=change,
        unit="t",
        currency="CNY",
        written=f"{value} yuan/t",
        period=period,
        observed=f"{period}-01",
        sentence="NdPr oxide rose.",
        outlet="Wire Service",
        article_id=1,
        story_id=1,
        new=True,
    )
    fields.update(kw)
    return StoredObservation(**fields)


def _fires(
    rule: Rule, obs: StoredObservation, previous: StoredObservation | None = None, known: bool = False
) -> bool:
    return numbers.fire(rule, obs, numbers.Seen(previous, known), "https://example.com/a") is not None


def test_change_pct_compares_with_the_previous_statement_else_the_stated_change() -> None:
    rise = Rule(name="r", metric=("price:*",), change_pct=10)
    fall = Rule(name="f", metric=("price:*",), change_pct=-10)
    april = _obs(550_000, "2025-04", id=1)
    assert _fires(rise, _obs(620_000), april) and not _fires(fall, _obs(620_000), april)
    assert _fires(fall, _obs(480_000), april) and not _fires(rise, _obs(480_000), april)
    assert not _fires(rise, _obs(600_000), april)  # +9.1 %
    assert _fires(rise, _obs(620_000, change=12.7)) and not _fires(rise, _obs(620_000, change=4.0))
    assert not _fires(rise, _obs(620_000, change=12.7), _obs(620_000, id=1))  # the same May price again


def test_above_and_below_fire_when_the_level_is_crossed() -> None:
    above = Rule(name="a", metric=("price:ndpr-oxide",), above=600_000)
    below = Rule(name="b", metric=("price:ndpr-oxide",), below=500_000)
    assert _fires(above, _obs(620_000), _obs(550_000, id=1)) and _fires(above, _obs(620_000))
    assert not _fires(above, _obs(630_000), _obs(620_000, id=1))  # already above
    assert _fires(below, _obs(480_000), _obs(550_000, id=1)) and not _fires(below, _obs(520_000))
    in_usd = Rule(name="u", metric=("price:*",), above=50, currency="USD")
    assert not _fires(in_usd, _obs(620_000))  # a CNY/t price is not compared with a USD level


def test_new_fires_on_the_first_statement_of_a_period() -> None:
    rule = Rule(name="q", metric=("quota:*",), new=True)
    quota = _obs(135_000, "2025-batch1", metric="quota:mining", currency=None)
    assert _fires(rule, quota) and not _fires(rule, quota, known=True)
    assert not _fires(rule, _obs(620_000))  # another metric


def test_the_message_shows_the_number_the_previous_one_the_change_and_the_evidence() -> None:
    rule = Rule(name="r", metric=("price:*",), change_pct=10)
    april = _obs(550_000, "2025-04", id=1, outlet="Price Watch")
    may = _obs(620_000, sentence="NdPr <b>rose</b>.")
    alert = numbers.fire(rule, may, numbers.Seen(april, False), "javascript:alert(1)")
    assert alert is not None
    assert alert.title == "NdPr oxide price up 12.7 % to 620,000 CNY/t (2025-05)"
    html = numbers.render(alert.payload, "html", "http://monitor.test/db")
    assert "Previous: 550,000 CNY/t for 2025-04 (Price Watch)" in html and "Change: +12.7 %" in html
    assert "Evidence (Wire Service): “NdPr &lt;b&gt;rose&lt;/b&gt;.”" in html
    assert "javascript" not in html and "http://monitor.test/db/observations/2" in html


# Delivering -----------------------------------------------------------------------------------


def _setup(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, hook: JsonEndpoint, mail: SmtpServer, rules: str
) -> tuple[Any, Database, dict[str, Path]]:
    monkeypatch.setattr(pipeline, "extract_observations", stand_in)
    monkeypatch.setenv("MONITOR_APPRISE_URLS", f"{hook.apprise_url} {mail.apprise_url}")
    path = tmp_path / "feeds.toml"
    path.write_text(f'[monitor]\ndb = "data/monitor.db"\npublic_url = "http://monitor.test"\n\n{rules}')
    cfg = config.load(path)
    return cfg, open_db(cfg.db_path), corpus.write(tmp_path / "outlets")


def _deliver(db: Database, cfg: Any) -> None:
    asyncio.run(notify.deliver_pending(db, cfg))


def test_a_price_jump_is_delivered_once_with_its_numbers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, hook: JsonEndpoint, mail: SmtpServer
) -> None:
    cfg, db, folders = _setup(monkeypatch, tmp_path, hook, mail, CHANGE_RULE)
    for name in ("pricewatch", "wire", "metalsdaily", "xinwen"):
        runner.ingest(cfg, db, [folders[name]], name)
        _deliver(db, cfg)
    (message,) = hook.messages
    assert message["title"] == "NdPr oxide price up 12.7 % to 620,000 CNY/t (2025-05)"
    text = message["message"].replace("\\", "")
    for part in (
        "620,000 CNY/t",
        "Previous: 550,000 CNY/t for 2025-04 (Price Watch)",
        "Change: +12.7 %",
        "Evidence (Wire Service)",
        "rose 12.7% to 620,000 yuan per tonne in May",
    ):
        assert part in text, part
    assert message["previous_value"] == 550000 and message["observation_url"].startswith(
        "http://monitor.test/"
    )
    assert hook.headers[0][HEADER] == message["idempotency_key"]
    (email,) = mail.messages
    assert "Previous: 550,000 CNY/t" in re.sub("<[^>]+>", "", body_text(email))
    runner.retag(cfg, db, 10)  # re-reading the numbers raises nothing again
    for name in ("wire", "xinwen"):
        runner.ingest(cfg, db, [folders[name]], name + "-again")
    _deliver(db, cfg)
    assert (len(hook.messages), len(mail.messages)) == (1, 1)
    assert db.execute("select count(*) from alerts where kind = 'number'").fetchone()[0] == 1


def test_a_number_alert_waits_for_a_receiver_that_is_down_and_arrives_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, hook: JsonEndpoint, mail: SmtpServer
) -> None:
    rules = '[[alert]]\nname = "quota"\nmetric = "quota:*"\nnew = true\nbackfill = true\nmax_age = 0\n'
    cfg, db, folders = _setup(monkeypatch, tmp_path, hook, mail, CHANGE_RULE + "\n" + rules)
    hook.available = False
    for name in ("pricewatch", "wire"):
        runner.ingest(cfg, db, [folders[name]], name)
    _deliver(db, cfg)
    assert hook.messages == [] and len(mail.messages) == 1
    hook.available = True
    with db.atomic():  # the retry backoff has passed
        db.execute("update alerts set next_attempt = '2000-01-01T00:00:00+00:00' where status = 'pending'")
    _deliver(db, cfg)
    _deliver(db, cfg)
    assert len(hook.messages) == 1 and len(mail.messages) == 1


def test_an_outbox_row_from_before_labels_still_renders() -> None:
    from monitor.alerts.numbers import NumberFacts, render, title

    facts = dict(
        rule="r", metric="price:ndpr-oxide", value=620000.0, value_high=None, currency="CNY", unit="t",
        written="620,000 yuan per tonne", period="2025-05", observed="2025-05-01", change_pct=None,
        computed=False, previous_value=None, previous_period=None, previous_observed=None,
        previous_outlet=None, sentence="NdPr oxide rose to 620,000 yuan per tonne in May.", outlet="Wire",
        url="https://wire.example/a", reason="new", observation_id=1, article_id=1, story_id=1,
    )
    old = NumberFacts.from_json(json.dumps({"kind": "number", **facts}))  # written before `label` existed
    assert title(old) == "price:ndpr-oxide: 620,000 CNY/t (2025-05)"
    assert "NdPr oxide rose" in render(json.dumps({"kind": "number", **facts}), "text", "")
