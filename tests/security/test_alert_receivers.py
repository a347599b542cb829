"""Alerts are idempotent at the receiver: a slow target gets each alert once, and every delivery carries
the alert's idempotency key (JSON header and field, email Message-ID), the same on a retry."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from monitor.alerts import notify, receiver, targets
from monitor.alerts.keys import idempotency_key
from monitor.store.db import open_db
from tests.alert_servers import JsonEndpoint, SmtpServer
from tests.test_alerts_delivery import DY, T0, make_config, raise_alerts

pytestmark = [pytest.mark.security, pytest.mark.slow, pytest.mark.usefixtures("no_send_interval")]


def test_the_key_file_is_the_shared_one() -> None:
    # Another branch creates the same file; byte-identical content keeps the merge clean.
    text = (Path(__file__).resolve().parents[2] / "monitor" / "alerts" / "keys.py").read_text()
    assert text.startswith('"""The idempotency key of an alert: the same for every delivery attempt')
    assert idempotency_key("dy", 1) == idempotency_key("dy", 1) != idempotency_key("dy", 2)
    assert idempotency_key("dy", 1).startswith("rem-") and len(idempotency_key("dy", 1)) == 28


def test_a_receiver_slower_than_apprises_default_timeout_gets_the_alert_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with JsonEndpoint() as hook:
        hook.delay = 5.0  # over Apprise's 4 s default read timeout
        monkeypatch.setenv("MONITOR_APPRISE_URLS", hook.plain_apprise_url)
        config, db = make_config(tmp_path, DY), open_db(tmp_path / "m.db")
        raise_alerts(db, config, "curbs", 1, 1)

        first = asyncio.run(notify.deliver_pending(db, config, T0))
        later = asyncio.run(notify.deliver_pending(db, config, T0 + timedelta(hours=3)))

        assert (first.sent, first.retrying, later.results) == (1, 0, [])
        assert len(hook.messages) == 1


def test_an_explicit_read_timeout_in_the_url_is_kept() -> None:
    (target,) = targets.from_text("json://127.0.0.1:9/x?rto=2.5").items
    (default,) = targets.from_text("json://127.0.0.1:9/x").items
    assert target.service.socket_read_timeout == 2.5
    assert default.service.socket_read_timeout == receiver.READ_TIMEOUT_S


def test_json_and_email_carry_the_key_and_a_retry_carries_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with JsonEndpoint() as hook, SmtpServer() as mail:
        monkeypatch.setenv("MONITOR_APPRISE_URLS", f"{hook.apprise_url} {mail.apprise_url}")
        config, db = make_config(tmp_path, DY), open_db(tmp_path / "m.db")
        raise_alerts(db, config, "curbs", 7, 1)
        expected = idempotency_key("dy", 7)

        asyncio.run(notify.deliver_pending(db, config, T0))
        # The receiver lost it (a crash on its side): the attempt is forgotten and the alert is due again.
        db.execute("delete from alert_attempts")
        db.execute("update alerts set status = 'pending', next_attempt = ?", [T0.isoformat()])
        asyncio.run(notify.deliver_pending(db, config, T0 + timedelta(minutes=1)))

        assert [m[receiver.FIELD] for m in hook.messages] == [expected, expected]
        assert [h.get(receiver.HEADER) for h in hook.headers] == [expected, expected]
        assert [m["Message-ID"] for m in mail.messages] == [f"<{expected}@rare-earth-monitor>"] * 2
        # The key is not left on the service: a test message carries none.
        (json_target, _) = targets.load_targets(config).items
        assert receiver.HEADER not in json_target.service.headers


def test_a_message_without_a_key_gets_apprises_own_message_id(monkeypatch: pytest.MonkeyPatch) -> None:
    with SmtpServer() as mail:
        (target,) = targets.from_text(mail.apprise_url).items
        notify.send_blocking(target, "t", "b")
        notify.send_blocking(target, "t", "b")
    first, second = (m["Message-ID"] for m in mail.messages)
    assert first != second and "rare-earth-monitor" not in first
