"""What the one-shot CLI commands do: each builds its context, calls the pipeline, and reports.

The daemon has its own loop (``monitor.daemon``); both go through ``monitor.pipeline``.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from monitor import log, pipeline
from monitor.config import SECTIONS, Config
from monitor.errors import ConfigError, FetchError, UsageError
from monitor.fetch.client import Fetcher
from monitor.models import Extracted, Source
from monitor.settings import describe
from monitor.store import articles as store
from monitor.store import sources as source_rows

logger = logging.getLogger("monitor.commands")


def prepare_db(db: Database, ctx: pipeline.Context) -> None:
    """Mirror the config's sources and the taxonomy into the database before a pass."""
    source_rows.sync_sources(db, ctx.config.sources, ctx.clock())
    store.sync_taxonomy(db, ((e.tag, e.category, e.label) for e in ctx.taxonomy.entries))


def due_sources(
    db: Database, config: Config, now: str, only: str | None = None, force: bool = False
) -> list[Source]:
    """Enabled sources, except failing ones still inside their backoff window.

    ``only`` names one source (taken even when disabled: the operator asked for it); ``force``
    ignores the backoff window.
    """
    due = []
    for source in config.sources:
        if only is not None and source.name != only:
            continue
        if not source.enabled and only is None:
            continue
        if force:
            due.append(source)
            continue
        wait_until = source_rows.stored_next_due(db, source.name)
        if source_rows.error_count(db, source.name) and wait_until and wait_until > now:
            log.event(logger, "source_backoff", source=source.name, next_due=wait_until)
            continue
        due.append(source)
    return due


@dataclass(frozen=True, slots=True)
class OnceResult:
    """What ``monitor once`` did: one report per source, and the alerts the outbox sent."""

    reports: list[pipeline.SourceReport]
    sent: int = 0
    waiting: int = 0


def once(config: Config, db: Database, progress: bool = False) -> list[pipeline.SourceReport]:
    """One pass over every due source, then the outbox; source failures are recorded, not raised."""
    return run_once(config, db, progress).reports


def run_once(
    config: Config, db: Database, progress: bool = False, only: str | None = None, force: bool = False
) -> OnceResult:
    """One pass over every due source (or only the one named), then the outbox.

    Source failures are recorded, not raised. An unknown ``only`` raises ConfigError.
    """
    if only is not None and all(s.name != only for s in config.sources):
        names = ", ".join(s.name for s in config.sources) or "none"
        raise ConfigError(f"no source named {only!r} (sources: {names})", file=str(config.path))
    ctx = pipeline.Context.from_config(config)
    prepare_db(db, ctx)
    sources = due_sources(db, config, ctx.clock(), only, force)
    return asyncio.run(_once(db, ctx, sources, progress))


async def _once(db: Database, ctx: pipeline.Context, sources: list[Source], progress: bool) -> OnceResult:
    from monitor.alerts import notify

    async with Fetcher(ctx.config.fetch) as fetcher:
        if progress:
            reports = await _with_progress(db, ctx, sources, fetcher)
        else:
            reports = await pipeline.run_sources(db, ctx, sources, fetcher)
    delivered = await notify.deliver_pending(db, ctx.config)
    delivered.add(await notify.send_due_digests(db, ctx.config))
    return OnceResult(reports, delivered.sent, delivered.waiting)


async def _with_progress(
    db: Database, ctx: pipeline.Context, sources: list[Source], fetcher: Fetcher
) -> list[Any]:
    from monitor import terminal

    reports: list[Any] = []
    with terminal.progress(len(sources), "sources", enabled=True) as ticker:
        for task in asyncio.as_completed([pipeline.run_sources(db, ctx, [s], fetcher) for s in sources]):
            done = await task
            reports.extend(done)
            ticker.advance(1, current=done[0].source if done else None)
    order = {s.name: i for i, s in enumerate(sources)}
    return sorted(reports, key=lambda r: order.get(r.source, 0))


def ingest(config: Config, db: Database, paths: list[Path], source: str) -> pipeline.SourceReport:
    ctx = pipeline.Context.from_config(config)
    prepare_db(db, ctx)
    report = pipeline.ingest_paths(db, ctx, paths, source)
    log.event(logger, "ingest_done", source=source, new=report.new, copies=report.copies, known=report.known,
              without_text=report.failed, refused=report.refused)
    return report


def extract_target(config: Config, target: str) -> Extracted:
    """The article in an HTML file, stdin (``-``) or at a URL."""
    from monitor.extract import extract_article

    if target.startswith(("http://", "https://")):
        return asyncio.run(_extract_url(config, target))
    if target == "-":
        html = sys.stdin.read()
    else:
        try:
            html = Path(target).read_text(errors="replace")
        except OSError as exc:
            raise UsageError(f"{target}: {exc.strerror or exc}") from exc
    return extract_article(html, None if target == "-" else Path(target).resolve().as_uri())


async def _extract_url(config: Config, url: str) -> Extracted:
    from monitor.extract import extract_article
    from monitor.sources import web

    async with Fetcher(config.fetch) as fetcher:
        page = web.to_page(result := await fetcher.get(url))
    if page is None:
        raise FetchError(f"{url}: {result.error or f'HTTP {result.status}'}")
    return extract_article(page.body, page.final_url)


def tag_text(config: Config, text: str) -> dict[str, Any]:
    """Tags of a plain-text article (cleaned first), as the JSON ``monitor tag`` prints."""
    from monitor.extract.plain import extract_plain
    from monitor.tagging import tag

    ctx = pipeline.Context.from_config(config)
    content = extract_plain(text)
    tags = tag(content.title, content.text, ctx.taxonomy)
    hits = [{"tag": h.tag, "count": h.count, "snippet": h.snippet, "in_title": h.in_title} for h in tags.hits]
    return {"tags": hits, "score": tags.score}


def numbers_text(
    config: Config, text: str, published: str | None, everything: bool = False
)  -> dict[str, Any]:
    """Market numbers of a plain-text article (cleaned and tagged first), as ``monitor numbers`` prints.

    ``everything`` keeps the candidates below the store threshold too (to see why one was dropped).
    """
    from dataclasses import asdict

    from monitor.extract.plain import extract_plain
    from monitor.numbers import STORE_THRESHOLD, find_observations
    from monitor.tagging import tag

    ctx = pipeline.Context.from_config(config)
    content = extract_plain(text)
    tags = tag(content.title, content.text, ctx.taxonomy)
    found = find_observations(content.title, content.text, published=published, tags=tags)
    kept = [item for item in found if everything or item.confidence >= STORE_THRESHOLD]
    rows = [{**asdict(item), "subjects": list(item.subjects)} for item in kept]
    return {"observations": rows, "published": published, "threshold": STORE_THRESHOLD}


def retag(config: Config, db: Database, batch: int, progress: bool = False) -> int:
    """Re-tag every article in batches of ``batch``, one transaction per batch."""
    ctx = pipeline.Context.from_config(config)
    prepare_db(db, ctx)
    total = store.count_articles(db)
    done = 0
    from monitor import terminal

    with terminal.progress(total, "retag", enabled=progress) as ticker:  # nothing at all off a terminal
        for count in pipeline.retag(db, ctx, batch):
            done += count
            ticker.advance(count)
    log.event(logger, "retag_done", articles=done)
    return done


def settings_table() -> str:
    """Every setting of feeds.toml, as ``[table] key = default  # help`` lines."""
    lines = []
    groups: dict[str, type] = {**SECTIONS, "[source]": Source}
    for name, group in groups.items():
        lines.append(f"[{name}]")
        lines.extend(f"{key} = {default!r}  # {help}" for key, default, help in describe(group))
        lines.append("")
    return "\n".join(lines)


def settings_markdown() -> str:
    """The settings tables of docs/configuration.md, generated from the declarations (a test checks)."""
    from monitor.alerts.rules import Rule

    groups: dict[str, type] = {
        **{f"[{k}]": v for k, v in SECTIONS.items()},
        "[[source]]": Source,
        "[[alert]]": Rule,
    }
    out = []
    for name, group in groups.items():
        out += [f"## `{name}`", "", "| Key | Default | Meaning |", "|---|---|---|"]
        out += [f"| `{key}` | `{_toml(default)}` | {help} |" for key, default, help in describe(group)]
        out.append("")
    return "\n".join(out)


def _toml(value: Any) -> str:
    if value is None:
        return "(unset)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return f'"{value}"' if isinstance(value, str) and value != "(required)" else str(value)
