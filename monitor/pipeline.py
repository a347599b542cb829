"""The one orchestrator: where the stages meet, like Miniflux's ``RefreshFeed``.

For a source: list entries → drop known ones → fetch new pages → extract and clean →
fingerprint → tag → store the article, its story, tags and alerts in ONE transaction.
Entry points:

- :func:`run_sources` (async): a pass over some sources with one shared :class:`Fetcher`;
  the daemon's per-source jobs and ``monitor once`` call it.
- :func:`ingest_paths`: local files through the same path (``monitor ingest``).
- :func:`prepare`: the pure part (no IO), tested on its own.

A failing source never stops the others: its error is stored on its row.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from sqlite_utils import Database

from monitor import log, offload
from monitor.alerts import health, outbox, rules
from monitor.config import Config
from monitor.dedup import fingerprint, index
from monitor.dedup.decide import Action, Decision, decide
from monitor.dedup.urls import canonicalize
from monitor.errors import BusyError, ParseError
from monitor.extract import extract_article
from monitor.extract.guard import Limits, cut_html, cut_text
from monitor.extract.plain import extract_plain
from monitor.fetch.client import HTML, Fetcher
from monitor.models import Article, Entry, Extracted, FetchResult, Page, Source, Story, Tags
from monitor.sources import Listing, SourceState, files, web
from monitor.sources.health import next_due
from monitor.store import articles as store
from monitor.store import sources as source_rows
from monitor.store.db import now as utc_now
from monitor.tagging import Taxonomy, load_taxonomy, tag

logger = logging.getLogger("monitor.pipeline")
PAGE_CONCURRENCY = 16  # pages in flight per source; the Fetcher's per-host limits still apply
DEFAULT_LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class Context:
    """What every pass needs, built once from the config."""

    config: Config
    taxonomy: Taxonomy
    clock: Callable[[], str] = utc_now

    @classmethod
    def from_config(cls, config: Config) -> Context:
        extra = tuple(config.resolve(p) for p in config.monitor.topics)
        offload.configure(config.monitor.parse_workers)
        return cls(config=config, taxonomy=load_taxonomy(extra))

    @property
    def limits(self) -> Limits:
        settings = self.config.monitor
        return Limits(parse_chars=settings.max_parse_bytes, text_chars=settings.max_text_chars)


@dataclass(frozen=True, slots=True)
class Prepared:
    """An article ready to store: the output of the pure stages."""

    article: Article
    tags: Tags
    signature: fingerprint.Signature
    html: str | None = None


@dataclass(slots=True)
class SourceReport:
    """What a pass over one source did; one log line per source."""

    source: str
    entries: int = 0
    new: int = 0
    copies: int = 0
    known: int = 0
    failed: int = 0
    refused: int = 0  # files refused (binary, unreadable): each has its reason in ``error``
    updated: int = 0
    error: str | None = None
    article_ids: list[int] = field(default_factory=list)


# Pure stages ---------------------------------------------------------------------------------


def prepare(
    source: Source,
    entry: Entry,
    page: Page | None,
    taxonomy: Taxonomy,
    fetched: str,
    limits: Limits = DEFAULT_LIMITS,
) -> Prepared | None:
    """Extract, clean, identify and tag one entry. No IO. None when there is no article text.

    The body is cut to ``limits`` before any parser sees it; a cut article says ``truncated``.
    """
    body = page.body if page else (entry.content or "")
    kind = page.content_type if page else entry.content_type
    url = page.final_url if page else entry.url
    if "html" in kind:
        body, cut = cut_html(body, limits.parse_chars)
        content = extract_article(body, url, max_text_chars=limits.text_chars)
    else:
        body, cut = cut_text(body, limits.text_chars)
        content = extract_plain(body, url)
    content = _with_entry_fields(content, entry)
    if not content.text.strip():
        return None
    if cut or entry.truncated or (page is not None and page.truncated):
        content = replace(content, truncated=True)
    article = Article(
        url=url,
        canonical_url=_canonical(url, content.canonical_url),
        source=source.name,
        outlet=_outlet(source, url, content.site_name),
        fetched=fetched,
        content=content,
        guid=entry.guid,
        content_hash=fingerprint.content_hash(content.text),
    )
    tags = tag(content.title, content.text, taxonomy)
    html = body if "html" in kind else None
    return Prepared(article, tags, fingerprint.signature(content.text), html)


def _with_entry_fields(content: Extracted, entry: Entry) -> Extracted:
    """The feed's title and date fill what the page did not say."""
    title = content.title or entry.title or ""
    published = content.published or entry.published
    if (title, published) == (content.title, content.published):
        return content
    return replace(content, title=title, published=published)


def _canonical(url: str, declared: str | None) -> str:
    """The page's rel=canonical is trusted only on the same site, so a bad tag cannot merge articles."""
    own = canonicalize(url)
    if not declared:
        return own
    claimed = canonicalize(declared, base=url)
    return claimed if _site(claimed) == _site(own) else own


def _site(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def _outlet(source: Source, url: str, site_name: str | None) -> str:
    if source.outlet:
        return source.outlet
    if url.startswith("file:"):
        return source.name
    return site_name or _site(url) or source.name


# Storage: one article, one transaction -------------------------------------------------------


def store_prepared(db: Database, ctx: Context, prepared: Prepared, entry_keys: list[str]) -> tuple[str, int]:
    """Store one article with its story, tags and alerts atomically. Returns (action, article id)."""
    article, sig = prepared.article, prepared.signature
    with db.atomic():
        same_url = store.stored_article(db, "canonical_url", article.canonical_url)
        same_hash = None if same_url else store.stored_article(db, "content_hash", article.content_hash)
        match = None
        if same_hash is None:
            match = index.find_match(db, sig, exclude=same_url.article_id if same_url else None)
        decision = decide(article.content_hash, sig, same_url=same_url, same_hash=same_hash, match=match)
        article_id = _ACTIONS[decision.action](db, ctx, prepared, decision)
        store.remember(db, [*entry_keys, article.canonical_url], article_id, article.source, article.fetched)
    return str(decision.action), article_id


def _unchanged(db: Database, ctx: Context, prepared: Prepared, decision: Decision) -> int:
    return decision.article_id or 0


def _copy(db: Database, ctx: Context, prepared: Prepared, decision: Decision) -> int:
    """The exact text under another URL: one article, one more copy, maybe one more outlet."""
    article_id = decision.article_id or 0
    store.add_copy(db, article_id, prepared.article)
    if decision.story_id is not None:
        store.join_story(db, decision.story_id, prepared.article, new_article=False)
    return article_id


def _new(db: Database, ctx: Context, prepared: Prepared, decision: Decision) -> int:
    """A new article: a new story, or another article of a matched story (JOIN)."""
    article = prepared.article
    if decision.story_id is not None:
        story = store.join_story(db, decision.story_id, article, new_article=True)
    else:
        story = store.new_story(db, article)
    article_id = store.insert_article(db, article, story.id, prepared.tags.score)
    if decision.story_id is None:
        store.set_first_article(db, story.id, article_id)
    index.add(db, article_id, prepared.signature)
    _tags_pages_alerts(db, ctx, prepared, article_id, story)
    return article_id


def _update(db: Database, ctx: Context, prepared: Prepared, decision: Decision) -> int:
    """A new version of a stored article at the same URL: replaced in place, re-tagged, re-indexed."""
    article, article_id = prepared.article, decision.article_id or 0
    story = (
        store.load_story(db, decision.story_id)
        if decision.story_id is not None
        else store.new_story(db, article)
    )
    store.update_article(db, article_id, article, story.id, prepared.tags.score)
    index.remove(db, article_id)
    index.add(db, article_id, prepared.signature)
    store.delete_tags(db, article_id)
    _tags_pages_alerts(db, ctx, prepared, article_id, story)
    return article_id


def _tags_pages_alerts(db: Database, ctx: Context, prepared: Prepared, article_id: int, story: Story) -> None:
    article, tags = prepared.article, prepared.tags
    new_entities = store.insert_tags(db, article_id, tags, article.fetched)
    if prepared.html is not None:
        store.store_page(db, article_id, prepared.html, article.fetched)
    found = rules.evaluate(ctx.config.alerts, article, tags, story, new_entities, article_id)
    outbox.enqueue(db, found, article.fetched)


_ACTIONS: dict[Action, Callable[[Database, Context, Prepared, Decision], int]] = {
    Action.UNCHANGED: _unchanged,
    Action.COPY: _copy,
    Action.JOIN: _new,
    Action.NEW: _new,
    Action.UPDATE: _update,
}


# Passes over sources -------------------------------------------------------------------------


async def run_sources(
    db: Database, ctx: Context, sources: Iterable[Source], fetcher: Fetcher
) -> list[SourceReport]:
    """One pass over each source, concurrently; one source's failure never touches another."""
    sources = list(sources)
    results = await asyncio.gather(
        *(run_source(db, ctx, s, fetcher) for s in sources), return_exceptions=True
    )
    reports = []
    for source, result in zip(sources, results, strict=True):
        if isinstance(result, BaseException):
            if not isinstance(result, Exception):
                raise result  # cancellation and exits are not source failures
            result = _crashed(db, ctx, source, result)
        reports.append(result)
    return reports


def _crashed(db: Database, ctx: Context, source: Source, exc: Exception) -> SourceReport:
    """A bug in a stage is recorded like any fetch error, with its type, so the source backs off."""
    if isinstance(exc, BusyError):
        raise exc  # another process holds the database: recording it would wait again; the caller says it
    logger.exception("source crashed: %s", source.name)
    error = f"internal error: {type(exc).__name__}: {exc}"
    _finish(db, ctx, source, SourceReport(source.name, error=error), SourceState(), 0)
    return SourceReport(source.name, error=error)


async def run_source(db: Database, ctx: Context, source: Source, fetcher: Fetcher) -> SourceReport:
    """List, fetch what is new, store it, and record the source's health."""
    state = source_rows.load_state(db, source.name)
    listing = await _list(ctx, source, state, fetcher)
    report = SourceReport(source.name, entries=len(listing.entries), error=listing.error)
    with db.atomic():
        source_rows.record_fetches(db, source.name, listing.fetches, "listing", ctx.clock())
    fresh = [e for e in listing.entries[: source.max_entries] if not _known(db, source, e)]
    report.known = len(listing.entries[: source.max_entries]) - len(fresh)
    await _fetch_and_store(db, ctx, source, fresh, fetcher, report)
    retry_after = max((f.retry_after or 0.0 for f in listing.fetches), default=0.0) or None
    _finish(db, ctx, source, report, listing.state, len(listing.entries), retry_after)
    log.event(
        logger,
        "source_done",
        source=source.name,
        entries=report.entries,
        new=report.new,
        copies=report.copies,
        known=report.known,
        failed=report.failed,
        error=report.error,
    )
    return report


async def _list(ctx: Context, source: Source, state: SourceState, fetcher: Fetcher) -> Listing:
    if source.kind == "files":
        return files.list_entries([ctx.config.resolve(source.path or ".")])
    return await web.list_entries(source, state, fetcher, ctx.config.monitor.max_parse_bytes)


def _entry_keys(source: Source, entry: Entry) -> list[str]:
    return store.seen_keys(canonicalize(entry.url), entry.guid, source.name)


def _known(db: Database, source: Source, entry: Entry) -> bool:
    return store.is_known(db, _entry_keys(source, entry))


async def _fetch_and_store(
    db: Database, ctx: Context, source: Source, entries: list[Entry], fetcher: Fetcher, report: SourceReport
) -> None:
    """Fetch and prepare pages concurrently; store each article as it is ready (this task is the writer).

    A page holds its slot of the gate until it is prepared, so at most PAGE_CONCURRENCY
    documents per source are in memory, and parsing runs off the loop (monitor.offload).
    """
    gate = asyncio.Semaphore(PAGE_CONCURRENCY)

    async def prepared_of(entry: Entry) -> tuple[Entry, Prepared | None, bool]:
        async with gate:
            if entry.complete or not source.fetch_pages:
                return entry, await _prepare(ctx, source, entry, None), True
            result = await fetcher.get(entry.url, allow_private=source.allow_private, accept=HTML)
            with db.atomic():
                source_rows.record_fetches(db, source.name, [result], "page", ctx.clock())
            page = await offload.run(_page_within, result, ctx.limits)
            del result  # the raw body (up to [fetch] max_decompressed) is not needed any more
            if page is None:
                return entry, None, False
            return entry, await _prepare(ctx, source, entry, page), True

    for task in asyncio.as_completed([prepared_of(e) for e in entries]):
        entry, prepared, ok = await task
        if not ok:
            report.failed += 1
            continue
        _store_entry(db, ctx, source, entry, prepared, report)


def _page_within(result: FetchResult, limits: Limits) -> Page | None:
    """The fetched page decoded and cut to the parse cap at once, so only the cut waits in memory."""
    page = web.to_page(result)
    if page is None:
        return None
    cut_to = cut_html if "html" in page.content_type else cut_text
    body, cut = cut_to(page.body, limits.parse_chars)
    return replace(page, body=body, truncated=cut) if body is not page.body else page


async def _prepare(ctx: Context, source: Source, entry: Entry, page: Page | None) -> Prepared | None:
    """prepare() in a worker thread: a big document never stalls the loop (heartbeat, watchdog)."""
    return await offload.run(prepare, source, entry, page, ctx.taxonomy, ctx.clock(), ctx.limits)


def _store_entry(
    db: Database, ctx: Context, source: Source, entry: Entry, prepared: Prepared | None, report: SourceReport
) -> None:
    if prepared is None:
        report.failed += 1
        log.event(logger, "no_article_text", source=source.name, url=entry.url)
        return
    if prepared.article.content.truncated:
        log.event(logger, "article_truncated", logging.WARNING, source=source.name, url=entry.url,
                  max_parse_bytes=ctx.limits.parse_chars, max_text_chars=ctx.limits.text_chars,
                  stored_chars=len(prepared.article.text))
    action, article_id = store_prepared(db, ctx, prepared, _entry_keys(source, entry))
    if action in ("new", "join"):
        report.new += 1
        report.article_ids.append(article_id)
    elif action == "copy":
        report.copies += 1
    elif action == "update":
        report.updated += 1
    else:
        report.known += 1


def _finish(
    db: Database,
    ctx: Context,
    source: Source,
    report: SourceReport,
    state: SourceState,
    entries: int,
    retry_after: float | None = None,
) -> None:
    when = ctx.clock()
    count = source_rows.error_count(db, source.name) + 1 if report.error else 0
    wait_until = next_due(
        datetime.fromisoformat(when), source.interval, count, retry_after, cap=ctx.config.fetch.backoff_cap
    )
    due = wait_until.isoformat(timespec="seconds")
    result = source_rows.PassResult(when, report.error, report.new, entries, due, state)
    with db.atomic():
        source_rows.record_pass(db, source.name, result)
        health.source_pass(db, ctx.config, source.name, report.error, count, when)


# Local files -----------------------------------------------------------------------------------


def ingest_paths(db: Database, ctx: Context, paths: list[Path], source_name: str = "ingest") -> SourceReport:
    """Files and directories of .txt/.html articles through the same stages (``monitor ingest``).

    One file at a time: a known file is skipped before it is read, and no more than
    ``max_parse_bytes`` of a file is ever in memory (a longer one is cut: flag and log line).
    A binary or unreadable file is refused with its reason (log line and ``report.error``).
    """
    source = Source(name=source_name, kind="files", path=str(paths[0]) if paths else ".")
    source_rows.sync_sources(db, [source], ctx.clock())
    found = files.article_files(paths)
    errors = [f"{p}: no such file or directory" for p in paths if not p.exists()]
    report = SourceReport(source_name, entries=len(found))
    limit = ctx.limits.parse_chars
    for path in found:
        if store.is_known(db, store.seen_keys(canonicalize(files.file_url(path)), None, source.name)):
            report.known += 1
            continue
        try:
            entry = files.read_entry(path, limit)
        except (OSError, ParseError) as exc:
            reason = str(exc) if isinstance(exc, ParseError) else f"{path}: {exc.strerror or exc}"
            errors.append(reason)
            report.refused += 1
            log.event(logger, "file_refused", logging.WARNING, path=path, reason=reason)
            continue
        if entry.truncated:
            log.event(logger, "file_truncated", logging.WARNING, path=path, size=_size(path), read=limit,
                      hint="raise [monitor] max_parse_bytes to read more of it")
        prepared = prepare(source, entry, None, ctx.taxonomy, ctx.clock(), ctx.limits)
        _store_entry(db, ctx, source, entry, prepared, report)
    report.error = "; ".join(errors) or None
    return report


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return -1


def retag(db: Database, ctx: Context, batch: int) -> Iterable[int]:
    """Re-tag stored articles in batches, one transaction each; yields the size of each batch done."""
    last = 0
    while True:
        rows = db.execute(
            "select id, title, text from articles where id > ? order by id limit ?", [last, batch]
        ).fetchall()
        if not rows:
            return
        with db.atomic():
            for article_id, title, text in rows:
                _retag_one(db, ctx, article_id, title or "", text or "")
        last = rows[-1][0]
        yield len(rows)


def _retag_one(db: Database, ctx: Context, article_id: int, title: str, text: str) -> None:
    tags = tag(title, text, ctx.taxonomy)
    store.delete_tags(db, article_id)
    store.insert_tags(db, article_id, tags, ctx.clock())
    db.execute("update articles set score = ? where id = ?", [round(tags.score, 4), article_id])
