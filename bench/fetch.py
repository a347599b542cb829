"""Fetch benchmark: N sources × 20 articles served locally, two passes through the real pipeline.

Pass 1 fetches every feed and article page, then extracts, dedups, tags and stores them.
Pass 2 finds nothing new: feeds answer 304 (ETag), so it must fetch zero article pages.
Each source is its own virtual host (``src17.bench.test``, resolved to 127.0.0.1 by an
injected resolver) so the per-host politeness settings apply as they would in the wild.
The server runs in a child process, so its CPU is not counted against the monitor.

    .venv/bin/python bench/fetch.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil  # type: ignore[import-untyped]
from sqlite_utils import Database

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor import config as config_module
from monitor import pipeline
from monitor.commands import prepare_db
from monitor.fetch.client import Fetcher
from monitor.store.db import open_db
from tests.servers import Reply, Request, serve

ENTRIES = 20
WORDS = [
    "rare",
    "earth",
    "neodymium",
    "dysprosium",
    "terbium",
    "magnet",
    "mine",
    "refinery",
    "export",
    "quota",
    "China",
    "Lynas",
    "MP",
    "Materials",
    "separation",
    "plant",
    "supply",
    "chain",
    "prices",
    "tonnes",
    "oxide",
    "praseodymium",
    "processing",
    "capacity",
    "government",
    "agreement",
    "production",
    "market",
    "demand",
    "electric",
    "vehicle",
    "wind",
    "turbine",
    "policy",
    "tariff",
    "shipment",
    "analysts",
    "said",
    "the",
    "a",
    "of",
    "and",
    "in",
    "to",
    "for",
    "with",
    "on",
    "by",
    "from",
    "new",
    "year",
    "first",
    "quarter",
    "report",
    "company",
    "officials",
]
HEAD = "<html><head><title>{title}</title><meta charset='utf-8'></head><body>"
NAV = "<nav>" + "".join(f"<a href='/section/{i}'>Section {i}</a>" for i in range(40)) + "</nav>"
FOOT = "<footer>" + "<p>Copyright Example Media. All rights reserved. Subscribe to our newsletter.</p>" * 20


def article_html(source: int, entry: int) -> bytes:
    rng = random.Random(source * 1000 + entry)
    title = f"Rare earth story {source}-{entry}: " + " ".join(rng.choices(WORDS, k=6))
    paragraphs = "".join(
        "<p>" + " ".join(rng.choices(WORDS, k=rng.randint(40, 90))) + ".</p>"
        for _ in range(rng.randint(8, 16))
    )
    body = f"<article><h1>{title}</h1>{paragraphs}</article>"
    return (HEAD.format(title=title) + NAV + body + FOOT + "</body></html>").encode()


def feed_xml(source: int) -> bytes:
    items = "".join(
        f"<item><title>Story {source}-{e}</title><link>/a/{e}.html</link><guid>s{source}-{e}</guid>"
        f"<pubDate>Mon, 0{1 + e % 9} Jan 2024 10:00:00 GMT</pubDate>"
        "<description>Teaser...</description></item>"
        for e in range(ENTRIES)
    )
    channel = f"<channel><title>S{source}</title>{items}</channel>"
    return f"<?xml version='1.0'?><rss version='2.0'>{channel}</rss>".encode()


def respond(request: Request) -> Reply:
    source = int(request.host.split(".")[0][3:] or 0)
    if request.path == "/feed.xml":
        if request.headers.get("if-none-match") == '"v1"':
            return Reply(304, {"ETag": '"v1"'})
        return Reply(200, {"Content-Type": "application/rss+xml", "ETag": '"v1"'}, feed_xml(source))
    if request.path.startswith("/a/"):
        entry = int(request.path[3:].split(".")[0])
        return Reply(200, {"Content-Type": "text/html; charset=utf-8"}, article_html(source, entry))
    return Reply(404)


def run_server(port_out: multiprocessing.connection.Connection) -> None:
    with serve({}, fallback=respond) as server:
        port_out.send(server.port)
        port_out.recv()  # block until the parent says stop


def write_config(directory: Path, port: int, sources: int) -> Path:
    lines = ['[monitor]\ndb = "bench.db"\n', "[fetch]\nconcurrency = 32\n"]
    for i in range(sources):
        lines.append(
            f'[[source]]\nname = "src{i}"\nkind = "rss"\nurl = "http://src{i}.bench.test:{port}/feed.xml"\n'
            "allow_private = true\n"
        )
    path = directory / "feeds.toml"
    path.write_text("\n".join(lines))
    return path


async def resolve_local(host: str, port: int) -> list[str]:
    return ["127.0.0.1"]


class PeakRss:
    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        process = psutil.Process()
        while not self._stop.is_set():
            self.peak = max(self.peak, process.memory_info().rss)
            time.sleep(0.05)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def one_pass(config_path: Path) -> dict[str, float]:
    config = config_module.load(config_path)
    ctx = pipeline.Context.from_config(config)
    db = open_db(config.db_path)
    prepare_db(db, ctx)
    pages_before = db.execute("select count(*) from fetches where purpose = 'page'").fetchone()[0]
    cpu, started = time.process_time(), time.perf_counter()
    with PeakRss() as rss:
        reports = asyncio.run(_run(db, ctx, config))
    wall = time.perf_counter() - started
    pages = db.execute("select count(*) from fetches where purpose = 'page'").fetchone()[0] - pages_before
    new = sum(r.new + r.copies for r in reports)
    errors = sum(1 for r in reports if r.error)
    if errors:
        print("first error:", next(r.error for r in reports if r.error), file=sys.stderr)
    return {
        "wall": wall,
        "cpu": time.process_time() - cpu,
        "new": new,
        "pages": pages,
        "errors": errors,
        "rss": rss.peak / 2**20,
    }


async def _run(
    db: Database, ctx: pipeline.Context, config: config_module.Config
) -> list[pipeline.SourceReport]:
    async with Fetcher(config.fetch, resolver=resolve_local) as fetcher:
        return await pipeline.run_sources(db, ctx, config.sources, fetcher)


def table(sources: int, first: dict[str, float], second: dict[str, float]) -> str:
    rows = [
        "| pass | sources | new articles | article pages fetched | wall s | articles/s | CPU s | CPU/wall "
        "| peak RSS MB | failed sources |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in (("1 (all new)", first), ("2 (nothing new)", second)):
        rate = r["new"] / r["wall"] if r["wall"] else 0.0
        rows.append(
            f"| {name} | {sources} | {r['new']:.0f} | {r['pages']:.0f} | {r['wall']:.1f} | {rate:.1f} | "
            f"{r['cpu']:.1f} | {r['cpu'] / r['wall']:.2f} | {r['rss']:.0f} | {r['errors']:.0f} |"
        )
    rows.append(f"\nPass 2 took {second['wall'] / first['wall']:.3f} of pass 1's time.")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50 sources instead of 1,000")
    args = parser.parse_args()
    sources = 50 if args.quick else 1000
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(target=run_server, args=(child,), daemon=True)
    server.start()
    port = parent.recv()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            config_path = write_config(Path(tmp), port, sources)
            first, second = one_pass(config_path), one_pass(config_path)
    finally:
        parent.send("stop")
        server.join(timeout=10)
    print(table(sources, first, second))


if __name__ == "__main__":
    main()
