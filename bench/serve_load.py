"""Serving under load: 20 concurrent searches against a database with pathological rows.

The database is the demo plus one 20 MB article and many 1 MB articles, all matching the search
(what an old database can hold before ``max_text_chars`` capped stored text), in the schema the last
round left (migrations up to m010). Side by side in one run:

- **0.1 probe**: Datasette with the canned ``search_feed`` as it shipped, excerpts by FTS5's
  ``snippet()`` — one request with a client timeout (it does not finish in any useful time);
- **base** (``--baseline REV``): ``monitor serve`` of another commit's code (``git archive``), e.g. the
  commit this round started from, over the same database;
- **m010**: this round's Datasette (bounded excerpts, plugins, settings) over the database as it is;
- **m011**: a real ``monitor serve`` (the CLI, a child process), which first migrates the database
  (m011: long columns last in the row, pre-m007 texts cut to ``max_text_chars``).

m010 and m011 are each hit by 20 concurrent clients running a mix of searches (HTML, JSON, Atom, the
article list search), several rounds, alternating; page time is measured at the client.

    .venv/bin/python bench/serve_load.py [--quick] [--repeat N] [--no-probe] [--baseline REV]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor import serve
from tests import demo_db as demo
from tests.security import pathological

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results" / "serve_load.md"
DATABASE = "news"
# search_feed as it shipped in 0.1 (datasette-metadata.json), excerpts by FTS5 snippet().
BEFORE_SQL = (
    "select a.id, coalesce(a.published, a.fetched) as published, a.title, a.outlet, a.url,\n"
    "      snippet(articles_fts, 1, '[', ']', ' … ', 24) as excerpt,\n"
    "      (select group_concat(tag, ' ') from article_tags where article_id = a.id) as tags,\n"
    "      a.canonical_url as atom_id,\ncoalesce(nullif(a.title, ''), a.url) as atom_title,\n"
    "coalesce(a.published, a.fetched) as atom_updated,\na.url as atom_link,\n"
    "coalesce(a.outlet, '') || ': ' || coalesce(nullif(a.description, ''), substr(a.text, 1, 500))"
    " as atom_content\n"
    "    from articles_fts join articles a on a.id = articles_fts.rowid\n"
    "    where articles_fts match :q\n"
    "    order by coalesce(a.published, a.fetched) desc\n"
    "    limit 100"
)


def requests_mix(article_id: int) -> list[tuple[str, dict[str, str]]]:
    return [
        (f"/{DATABASE}/search_feed", {"q": "dysprosium"}),
        (f"/{DATABASE}/search_feed.json", {"q": "dysprosium supply"}),
        (f"/{DATABASE}/search_feed.atom", {"q": "dysprosium"}),
        (f"/{DATABASE}/article_list", {"_search": "dysprosium"}),
    ]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def load(
    base: str, clients: int, rounds: int, article_id: int
) -> tuple[list[float], dict[int, int], dict[str, list[float]]]:
    times: list[float] = []
    by_path: dict[str, list[float]] = {}
    statuses: dict[int, int] = {}
    mix = requests_mix(article_id)

    async def client(number: int) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=120) as http:
            for round_ in range(rounds):
                path, params = mix[(number + round_) % len(mix)]
                started = time.perf_counter()
                response = await http.get(path, params=params)
                await response.aread()
                times.append(time.perf_counter() - started)
                by_path.setdefault(path.replace(str(article_id), "<20 MB article>"), []).append(times[-1])
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    await asyncio.gather(*(client(n) for n in range(clients)))
    return times, statuses, by_path


def old_probe(folder: Path, old_db: Path, timeout: float) -> str:
    """The shipped search_feed (FTS5 snippet) against a copy of the old rows: one request, timed."""
    metadata = json.loads(serve.METADATA_PATH.read_text(encoding="utf-8"))
    query = metadata["databases"]["monitor"]["queries"]["search_feed"]
    query["sql"] = BEFORE_SQL
    old_metadata = folder / "old-metadata.json"
    old_metadata.write_text(json.dumps(metadata), encoding="utf-8")
    db_path = folder / "probe" / f"{DATABASE}.db"
    db_path.parent.mkdir(exist_ok=True)
    copy_database(old_db, db_path)
    shipped, serve.METADATA_PATH = serve.METADATA_PATH, old_metadata
    try:
        process, base = start_unmigrated(db_path.parent, db_path)
    finally:
        serve.METADATA_PATH = shipped
    try:
        started = time.perf_counter()
        try:
            response = httpx.get(
                f"{base}/{DATABASE}/search_feed", params={"q": "dysprosium"}, timeout=timeout
            )
            return f"{time.perf_counter() - started:.1f} s (HTTP {response.status_code})"
        except httpx.TimeoutException:
            return f"no answer within {timeout:.0f} s (client gave up; the server thread kept going)"
    finally:
        serve.stop(process)  # kills it when it does not stop in time (a thread stuck in snippet())


def start_monitor_serve(folder: Path, db_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``monitor serve`` (the CLI, a child process): migrates the database first, then serves it."""
    port = demo.free_port()
    config = folder / "feeds.toml"
    config.write_text(f'[monitor]\ndb = "{db_path}"\n\n[serve]\nport = {port}\n', encoding="utf-8")
    command = [sys.executable, "-m", "monitor", "--config", str(config), "serve"]
    return _started(command, port)


def start_unmigrated(folder: Path, db_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    """This round's Datasette settings, plugins and metadata over the database as it is, not migrated:
    the row layout and stored texts the last round left."""
    cfg = demo.config(folder)
    return _started(serve.datasette_args(cfg, db_path), cfg.serve.port)


def _started(
    command: list[str], port: int, cwd: Path | None = None, pythonpath: Path | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    env = {**os.environ, "DATASETTE_SECRET": "bench"}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/-/versions.json", timeout=2).status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("the server did not start")


def start_baseline(source: Path, folder: Path, db_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``monitor serve`` of another commit's code (extracted to ``source``), same environment."""
    port = demo.free_port()
    config = folder / "feeds.toml"
    config.write_text(f'[monitor]\ndb = "{db_path}"\n\n[serve]\nport = {port}\n', encoding="utf-8")
    command = [sys.executable, "-m", "monitor", "--config", str(config), "serve"]
    return _started(command, port, cwd=source, pythonpath=source)


def extract(revision: str, target: Path) -> Path:
    """The tree of a commit as files (``git archive``; the repository is only read)."""
    target.mkdir()
    archive = subprocess.run(["git", "-C", str(REPO), "archive", revision], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of a WAL database (SQLite's backup API)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


VARIANTS = {
    "base": "baseline commit's code over the m010 database",
    "m010": "this round's code over the m010 database (text mid-row, old texts uncut)",
    "m011": "this round, after m011 (long columns last, pre-m007 texts cut to max_text_chars)",
}


def run_variant(
    variant: str, folder: Path, old_db: Path, clients: int, rounds: int, baseline: Path | None = None
) -> dict[str, Any]:
    db_path = folder / variant / f"{DATABASE}.db"
    db_path.parent.mkdir(exist_ok=True)
    for stale in db_path.parent.glob(f"{DATABASE}.db*"):
        stale.unlink()
    copy_database(old_db, db_path)
    started = time.perf_counter()
    if variant == "base":
        assert baseline is not None
        process, base = start_baseline(baseline, db_path.parent, db_path)
    elif variant == "m011":
        process, base = start_monitor_serve(db_path.parent, db_path)
    else:
        process, base = start_unmigrated(db_path.parent, db_path)
    ready = time.perf_counter() - started
    try:
        started = time.perf_counter()
        times, statuses, by_path = asyncio.run(load(base, clients, rounds, 0))
        wall = time.perf_counter() - started
    finally:
        serve.stop(process)
    load_avg = os.getloadavg()[0]
    return {"variant": variant, "times": times, "statuses": statuses, "by_path": by_path, "wall": wall,
            "ready": ready, "load": load_avg}


def row(result: dict[str, Any], clients: int) -> str:
    times = result["times"]
    p50, p95, p99 = (percentile(times, s) for s in (0.5, 0.95, 0.99))
    return (
        f"| {VARIANTS[result['variant']]} | {clients} | {len(times)} | {result['statuses']} | {p50:.2f} |"
        f" {p95:.2f} | {p99:.2f} | {max(times):.2f} | {statistics.mean(times):.2f} | {result['wall']:.1f} |"
        f" {result['ready']:.1f} | {result['load']:.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer long rows and rounds")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each variant, interleaved")
    parser.add_argument("--no-probe", action="store_true", help="skip the FTS5 snippet() probe (30 s)")
    parser.add_argument("--baseline", metavar="REV", help="also serve with this commit's code (git archive)")
    args = parser.parse_args()
    variants = (["base"] if args.baseline else []) + ["m010", "m011"]
    clients, rounds = 20, (5 if args.quick else 10)
    long_rows = 10 if args.quick else 40
    with tempfile.TemporaryDirectory(prefix="serve-load-") as tmp:
        folder = Path(tmp)
        old_db = folder / f"{DATABASE}.db"
        built = time.perf_counter()
        # The database the last round left (schema up to m010), with the rows an old version stored.
        pathological.build(old_db, huge=1, long=long_rows, schema_before="m011_article_text_last").close()
        size_mb = old_db.stat().st_size / 1e6
        print(
            f"database: {size_mb:.0f} MB, 1 × 20 MB + {long_rows} × 1 MB articles"
            f" ({time.perf_counter() - built:.1f} s)"
        )
        before = "not run (--no-probe)" if args.no_probe else old_probe(folder, old_db, timeout=30.0)
        print(f"shipped search_feed (FTS5 snippet), one search: {before}")
        baseline = extract(args.baseline, folder / "baseline") if args.baseline else None
        results = []
        for _ in range(args.repeat):
            for variant in variants:
                results.append(run_variant(variant, folder, old_db, clients, rounds, baseline))
                print(row(results[-1], clients))
    flags = (["--quick"] if args.quick else []) + ([f"--repeat {args.repeat}"] if args.repeat != 2 else [])
    flags += ["--no-probe"] if args.no_probe else []
    flags += [f"--baseline {args.baseline}"] if args.baseline else []
    command = " ".join([".venv/bin/python bench/serve_load.py", *flags])
    lines = [
        "# Serving under load (issue 15)",
        "",
        f"Command: `{command}`; database {size_mb:.0f} MB as the last round's schema (m010) left it:",
        f"the demo plus 1 × 20 MB and {long_rows} × 1 MB articles, all matching `dysprosium`. Each variant",
        f"serves a copy of it; the runs alternate. Baseline: {args.baseline or 'not run'}."
        " `ready s`: start until the first answer (m011:",
        "includes the migration); `load`: 1-minute load average of the machine after the run (shared",
        "with other work).",
        "",
        f"The search_feed of 0.1 (FTS5 `snippet()`), one search alone: {before}.",
        "",
        "| variant | concurrent clients | requests | statuses | p50 s | p95 s | p99 s | max s | mean s"
        " | wall s | ready s | load |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
        *(row(r, clients) for r in results),
        "",
        "Each client runs, in turn: search_feed (HTML), search_feed.json, search_feed.atom and the",
        "article_list search (all matching every pathological row). Per page, all runs of a variant:",
        "",
        "| page | variant | requests | p50 s | max s |",
        "|---|---|---|---|---|",
    ]
    for path in sorted({p for r in results for p in r["by_path"]}):
        for variant in variants:
            times = [t for r in results if r["variant"] == variant for t in r["by_path"].get(path, [])]
            lines.append(
                f"| `{path}` | {variant} | {len(times)} | {percentile(times, 0.5):.2f} | {max(times):.2f} |"
            )
    report = "\n".join(lines) + "\n"
    print(report)
    RESULTS.write_text(report, encoding="utf-8")
    for variant in variants:
        worst = max(percentile(r["times"], 0.99) for r in results if r["variant"] == variant)
        print(f"{variant}: worst p99 {worst:.2f} s: {'under' if worst < 2 else 'OVER'} the 2 s target")


if __name__ == "__main__":
    main()
