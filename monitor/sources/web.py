"""Web sources (rss, atom, html, sitemap): one pass over a source's index → a Listing.

This is the glue between the Fetcher and the pure parsers. It never raises: a fetch
failure or an unparseable body becomes ``Listing.error`` (the source is unhealthy),
and every request made is in ``Listing.fetches``. A 304 parses nothing.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from monitor import log, offload
from monitor.errors import ParseError
from monitor.extract.guard import Limits, cut_html
from monitor.fetch.client import FEED, HTML, SITEMAP, Accept, Fetcher
from monitor.fetch.decode import decode, media_type
from monitor.models import Entry, FetchResult, Page, Source
from monitor.sources import Listing, SourceState
from monitor.sources.html_index import parse_index
from monitor.sources.rss import cut_feed, parse_feed
from monitor.sources.sitemap import parse_sitemap

logger = logging.getLogger(__name__)

SITEMAP_MAX_DEPTH = 2  # an index of indexes, no deeper
SITEMAP_MAX_CHILDREN = 10  # child sitemaps read per pass, most recently modified first
_ACCEPT: dict[str, Accept] = {"rss": FEED, "atom": FEED, "html": HTML, "sitemap": SITEMAP}
DEFAULT_MAX_PARSE = Limits().parse_chars


async def list_entries(
    source: Source, state: SourceState, fetcher: Fetcher, max_parse_bytes: int = DEFAULT_MAX_PARSE
) -> Listing:
    """The entries a web source lists now, newest first, at most ``source.max_entries``.

    Parsing runs in a worker thread (monitor.offload); a feed or index page over
    ``max_parse_bytes`` is cut first, and a log line says so.
    """
    try:
        return await _list(source, state, fetcher, max_parse_bytes)
    except Exception as exc:  # a bug must cost one source one pass, nothing more
        logger.exception("listing_bug source=%s", source.name)
        return Listing(entries=(), state=state, error=f"internal error: {type(exc).__name__}: {exc}")


async def _list(source: Source, state: SourceState, fetcher: Fetcher, max_parse_bytes: int) -> Listing:
    url = state.redirect_url or source.url
    accept = _ACCEPT.get(source.kind)
    if not url or accept is None:
        return Listing(entries=(), state=state, error=f"not a web source: kind {source.kind!r}, url {url!r}")
    fetches: list[FetchResult] = []
    result = await fetcher.get(
        url,
        allow_private=source.allow_private,
        etag=state.etag,
        last_modified=state.last_modified,
        accept=accept,
        log_to=fetches,
        source=source.name,
    )
    fetches.append(result)
    if result.not_modified:
        return Listing(entries=(), fetches=tuple(fetches), state=_remember_redirect(state, result))
    if result.deferred is not None:  # Retry-After still runs for this source: not a failure, a wait
        return Listing(entries=(), fetches=tuple(fetches), state=state, deferred=result.deferred)
    if not result.ok:
        return Listing(entries=(), fetches=tuple(fetches), state=state, error=result.error or "no response")
    try:
        entries = await _parse(source, result, fetcher, fetches, max_parse_bytes)
    except ParseError as exc:
        log.event(logger, "listing_unparseable", logging.WARNING, source=source.name, error=str(exc))
        return Listing(entries=(), fetches=tuple(fetches), state=state, error=str(exc))
    newest = newest_first(entries)[: source.max_entries]
    return Listing(entries=tuple(newest), fetches=tuple(fetches), state=_next_state(state, result))


async def _parse(
    source: Source, result: FetchResult, fetcher: Fetcher, fetches: list[FetchResult], max_parse_bytes: int
) -> list[Entry]:
    if source.kind == "html":
        return await offload.run(_parse_index, source, result, max_parse_bytes)
    if source.kind == "sitemap":
        return await _sitemap(source, result, fetcher, fetches, depth=0)
    return await offload.run(_parse_feed, source, result, max_parse_bytes)


def _parse_feed(source: Source, result: FetchResult, max_parse_bytes: int) -> list[Entry]:
    body, cut = cut_feed(result.body, max_parse_bytes)
    if cut:
        log.event(logger, "feed_truncated", logging.WARNING, source=source.name, bytes=len(result.body),
                  parsed=len(body), max_parse_bytes=max_parse_bytes, kept="the items before the cap")
    return parse_feed(body, result.final_url, result.headers)


def _parse_index(source: Source, result: FetchResult, max_parse_bytes: int) -> list[Entry]:
    text, _ = decode(result.body, result.headers.get("content-type"))
    text, cut = cut_html(text, max_parse_bytes)
    if cut:
        log.event(logger, "index_truncated", logging.WARNING, source=source.name, chars=len(text),
                  max_parse_bytes=max_parse_bytes, kept="the links before the cap")
    return parse_index(
        text,
        result.final_url,
        selector=source.links,
        include=source.include,
        exclude=source.exclude,
    )


async def _sitemap(
    source: Source, result: FetchResult, fetcher: Fetcher, fetches: list[FetchResult], depth: int
) -> list[Entry]:
    # Streamed in chunks, so memory stays bounded without cutting: sitemaps often list oldest first.
    cap = fetcher.settings.max_decompressed
    sitemap = await offload.run(parse_sitemap, result.body, result.final_url, cap, source.max_entries)
    if not sitemap.children or depth >= SITEMAP_MAX_DEPTH:
        return list(sitemap.entries)
    children = sitemap.children[:SITEMAP_MAX_CHILDREN]
    lists = await asyncio.gather(*(_child(source, url, fetcher, fetches, depth + 1) for url in children))
    entries = [entry for found in lists for entry in (found or [])]
    if all(found is None for found in lists):
        raise ParseError(f"sitemap index: none of its {len(children)} child sitemaps could be read")
    return entries


async def _child(
    source: Source, url: str, fetcher: Fetcher, fetches: list[FetchResult], depth: int
) -> list[Entry] | None:
    """One child sitemap (None when broken: recorded in ``fetches`` and skipped)."""
    result = await fetcher.get(
        url, allow_private=source.allow_private, accept=SITEMAP, log_to=fetches, source=source.name
    )
    fetches.append(result)
    if not result.ok:
        return None
    try:
        return await _sitemap(source, result, fetcher, fetches, depth)
    except ParseError as exc:
        log.event(
            logger, "sitemap_child_unparseable", logging.WARNING, source=source.name, url=url, error=str(exc)
        )
        return None


def newest_first(entries: list[Entry]) -> list[Entry]:
    """Dated entries newest first, then undated ones in their listed order (sort is stable)."""
    dated = sorted((e for e in entries if e.published), key=lambda e: e.published or "", reverse=True)
    return dated + [e for e in entries if not e.published]


def _remember_redirect(state: SourceState, result: FetchResult) -> SourceState:
    return replace(state, redirect_url=result.permanent_redirect) if result.permanent_redirect else state


def _next_state(state: SourceState, result: FetchResult) -> SourceState:
    return replace(
        _remember_redirect(state, result),
        etag=result.headers.get("etag") or None,
        last_modified=result.headers.get("last-modified") or None,
    )


def to_page(result: FetchResult) -> Page | None:
    """The page a successful fetch returned, decoded to text; None when there is none."""
    if not result.ok or not result.body.strip():
        return None
    content_type = result.headers.get("content-type")
    text, _ = decode(result.body, content_type)
    kind = "text/plain" if media_type(content_type) == "text/plain" else "text/html"
    return Page(url=result.url, final_url=result.final_url, body=text.replace("\x00", ""), content_type=kind)
