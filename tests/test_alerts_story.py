"""Alerts describe the story as it stands when they leave, and backfill never floods.

Through the real pipeline (files with front matter, ingested pass by pass on a controlled clock),
a real SQLite file, real Apprise, and a real JSON webhook and SMTP server on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from monitor import config as config_module
from monitor.alerts import notify
from monitor.alerts.keys import idempotency_key
from monitor.pipeline import Context, ingest_paths
from monitor.store.articles import sync_taxonomy
from monitor.store.db import open_db
from monitor.tagging import load_taxonomy
from tests import corpus
from tests.alert_servers import JsonEndpoint, SmtpServer

T0 = datetime(2025, 3, 3, 6, 0, tzinfo=UTC)
WIRE = [
    "China tightens dysprosium export licences",
    "China's commerce ministry said on Monday it would tighten export licences for dysprosium and terbium,"
    " two heavy rare earths used in permanent magnets. Exporters must now name their end users.",
    "Dysprosium export volumes fell 12% last month, customs data showed. Magnet makers in Japan and Europe"
    " have been building stockpiles since the spring, traders said.",
    "Analysts expect prices of dysprosium oxide to rise further before the new rules take effect in April.",
]


pytestmark = pytest.mark.usefixtures("no_send_interval")


class Newsdesk:
    """A database, a config and a clock: ingest files pass by pass, deliver at chosen times."""

    def __init__(self, tmp_path: Path, rules: str) -> None:
        text = f'[monitor]\npublic_url = "http://monitor.test"\n\n{rules}'
        self.config = config_module.parse(text, tmp_path / "feeds.toml")
        self.db: Database = open_db(tmp_path / "m.db")
        self.now = T0
        self.ctx = Context(self.config, load_taxonomy(), clock=lambda: self.now.isoformat(timespec="seconds"))
        sync_taxonomy(self.db, ((e.tag, e.category, e.label) for e in self.ctx.taxonomy.entries))
        self.folder, self.passes = tmp_path, 0

    def ingest(self, at: datetime, files: dict[str, str], source: str = "wire") -> None:
        self.now, self.passes = at, self.passes + 1
        folder = self.folder / f"pass{self.passes}"
        folder.mkdir()
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        ingest_paths(self.db, self.ctx, [folder], source_name=source)

    def deliver(self, at: datetime) -> notify.DeliveryReport:
        return asyncio.run(notify.deliver_pending(self.db, self.config, at))


def copy(outlet: str, published: datetime, extra: str = "") -> str:
    slug = outlet.lower().replace(" ", "-")
    head = f"---\noutlet: {outlet}\npublished: {published.isoformat()}\nurl: https://{slug}.example/dy-curbs\n---\n"
    return head + "\n\n".join([*WIRE, *([extra] if extra else [])]) + "\n"


def prime(desk: Newsdesk, source: str = "wire") -> None:
    """A first pass (backfill, silent by default) so the passes under test are ordinary ones."""
    quiet = "The harbour authority repainted the lighthouse on the northern pier this week.\n"
    desk.ingest(T0 - timedelta(hours=1), {"old.txt": f"Lighthouse repainted\n\n{quiet}"}, source)


def test_copies_arriving_over_two_passes_make_one_complete_alert(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hook: JsonEndpoint, mail: SmtpServer
) -> None:
    monkeypatch.setenv("MONITOR_APPRISE_URLS", f"{hook.apprise_url} {mail.apprise_url}")
    rule = '[[alert]]\nname = "dy"\nany = ["element:dysprosium"]\ngather = "2m"\ntimezone = "Europe/Berlin"\n'
    desk = Newsdesk(tmp_path, rule)
    prime(desk)

    desk.ingest(T0, {"reuters.txt": copy("Reuters", T0 - timedelta(minutes=10))})
    assert desk.deliver(T0 + timedelta(seconds=30)).sent == 0  # gathering: nothing leaves yet
    desk.ingest(
        T0 + timedelta(seconds=60),
        {
            "mw.txt": copy("Mining Weekly", T0 - timedelta(minutes=4)),
            "amd.txt": copy("Asia Metals Daily", T0 - timedelta(minutes=2)),
            "nikkei.txt": copy("Nikkei Materials", T0, extra="Additional reporting by Mei Lin in Tokyo."),
        },
    )
    report = desk.deliver(T0 + timedelta(minutes=3))

    assert report.sent == 1
    (chat,) = hook.messages
    story_id = desk.db.execute("select story_id from articles where outlet = 'Reuters'").fetchone()[0]
    assert chat["outlets"] == ["Reuters", "Mining Weekly", "Asia Metals Daily", "Nikkei Materials"]
    assert chat["first_outlet"] == "Reuters"
    assert chat["story_id"] == story_id and chat["rule"] == "dy"
    assert chat["idempotency_key"] == idempotency_key("dy", story_id)
    assert chat["url"] == "https://reuters.example/dy-curbs"
    assert chat["title"] == "China tightens dysprosium export licences"
    assert chat["published"] == "2025-03-03T05:50:00+00:00"
    assert "element:dysprosium" in chat["tags"] and 0 < chat["score"] <= 1
    message = chat["message"]
    assert "carried by 4 outlets" in message and "First: Reuters, Mon 3 Mar 2025, 06:50 CET" in message
    assert "China's commerce ministry said on Monday" in message  # the lede
    evidence = [line for line in message.splitlines() if line.startswith("- `element:dysprosium`")]
    assert evidence and WIRE[0] not in evidence[0], message  # a sentence, not the headline again

    (email,) = mail.messages
    assert email["Subject"] == "[dy] China tightens dysprosium export licences"
    parts = {part.get_content_type(): part.get_content() for part in email.walk() if not part.is_multipart()}
    for link in ("https://reuters.example/dy-curbs", f"http://monitor.test/monitor/stories/{story_id}"):
        assert link in parts["text/plain"] and f'href="{link}"' in parts["text/html"]

    desk.ingest(
        T0 + timedelta(minutes=5), {"late.txt": copy("Metal Bulletin Wire", T0 + timedelta(minutes=4))}
    )
    assert desk.deliver(T0 + timedelta(minutes=10)).sent == 0  # one alert per rule and story, ever
    assert len(hook.messages) == 1


def test_a_backfill_of_100_month_old_articles_sends_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hook: JsonEndpoint
) -> None:
    monkeypatch.setenv("MONITOR_APPRISE_URLS", hook.apprise_url)
    desk = Newsdesk(tmp_path, '[[alert]]\nname = "elements"\nany = ["element:*"]\n')
    prime(desk)
    old = corpus.generate(T0 - timedelta(days=30), wires=0, target=100)
    files = corpus.write_files(old, tmp_path / "backfill")
    assert len(files) == 100
    desk.ingest(T0, {path.name: path.read_text() for path in files})

    assert desk.db.execute("select count(*) from articles").fetchone()[0] == 101
    assert desk.db.execute("select count(*) from alerts").fetchone()[0] == 0
    assert desk.deliver(T0 + timedelta(minutes=1)).sent == 0 and hook.messages == []
    # The same rule does fire on news: the silence above is the max_age rule, not a broken rule.
    fresh = corpus.generate(T0, seed=99, wires=0, target=1)
    fresh[0].copies[0] = corpus.Copy("Reuters", T0 - timedelta(hours=1), "https://reuters.example/new")
    fresh_files = corpus.write_files(fresh, tmp_path / "fresh")
    desk.ingest(T0 + timedelta(minutes=2), {p.name: p.read_text() for p in fresh_files})
    assert desk.deliver(T0 + timedelta(minutes=3)).sent == 1


def test_first_pass_of_a_new_source_is_silent_unless_the_rule_opts_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hook: JsonEndpoint
) -> None:
    monkeypatch.setenv("MONITOR_APPRISE_URLS", hook.apprise_url)
    rules = (
        '[[alert]]\nname = "quiet"\nany = ["element:dysprosium"]\n\n'
        '[[alert]]\nname = "eager"\nany = ["element:dysprosium"]\nbackfill = true\n'
    )
    desk = Newsdesk(tmp_path, rules)
    desk.ingest(T0, {"reuters.txt": copy("Reuters", T0 - timedelta(minutes=10))}, source="new-source")
    assert desk.deliver(T0 + timedelta(minutes=1)).sent == 1
    assert [m["rule"] for m in hook.messages] == ["eager"]


def test_a_digest_lists_backfill_marked_as_such(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hook: JsonEndpoint
) -> None:
    monkeypatch.setenv("MONITOR_APPRISE_URLS", hook.apprise_url)
    rule = (
        '[[alert]]\nname = "daily"\nany = ["element:dysprosium"]\nmode = "digest"\nschedule = "0 8 * * *"\n'
    )
    desk = Newsdesk(tmp_path, rule)
    prime(desk)
    desk.ingest(T0, {"old.txt": copy("Reuters", T0 - timedelta(days=20))})
    report = asyncio.run(notify.send_digests(desk.db, desk.config, "daily", T0 + timedelta(hours=2)))
    assert report.sent == 1
    (digest,) = hook.messages
    assert "(backfill)" in digest["message"] and "Reuters first" in digest["message"]
    stories: list[dict[str, Any]] = digest["stories"]
    assert [s["first_outlet"] for s in stories] == ["Reuters"]
    assert json.dumps(digest)  # structured, parseable fields only
