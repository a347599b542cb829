"""A person's path through the site, in a real headless Chromium (Debian's) driven by Playwright.

Screenshots go to tests/artifacts/ (gitignored) so a human can judge how the pages look.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path

import httpx
import pytest

from tests import corpus
from tests import demo_db as demo
from tests.servers import Reply, serve, wait_ok

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
NOW = datetime.now(UTC).replace(microsecond=0)
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]

if CHROMIUM.exists():
    from playwright.sync_api import Dialog, Page, sync_playwright


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser")
    demo.build(folder / "monitor.db").close()
    with demo.running(demo.config(folder), folder / "monitor.db") as base:
        yield base


@pytest.fixture
def page(base_url: str) -> Iterator[Page]:
    dialogs: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
        tab = context.new_page()

        def record(dialog: Dialog) -> None:
            dialogs.append(dialog.message)
            dialog.dismiss()

        tab.on("dialog", record)
        yield tab
        browser.close()
    assert not dialogs, f"stored script ran: {dialogs}"


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_search_open_and_facet(page: Page) -> None:
    page.goto("/")
    shot(page, "01-home")
    page.click("text=the articles")
    page.fill("input#_search", "dysprosium")
    page.press("input#_search", "Enter")
    page.wait_for_load_state()
    cards = page.locator("ol.article-cards > li")
    assert cards.count() == 3
    shot(page, "02-search-dysprosium")
    page.click("ol.article-cards > li >> nth=0 >> text=clean text, tags and provenance")
    page.wait_for_load_state()
    assert page.locator(".article-text p").count() >= 2
    assert page.locator("section.provenance").is_visible()
    shot(page, "03-article")
    page.go_back()
    page.click("details.monitor-facets > summary")  # facets are folded away until asked for
    page.click(".facet-info[data-column=tags] >> text=theme:export-controls")
    page.wait_for_load_state()
    assert "tags__arraycontains" in page.url or "_facet" in page.url
    assert page.locator("ol.article-cards > li").count() == 2
    shot(page, "04-facet-tag")


def test_trend_query_draws_a_chart(page: Page) -> None:
    page.goto("/monitor/tag_trend?category=element&tag=")
    page.wait_for_selector("svg, canvas", timeout=15_000)
    shot(page, "05-trend")
    assert page.locator("table.rows-and-columns tbody tr").count() > 0


def test_story_and_health_pages(page: Page) -> None:
    page.goto("/monitor/top_stories")
    shot(page, "06-top-stories")
    page.goto("/monitor/source_health")
    assert page.locator("text=HTTP 503 Service Unavailable").is_visible()
    shot(page, "07-source-health")
    page.goto("/monitor/stories/4")
    assert page.locator("text=Metal Bulletin Wire").first.is_visible()
    shot(page, "08-story")


def test_script_title_renders_as_text(page: Page) -> None:
    page.goto("/monitor/article_list?_search=neodymium")
    assert page.get_by_text(demo.XSS_TITLE, exact=True).first.is_visible()
    page.click(f"ol.article-cards > li:has-text('{demo.XSS_TITLE}') >> text=clean text, tags and provenance")
    page.wait_for_load_state()
    assert page.locator("h1", has_text=demo.XSS_TITLE).is_visible()
    assert page.get_by_text('Injected <img src=x onerror="alert(2)"> markup').is_visible()
    assert page.evaluate("document.querySelectorAll('.article-text img, .article-text b').length") == 0
    shot(page, "09-xss-article")


# The newsroom: ~200 generated articles from ten outlets with known publication times --------------


@pytest.fixture(scope="module")
def newsroom(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[corpus.Story]]]:
    folder = tmp_path_factory.mktemp("newsroom")
    db, made = corpus.build(folder, NOW)
    db.close()
    with demo.running(demo.config(folder), folder / "monitor.db") as base:
        yield base, made


@pytest.fixture
def desk(newsroom: tuple[str, list[corpus.Story]]) -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=newsroom[0], viewport={"width": 1200, "height": 860})
        yield context.new_page()
        browser.close()


def test_front_page_last_7_days_shows_each_story_once_with_its_first_outlet(
    desk: Page, newsroom: tuple[str, list[corpus.Story]]
) -> None:
    stories = newsroom[1]
    desk.goto("/monitor/front_page")
    desk.click(".time-filters >> text=7 days")
    desk.wait_for_load_state()
    cards = desk.locator("ol.story-cards > li")
    ids = cards.evaluate_all("cards => cards.map(c => c.dataset.story)")
    assert ids and len(ids) == len(set(ids))
    cutoff = NOW - timedelta(days=7)
    expected = {s.title: s.first.outlet for s in stories if s.first.published >= cutoff}
    titles = cards.locator("h3").all_inner_texts()
    firsts = cards.locator(".first-outlet").all_inner_texts()
    assert dict(zip(titles, firsts, strict=True)) == expected
    assert desk.locator(".time-filters a.active", has_text="7 days").count() == 1
    assert not desk.locator("details.monitor-facets").get_attribute("open")  # facets folded away
    shot(desk, "10-front-page-7-days")
    # "What happened on dysprosium this week?": a tag chip narrows the week, keeping the window.
    desk.click("ol.story-cards .chip[title='element:dysprosium'] >> nth=0")
    desk.wait_for_load_state()
    assert "published__gte" in desk.url and "element%3Adysprosium" in desk.url
    week_dy = {s.title for s in stories if s.first.published >= cutoff and "dysprosium" in s.title}
    shown_dy = set(desk.locator("ol.story-cards > li h3").all_inner_texts())
    assert week_dy <= shown_dy <= set(expected)
    desk.goto("/monitor/front_page")
    desk.screenshot(path=str(ARTIFACTS / "front-page.png"))  # docs/img/front-page.png is taken from here


def test_story_page_lists_copies_in_publication_order(
    desk: Page, newsroom: tuple[str, list[corpus.Story]]
) -> None:
    wide = max(newsroom[1], key=lambda s: (len(s.copies), s.first.published))
    desk.goto("/monitor/front_page")
    desk.fill("form.front-search input[name=q]", f'"{wide.title.split(" (")[0]}"')
    desk.press("form.front-search input[name=q]", "Enter")
    desk.wait_for_load_state()
    desk.click("table.rows-and-columns a[href*='/stories/']")
    desk.wait_for_load_state()
    assert desk.locator("ol.copies li .outlet").all_inner_texts() == [c.outlet for c in wide.in_order()]
    assert desk.locator(".byline .outlet").first.inner_text() == wide.first.outlet
    shot(desk, "11-story-copies")


@pytest.mark.parametrize("typed", ["rare-earth magnets", "Lynas's"])
def test_search_takes_what_people_type(desk: Page, typed: str) -> None:
    desk.goto("/monitor/front_page")
    desk.fill("form.front-search input[name=q]", typed)
    desk.press("form.front-search input[name=q]", "Enter")
    desk.wait_for_load_state()
    rows = desk.locator("table.rows-and-columns tbody tr")
    assert rows.count() > 0
    assert desk.locator("table.rows-and-columns mark").count() > 0  # highlighted snippets
    assert desk.locator("text=no such column").count() == 0 and desk.locator(".message-error").count() == 0
    stories = rows.count()
    desk.goto("/monitor/article_list")
    desk.fill("input#_search", typed)
    desk.press("input#_search", "Enter")
    desk.wait_for_load_state()
    assert desk.locator("ol.article-cards > li").count() >= stories  # the same search, per article
    shot(desk, f"12-search-{typed.replace(' ', '-').replace(chr(39), '')}")


# The daemon as deployed: it fetches hostile feeds, and a reader opens what it serves ---------------

FEED_PASSWORD, FEED_KEY = "BROWSERPASS-41c", "BROWSERKEY-9d0"
PAYLOAD = '<img src=x onerror="alert(\'daemon\')">'
ARTICLE = (
    "<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
    + "<p>Dysprosium exports from China fell again this month as magnet makers waited for licences."
    " {title}</p>" * 6
    + "</article></body></html>"
)


def _hostile_feed(port: int) -> bytes:
    items = "".join(
        f"<item><title>{escape(title)}</title><link>{escape(link)}</link><guid>{n}</guid>"
        f"<description>{escape(title)} dysprosium</description></item>"
        for n, (title, link) in enumerate([
            (f"Dysprosium curbs {PAYLOAD}", f"http://127.0.0.1:{port}/a1"),
            ("Dysprosium <script>alert('title')</script> quotas", f"http://127.0.0.1:{port}/a2"),
            ("Terbium notice", "javascript:alert('link')"),
        ])
    )
    channel = f"<channel><title>w</title>{items}</channel>"
    return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'.encode()


@pytest.fixture(scope="module")
def daemon_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("daemon")
    port = demo.free_port()
    html = {"Content-Type": "text/html; charset=utf-8"}
    with serve({}) as server:
        pages = {
            f"/feed?apikey={FEED_KEY}": Reply(
                200, {"Content-Type": "application/rss+xml"}, _hostile_feed(server.port)
            ),
            "/a1": Reply(200, html, ARTICLE.format(title=escape(f"Dysprosium curbs {PAYLOAD}")).encode()),
            "/a2": Reply(200, html, ARTICLE.format(title="Dysprosium quotas").encode()),
        }
        server.routes.update(pages)
        feed = f"http://feeduser:{FEED_PASSWORD}@127.0.0.1:{server.port}/feed?apikey={FEED_KEY}"
        config = folder / "feeds.toml"
        config.write_text(
            f'[monitor]\ndb = "monitor.db"\n\n[serve]\nport = {port}\n\n'
            f'[[source]]\nname = "wire"\nkind = "rss"\nurl = "{feed}"\nallow_private = true\n',
            encoding="utf-8",
        )
        log = (folder / "daemon.log").open("wb")
        daemon = subprocess.Popen(
            [sys.executable, "-m", "monitor", "--config", str(config), "run"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            assert wait_ok(f"{base}/monitor.json", daemon) == 200, (folder / "daemon.log").read_text()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and _articles(base) < 2:
                time.sleep(0.5)
            assert _articles(base) >= 2, (folder / "daemon.log").read_text()
            yield base
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(30)
            log.close()


def _articles(base: str) -> int:
    rows = httpx.get(f"{base}/monitor/articles.json", params={"_shape": "array"}, timeout=10).json()
    return len(rows) if isinstance(rows, list) else 0


def test_what_the_daemon_serves_runs_no_script_and_shows_no_secret(daemon_site: str) -> None:
    ids = [r["id"] for r in httpx.get(f"{daemon_site}/monitor/articles.json?_shape=array", timeout=10).json()]
    paths = ["/", "/monitor", "/monitor/front_page", "/monitor/article_list",
             "/monitor/article_list?_search=dysprosium", "/monitor/search_feed?q=dysprosium",
             "/monitor/sources", "/monitor/fetches", "/monitor/source_health", "/monitor/entry_problems",
             "/monitor/alerts", *(f"/monitor/articles/{i}" for i in ids)]
    dialogs: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        tab = browser.new_context(base_url=daemon_site).new_page()
        def record(dialog: Dialog) -> None:
            dialogs.append(dialog.message)
            dialog.dismiss()

        tab.on("dialog", record)
        for path in paths:
            response = tab.goto(path)
            assert response is not None and response.status == 200, path
            content = tab.content()
            assert FEED_PASSWORD not in content and FEED_KEY not in content, path
            # Links as the browser resolved them: only web links, and no sign-in offered (auth is off).
            protocols = tab.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.protocol)")
            assert set(protocols) <= {"http:", "https:"}, (path, set(protocols))
            assert tab.locator("a[href*='/-/login']").count() == 0, path
        tab.goto("/monitor/article_list?_search=curbs")
        assert tab.get_by_text(f"Dysprosium curbs {PAYLOAD}").first.is_visible()  # shown, as text
        shot(tab, "13-daemon-hostile-feed")
        browser.close()
    assert dialogs == [], f"a stored script ran: {dialogs}"
    for feed in ("/monitor/latest.atom", "/monitor/article_list.atom"):
        atom = httpx.get(daemon_site + feed, timeout=10)
        assert atom.status_code == 200 and "javascript:" not in atom.text.lower()
        assert FEED_KEY not in atom.text and FEED_PASSWORD not in atom.text
def test_a_metric_chart_point_opens_its_evidence(page: Page) -> None:
    page.goto("/")
    page.click("text=market numbers")
    page.wait_for_load_state()
    page.click("table.rows-and-columns a:has-text('price:ndpr-oxide') >> nth=0")
    page.wait_for_load_state()
    charts = page.locator("figure.monitor-chart svg")
    assert charts.count() == 2 and charts.first.is_visible()
    assert page.locator("figure.monitor-chart a.monitor-point").count() == 4
    assert page.get_by_role("heading", name="NdPr oxide price").is_visible()
    assert not page.get_by_text("Custom SQL query").is_visible()  # Datasette's heading says nothing here
    shot(page, "13-metric-chart")
    point = page.locator("figure.monitor-chart >> nth=0 >> a.monitor-point >> nth=-1")
    point.locator("circle").click()
    page.wait_for_load_state()
    assert "/observations/" in page.url
    assert page.locator("td.col-sentence").inner_text().startswith("NdPr oxide")
    page.click("td.col-article_id a")
    page.wait_for_load_state()
    assert "/articles/" in page.url
    shot(page, "14-metric-evidence")
