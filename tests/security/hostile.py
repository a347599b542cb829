"""A database full of what an attacker can plant: credentials in feed URLs, script payloads in every
text field an article, a tag or a source can carry, and links that browsers would execute.

Rows go in through the real store functions (``sync_sources``, ``record_fetches``, ``record_pass``)
where the monitor has them, so the test checks what the monitor writes, not what the test writes.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

from sqlite_utils import Database

from monitor.models import Alert, Entry, FetchResult, Source
from monitor.sources import SourceState
from monitor.store import entries, health_events, outbox
from monitor.store import sources as store_sources
from tests import demo_db as demo

# Planted secrets: none may appear in the database file, its WAL, a log line or a served page.
FEED_PASSWORD = "FEEDPASS-9f3k"
API_KEY = "APIKEY-77aa"
TOKEN = "TOKEN-5c2e"
SIGNATURE = "SIG-0b1d"
SECRETS = (FEED_PASSWORD, API_KEY, TOKEN, SIGNATURE)
SECRET_URL = f"https://feeduser:{FEED_PASSWORD}@feeds.example/rss?apikey={API_KEY}&page=1"
TOKEN_URL = f"https://news.example/feed?token={TOKEN}"
REDIRECT_URL = f"https://cdn.example/rss?sig={SIGNATURE}"

# Script payloads (the text of each must never reach a page unescaped).
XSS = (
    "<script>alert('xss-1')</script>",
    '"><img src=x onerror=alert("xss-2")>',
    "<svg/onload=alert('xss-3')>",
    "</title><script>alert('xss-4')</script>",
    "]]><script>alert('xss-5')</script>",
)
# URLs a browser would run; none may become an href, src or Atom link.
SCRIPT_URLS = (
    "javascript:alert('js-1')",
    "JaVaScRiPt:alert('js-2')",
    "  javascript:alert('js-3')",
    "\x01\x02javascript:alert('js-4')",
    "java\tscript:alert('js-5')",
    "data:text/html,<script>alert('js-6')</script>",
    "vbscript:msgbox('js-7')",
)
_EXECUTABLE = re.compile(r"^(javascript|vbscript|data):", re.IGNORECASE)


def build(path: Path) -> Database:
    """The demo database plus hostile rows, written the way the monitor writes them."""
    db = demo.build(path)
    when = datetime.now(UTC).replace(microsecond=0).isoformat()
    sources = [
        Source(name="secret-feed", kind="rss", url=SECRET_URL, outlet=XSS[0]),
        Source(name="token-feed", kind="rss", url=TOKEN_URL, outlet="Token News"),
    ]
    with db.atomic():
        store_sources.sync_sources(db, sources, when)
        store_sources.record_fetches(
            db,
            "secret-feed",
            [
                FetchResult(SECRET_URL, SECRET_URL, 200, body=b"<rss/>"),
                FetchResult(TOKEN_URL, TOKEN_URL, 0, error=f"cannot connect to {TOKEN_URL}: timed out"),
            ],
            "feed",
            when,
        )
        state = SourceState(redirect_url=REDIRECT_URL)
        failed = store_sources.PassResult(when, f"HTTP 500 from {SECRET_URL}", 0, 1, when, state)
        store_sources.record_pass(db, "secret-feed", failed)
        store_sources.record_pass(db, "token-feed", store_sources.PassResult(when, None, 1, 3, when, state))
        for number, (payload, url) in enumerate(zip(XSS * 2, SCRIPT_URLS, strict=False), start=1):
            _hostile_article(db, number, payload, url, when)
        _hostile_alerts(db, when)
    return db


def _hostile_alerts(db: Database, when: str) -> None:
    # Alert titles and reasons come from article titles and rules; errors and health messages quote
    # what a server answered: all of it text an attacker can choose.
    alerts = [
        Alert(rule=payload, story_id=1, article_id=1, notify=("analysts",), title=payload,
              body=f"**{payload}** [{SCRIPT_URLS[0]}]({SCRIPT_URLS[0]})", reason=payload,
              payload=json.dumps({"url": SCRIPT_URLS[i % len(SCRIPT_URLS)], "title": payload}))
        for i, payload in enumerate(XSS)
    ]
    outbox.enqueue(db, alerts, when)
    for alert_id, payload in zip(range(4, 4 + len(XSS)), XSS, strict=False):
        attempt = outbox.start_attempt(db, alert_id, payload, when)
        outbox.finish_attempt(db, attempt, False, f"HTTP 500 {payload} {SCRIPT_URLS[0]}")
    for number, payload in enumerate(XSS):
        health_events.add_event(db, "source_failing", payload, f"{payload} {SCRIPT_URLS[number]}", when)
    listed = [(f"k{n}", Entry(url=SCRIPT_URLS[n], title=payload)) for n, payload in enumerate(XSS)]
    entries.enqueue(db, "token-feed", listed, when, keep_content=False)
    for entry_id, payload in db.execute("select id, title from entries").fetchall():
        entries.retry(db, entry_id, when, when, f"HTTP 502 {payload}", attempt=True)  # on entry_problems


def _hostile_article(db: Database, number: int, payload: str, url: str, when: str) -> None:
    db.execute(
        "insert into stories (title, first_seen, first_outlet, last_seen, outlets, outlet_list, articles)"
        " values (?, ?, ?, ?, 1, ?, 1)",
        [payload, when, payload, when, json.dumps([payload])],
    )
    story_id = int(db.execute("select max(id) from stories").fetchone()[0])
    row = {
        "url": url,
        "canonical_url": f"hostile:{number}",
        "title": f"Dysprosium {payload}",
        "text": f"Dysprosium exports. {payload}\n\n{payload} dysprosium",
        "authors": json.dumps([payload]),
        "published": when,
        "fetched": when,
        "source": payload,
        "outlet": payload,
        "lang": "en",
        "site_name": payload,
        "description": f"dysprosium {payload}",
        "origin": payload,
        "flags": json.dumps([payload]),
        "captions": json.dumps([payload]),
        "story_id": story_id,
        "removed": json.dumps([{"text": payload, "reason": payload}]),
        "content_hash": f"h{number}",
        "score": 0.9,
    }
    article_id = int(db.table("articles").insert(row).last_pk or 0)
    db.execute("update stories set first_article_id = ? where id = ?", [article_id, story_id])
    db.table("article_tags").insert(
        {"article_id": article_id, "tag": "element:dysprosium", "count": 1, "snippet": payload, "in_title": 1}
    )
    db.table("copies").insert(
        {"article_id": article_id, "url": url, "source": payload, "outlet": payload, "seen": when}
    )


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.handlers: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src", "action", "formaction", "xlink:href", "poster") and value:
                self.urls.append(value)
            if name.startswith("on") and value and ("alert(" in value or "msgbox(" in value):
                self.handlers.append(f"{tag} {name}={value}")
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def executable_url(url: str) -> bool:
    """True for a URL a browser would run (after the trimming browsers do)."""
    trimmed = re.sub(r"[\t\n\r]", "", url.strip("".join(chr(c) for c in range(0x21))))
    return bool(_EXECUTABLE.match(trimmed))


def html_problems(page: str) -> list[str]:
    """Every way ``page`` would run a planted payload: a script link, an event handler, a script."""
    parser = _Links()
    parser.feed(page)
    problems = [f"script link {u!r}" for u in parser.urls if executable_url(u)]
    problems += [f"handler {h!r}" for h in parser.handlers]
    problems += [f"script {s[:60]!r}" for s in parser.scripts if "alert(" in s or "msgbox(" in s]
    return problems
