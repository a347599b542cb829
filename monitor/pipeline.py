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
from typing import NamedTuple
from urllib.parse import urlsplit

from sqlite_utils import Database

from monitor import log, offload
from monitor.alerts import health, numbers, rules
from monitor.config import Config
from monitor.dedup import fingerprint
from monitor.dedup.decide import Action, Decision, decide
from monitor.dedup.urls import canonicalize
from monitor.errors import BusyError, ParseError
from monitor.extract import extract_article
from monitor.extract.guard import Limits, cut_html, cut_text
from monitor.extract.plain import extract_plain
from monitor.fetch.client import HTML, Fetcher
from monitor.models import Article, Entry, Extracted, FetchResult, Observation, Page, Source, Story, Tags
from monitor.numbers import extract_observations
from monitor.sources import Listing, SourceState, files, retries, web
from monitor.sources.backoff import empty_warning, next_visit
from monitor.sources.dates import publication
from monitor.store import articles as store
from monitor.store import entries as queue
from monitor.store import observations as number_rows
from monitor.store import outbox, passes, stories
from monitor.store import signatures as index
from monitor.store import sources as source_rows
from monitor.store.db import now as utc_now
from monitor.tagging import Taxonomy, load_taxonomy, tag
from monitor.tagging.language import detect_language

logger = logging.getLogger("monitor.pipeline")
PAGE_CONCURRENCY = 16  # pages in flight per source; the Fetcher's per-host limits still apply
DEFAULT_LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class Context:
    """What every pass needs, built once from the config."""

    config: Config
    taxonomy: Taxonomy
    clock: Callable[[], str] = utc_now
    quiet: frozenset[str] = frozenset()  # rules that stay silent for the article being stored (backfill)

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
    observations: tuple[Observation, ...] = ()  # every number statement found, whatever its confidence


@dataclass(slots=True)
class SourceReport:
    """What a pass over one source did; one log line per source."""

    source: str
    entries: int = 0
    new: int = 0
    copies: int = 0
    known: int = 0
    failed: int = 0  # entries settled without an article: no text, gone, skipped, given up
    retrying: int = 0  # entries whose page failed (or was deferred) and that wait for a later pass
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
    stamp = publication(content.published, fetched)
    flags = (*content.flags, stamp.problem) if stamp.problem else content.flags
    content = replace(content, published=stamp.utc, flags=flags)
    if cut or entry.truncated or (page is not None and page.truncated):
        content = replace(content, truncated=True)
    article = Article(
        url=url,
        canonical_url=_canonical(url, content.canonical_url),
        source=source.name,
        outlet=entry.outlet or _outlet(source, url, content.site_name),
        fetched=fetched,
        content=content,
        guid=entry.guid,
        content_hash=fingerprint.content_hash(content.text),
        published_offset=stamp.offset,
    )
    tags = tag(content.title, content.text, taxonomy)
    html = body if "html" in kind else None
    found = find_numbers(content.title, content.text, content.published or fetched, content.lang, tags, url)
    return Prepared(article, tags, fingerprint.signature(content.text), html, found)


def find_numbers(
    title: str, text: str, published: str, lang: str | None, tags: Tags, url: str
) -> tuple[Observation, ...]:
    """The article's number statements; an extractor failure costs the numbers, never the article."""
    try:
        return extract_observations(title, text, published=published, lang=lang, tags=tags)
    except Exception as exc:  # a bug in the extractor on one text must not lose the article
        log.event(logger, "numbers_failed", logging.WARNING, url=url, error=f"{type(exc).__name__}: {exc}")
        return ()


def _with_entry_fields(content: Extracted, entry: Entry) -> Extracted:
    """The feed's title and date fill what the page did not say; a sidecar a person wrote wins; the text
    tells its language when the page does not."""
    lang = content.lang or detect_language(content.title or entry.title or "", content.text)
    if entry.declared:
        return replace(
            content,
            title=entry.title or content.title,
            published=entry.published or content.published,
            authors=entry.authors or content.authors,
            lang=lang,
        )
    title = content.title or entry.title or ""
    published = content.published or entry.published
    if (title, published, lang) == (content.title, content.published, content.lang):
        return content
    return replace(content, title=title, published=published, lang=lang)


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
    """The configured outlet, else what the page or text says (site name, dateline), else the site."""
    if source.outlet:
        return source.outlet
    if url.startswith("file:"):  # a folder name is no publisher: the text's own word is better
        return site_name or source.name
    return site_name or _site(url) or source.name


# Storage: one article, one transaction -------------------------------------------------------


def store_prepared(
    db: Database, ctx: Context, prepared: Prepared, entry_keys: list[str], entry_id: int | None = None
) -> tuple[str, int]:
    """Store one article with its story, tags and alerts atomically. Returns (action, article id).

    ``ctx.quiet`` names the rules for which the article is backfill (see :func:`_backfill_context`).
    ``entry_id``: the queued entry this article settles, in the same transaction.
    """
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
        if entry_id is not None:
            state = queue.COPY if decision.action == Action.COPY else queue.STORED
            queue.finish(db, entry_id, state, article.fetched, article_id=article_id)
    return str(decision.action), article_id


def _unchanged(db: Database, ctx: Context, prepared: Prepared, decision: Decision) -> int:
    return decision.article_id or 0


def _copy(db: Database, ctx: Context, prepared: Prepared, decision: Decision) -> int:
    """The exact text under another URL: one article, one more copy, maybe one more outlet."""
    article_id = decision.article_id or 0
    store.add_copy(db, article_id, prepared.article)
    number_rows.copied(db, article_id)  # its statements gain the copy's outlet, not a second point
    if decision.story_id is not None:
        store.join_story(db, decision.story_id, prepared.article, new_article=False)
        stories.refresh(db, decision.story_id)
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
    stories.refresh(db, story.id)
    index.add(db, article_id, prepared.signature)
    _tags_pages_alerts(db, ctx, prepared, article_id, store.load_story(db, story.id))
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
    stories.refresh(db, story.id)
    story = store.load_story(db, story.id)
    index.remove(db, article_id)
    index.add(db, article_id, prepared.signature)
    store.delete_tags(db, article_id)
    number_rows.remove_article(db, article_id)
    _tags_pages_alerts(db, ctx, prepared, article_id, story)
    return article_id


def _tags_pages_alerts(db: Database, ctx: Context, prepared: Prepared, article_id: int, story: Story) -> None:
    article, tags = prepared.article, prepared.tags
    new_entities = store.insert_tags(db, article_id, tags, article.content.published or article.fetched)
    if prepared.html is not None:
        store.store_page(db, article_id, prepared.html, article.fetched)
    found = rules.evaluate(
        ctx.config.alerts, article, tags, story, new_entities, article_id, article.fetched, ctx.quiet
    )
    outbox.enqueue(db, found, article.fetched)
    _numbers(db, ctx, prepared, article_id, story)


def _numbers(db: Database, ctx: Context, prepared: Prepared, article_id: int, story: Story) -> None:
    """Store the article's confident number statements and raise the number alerts of new ones."""
    article = prepared.article
    kept = [o for o in prepared.observations if o.confidence >= ctx.config.monitor.number_confidence]
    if not kept:
        return
    published = article.content.published or article.fetched
    origin = number_rows.Source(article.outlet, published, article.content.lang)
    stored = number_rows.add(db, article_id, story.id, origin, kept, article.fetched)
    for rule in ctx.config.alerts:
        if not rule.is_number_rule or rules.is_backfill(rule, article, article.fetched, ctx.quiet):
            continue
        for obs in stored:
            if not obs.new or not numbers.wants(rule, obs):
                continue
            seen = numbers.Seen(
                number_rows.previous(db, obs, rule.window), number_rows.period_known(db, obs)
            )
            alert = numbers.fire(rule, obs, seen, article.url)
            if alert is not None:
                outbox.enqueue_number(db, numbers.dedup_key(rule.name, obs.statement), alert, article.fetched)


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


async def run_source(db: Database, ctx: Context, source: Source, fetcher: Fetcher) -> SourceReport:
    """List, queue what is new, fetch and store what is due, and record the source's health.

    Every listed entry is in the ``entries`` queue before its page is fetched, so a page that
    fails is retried on a later pass even when the feed then answers 304, and a kill between
    two articles loses nothing.
    """
    state = source_rows.load_state(db, source.name)
    listing = await _list(db, ctx, source, state, fetcher)
    report = SourceReport(source.name, entries=listing.listed, error=listing.error)
    now = ctx.clock()
    with db.atomic():
        source_rows.record_fetches(db, source.name, _sent(listing.fetches), "listing", now)
        listed = _enqueue(db, source, listing.entries, now, report)
    if source.kind == "files":  # the files read this pass; the rest wait for the next
        work = queue.pending(db, source.name, list(listed), now)
    else:
        work = queue.due(db, source.name, now, source.max_entries)
    ctx = _backfill_context(db, ctx, source.name)
    await _fetch_and_store(db, ctx, source, work, listed, fetcher, report)
    retry_after = max((f.retry_after or 0.0 for f in listing.fetches), default=0.0) or listing.deferred
    _finish(db, ctx, source, report, listing, retry_after)
    with db.atomic():
        passes.remember_rules(db, ctx.quiet, ctx.clock())
    log.event(
        logger,
        "source_done",
        logging.WARNING if report.error else logging.INFO,  # a source that failed must reach `-p warning`
        source=source.name,
        entries=report.entries,
        new=report.new,
        copies=report.copies,
        known=report.known,
        failed=report.failed,
        retrying=report.retrying,
        error=report.error,
    )
    return report


async def _list(db: Database, ctx: Context, source: Source, state: SourceState, fetcher: Fetcher) -> Listing:
    if source.kind == "files":
        return files.list_new(
            [ctx.config.resolve(source.path or ".")],
            lambda url: not _finished(db, source, Entry(url=url, guid=url)),
            source.max_entries,
            ctx.limits.parse_chars,
        )
    return await web.list_entries(source, state, fetcher, ctx.config.monitor.max_parse_bytes)


def _sent(fetches: Iterable[FetchResult]) -> list[FetchResult]:
    """Requests that went out: one deferred by Retry-After never left."""
    return [f for f in fetches if f.deferred is None]


def _entry_keys(source: Source, entry: Entry) -> list[str]:
    return store.seen_keys(canonicalize(entry.url), entry.guid, source.name)


def _known(db: Database, source: Source, entry: Entry) -> bool:
    return store.is_known(db, _entry_keys(source, entry))


def _finished(db: Database, source: Source, entry: Entry) -> bool:
    """Stored before (``seen``) or settled in the queue: nothing more to do for this entry."""
    key = canonicalize(entry.url)
    state = queue.states_of(db, source.name, [key]).get(key)
    return state not in (None, queue.PENDING) or _known(db, source, entry)


def _enqueue(
    db: Database, source: Source, listed: Iterable[Entry], now: str, report: SourceReport
) -> dict[str, Entry]:
    """Queue the entries not seen before; returns every listed entry by key (its freshest text)."""
    by_key: dict[str, Entry] = {}
    for entry in listed:
        by_key.setdefault(canonicalize(entry.url), entry)
    states = queue.states_of(db, source.name, by_key)
    new = []
    for key, entry in by_key.items():
        state = states.get(key)
        if state is None and not _known(db, source, entry):
            new.append((key, entry))
        elif state != queue.PENDING:
            report.known += 1
    # A files source keeps no copy of the text in the queue: the file is the text.
    queue.enqueue(db, source.name, new, now, keep_content=source.kind != "files")
    return by_key


async def _fetch_and_store(
    db: Database,
    ctx: Context,
    source: Source,
    work: list[queue.Queued],
    listed: dict[str, Entry],
    fetcher: Fetcher,
    report: SourceReport,
) -> None:
    """Fetch and prepare due pages concurrently; settle each entry as its page is ready (this task is
    the one writer)."""
    gate = asyncio.Semaphore(PAGE_CONCURRENCY)

    async def attempt(item: queue.Queued) -> tuple[queue.Queued, Entry, Fetched | None, Prepared | None]:
        # A page holds its slot of the gate until it is prepared, so at most PAGE_CONCURRENCY
        # documents per source are in memory, and parsing runs off the loop (monitor.offload).
        entry = _freshest(item, listed.get(item.key))
        async with gate:
            if entry.complete or not source.fetch_pages or source.kind == "files":
                return item, entry, None, await _prepare(ctx, source, entry, None)
            result = await fetcher.get(
                entry.url, allow_private=source.allow_private, accept=HTML, source=source.name
            )
            verdict = retries.judge(result)
            if verdict.kind != retries.PAGE:
                return item, entry, Fetched(result, verdict), None
            page = await offload.run(_page_within, result, ctx.limits)
            prepared = await _prepare(ctx, source, entry, page) if page else None
            # The raw body (up to [fetch] max_decompressed) is not needed any more: keep its size only.
            return item, entry, Fetched(_without_body(result), verdict), prepared

    for task in asyncio.as_completed([attempt(item) for item in work]):
        item, entry, fetched, prepared = await task
        try:
            _settle(db, ctx, source, item, entry, fetched, prepared, report)
        except Exception as exc:  # a bug on one entry costs that entry an attempt, not the pass
            logger.exception("entry crashed: %s", entry.url)
            _retry(db, ctx, source, item, f"internal error: {type(exc).__name__}: {exc}", 0.0, report)


class Fetched(NamedTuple):
    """A page request's result and the verdict on it (judged while the body was still there)."""

    result: FetchResult
    verdict: retries.Verdict


def _freshest(item: queue.Queued, listed: Entry | None) -> Entry:
    """The entry as listed this pass when it was (a feed may have grown its text), else as queued."""
    if listed is None:
        return item.entry
    if listed.content is None and item.entry.content is not None:
        return replace(listed, content=item.entry.content, content_type=item.entry.content_type)
    return listed


def _settle(
    db: Database,
    ctx: Context,
    source: Source,
    item: queue.Queued,
    entry: Entry,
    fetched: Fetched | None,
    prepared: Prepared | None,
    report: SourceReport,
) -> None:
    """One entry's fate after its fetch: stored, waiting, retried, or settled with its reason.

    ``prepared`` is the article its text (``fetched`` None) or its page (a PAGE verdict) gave."""
    if fetched is None:  # the source carries the text (a complete feed item, a file)
        _store_or(db, ctx, source, item, prepared, report)
        return
    result, verdict = fetched
    if result.deferred is None:
        with db.atomic():
            source_rows.record_fetches(db, source.name, [result], "page", ctx.clock())
    if verdict.kind == retries.WAIT:
        _wait(db, ctx, item, verdict, report)
        return
    if verdict.kind == retries.PAGE:
        _store_or(db, ctx, source, item, prepared or _from_feed(source, entry, ctx), report)
        return
    final = verdict.kind != retries.RETRY or item.attempts + 1 >= ctx.config.fetch.page_attempts
    if not final:
        _retry(db, ctx, source, item, verdict.reason or "failed", verdict.wait, report)
        return
    fallback = _from_feed(source, entry, ctx)
    if fallback is not None:
        log.event(logger, "stored_from_feed", source=source.name, url=entry.url, page=verdict.reason)
        _store_or(db, ctx, source, item, fallback, report)
        return
    state = {retries.GONE: queue.GONE, retries.SKIP: queue.SKIPPED}.get(verdict.kind, queue.FAILED)
    _give_up(db, ctx, source, item, state, verdict.reason, report, attempt=verdict.kind == retries.RETRY)


FEED_FALLBACK_MIN_CHARS = 200  # less than this from a feed is a headline and a teaser, not an article
FEED_ONLY = "feed_only"  # flag: the page could not be had; the text is what the feed carried


def _from_feed(source: Source, entry: Entry, ctx: Context) -> Prepared | None:
    """The article as the feed told it, for when its page cannot be fetched or holds no text."""
    if not entry.content:
        return None
    prepared = prepare(source, entry, None, ctx.taxonomy, ctx.clock(), ctx.limits)
    if prepared is None or len(prepared.article.text) < FEED_FALLBACK_MIN_CHARS:
        return None
    if entry.complete:
        return prepared
    content = prepared.article.content
    flagged = replace(content, flags=(*content.flags, FEED_ONLY))
    return replace(prepared, article=replace(prepared.article, content=flagged))


def _store_or(
    db: Database,
    ctx: Context,
    source: Source,
    item: queue.Queued,
    prepared: Prepared | None,
    report: SourceReport,
) -> None:
    """Store the article and settle its entry in one transaction; no text settles it as skipped."""
    if prepared is None:
        log.event(logger, "no_article_text", source=source.name, url=item.entry.url)
        _give_up(db, ctx, source, item, queue.SKIPPED, "no article text", report, attempt=False)
        return
    _say_if_truncated(ctx, source, item.entry, prepared)
    action, article_id = store_prepared(db, ctx, prepared, _entry_keys(source, item.entry), item.id)
    _count(report, action, article_id)


def _page_within(result: FetchResult, limits: Limits) -> Page | None:
    """The fetched page decoded and cut to the parse cap at once, so only the cut waits in memory."""
    page = web.to_page(result)
    if page is None:
        return None
    cut_to = cut_html if "html" in page.content_type else cut_text
    body, cut = cut_to(page.body, limits.parse_chars)
    return replace(page, body=body, truncated=cut) if body is not page.body else page


def _without_body(result: FetchResult) -> FetchResult:
    """The result as the fetch log needs it: the body's size, not the body."""
    return replace(result, body=b"", size=len(result.body))


async def _prepare(ctx: Context, source: Source, entry: Entry, page: Page | None) -> Prepared | None:
    """prepare() in a worker thread: a big document never stalls the loop (heartbeat, watchdog)."""
    return await offload.run(prepare, source, entry, page, ctx.taxonomy, ctx.clock(), ctx.limits)


def _say_if_truncated(ctx: Context, source: Source, entry: Entry, prepared: Prepared) -> None:
    if prepared.article.content.truncated:
        log.event(logger, "article_truncated", logging.WARNING, source=source.name, url=entry.url,
                  max_parse_bytes=ctx.limits.parse_chars, max_text_chars=ctx.limits.text_chars,
                  stored_chars=len(prepared.article.text))


def _count(report: SourceReport, action: str, article_id: int) -> None:
    if action in ("new", "join"):
        report.new += 1
        report.article_ids.append(article_id)
    elif action == "copy":
        report.copies += 1
    elif action == "update":
        report.updated += 1
    else:
        report.known += 1


def _retry(
    db: Database,
    ctx: Context,
    source: Source,
    item: queue.Queued,
    error: str,
    floor: float,
    report: SourceReport,
) -> None:
    """A failed attempt: the entry waits, longer after each failure, then is tried again."""
    attempts = item.attempts + 1
    if attempts >= ctx.config.fetch.page_attempts:
        _give_up(db, ctx, source, item, queue.FAILED, error, report, attempt=True)
        return
    fetch = ctx.config.fetch
    now = ctx.clock()
    delay = retries.retry_delay(attempts, fetch.page_retry_delay, fetch.backoff_cap, floor)
    with db.atomic():
        queue.retry(db, item.id, now, retries.later(now, delay), error, attempt=True)
    report.retrying += 1
    log.event(logger, "page_retry", source=source.name, url=item.entry.url, attempt=attempts, error=error)


def _wait(
    db: Database, ctx: Context, item: queue.Queued, verdict: retries.Verdict, report: SourceReport
) -> None:
    """Not sent (Retry-After): no attempt is counted, the entry is simply due later."""
    now = ctx.clock()
    with db.atomic():
        queue.retry(
            db, item.id, now, retries.later(now, verdict.wait), verdict.reason or "deferred", attempt=False
        )
    report.retrying += 1


def _give_up(
    db: Database,
    ctx: Context,
    source: Source,
    item: queue.Queued,
    state: str,
    reason: str | None,
    report: SourceReport,
    *,
    attempt: bool,
) -> None:
    with db.atomic():
        if attempt:
            queue.retry(db, item.id, ctx.clock(), ctx.clock(), reason or state, attempt=True)
        queue.finish(db, item.id, state, ctx.clock(), reason=reason)
    report.failed += 1
    level = logging.WARNING if state == queue.FAILED else logging.INFO
    log.event(logger, "entry_" + state, level, source=source.name, url=item.entry.url, reason=reason)


def _store_entry(
    db: Database, ctx: Context, source: Source, entry: Entry, prepared: Prepared | None, report: SourceReport
) -> None:
    """Store one prepared file of ``monitor ingest`` (no queue: the file itself stays on disk)."""
    if prepared is None:
        report.failed += 1
        log.event(logger, "no_article_text", source=source.name, url=entry.url)
        return
    _say_if_truncated(ctx, source, entry, prepared)
    action, article_id = store_prepared(db, ctx, prepared, _entry_keys(source, entry))
    _count(report, action, article_id)


def _crashed(db: Database, ctx: Context, source: Source, exc: Exception) -> SourceReport:
    """A bug in a stage is recorded like any fetch error, with its type, so the source backs off."""
    if isinstance(exc, BusyError):
        raise exc  # another process holds the database: recording it would wait again; the caller says it
    logger.exception("source crashed: %s", source.name)
    error = f"internal error: {type(exc).__name__}: {exc}"
    report = SourceReport(source.name, error=error)
    state = source_rows.load_state(db, source.name)
    _finish(db, ctx, source, report, Listing(entries=(), state=state, error=error))
    return report


def _finish(
    db: Database,
    ctx: Context,
    source: Source,
    report: SourceReport,
    listing: Listing,
    retry_after: float | None = None,
) -> None:
    when = ctx.clock()
    count = source_rows.error_count(db, source.name)
    count = count + 1 if report.error else (count if listing.deferred is not None else 0)
    wait_until = next_visit(
        datetime.fromisoformat(when), source.interval, count, retry_after, cap=ctx.config.fetch.backoff_cap
    )
    due = wait_until.isoformat(timespec="seconds")
    listed = _listed(listing)
    before = source_rows.last_listing(db, source.name)
    result = source_rows.PassResult(
        when,
        report.error,
        report.new,
        listing.listed,
        due,
        listing.state,
        listed=listed,
        warning=empty_warning(before.listed, before.warning, listed),
        pending_entries=queue.count(db, source.name, queue.PENDING),
        failed_entries=queue.count(db, source.name, queue.FAILED),
        deferred=listing.deferred is not None,
    )
    if result.warning and result.warning != before.warning:
        log.event(logger, "source_empty", logging.WARNING, source=source.name, warning=result.warning)
    with db.atomic():
        source_rows.record_pass(db, source.name, result)
        if listing.deferred is None:  # not asked: nothing learnt about the source's health
            health.source_pass(
                db, source.name, report.error, count, when,
                failure_threshold=ctx.config.fetch.failure_threshold,
                silent_after=ctx.config.monitor.silent_after,
            )


def _listed(listing: Listing) -> int | None:
    """How many entries this pass's listing held; None when nothing was listed (304, error, deferred)."""
    if listing.error or listing.deferred is not None or any(f.not_modified for f in listing.fetches):
        return None
    return listing.listed


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
    ctx = _backfill_context(db, ctx, source_name)
    limit = ctx.limits.parse_chars
    for path in found:
        url = files.file_url(path)
        if store.is_known(db, store.seen_keys(canonicalize(url), url, source.name)):
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
    with db.atomic():
        passes.record_ingest(db, source_name, ctx.clock())
        passes.remember_rules(db, ctx.quiet, ctx.clock())
    return report


def _backfill_context(db: Database, ctx: Context, source: str) -> Context:
    """The rules this pass is backfill for: all of them on a source's first pass, else the new ones."""
    names = [rule.name for rule in ctx.config.alerts]
    new = passes.new_rules(db, names, ctx.clock())
    quiet = frozenset(names) if passes.first_pass(db, source) else new
    if quiet:
        log.event(logger, "backfill_pass", source=source, quiet_rules=",".join(sorted(quiet)))
    return replace(ctx, quiet=quiet)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return -1


def retag(db: Database, ctx: Context, batch: int) -> Iterable[int]:
    """Re-tag stored articles in batches, one transaction each; yields the size of each batch done."""
    last = 0
    while True:
        rows = store.articles_after(db, last, batch)
        if not rows:
            return
        with db.atomic():
            for article_id, title, text, when, lang in rows:
                _retag_one(db, ctx, article_id, title, text, when or ctx.clock())
                if lang is None:  # stored before languages were detected, or undeclared and unsure then
                    _store_language(db, article_id, title, text)
        last = rows[-1][0]
        yield len(rows)


def _store_language(db: Database, article_id: int, title: str, text: str) -> None:
    lang = detect_language(title, text)
    if lang is not None:
        store.set_lang(db, article_id, lang)


def _retag_one(db: Database, ctx: Context, article_id: int, title: str, text: str, when: str) -> None:
    tags = tag(title, text, ctx.taxonomy)
    store.delete_tags(db, article_id)
    store.insert_tags(db, article_id, tags, when)  # a tag's first appearance is a publication time
    store.set_score(db, article_id, tags.score)
    _renumber(db, ctx, article_id, title, text, tags)


def _renumber(db: Database, ctx: Context, article_id: int, title: str, text: str, tags: Tags) -> None:
    """Re-read an article's number statements (an upgraded database gets them); never alerts: old news."""
    about = number_rows.article_facts(db, article_id)
    if about is None:
        return
    story_id, origin, url = about
    found = find_numbers(title, text, origin.published, origin.lang, tags, url)
    kept = [o for o in found if o.confidence >= ctx.config.monitor.number_confidence]
    number_rows.remove_article(db, article_id)
    if kept:
        number_rows.add(db, article_id, story_id, origin, kept, ctx.clock())
