"""Delivery through real Apprise to a real JSON endpoint and SMTP server on 127.0.0.1, on a real database."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from monitor import config as config_module
from monitor.alerts import notify
from monitor.alerts.rules import evaluate
from monitor.models import Story
from monitor.store import outbox
from monitor.store.db import open_db
from tests.alert_servers import (
    SMTP_PASSWORD,
    WEBHOOK_TOKEN,
    JsonEndpoint,
    SmtpServer,
    body_text,
    free_port,
)
from tests.test_alerts_rules import ARTICLES, EXPORT

T0 = datetime(2025, 3, 3, 6, 0, tzinfo=UTC)  # a Monday


pytestmark = pytest.mark.usefixtures("no_send_interval")


def make_config(tmp_path: Path, rules: str) -> Any:
    text = f'[monitor]\npublic_url = "http://monitor.test"\n\n{rules}'
    return config_module.parse(text, tmp_path / "feeds.toml")


def use_targets(monkeypatch: pytest.MonkeyPatch, *entries: str) -> None:
    monkeypatch.setenv("MONITOR_APPRISE_URLS", " ".join(entries))


def raise_alerts(
    db: Database,
    config: Any,
    name: str,
    story_id: int,
    article_id: int,
    outlets: tuple[str, ...] = ("Reuters",),
    when: datetime = T0,
) -> int:
    """Store a story row and an article row, evaluate the rules and enqueue, as the pipeline does."""
    article, tags, new = ARTICLES[name]
    story = Story(story_id, article.title, "2025-03-01", outlets[0], "2025-03-01", outlets)
    with db.atomic():
        db.execute("insert or ignore into stories (id, title) values (?, ?)", [story_id, article.title])
        db.execute(
            "insert into articles (id, url, canonical_url, fetched, story_id) values (?, ?, ?, ?, ?)",
            [
                article_id,
                f"{article.url}/{article_id}",
                f"{article.url}/{article_id}",
                article.fetched,
                story_id,
            ],
        )
        return outbox.enqueue(db, evaluate(config.alerts, article, tags, story, new, article_id), when)


def deliver(db: Database, config: Any, now: datetime = T0) -> notify.DeliveryReport:
    return asyncio.run(notify.deliver_pending(db, config, now))


def statuses(db: Database) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in db.execute("select dedup_key, status from alerts order by id")]


DY = '[[alert]]\nname = "dy"\nany = ["element:dysprosium"]\n'


def test_one_message_per_story_and_target_with_the_evidence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hook: JsonEndpoint, mail: SmtpServer
) -> None:
    use_targets(monkeypatch, hook.apprise_url, mail.apprise_url)
    config, db = make_config(tmp_path, DY), open_db(tmp_path / "m.db")
    assert raise_alerts(db, config, "curbs", 1, 1, outlets=("Reuters", "AP")) == 1

    report = deliver(db, config)

    assert (report.sent, report.retrying, report.failed) == (1, 0, 0)
    (chat,) = hook.messages
    assert chat["title"] == "Curbs on dysprosium"
    assert "China added **dysprosium** and terbium" in chat["message"]
    assert "carried by 2 outlets" in chat["message"]
    assert "http://monitor.test/monitor/articles/1" in chat["message"]
    (email,) = mail.messages
    assert email["Subject"] == "[dy] Curbs on dysprosium"  # the rule in the subject
    assert "China added <mark>dysprosium</mark> and terbium" in body_text(email)
    attempts = db.execute("select target, ok from alert_attempts order by target").fetchall()
    assert attempts == [("json-1", 1), ("mailto-1", 1)]


def test_a_syndicated_copy_and_a_second_run_send_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hook: JsonEndpoint
) -> None:
    use_targets(monkeypatch, hook.apprise_url)
    config, db = make_config(tmp_path, DY), open_db(tmp_path / "m.db")
    raise_alerts(db, config, "curbs", 1, 1)
    deliver(db, config)

    assert raise_alerts(db, config, "curbs", 1, 2, outlets=("Reuters", "AP")) == 0  # same story, other outlet
    report = deliver(db, config, T0 + timedelta(hours=1))

    assert report.results == []
    assert len(hook.messages) == 1
    assert statuses(db) == [("dy:story:1", "sent")]


def test_an_endpoint_that_was_down_gets_the_alert_once_when_it_returns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hook: JsonEndpoint
) -> None:
    use_targets(monkeypatch, hook.apprise_url)
    config, db = make_config(tmp_path, DY), open_db(tmp_path / "m.db")
    raise_alerts(db, config, "curbs", 1, 1)
    hook.available = False

    first = deliver(db, config)
    early = deliver(db, config, T0 + timedelta(seconds=30))  # before the backoff ends: not tried
    hook.available = True
    later = deliver(db, config, T0 + timedelta(minutes=2))
    again = deliver(db, config, T0 + timedelta(hours=3))

    assert (first.retrying, early.results, later.sent, again.results) == (1, [], 1, [])
    assert len(hook.messages) == 1
    row = db.execute("select status, attempts, last_error from alerts").fetchone()
    assert row == ("sent", 2, None)
    assert [r[0] for r in db.execute("select ok from alert_attempts order by id")] == [0, 1]
    assert "503" in db.execute("select error from alert_attempts where ok = 0").fetchone()[0]


def test_a_partial_delivery_retries_only_the_target_that_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hook: JsonEndpoint, mail: SmtpServer
) -> None:
    use_targets(monkeypatch, hook.apprise_url, mail.apprise_url)
    config, db = make_config(tmp_path, DY), open_db(tmp_path / "m.db")
    raise_alerts(db, config, "curbs", 1, 1)
    hook.available = False
    deliver(db, config)
    hook.available = True

    report = deliver(db, config, T0 + timedelta(minutes=5))

    assert [r.target for r in report.results] == ["json-1"]
    assert (len(hook.messages), len(mail.messages)) == (1, 1)


def test_nothing_is_sent_twice_after_a_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hook: JsonEndpoint
) -> None:
    use_targets(monkeypatch, hook.apprise_url)
    config, db = make_config(tmp_path, DY), open_db(tmp_path / "m.db")
    raise_alerts(db, config, "curbs", 1, 1)
    deliver(db, config)
    db.close()

    config, db = make_config(tmp_path, DY), open_db(tmp_path / "m.db")  # a new process, same file
    raise_alerts(db, config, "curbs", 1, 2)
    report = deliver(db, config, T0 + timedelta(days=1))

    assert report.results == []
    assert len(hook.messages) == 1


@pytest.mark.parametrize(
    ("recorded", "resent"),
    [
        (None, True),  # died between sending and recording: sent again (at-least-once)
        (True, False),  # died after recording the success: the target is done
        (False, True),  # died after recording a failure: tried again
    ],
)
def test_a_run_that_died_mid_delivery_is_recovered(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    hook: JsonEndpoint,
    recorded: bool | None,
    resent: bool,
) -> None:
    use_targets(monkeypatch, hook.apprise_url)
    config, db = make_config(tmp_path, DY), open_db(tmp_path / "m.db")
    raise_alerts(db, config, "curbs", 1, 1)
    with db.atomic():  # what a dead run left behind
        claimed = outbox.claim(db, "dead-run", 1)
        assert claimed is not None
        attempt = outbox.start_attempt(db, claimed.id, "json-1", "2025-03-03T06:00:00+00:00")
        if recorded is not None:
            outbox.finish_attempt(db, attempt, recorded, None if recorded else "boom")
    db.close()

    config, db = make_config(tmp_path, DY), open_db(tmp_path / "m.db")
    deliver(db, config, T0 + timedelta(minutes=1))

    assert len(hook.messages) == (1 if resent else 0)
    assert statuses(db) == [("dy:story:1", "sent")]
    interrupted = db.execute(
        "select count(*) from alert_attempts where error like 'interrupted%'"
    ).fetchone()[0]
    assert interrupted == (1 if recorded is None else 0)


def test_an_alert_is_given_up_after_its_attempts_and_raises_one_health_event(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hook: JsonEndpoint
) -> None:
    use_targets(monkeypatch, hook.apprise_url)
    config, db = make_config(tmp_path, DY), open_db(tmp_path / "m.db")
    raise_alerts(db, config, "curbs", 1, 1)
    raise_alerts(db, config, "curbs", 2, 2)
    hook.available = False

    for hour in range(outbox.MAX_ATTEMPTS):
        deliver(db, config, T0 + timedelta(hours=hour))

    assert [s for _, s in statuses(db)][:2] == ["failed", "failed"]
    events = db.execute("select kind, subject, resolved from health_events").fetchall()
    assert events == [("delivery_failing", "json-1", None)]
    assert db.execute("select count(*) from alerts where kind = 'notice'").fetchone()[0] == 1

    hook.available = True
    raise_alerts(db, config, "curbs", 3, 3)
    deliver(db, config, T0 + timedelta(days=1))

    assert db.execute("select resolved is not null from health_events").fetchone()[0] == 1
    titles = [m["title"] for m in hook.messages]
    assert titles.count("Alerts to json-1 are failing") == 1
    assert "Alerts to json-1 are delivered again" in titles


def test_notify_tags_pick_the_targets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hook: JsonEndpoint, mail: SmtpServer
) -> None:
    use_targets(monkeypatch, f"chat={hook.apprise_url}", f"email,desk={mail.apprise_url}")
    rules = DY + 'notify = ["desk"]\n\n[[alert]]\nname = "lost"\nany = ["element:*"]\nnotify = ["nobody"]\n'
    config, db = make_config(tmp_path, rules), open_db(tmp_path / "m.db")
    raise_alerts(db, config, "curbs", 1, 1)

    deliver(db, config)

    assert (len(hook.messages), len(mail.messages)) == (0, 1)
    lost = db.execute("select status, last_error from alerts where rule = 'lost'").fetchone()
    assert lost[0] == "pending" and "no target has any of the tags nobody" in lost[1]


def test_without_targets_alerts_wait(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MONITOR_APPRISE_URLS", raising=False)
    config, db = make_config(tmp_path, DY), open_db(tmp_path / "m.db")
    raise_alerts(db, config, "curbs", 1, 1)

    assert deliver(db, config).waiting == 1
    assert statuses(db) == [("dy:story:1", "pending")]


DIGEST = '[[alert]]\nname = "daily"\nany = ["element:*"]\nmode = "digest"\nschedule = "0 8 * * *"\n'


def test_digest_mode_sends_one_message_grouped_by_tag_when_the_schedule_passes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hook: JsonEndpoint
) -> None:
    use_targets(monkeypatch, hook.apprise_url)
    config, db = make_config(tmp_path, DIGEST), open_db(tmp_path / "m.db")
    for story in (1, 2):
        raise_alerts(db, config, "curbs", story, story)
    raise_alerts(db, config, "lynas", 3, 3)

    waiting = deliver(db, config)
    before = asyncio.run(notify.send_due_digests(db, config, T0 + timedelta(hours=1, minutes=59)))
    sent = asyncio.run(notify.send_due_digests(db, config, T0 + timedelta(hours=2, minutes=1)))
    again = asyncio.run(notify.send_due_digests(db, config, T0 + timedelta(hours=3)))

    assert (waiting.results, before.results, sent.sent, again.results) == ([], [], 1, [])
    (message,) = hook.messages
    assert message["title"] == "daily: 3 new stories"
    text = message["message"]
    assert text.index("**element:dysprosium** (2)") < text.index("**element:neodymium** (1)")
    assert text.count("Curbs on dysprosium") == 2
    assert [s for _, s in statuses(db)] == ["digested"] * 3 + ["sent"]


def test_a_throttled_rule_rolls_the_overflow_into_the_hourly_digest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hook: JsonEndpoint
) -> None:
    use_targets(monkeypatch, hook.apprise_url)
    rules = '[[alert]]\nname = "busy"\nany = ["element:*"]\nthrottle = 2\n'
    config, db = make_config(tmp_path, rules), open_db(tmp_path / "m.db")
    for story in range(1, 5):
        raise_alerts(db, config, "curbs", story, story, when=T0 + timedelta(minutes=story))

    deliver(db, config, T0 + timedelta(minutes=10))
    asyncio.run(notify.send_due_digests(db, config, T0 + timedelta(minutes=59)))
    assert len(hook.messages) == 2
    asyncio.run(notify.send_due_digests(db, config, T0 + timedelta(minutes=61)))

    titles = [m["title"] for m in hook.messages]
    assert titles == ["Curbs on dysprosium", "Curbs on dysprosium", "busy: 2 new stories"]


def test_send_test_reports_each_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hook: JsonEndpoint, mail: SmtpServer
) -> None:
    use_targets(monkeypatch, f"chat={hook.apprise_url}", f"email={mail.apprise_url}")
    config = make_config(tmp_path, DY + 'notify = ["chat"]\n')
    hook.available = False

    everyone = notify.send_test(config, None)
    hook.available = True
    chat_only = notify.send_test(config, "dy")

    assert [(r.target, r.ok) for r in everyone] == [("json-1", False), ("mailto-1", True)]
    assert [(r.target, r.ok) for r in chat_only] == [("json-1", True)]
    assert hook.messages[0]["title"].startswith("[test]")


def test_no_secret_lands_in_the_database_or_the_logs(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    hook: JsonEndpoint,
    mail: SmtpServer,
) -> None:
    caplog.set_level(logging.DEBUG)
    closed = mail.apprise_url.replace(str(mail.controller.port), str(free_port()))
    use_targets(monkeypatch, hook.apprise_url, mail.apprise_url, closed)
    config, db = make_config(tmp_path, DY), open_db(tmp_path / "m.db")
    raise_alerts(db, config, "curbs", 1, 1)
    hook.available = False
    for hour in range(outbox.MAX_ATTEMPTS):
        deliver(db, config, T0 + timedelta(hours=hour))
    notify.send_test(config, None)

    dump = "\n".join(db.conn.iterdump())
    assert EXPORT.replace("'", "''") in dump or "dysprosium" in dump  # the dump is real
    assert "Connection error while submitting email" in dump  # the failures' errors are stored
    for secret in (SMTP_PASSWORD, WEBHOOK_TOKEN):
        assert secret not in dump
        assert secret not in caplog.text
    assert "json://" not in dump and "mailto://" not in dump
    assert "json-1" in dump and "mailto-2" in dump
