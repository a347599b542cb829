"""Per-article pipeline time by stage, on real news pages, into a real SQLite file.

    .venv/bin/python bench/pipeline.py            # 88 pages x 5 rounds
    .venv/bin/python bench/pipeline.py --quick    # 1 round

Each page of bench/data/extraction-dev goes through the stages ``monitor.pipeline`` runs for a
fetched page: extract + clean (``extract_article``), fingerprint (content hash + MinHash), tag, and
store (``store_prepared``: dedup lookup, article, story, tags, mentions, alerts, one transaction).
Every round stores the pages under new URLs with their text changed a little, so each is a new
article and the store grows as it would. CPU time per stage (``time.process_time``), one process.
This is where tagging's share of per-article time is measured (issue 6 target: under 10 %).
"""

from __future__ import annotations

import argparse
import gzip
import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from monitor import config as config_module
from monitor import pipeline
from monitor.commands import prepare_db
from monitor.dedup import fingerprint
from monitor.extract import extract_article
from monitor.models import Article, Source
from monitor.store.db import open_db
from monitor.tagging import tag

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data" / "extraction-dev"
RESULT = ROOT / "bench" / "results" / "pipeline.md"
T = TypeVar("T")


def pages(data: Path) -> list[tuple[str, str]]:
    truth = json.loads((data / "ground-truth.json").read_text())
    return [
        (
            truth[p.name.removesuffix(".html.gz")]["url"],
            gzip.decompress(p.read_bytes()).decode("utf-8", "replace"),
        )
        for p in sorted((data / "html").glob("*.html.gz"))
    ]


class Timer:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def run(self, stage: str, work: Callable[[], T]) -> T:
        started = time.process_time()
        result = work()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + time.process_time() - started
        return result


def _fingerprint(text: str) -> tuple[str, fingerprint.Signature]:
    return fingerprint.content_hash(text), fingerprint.signature(text)


def one_round(
    db: Any, ctx: pipeline.Context, items: list[tuple[str, str]], round_no: int, timer: Timer
) -> None:
    source = Source(name="bench", kind="rss", url="https://example.org/feed")
    for index, (url, html) in enumerate(items):
        content = timer.run("extract + clean", partial(extract_article, html, url))
        if not content.text:
            continue
        text = f"{content.text}\n\nRound {round_no} edition {index}."
        content = replace(content, text=text)
        fp = timer.run("fingerprint", partial(_fingerprint, text))
        tags = timer.run("tag", partial(tag, content.title, content.text, ctx.taxonomy))
        page_url = f"{url}?round={round_no}"
        article = Article(page_url, page_url, source.name, "example.org", ctx.clock(), content, None, fp[0])
        prepared = pipeline.Prepared(article, tags, fp[1], None)
        timer.run("store", partial(pipeline.store_prepared, db, ctx, prepared, [page_url]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one round instead of five")
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    if not (args.data / "ground-truth.json").exists():
        raise SystemExit(f"benchmark data not found at {args.data}")
    rounds = 1 if args.quick else 5
    items = pages(args.data)
    with tempfile.TemporaryDirectory() as tmp:
        cfg = config_module.parse("", Path(tmp) / "feeds.toml")
        ctx = pipeline.Context.from_config(cfg)
        db = open_db(Path(tmp) / "bench.db")
        prepare_db(db, ctx)
        timer = Timer()
        for round_no in range(rounds):
            one_round(db, ctx, items, round_no, timer)
        articles = db.execute("select count(*) from articles").fetchone()[0]
    report(timer.seconds, articles, rounds, len(items))


def report(seconds: dict[str, float], articles: int, rounds: int, pages_count: int) -> None:
    total = sum(seconds.values())
    lines = [
        f"Command: `.venv/bin/python bench/pipeline.py{'' if rounds == 5 else ' --quick'}` "
        f"({pages_count} pages x {rounds} rounds, {articles} articles stored)",
        "",
        "| stage | ms per article | share |",
        "|---|---:|---:|",
    ]
    for stage, spent in seconds.items():
        lines.append(f"| {stage} | {spent / articles * 1000:.2f} | {spent / total:.1%} |")
    lines.append(f"| **total** | **{total / articles * 1000:.2f}** | 100% |")
    text = "\n".join(lines)
    print(text)
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(text + "\n")


if __name__ == "__main__":
    main()
