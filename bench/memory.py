"""Memory and event-loop stalls on the worst documents inside the default caps (issue 12).

Side by side, in one run, each in a fresh process:

- ``once``: ``monitor once`` over five sources served from 127.0.0.1, each the worst of
  its kind inside ``[fetch]`` max_bytes (5 MB on the wire) and max_decompressed (20 MB):
  a gzip feed inflating to ~19.5 MB (full-text items), a gzip page of ~19 MB of prose, a
  deflate page of ~19 MB of tiny tags, a gzip sitemap of ~19 MB, and an index page with
  100,000 links. Peak RSS of the process, and the longest event-loop stall (a probe task
  sleeping 20 ms and measuring how late it wakes).
- ``daemon``: ``monitor run --no-serve`` on the same sources until every source has had
  its pass: peak RSS (VmHWM) and the longest gap between WATCHDOG=1 (sent every second to
  a real NOTIFY_SOCKET listener): a gap over 1 s is a stall.
- ``ingest``: ``monitor ingest`` of 1,000 mixed files (most a few kB, 40 of 1-5 MB, 10 of
  20 MB, 5 binary) generated in a temp dir: peak RSS.

Each runs with the default caps and, for comparison, with the parse caps raised to the fetch
cap (``max_parse_bytes = 20000000``, ``max_text_chars = 20000000``), which is what the code did
before the caps (though its parsing now runs off the loop either way).

    .venv/bin/python bench/memory.py [--quick]      (--quick: the default caps only)
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import itertools
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.servers import Reply, Request, serve  # noqa: E402
from tests.test_bounds import big_feed, big_page, sentence  # noqa: E402

RESULTS = REPO / "bench" / "results" / "memory.md"
CAP = 20_000_000
RAISED = "max_parse_bytes = 20000000\nmax_text_chars = 20000000\n"
HTML = {"Content-Type": "text/html; charset=utf-8"}


# Documents ----------------------------------------------------------------------------------


def div_soup(size: int) -> bytes:
    """The parser's worst page: ~``size`` bytes of tiny elements (a node of Lexbor's tree each)."""
    return b"<html><body><article>" + b"<div>x</div>" * (size // 12) + b"</article></body></html>"


def documents(base: str) -> dict[str, Reply]:
    feed = big_feed(CAP - 500_000, base)
    prose = big_page(CAP - 1_000_000)
    soup = div_soup(CAP - 1_000_000)
    urls = "".join(f"<url><loc>{base}/sm/{n}</loc><lastmod>2026-11-{1 + n % 28:02d}</lastmod></url>"
                   for n in range((CAP - 1_000_000) // (len(base) + 60)))
    sitemap = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    links = "".join(f'<li><a href="/ix/{n}">Story {n}</a></li>' for n in range(100_000))
    index = f"<html><body><ul>{links}</ul></body></html>"
    page_feed = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>p</title>'
                 f"<item><title>Prose</title><link>{base}/prose</link></item>"
                 f"<item><title>Soup</title><link>{base}/soup</link></item></channel></rss>").encode()
    gz = {"Content-Encoding": "gzip"}
    routes = {
        "/feed.xml": Reply(200, {"Content-Type": "application/rss+xml", **gz}, gzip.compress(feed, 6)),
        "/pages.xml": Reply(200, {"Content-Type": "application/rss+xml"}, page_feed),
        "/prose": Reply(200, {**HTML, **gz}, gzip.compress(prose, 6)),
        "/soup": Reply(200, {**HTML, "Content-Encoding": "deflate"}, zlib.compress(soup, 9)),
        "/sitemap.xml.gz": Reply(200, {"Content-Type": "application/gzip"}, gzip.compress(sitemap.encode())),
        "/index.html": Reply(200, {**HTML, **gz}, gzip.compress(index.encode(), 6)),
    }
    for path, reply in routes.items():
        assert len(reply.body) <= 5_000_000, (path, len(reply.body))  # inside max_bytes
    return routes


def small_article(request: Request) -> Reply:
    number = sum(map(ord, request.path))
    paragraphs = "".join(f"<p>{sentence(number * 10 + k)}</p>" for k in range(6))
    head = f"<html><head><title>Story {request.path}</title></head>"
    body = f"{head}<body><article>{paragraphs}</article></body></html>"
    return Reply(200, HTML, body.encode())


def write_config(folder: Path, base: str, extra: str) -> Path:
    sources = [("feed", "rss", "/feed.xml", "fetch_pages = false\n"), ("pages", "rss", "/pages.xml", ""),
               ("sitemap", "sitemap", "/sitemap.xml.gz", ""), ("index", "html", "/index.html", "")]
    blocks = [f'[monitor]\ndb = "{folder / "monitor.db"}"\n{extra}\n[fetch]\nmin_delay = 0\nper_host = 4\n'
              "respect_robots = false\n"]
    blocks += [f'[[source]]\nname = "{name}"\nkind = "{kind}"\nurl = "{base}{path}"\n'
               f"allow_private = true\n{more}" for name, kind, path, more in sources]
    config = folder / "feeds.toml"
    config.write_text("\n".join(blocks), encoding="utf-8")
    return config


# Runs -----------------------------------------------------------------------------------------


def peak_mb(pid: int | str = "self") -> float:
    """VmHWM: the process's peak RSS. (ru_maxrss would do, but Linux carries it across fork and
    exec, so a child would report the bench's own peak.)"""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))) / 1024


def child_cli(args: list[str]) -> None:
    """``monitor ARGS`` in this process, then its peak RSS as the last line on stderr."""
    from monitor.cli import cli

    try:
        cli.main(args=args, prog_name="monitor", standalone_mode=False)
    finally:
        print(json.dumps({"peak_mb": peak_mb()}), file=sys.stderr)


def child_once(config_path: str) -> None:
    """In a fresh process: one pass like ``monitor once``, with a loop-lag probe beside it."""
    from monitor import commands as runner
    from monitor import log, pipeline
    from monitor.config import load
    from monitor.store.db import open_db

    log.setup("WARNING")
    config = load(Path(config_path))
    db = open_db(config.db_path)
    ctx = pipeline.Context.from_config(config)
    runner.prepare_db(db, ctx)
    sources = runner.due_sources(db, config, ctx.clock())

    async def main() -> tuple[list[pipeline.SourceReport], float]:
        worst = 0.0

        async def probe() -> None:
            nonlocal worst
            while True:
                started = time.perf_counter()
                await asyncio.sleep(0.02)
                worst = max(worst, time.perf_counter() - started - 0.02)

        task = asyncio.create_task(probe())
        reports = (await runner._once(db, ctx, sources, False)).reports
        task.cancel()
        return reports, worst

    started = time.perf_counter()
    reports, stall = asyncio.run(main())
    print(json.dumps({
        "peak_mb": peak_mb(), "stall_s": stall,
        "seconds": time.perf_counter() - started, "stored": sum(r.new + r.copies for r in reports),
        "errors": {r.source: r.error for r in reports if r.error},
        "truncated": db.execute("select count(*) from articles where truncated = 1").fetchone()[0],
    }))


def run_once(folder: Path, base: str, extra: str) -> dict[str, object]:
    config = write_config(folder, base, extra)
    out = subprocess.run([sys.executable, __file__, "--child-once", str(config)], capture_output=True,
                         text=True, timeout=1800, check=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def run_daemon(folder: Path, base: str, extra: str) -> dict[str, object]:
    config = write_config(folder, base, extra)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(str(folder / "notify.sock"))
    listener.settimeout(0.2)
    env = {**os.environ, "NOTIFY_SOCKET": str(folder / "notify.sock"), "WATCHDOG_USEC": "2000000"}
    log = folder / "daemon.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(config), "run",
                                    "--no-serve"], stdout=subprocess.DEVNULL, stderr=stderr, env=env)
    pings: list[float] = []
    started = time.monotonic()
    try:
        while log.read_text(errors="replace").count("source_done") < 4:
            assert process.poll() is None and time.monotonic() - started < 1800, log.read_text()[-2000:]
            try:
                if b"WATCHDOG=1" in listener.recv(4096):
                    pings.append(time.monotonic())
            except TimeoutError:
                pass
        peak = peak_mb(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(60)
        listener.close()
    gaps = [b - a for a, b in itertools.pairwise(pings)]
    return {"peak_mb": peak, "stall_s": max(gaps, default=0.0) - 1.0,
            "seconds": time.monotonic() - started, "pings": len(pings)}


def write_files(folder: Path, count: int) -> int:
    """``count`` mixed article files: most small, 40 of 1-5 MB, 10 of 20 MB, 5 binary. Returns bytes."""
    rng = random.Random(12)
    folder.mkdir()
    total = 0
    for number in range(count):
        if number % 100 == 0:
            size = CAP
        elif number % 25 == 1:
            size = rng.randrange(1_000_000, 5_000_000)
        else:
            size = rng.randrange(2_000, 40_000)
        if number % 200 == 7:
            path, data = folder / f"scan-{number}.html", b"%PDF-1.7\n" + os.urandom(50_000)
        elif number % 2:
            path = folder / f"a-{number}.html"
            data = (f"<html><head><title>Story {number}</title></head><body><article>".encode()
                    + big_page(size)[60:])
        else:
            path = folder / f"a-{number}.txt"
            lines, length = [f"Rare earth report {number}\n"], 0
            while length < size:
                lines.append(sentence(number * 1000 + len(lines)) + "\n\n")
                length += len(lines[-1])
            data = "".join(lines).encode()
        path.write_bytes(data)
        total += len(data)
    return total


def run_ingest(folder: Path, files: Path, extra: str) -> dict[str, object]:
    config = folder / "ingest.toml"
    config.write_text(f'[monitor]\ndb = "{folder / "ingest.db"}"\n{extra}', encoding="utf-8")
    started = time.monotonic()
    command = [sys.executable, __file__, "--child-cli", "--config", str(config), "ingest", str(files)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=3600, check=True)
    peak = json.loads(done.stderr.strip().splitlines()[-1])["peak_mb"]
    return {"peak_mb": peak, "seconds": time.monotonic() - started, "summary": done.stdout.strip()}


# Report ---------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child-once")
    parser.add_argument("--child-cli", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if args.child_cli:
        child_cli(args.child_cli)
        return
    if args.child_once:
        child_once(args.child_once)
        return
    variants = [("default caps", "")] + ([] if args.quick else [("caps raised to 20 MB", RAISED)])
    rows: list[str] = []
    with tempfile.TemporaryDirectory() as tmp, serve(fallback=small_article) as server:
        server.routes.update(documents(server.url("")))
        for name, extra in variants:
            for kind in ("once", "daemon"):
                folder = Path(tmp) / f"{kind}-{len(rows)}"
                folder.mkdir()
                result = (run_once if kind == "once" else run_daemon)(folder, server.url(""), extra)
                print(kind, name, result, flush=True)
                rows.append(f"| `{kind}` | {name} | {result['peak_mb']:.0f} | {result['stall_s']:.2f} |"
                            f" {result['seconds']:.0f} | {_detail(result)} |")
        files = Path(tmp) / "files"
        total = write_files(files, 1000)
        for name, extra in variants:
            folder = Path(tmp) / f"ingest-{len(rows)}"
            folder.mkdir()
            result = run_ingest(folder, files, extra)
            print("ingest", name, result, flush=True)
            rows.append(f"| `ingest` 1,000 files ({total / 1e6:.0f} MB) | {name} | {result['peak_mb']:.0f} |"
                        f" - | {result['seconds']:.0f} | {result['summary']} |")
    report(rows, args.quick)


def _detail(result: dict[str, object]) -> str:
    keys = ("stored", "truncated", "errors", "pings")
    return ", ".join(f"{k} {result[k]}" for k in keys if k in result and result[k] not in ({}, None))


def report(rows: list[str], quick: bool) -> None:
    command = "python bench/memory.py" + (" --quick" if quick else "")
    text = "\n".join([
        "# Memory and event-loop stalls on documents at the caps (issue 12)", "",
        f"Command: `{command}` ({time.strftime('%Y-%m-%d')}, 2 shared cores; other jobs were running).", "",
        "Sources (all inside [fetch] max_bytes 5 MB / max_decompressed 20 MB): a gzip feed inflating to",
        "19.5 MB, a gzip page of 19 MB of prose, a deflate page of 19 MB of tiny tags, a gzip sitemap of",
        "19 MB, an index page with 100,000 links (their pages: small articles). Targets: peak RSS under",
        "300 MB (the unit's MemoryMax is 512 MB), longest event-loop stall under 1 s.", "",
        "| Run | Caps | Peak RSS MB | Longest stall s | Seconds | Result |", "|---|---|---|---|---|---|",
        *rows, "",
        "Stall: `once`, the longest a 20 ms sleep on the loop overslept; `daemon`, the longest gap between",
        "WATCHDOG=1 (sent every 1 s) minus 1 s. Peak RSS: VmHWM of the monitor's process.", "",
    ])
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
