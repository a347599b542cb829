"""Health episodes (failing and silent sources, failing targets), targets from env and file, rendering."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from monitor import config as config_module
from monitor.alerts import health, render, targets
from monitor.errors import ConfigError
from monitor.store.db import open_db


def make_config(tmp_path: Path, monitor: str = "") -> Any:
    text = f"[monitor]\n{monitor}\n\n[fetch]\nfailure_threshold = 3\n"
    return config_module.parse(text, tmp_path / "feeds.toml")


def notices(db: Database) -> list[str]:
    return [r[0] for r in db.execute("select title from alerts where kind = 'notice' order by id")]


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = open_db(tmp_path / "m.db")
    database.execute(
        "insert into sources (name, kind, added) values ('wire', 'rss', '2025-03-01T00:00:00+00:00')"
    )
    return database


def run(db: Database, config: Any, passes: list[str | None]) -> None:
    """Passes over the source 'wire': an error text or None (success), counting consecutive errors."""
    errors = 0
    for hour, error in enumerate(passes):
        errors = errors + 1 if error else 0
        with db.atomic():
            health.source_pass(
                db, "wire", error, errors, f"2025-03-01T{hour:02d}:00:00+00:00",
                failure_threshold=config.fetch.failure_threshold, silent_after=config.monitor.silent_after,
            )


@pytest.mark.parametrize(
    ("passes", "expected"),
    [
        (["timeout", "timeout"], []),  # below the threshold (3)
        (["timeout"] * 3, ["Source wire is failing"]),
        (["timeout"] * 6, ["Source wire is failing"]),  # once per episode
        (["timeout"] * 3 + [None], ["Source wire is failing", "Source wire works again"]),
        (["timeout"] * 3 + [None, None], ["Source wire is failing", "Source wire works again"]),
        (
            ["timeout"] * 3 + [None] + ["x"] * 3,
            ["Source wire is failing", "Source wire works again", "Source wire is failing"],
        ),
        (["timeout", None, "timeout", None], []),
    ],
)
def test_a_failing_source_is_told_once_per_episode(
    tmp_path: Path, db: Database, passes: list[str | None], expected: list[str]
) -> None:
    run(db, make_config(tmp_path), passes)
    assert notices(db) == expected


def test_the_error_text_is_redacted(tmp_path: Path, db: Database) -> None:
    run(db, make_config(tmp_path), ["GET https://u:hunter2@feeds.example/x?token=abc failed"] * 3)
    stored = "\n".join(db.conn.iterdump())
    assert "hunter2" not in stored and "token=abc" not in stored
    assert "feeds.example" in stored


@pytest.mark.parametrize(
    ("last_new", "silent_after", "expected"),
    [
        ("2025-03-01T00:00:00+00:00", 0, []),  # off
        ("2025-02-20T00:00:00+00:00", 86400, ["Source wire has added nothing new"]),
        ("2025-03-01T00:00:00+00:00", 86400, []),
        (None, 3600, ["Source wire has added nothing new"]),  # never anything: counts from 'added'
    ],
)
def test_a_silent_source_is_told(
    tmp_path: Path, db: Database, last_new: str | None, silent_after: int, expected: list[str]
) -> None:
    db.execute("update sources set last_new = ?", [last_new])
    run(db, make_config(tmp_path, f"silent_after = {silent_after}"), [None, None, None])
    assert notices(db) == expected


def test_a_silent_source_that_speaks_again_is_resolved(tmp_path: Path, db: Database) -> None:
    config = make_config(tmp_path, 'silent_after = "1h"')
    run(db, config, [None, None, None])
    db.execute("update sources set last_new = '2025-03-01T02:00:00+00:00'")
    run(db, config, [None, None])
    assert notices(db) == ["Source wire has added nothing new", "Source wire has new articles again"]


def test_delivery_failures_open_and_close_one_episode_per_target(tmp_path: Path, db: Database) -> None:
    with db.atomic():
        health.delivery_failed(db, "json-1", "POST json://secret@host failed", "2025-03-01T00:00:00+00:00")
        health.delivery_failed(db, "json-1", "again", "2025-03-01T01:00:00+00:00")
        health.delivery_failed(db, "mailto-1", None, "2025-03-01T01:00:00+00:00")
        health.delivery_ok(db, "json-1", "2025-03-01T02:00:00+00:00")
        health.delivery_ok(db, "json-1", "2025-03-01T03:00:00+00:00")
    assert notices(db) == [
        "Alerts to json-1 are failing",
        "Alerts to mailto-1 are failing",
        "Alerts to json-1 are delivered again",
    ]
    assert "secret" not in "\n".join(db.conn.iterdump())


# Targets -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("json://127.0.0.1:9/a", [("json-1", set())]),
        ("json://127.0.0.1:9/a,json://127.0.0.1:9/b", [("json-1", set()), ("json-2", set())]),
        (
            "chat=json://127.0.0.1:9/a  ops,health=mailto://u:p@127.0.0.1:9?mode=insecure&to=a@x.org,b@x.org&from=m@x.org",
            [("json-1", {"chat"}), ("mailto-1", {"ops", "health"})],
        ),
        (
            "name:ops-mail,ops=mailto://u:p@127.0.0.1:9?mode=insecure&to=a@x.org&from=m@x.org",
            [("ops-mail", {"name:ops-mail", "ops"})],
        ),
    ],
)
def test_targets_from_the_environment(text: str, expected: list[tuple[str, set[str]]]) -> None:
    found = targets.from_text(text)
    assert [(t.alias, set(t.tags)) for t in found] == expected


def test_a_bad_url_in_the_environment_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="entry 2 is not a valid Apprise URL"):
        targets.from_text("json://127.0.0.1:9/a nosuchscheme://x")


def test_targets_from_a_yaml_file_relative_to_the_config(tmp_path: Path) -> None:
    (tmp_path / "apprise.yml").write_text(
        "urls:\n  - json://127.0.0.1:9/hook:\n      tag: chat\n  - mailto://u:p@127.0.0.1:9?mode=insecure&to=a@x.org&from=m@x.org:\n"
        "      tag: email, health\n",
        encoding="utf-8",
    )
    found = targets.load_targets(make_config(tmp_path, 'apprise_config = "apprise.yml"'))
    assert [(t.alias, set(t.tags), t.format) for t in found] == [
        ("json-1", {"chat"}, "markdown"),
        ("mailto-1", {"email", "health"}, "html"),
    ]
    assert [t.alias for t in found.matching(["email"])] == ["mailto-1"]
    assert [t.alias for t in found.matching([])] == ["json-1", "mailto-1"]


def test_a_missing_apprise_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        targets.load_targets(make_config(tmp_path, 'apprise_config = "nope.yml"'))


def test_health_notices_go_to_every_target_when_none_is_tagged_health() -> None:
    found = targets.from_text("chat=json://127.0.0.1:9/a email=json://127.0.0.1:9/b")
    assert [t.alias for t in found.matching(["health"])] == ["json-1", "json-2"]


# Rendering ---------------------------------------------------------------------------------------

FACTS = render.Facts(
    rule="dy",
    title='<script>alert("x")</script> *Dy* [prices]',
    url="https://news.example/a?b=1&c=2",
    outlet="Reuters",
    outlets=("Reuters", "AP"),
    published="2025-03-01",
    score=0.87,
    reason="tagged element:dy",
    article_id=4,
    story_id=2,
    evidence=(
        render.Evidence(
            "element:dysprosium", "Dysprosium <b>rose</b>; dysprosium_oxide too.", ("dysprosium",)
        ),
    ),
)


def test_html_escapes_everything_but_its_own_markup() -> None:
    body = render.html(FACTS, "http://monitor.test/monitor/")
    assert "<script>" not in body and "&lt;script&gt;" in body
    assert "<mark>Dysprosium</mark> &lt;b&gt;rose&lt;/b&gt;; <mark>dysprosium</mark>_oxide" in body
    assert 'href="https://news.example/a?b=1&amp;c=2"' in body
    assert 'href="http://monitor.test/monitor/articles/4"' in body


def test_markdown_escapes_markup_in_article_text() -> None:
    body = render.markdown(FACTS, "http://monitor.test/monitor")
    assert r"\*Dy\* \[prices\]" in body
    assert r"**Dysprosium** \<b\>rose\</b\>; **dysprosium**\_oxide" in body
    assert "carried by 2 outlets" in body and "Relevance 0.87" in body
    assert "[Story](http://monitor.test/monitor/stories/2)" in body


def test_plain_text_has_no_markup() -> None:
    body = render.text(FACTS, "http://monitor.test/monitor")
    assert "“Dysprosium <b>rose</b>; dysprosium_oxide too.”" in body
    assert "**" not in body


def test_a_local_file_article_links_only_to_the_monitor() -> None:
    local = dataclasses.replace(FACTS, url="file:///srv/seeds/a.txt")
    assert "(file:" not in render.markdown(local, "http://m") and 'href="file:' not in render.html(
        local, "http://m"
    )


@pytest.mark.parametrize("fmt", render.FORMATS)
def test_a_digest_groups_by_tag_with_counts_biggest_first(fmt: str) -> None:
    other = render.Facts.from_json(FACTS.to_json().replace("element:dysprosium", "company:lynas"))
    body = render.digest("dy", [other, FACTS, FACTS], fmt, "http://m")
    first, second = body.index("element:dysprosium"), body.index("company:lynas")
    assert first < second
    assert "(2)" in body[first:second] and "(1)" in body[second:]


def test_facts_survive_the_json_round_trip() -> None:
    assert render.Facts.from_json(FACTS.to_json()) == FACTS
