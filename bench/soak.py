"""Soak test: the daemon against many local feeds with new entries arriving, for N minutes.

    .venv/bin/python bench/soak.py                 # 1,000 sources, 30 minutes
    .venv/bin/python bench/soak.py --quick         # 100 sources, 2 minutes
    .venv/bin/python bench/soak.py --minutes 10 --sources 500

A local HTTP server (127.0.0.1) serves one RSS feed per source plus article pages; a thread
publishes new entries at a steady rate across random feeds. The real ``monitor run --no-serve``
polls them (``allow_private = true``), with one alert rule matching every article and a local
JSON endpoint as the Apprise target. Measured:

- RSS of the daemon every minute (must be flat after warm-up), and CPU seconds per article;
- scheduling lag: the gaps between consecutive listing fetches of each source vs its interval;
- alert latency: publication of an entry → delivery at the endpoint (polling included), and
  the daemon's own part, fetch → delivery.

Prints Markdown and writes it, with the command, to bench/results/soak.md (unless --no-write).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import closing, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results" / "soak.md"
ELEMENTS = ["dysprosium", "terbium", "neodymium", "praseodymium", "yttrium", "lanthanum", "samarium"]
WORDS = ["mine", "quota", "magnet", "refinery", "export", "licence", "smelter", "price", "tonne", "contract",
         "shipment", "plant", "supply", "ministry", "tender", "furnace", "separation", "output", "permit"]
FEED_KEEP = 20  # entries a feed lists (the newest)


# The world: feeds that grow -------------------------------------------------------------------


@dataclass
class Entry:
    feed: int
    number: int
    title: str
    published: float  # epoch seconds


@dataclass
class World:
    """Feeds and pages on 127.0.0.1; new entries arrive from a background thread."""

    feeds: int
    rng: random.Random = field(default_factory=lambda: random.Random(42))
    entries: dict[int, list[Entry]] = field(default_factory=dict)
    published: dict[str, float] = field(default_factory=dict)  # title -> publication time
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: int = 0

    def publish(self, feed: int, when: float | None = None) -> None:
        with self.lock:
            items = self.entries.setdefault(feed, [])
            number = len(items)
            element = ELEMENTS[(feed + number) % len(ELEMENTS)]
            words = f"{self.rng.choice(WORDS)} {self.rng.randrange(10**9)}"
            title = f"Feed {feed} story {number}: {element} {words}"
            entry = Entry(feed, number, title, when or time.time())
            items.append(entry)
            del items[:-FEED_KEEP]
            self.published[title] = entry.published

    def feed_xml(self, feed: int, base: str) -> tuple[bytes, str]:
        with self.lock:
            items = list(self.entries.get(feed, []))
        etag = f'"{feed}-{items[-1].number if items else 0}"'
        parts = [f"<item><title>{e.title}</title><link>{base}/article/{e.feed}/{e.number}.html</link>"
                 f"<guid>{base}/article/{e.feed}/{e.number}</guid><pubDate>{_rfc822(e.published)}</pubDate>"
                 "</item>" for e in reversed(items)]
        body = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {feed}</title>'
                f"<link>{base}/</link><description>soak</description>{''.join(parts)}</channel></rss>")
        return body.encode(), etag

    def article_html(self, feed: int, number: int) -> bytes | None:
        with self.lock:
            found = next((e for e in self.entries.get(feed, []) if e.number == number), None)
        if found is None:
            return None
        rng = random.Random(found.title)
        element = ELEMENTS[(feed + number) % len(ELEMENTS)]
        paragraphs = [f"<p>Officials said {element} tightened as {rng.choice(WORDS)} talks began.</p>"]
        paragraphs += ["<p>" + " ".join(rng.choices(WORDS, k=30)).capitalize() + ".</p>" for _ in range(6)]
        return (f"<html><head><title>{found.title}</title></head><body><nav>Home News</nav><article>"
                f"<h1>{found.title}</h1>{''.join(paragraphs)}</article><footer>(c) soak</footer>"
                "</body></html>").encode()


def port_of(server: Any) -> int:
    return int(server.server_address[1])


def _rfc822(when: float) -> str:
    return format_datetime(datetime.fromtimestamp(when, UTC), usegmt=True)


def serve_world(world: World) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            world.requests += 1
            base = f"http://127.0.0.1:{port_of(self.server)}"
            parts = self.path.strip("/").split("/")
            if parts == ["robots.txt"]:
                return self.reply(200, b"User-agent: *\nAllow: /\n", "text/plain")
            if len(parts) == 2 and parts[0] == "feed":
                body, etag = world.feed_xml(int(parts[1].removesuffix(".xml")), base)
                if self.headers.get("If-None-Match") == etag:
                    return self.reply(304, b"", "application/rss+xml", etag)
                return self.reply(200, body, "application/rss+xml", etag)
            if len(parts) == 3 and parts[0] == "article":
                page = world.article_html(int(parts[1]), int(parts[2].removesuffix(".html")))
                if page is not None:
                    return self.reply(200, page, "text/html; charset=utf-8")
            return self.reply(404, b"not found", "text/plain")

        def reply(self, status: int, body: bytes, kind: str, etag: str | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            if etag:
                self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def publisher(world: World, per_minute: float, stop: threading.Event) -> None:
    """New entries at a steady rate, each in a random feed."""
    gap = 60.0 / per_minute
    while not stop.wait(gap):
        world.publish(world.rng.randrange(world.feeds))


# The alert endpoint ---------------------------------------------------------------------------


@dataclass
class Deliveries:
    received: list[tuple[str, float]] = field(default_factory=list)  # (title, time)


def serve_endpoint(deliveries: Deliveries) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with suppress(ValueError):
                deliveries.received.append((json.loads(raw).get("title", ""), time.time()))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# The daemon -----------------------------------------------------------------------------------


def write_config(path: Path, db: Path, sources: int, interval: int, port: int) -> None:
    blocks = [f'[monitor]\ndb = "{db}"\nkeep_html_days = 1\n',
              "[fetch]\nper_host = 16\nconcurrency = 16\nmin_delay = 0.0\n"]
    for n in range(sources):
        url = f"http://127.0.0.1:{port}/feed/{n}.xml"
        blocks.append(f'[[source]]\nname = "feed-{n}"\nkind = "rss"\nurl = "{url}"\ninterval = {interval}\n'
                      f"allow_private = true\nmax_entries = {FEED_KEEP}\n")
    blocks.append('[[alert]]\nname = "every-element"\nany = ["element:*"]\n')
    path.write_text("\n".join(blocks), encoding="utf-8")


def start_daemon(
    workdir: Path, config: Path, db: Path, endpoint_port: int
) -> tuple[subprocess.Popen[bytes], Path]:
    notify = workdir / "notify.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(str(notify))
    listener.settimeout(120)
    env = {**os.environ, "NOTIFY_SOCKET": str(notify), "JOURNAL_STREAM": "",
           "MONITOR_APPRISE_URLS": f"json://127.0.0.1:{endpoint_port}/hook"}
    log = workdir / "daemon.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "monitor", "--config", str(config), "--db", str(db), "run", "--no-serve"],
            stdout=subprocess.DEVNULL, stderr=stderr, env=env, cwd=REPO,
        )
    while b"READY=1" not in listener.recv(4096):
        pass
    # Keep reading like systemd would, so STATUS= and WATCHDOG=1 are delivered, not refused.
    threading.Thread(target=_drain, args=(listener,), daemon=True).start()
    return process, log


def _drain(listener: socket.socket) -> None:
    listener.settimeout(None)
    with closing(listener), suppress(OSError):
        while listener.recv(4096):
            pass


# Measuring ------------------------------------------------------------------------------------


@dataclass
class Sample:
    minute: int
    rss_mb: float
    cpu_s: float
    articles: int


def query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)) as conn:
        return conn.execute(sql).fetchall()


def sample(process: psutil.Process, db: Path, minute: int) -> Sample:
    cpu = process.cpu_times()
    articles = query(db, "select count(*) from articles")[0][0]
    return Sample(minute, process.memory_info().rss / 2**20, cpu.user + cpu.system, articles)


def scheduling_lag(db: Path, interval: int) -> dict[str, float]:
    """Gaps between consecutive listing fetches of one source, beyond interval + its 10% jitter."""
    rows = query(db, "select source, started from fetches where purpose = 'listing' order by source, started")
    late: list[float] = []
    previous: dict[str, datetime] = {}
    for source, started in rows:
        when = datetime.fromisoformat(started)
        if source in previous:
            gap = (when - previous[source]).total_seconds()
            late.append(max(0.0, gap - interval * 1.1))
        previous[source] = when
    if not late:
        return {"passes": 0}
    late.sort()
    return {"passes": len(late), "p50": late[len(late) // 2], "p95": late[int(len(late) * 0.95)],
            "max": late[-1], "late_over_60s": sum(1 for x in late if x > 60)}


def alert_latency(world: World, deliveries: Deliveries, db: Path, since: float) -> dict[str, float]:
    """Only entries published during the run: the seeded backlog is an hour old by construction."""
    fetched = {title: datetime.fromisoformat(when).timestamp()
               for title, when in query(db, "select title, fetched from articles")}
    from_publication, from_fetch = [], []
    for title, received in deliveries.received:
        published = world.published.get(title)
        if published is not None and published >= since and title in fetched:
            from_publication.append(received - published)
            from_fetch.append(received - fetched[title])
    if not from_publication:
        return {"alerts": 0}
    return {"alerts": len(from_publication), "pub_p50": statistics.median(from_publication),
            "pub_p95": sorted(from_publication)[int(len(from_publication) * 0.95)],
            "fetch_p50": statistics.median(from_fetch),
            "fetch_p95": sorted(from_fetch)[int(len(from_fetch) * 0.95)]}


# Report ---------------------------------------------------------------------------------------


def report(args: argparse.Namespace, samples: list[Sample], lag: dict[str, float], latency: dict[str, float],
           seeded: int, late_warnings: int, exit_code: int) -> str:
    warm = samples[min(len(samples) - 1, max(1, len(samples) // 3))]
    last = samples[-1]
    hours = max(1e-9, (last.minute - warm.minute) / 60)
    new_articles = max(1, last.articles - samples[0].articles)
    cpu_per_article = (last.cpu_s - samples[0].cpu_s) / new_articles
    minutes = max(1, last.minute)
    per_day = (last.articles - seeded) / minutes * 1440 if last.articles > seeded else 0
    cpu_share = 100 * (last.cpu_s - samples[0].cpu_s) / max(1, (last.minute - samples[0].minute) * 60)
    lines = [
        f"# Soak: {args.sources} sources, {args.minutes} minutes",
        "",
        f"Command: `{' '.join(['.venv/bin/python', 'bench/soak.py', *sys.argv[1:]])}`",
        f"Machine: {os.cpu_count()} cores shared with other work; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        f"Sources poll every {args.interval} s; {args.rate:g} new entries/minute across random feeds "
        f"({seeded} entries at start); one alert rule matches every article.",
        "",
        "| minute | RSS (MB) | CPU s (total) | articles |",
        "|---:|---:|---:|---:|",
        *[f"| {s.minute} | {s.rss_mb:.1f} | {s.cpu_s:.1f} | {s.articles} |" for s in samples],
        "",
        "| measure | value |",
        "|---|---:|",
        f"| RSS after warm-up (minute {warm.minute}) → end | {warm.rss_mb:.1f} → {last.rss_mb:.1f} MB |",
        f"| RSS growth after warm-up | {(last.rss_mb - warm.rss_mb) / hours:+.1f} MB/hour |",
        f"| articles stored | {last.articles} |",
        f"| CPU seconds per article (incl. polling) | {cpu_per_article:.3f} |",
        f"| average CPU use | {cpu_share:.1f} % of one core |",
        f"| new articles per day at this rate | {per_day:,.0f} |",
        f"| source passes measured | {lag.get('passes', 0):.0f} |",
        f"| pass start later than interval + 10% jitter: p50 / p95 / max | "
        f"{lag.get('p50', 0):.1f} / {lag.get('p95', 0):.1f} / {lag.get('max', 0):.1f} s |",
        f"| passes more than 60 s late / source_late warnings | {lag.get('late_over_60s', 0):.0f} / "
        f"{late_warnings} |",
        f"| alerts delivered (measured) | {latency.get('alerts', 0):.0f} |",
        f"| alert latency from publication: p50 / p95 | {latency.get('pub_p50', 0):.1f} / "
        f"{latency.get('pub_p95', 0):.1f} s |",
        f"| alert latency from fetch (the daemon's part): p50 / p95 | {latency.get('fetch_p50', 0):.2f} / "
        f"{latency.get('fetch_p95', 0):.2f} s |",
        f"| exit code after SIGTERM | {exit_code} |",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=int, default=30)
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--interval", type=int, default=300, help="seconds between passes of a source")
    parser.add_argument("--rate", type=float, default=20.0, help="new entries per minute, all feeds together")
    parser.add_argument("--initial", type=int, default=2, help="entries per feed at start")
    parser.add_argument("--quick", action="store_true", help="2 minutes, 100 sources, 60 s interval")
    parser.add_argument("--no-write", action="store_true", help=f"do not write {RESULTS.relative_to(REPO)}")
    args = parser.parse_args()
    if args.quick:
        args.minutes, args.sources, args.interval = 2, 100, 60

    world = World(args.sources)
    start = time.time() - 3600
    for feed in range(args.sources):
        for _ in range(args.initial):
            world.publish(feed, start)
    seeded = args.sources * args.initial
    feeds, deliveries = serve_world(world), Deliveries()
    endpoint = serve_endpoint(deliveries)
    stop = threading.Event()
    with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        workdir = Path(tmp)
        config, db = workdir / "feeds.toml", workdir / "monitor.db"
        write_config(config, db, args.sources, args.interval, port_of(feeds))
        process, log = start_daemon(workdir, config, db, port_of(endpoint))
        live_since = time.time()
        threading.Thread(target=publisher, args=(world, args.rate, stop), daemon=True).start()
        watched = psutil.Process(process.pid)
        samples = [sample(watched, db, 0)]
        try:
            for minute in range(1, args.minutes + 1):
                time.sleep(60)
                if process.poll() is not None:
                    raise SystemExit(f"daemon exited {process.returncode}:\n{log.read_text()[-3000:]}")
                samples.append(sample(watched, db, minute))
                print(f"minute {minute}: RSS {samples[-1].rss_mb:.1f} MB, {samples[-1].articles} articles",
                      file=sys.stderr, flush=True)
        finally:
            stop.set()
            process.send_signal(signal.SIGTERM)
            exit_code = process.wait(60)
        lag = scheduling_lag(db, args.interval)
        latency = alert_latency(world, deliveries, db, live_since)
        late_warnings = log.read_text(errors="replace").count("source_late")
    text = report(args, samples, lag, latency, seeded, late_warnings, exit_code)
    print(text)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
