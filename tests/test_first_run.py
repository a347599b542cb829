"""README's "First run", line by line, from a copy of a fresh clone: add a feed, add an alert target,
see the first alert, and follow its link to a page Datasette serves.

Only what cannot be real here is swapped: the feed URL points at a local server (so the source
needs ``--allow-private``), the ``json://`` target at a local receiver, and ``MONITOR_PORT`` keeps
Datasette off ports other tests use. Every other line runs as written.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.alerts import targets
from monitor.cli import cli
from tests.alert_servers import JsonEndpoint, free_port
from tests.conftest import REPO
from tests.servers import Handler, Reply, serve, wait_ok

README = REPO / "README.md"
FEED_URL = "https://www.example.com/rare-earths/feed.xml"
TARGET_URL = "json://hooks.example.org/rare-earths"

PARAGRAPHS = [
    "China tightened export licences for dysprosium and terbium on Tuesday, the commerce ministry said,"
    " extending controls on heavy rare earths used in permanent magnets.",
    "Magnet makers in Japan and Germany said dysprosium oxide prices rose 12 percent in a week as"
    " buyers rushed to secure supply before the new licences take effect.",
    "Analysts said the heavy rare earth controls would hit electric vehicle motor makers first, since"
    " dysprosium keeps neodymium magnets stable at high temperatures.",
]


LATER = [  # the feed's second article: another story
    "Two Japanese magnet makers said on Wednesday they had signed supply deals for dysprosium and"
    " terbium with an Australian refiner, to run for five years from next spring.",
    "The companies did not disclose prices, but said the contracts cover most of the heavy rare"
    " earths their motor magnet lines in Japan will need until the end of the decade.",
    "Trade officials in Tokyo said stockpiling of heavy rare earths had doubled since the export"
    " licence rules were first announced, as buyers tried to spread their sources.",
]


def _page(title: str, paragraphs: list[str] = PARAGRAPHS) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<html><head><title>{title}</title></head><body><nav>Home | Markets</nav>"
            f"<article><h1>{title}</h1>{body}</article></body></html>").encode()


STORIES = (
    ("dy-export-licences", "China tightens dysprosium export licences"),
    ("dy-magnet-makers", "Magnet makers rush to secure dysprosium before new licences"),
)


def _feed(base: str, stories: int = 1) -> bytes:
    now = format_datetime(datetime.now(UTC))
    items = "".join(
        f"<item><title>{t}</title><link>{base}/news/{slug}</link><guid>{slug}</guid>"
        f"<pubDate>{now}</pubDate></item>"
        for slug, t in STORIES[:stories]
    )
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Example rare earths</title>'
            f"{items}</channel></rss>").encode()


def first_run_lines() -> list[str]:
    """The commands of README's first-run block, comments stripped."""
    block = README.read_text(encoding="utf-8").split("<!-- first-run -->")[1].split("<!-- /first-run -->")[0]
    code = block.split("```sh\n")[1].split("```")[0]
    return [line.split("  #")[0].strip() for line in code.splitlines() if line.strip()]


def test_the_first_run_block_holds_what_this_test_swaps() -> None:
    lines = first_run_lines()
    assert lines[0].startswith("make install")
    assert any(FEED_URL in line for line in lines) and any(TARGET_URL in line for line in lines)
    assert all(line.startswith(("monitor ", "export ")) for line in lines[1:])


@pytest.mark.slow
def test_first_run_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clone = tmp_path / "clone"
    clone.mkdir()
    shutil.copy(REPO / "feeds.toml", clone / "feeds.toml")
    shutil.copytree(REPO / "seeds", clone / "seeds")
    monkeypatch.chdir(clone)
    for name in ("MONITOR_CONFIG", "MONITOR_DB", "MONITOR_APPRISE_URLS"):
        monkeypatch.delenv(name, raising=False)
    port = free_port()
    monkeypatch.setenv("MONITOR_PORT", str(port))
    monkeypatch.setattr(targets, "SEND_INTERVAL", 0.0)
    routes: dict[str, Handler] = {
        f"/news/{slug}": Reply(200, {"Content-Type": "text/html; charset=utf-8"}, _page(title, text))
        for (slug, title), text in zip(STORIES, (PARAGRAPHS, LATER), strict=True)
    }
    with serve(routes) as site, JsonEndpoint() as receiver:
        site.routes["/rare-earths/feed.xml"] = Reply(200, {"Content-Type": "application/rss+xml"},
                                                     _feed(site.url("").rstrip("/")))
        outputs = {}
        for line in first_run_lines()[1:]:  # `make install` is what gave this test its interpreter
            line = line.replace(TARGET_URL, receiver.apprise_url)
            if FEED_URL in line:
                line = line.replace(FEED_URL, site.url("/rare-earths/feed.xml")) + " --allow-private"
            if line.startswith("export "):
                name, value = line.removeprefix("export ").split("=", 1)
                monkeypatch.setenv(name, shlex.split(value)[0])
                continue
            result = CliRunner().invoke(cli, shlex.split(line)[1:])
            assert result.exit_code == 0, f"{line}\n{result.output}"
            assert "warning" not in result.stderr, f"{line}\n{result.stderr}"
            if line.startswith("monitor once") and "monitor once" not in outputs:
                backfill = result.stdout  # the feed's first pass; then it publishes a new article
                site.routes["/rare-earths/feed.xml"] = Reply(
                    200, {"Content-Type": "application/rss+xml"}, _feed(site.url("").rstrip("/"), 2)
                )
            outputs[line.split(" --")[0]] = result.stdout
        assert "my-feed" in outputs["monitor sources list"]
        assert outputs["monitor alert test"].startswith("json-1\tok")
        assert re.search(r"^my-feed\s+1\s+1\s+0\s+0\s+0\s*$", backfill, re.MULTILINE), backfill
        summary = outputs["monitor once"]
        assert re.search(r"^my-feed\s+1\s+1\s+0\s+1\s+0\s*$", summary, re.MULTILINE), summary
        assert "1 alerts sent" in summary
        assert [m["title"].startswith("[test]") for m in receiver.messages] == [True, False]
        alert = receiver.messages[1]["message"]
    links = re.findall(rf"http://127\.0\.0\.1:{port}/monitor/(?:articles|stories)/\d+", alert)
    assert len(links) == 2, alert
    # "Start Datasette to follow that link: monitor serve"
    server = subprocess.Popen([sys.executable, "-m", "monitor", "serve"], cwd=clone, env={**os.environ},
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for link in links:
            assert wait_ok(link, server) == 200, link
    finally:
        server.terminate()
        server.communicate(timeout=20)

