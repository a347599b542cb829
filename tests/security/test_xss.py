"""Script payloads and script links planted in every field end up inert on every page, feed and alert."""

from __future__ import annotations

import asyncio
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from markupsafe import escape

from monitor import config as config_module
from monitor.alerts import notify, render, targets
from monitor.alerts.render import Evidence, Facts
from monitor.links import safe_url
from monitor.models import Alert
from monitor.store import outbox
from monitor.store.db import open_db
from tests import demo_db as demo
from tests.alert_servers import JsonEndpoint, SmtpServer, body_text
from tests.security import hostile
from tests.security.conftest import ATOM_QUERIES, DATABASE, QUERY_PARAMS, Site

pytestmark = pytest.mark.security
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.mark.parametrize("url", hostile.SCRIPT_URLS)
def test_the_safe_link_test_refuses_every_script_url(url: str) -> None:
    assert safe_url(url) is None


@pytest.mark.parametrize(
    "url", ["https://news.example/a?b=1", "HTTP://News.Example/x", " https://n.example/ "]
)
def test_the_safe_link_test_keeps_web_urls(url: str) -> None:
    assert safe_url(url) == url.strip()


def test_the_checker_sees_what_a_browser_would_run() -> None:
    # The scans below are only worth something if they can fail.
    page = '<a href=" JaVa\tScRiPt:alert(1)">x</a><img src=x onerror="alert(2)"><script>alert(3)</script>'
    assert len(hostile.html_problems(page)) == 3


def test_no_html_page_runs_a_planted_payload(hostile_site: Site) -> None:
    problems = {}
    pages = hostile_site.pages()
    # The crawl reaches the row pages of every table, the alert outbox and health rows included.
    rows = {path.split("/")[2] for path, _ in pages if path.count("/") == 3 and not path.endswith(".json")}
    assert {"articles", "stories", "sources", "alerts", "alert_attempts", "health_events", "entries"} <= rows
    for path, params in pages:
        if path.endswith((".json", ".csv", ".atom")):
            continue
        response = hostile_site.get(path, **params)
        assert response.status_code == 200, (path, response.status_code)
        found = hostile.html_problems(response.text)
        if found:
            problems[path] = found
        for payload in hostile.XSS:
            assert payload not in response.text, (path, payload)
    assert problems == {}


def test_hostile_articles_are_shown_as_text(hostile_site: Site) -> None:
    rows = hostile_site.get(f"/{DATABASE}/articles.json", _shape="array", canonical_url="hostile:1").json()
    page = hostile_site.get(f"/{DATABASE}/articles/{rows[0]['id']}").text
    assert str(escape(hostile.XSS[0])) in page  # shown, as text
    assert "read the original" in page  # the label of the unsafe link stays, without the link


@pytest.mark.parametrize("query", ATOM_QUERIES)
def test_atom_feeds_link_only_to_the_web_or_the_monitor(hostile_site: Site, query: str) -> None:
    response = hostile_site.get(f"/{DATABASE}/{query}.atom", **QUERY_PARAMS.get(query, {}))
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    links = [link.get("href") or "" for link in root.iter(f"{ATOM}link")]
    assert len(links) > 1
    for href in links:
        assert not hostile.executable_url(href), href
        assert safe_url(href) or href.startswith(("articles/", "stories/")), href
    if query != "top_stories":  # every hostile article is in the feed, linked to its monitor page
        own = [h for h in links if re.search(rf"/{DATABASE}/(articles|stories)/\d+$", h)]
        assert len(own) >= len(hostile.SCRIPT_URLS) - 1


def test_every_atom_feed_links_only_to_the_web_or_the_monitor(hostile_site: Site) -> None:
    feeds = [(path, params) for path, params in hostile_site.pages() if path.endswith(".atom")]
    assert {f"/{DATABASE}/article_list.atom", f"/{DATABASE}/front_page.atom"} <= {p for p, _ in feeds}
    for path, params in feeds:
        response = hostile_site.get(path, **params)
        assert response.status_code == 200, path
        for payload in hostile.XSS:
            assert payload not in response.text, (path, payload)
        hrefs = [link.get("href") or "" for link in ET.fromstring(response.content).iter(f"{ATOM}link")]
        assert not [h for h in hrefs if hostile.executable_url(h) or not safe_url(h)], path


# Custom SQL ([serve] allow_sql): whatever a query returns, no link runs a script ----------------


@pytest.fixture(scope="module")
def sql_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    folder = tmp_path_factory.mktemp("sql")
    db_path = folder / f"{DATABASE}.db"
    hostile.build(db_path).close()
    with (
        demo.running(demo.config(folder, allow_sql=True), db_path) as base,
        httpx.Client(base_url=base, timeout=60) as client,
    ):
        yield client


FEED_SQL = (
    "select :id as atom_id, 'entry' as atom_title, '2025-03-03T10:00:00+00:00' as atom_updated,"
    " :u as atom_link, 'x' as atom_content"
)


@pytest.mark.parametrize("url", hostile.SCRIPT_URLS)
@pytest.mark.parametrize("atom_id", ["article:1", "anything:7"])
def test_custom_sql_cannot_put_a_script_link_in_an_atom_feed(
    sql_site: httpx.Client, url: str, atom_id: str
) -> None:
    response = sql_site.get(f"/{DATABASE}.atom", params={"sql": FEED_SQL, "u": url, "id": atom_id})
    assert response.status_code == 200, response.text[:300]
    root = ET.fromstring(response.content)
    entries = list(root.iter(f"{ATOM}entry"))
    entry_links = [link.get("href") or "" for e in entries for link in e.iter(f"{ATOM}link")]
    assert not any(hostile.executable_url(h) for h in entry_links), entry_links
    # An article's entry links to its page in the monitor instead; anything else has no link at all.
    if atom_id == "article:1":
        assert len(entry_links) == 1 and entry_links[0].endswith(f"/{DATABASE}/articles/1")
    else:
        assert entry_links == []


def test_custom_sql_keeps_a_web_link_in_an_atom_feed(sql_site: httpx.Client) -> None:
    params = {"sql": FEED_SQL, "u": "https://news.example/a?b=1", "id": "x:1"}
    root = ET.fromstring(sql_site.get(f"/{DATABASE}.atom", params=params).content)
    assert [link.get("href") for e in root.iter(f"{ATOM}entry") for link in e.iter(f"{ATOM}link")] == [
        "https://news.example/a?b=1"
    ]


@pytest.mark.parametrize("url", hostile.SCRIPT_URLS)
def test_custom_sql_shows_a_script_url_as_text_in_every_column(sql_site: httpx.Client, url: str) -> None:
    # Our cells (url, atom_link, location, title next to url) and Datasette's own (any other column).
    sql = "select :u as url, :u as atom_link, :u as location, :u as link, :u as title, :u as href"
    page = sql_site.get(f"/{DATABASE}", params={"sql": sql, "u": url})
    assert page.status_code == 200
    assert hostile.html_problems(page.text) == []
    web = sql_site.get(f"/{DATABASE}", params={"sql": sql, "u": "https://news.example/x"}).text
    assert web.count('href="https://news.example/x"') >= 4  # the check above could see a link


# Alerts -----------------------------------------------------------------------------------------


def hostile_facts(url: str, payload: str) -> Facts:
    return Facts(
        rule=payload,
        title=payload,
        url=url,
        outlet=payload,
        outlets=(payload, "Wire"),
        published=None,
        score=0.9,
        reason=payload,
        article_id=1,
        story_id=1,
        evidence=(Evidence("element:dysprosium", f"dysprosium {payload}", ("dysprosium",)),),
    )


@pytest.mark.parametrize("url", hostile.SCRIPT_URLS)
@pytest.mark.parametrize("payload", hostile.XSS[:3])
def test_rendered_alerts_have_no_script_links_or_markup(url: str, payload: str) -> None:
    facts = hostile_facts(url, payload)
    html = render.html(facts, "https://monitor.example")
    assert hostile.html_problems(html) == []
    assert payload not in html
    markdown = render.markdown(facts, "https://monitor.example")
    for target in _markdown_targets(markdown):
        assert safe_url(target), target
    digest = render.digest("r", [facts], "html", "https://monitor.example")
    assert hostile.html_problems(digest) == []


def _markdown_targets(text: str) -> list[str]:
    return re.findall(r"\]\(([^)]*)\)", text)


def test_delivered_alerts_carry_no_script_link(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(targets, "SEND_INTERVAL", 0.0)
    config = config_module.parse(
        '[monitor]\npublic_url = "https://monitor.example"\n\n[[alert]]\nname = "dy"\n'
        'any = ["element:dysprosium"]\n',
        tmp_path / "feeds.toml",
    )
    db = open_db(tmp_path / "m.db")
    with JsonEndpoint() as hook, SmtpServer() as mail:
        monkeypatch.setenv("MONITOR_APPRISE_URLS", f"{hook.apprise_url} {mail.apprise_url}")
        with db.atomic():
            for story in range(1, len(hostile.SCRIPT_URLS) + 1):
                db.execute("insert into stories (id, title) values (?, 'x')", [story])
            db.execute(
                "insert into articles (id, url, canonical_url, fetched, story_id)"
                " values (1, 'u', 'u', 'f', 1)"
            )
            for number, (url, payload) in enumerate(zip(hostile.SCRIPT_URLS, hostile.XSS * 2, strict=False)):
                facts = hostile_facts(url, payload)
                alert = Alert(
                    rule="dy",
                    story_id=number + 1,
                    article_id=1,
                    notify=(),
                    title=payload,
                    body=render.markdown(facts, "https://monitor.example"),
                    reason=payload,
                    payload=facts.to_json(),
                )
                outbox.enqueue(db, [alert], "2025-03-03T06:00:00+00:00")
        report = asyncio.run(notify.deliver_pending(db, config))
        assert report.sent == len(hostile.SCRIPT_URLS)
        for message in hook.messages:
            assert all(safe_url(t) for t in _markdown_targets(message["message"])), message["message"]
        for email in mail.messages:
            assert hostile.html_problems(body_text(email)) == []
