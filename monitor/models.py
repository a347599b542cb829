"""The values that flow through the pipeline, one stage to the next.

    Source → FetchResult → Entry → Page → Extracted → Article → Tags → Alert

All are frozen dataclasses: a stage takes values and returns new ones, it never
mutates what it was given. Dicts stay at the edges (TOML, JSON, database rows).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from monitor.settings import duration, positive, required, setting, string_list

SOURCE_KINDS = ("files", "rss", "atom", "html", "sitemap")


def _kind(value: object) -> str | None:
    return None if value in SOURCE_KINDS else f"must be one of {', '.join(SOURCE_KINDS)}"


def _interval(value: object) -> str | None:
    return None if isinstance(value, int) and value >= 60 else "must be at least 60 seconds"


@dataclass(frozen=True, slots=True)
class Source:
    """One ``[[source]]`` entry of feeds.toml, validated."""

    name: str = required("Unique name of the source; shown in Datasette and logs.")
    kind: str = required("files, rss, atom, html (an index page) or sitemap.", check=_kind)
    url: str | None = setting(None, "URL of the feed, index page or sitemap (web kinds).")
    path: str | None = setting(
        None, "Directory or file of .txt/.html articles (kind files), relative to feeds.toml."
    )
    interval: int = setting(3600, "Time between passes: seconds or 15m/1h/1d.", _interval, duration)
    enabled: bool = setting(True, "false keeps the source configured but never fetched.")
    outlet: str | None = setting(
        None,
        "Publisher name shown for its articles; defaults to the site's name or host, for files to the"
        " outlet the text names (dateline, syndication note) or a sidecar's.",
    )
    links: str | None = setting(None, "html sources: CSS selector of the article links on the index page.")
    include: tuple[str, ...] = setting(
        (), "Regexes; an article URL must match one of them.", convert=string_list
    )
    exclude: tuple[str, ...] = setting(
        (), "Regexes; an article URL matching one is dropped.", convert=string_list
    )
    allow_private: bool = setting(False, "Allow private/loopback addresses (intranet sources only).")
    fetch_pages: bool = setting(True, "Fetch each article page unless the feed carries the full text.")
    max_entries: int = setting(100, "Newest entries considered per pass.", positive)


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What one HTTP request produced. ``error`` is set instead of raising."""

    url: str
    final_url: str
    status: int = 0  # 0 when no response arrived
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    elapsed: float = 0.0
    error: str | None = None
    permanent_redirect: str | None = None  # where a 301/308 chain ended, to remember
    retry_after: float | None = None  # seconds, from Retry-After on 429/503
    size: int | None = None  # bytes of the body when the body itself was let go (only its size is logged)
    deferred: float | None = None  # not sent: seconds until Retry-After lets this source ask again

    @property
    def ok(self) -> bool:
        return self.error is None and 200 <= self.status < 300

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True, slots=True)
class Entry:
    """One item a source listed: a feed item, a sitemap URL, a link, or a local file."""

    url: str
    guid: str | None = None
    title: str | None = None
    published: str | None = None  # ISO 8601, UTC when known
    content: str | None = None  # full text or HTML the source carried, if any
    content_type: str = "text/html"  # of ``content``: text/html or text/plain
    complete: bool = False  # True when ``content`` is the whole article (no page fetch needed)
    outlet: str | None = None  # publisher a sidecar or front matter names (files sources)
    authors: tuple[str, ...] = ()  # authors a sidecar or front matter names (files sources)
    declared: bool = False  # fields come from a sidecar/front matter a person wrote: they beat the text's
    truncated: bool = False  # ``content`` was cut to a size cap before it got here (a big file)


@dataclass(frozen=True, slots=True)
class SourceState:
    """What the ``sources`` table remembers about a source between passes."""

    etag: str | None = None
    last_modified: str | None = None
    redirect_url: str | None = None  # a permanent redirect to use instead of the configured URL
    error_count: int = 0


@dataclass(frozen=True, slots=True)
class Listing:
    """What one pass over a source's index produced."""

    entries: tuple[Entry, ...]
    fetches: tuple[FetchResult, ...] = ()  # every request made, for the fetches table
    state: SourceState = SourceState()
    error: str | None = None  # set when the listing failed and the source is unhealthy
    total: int | None = None  # entries the source listed before any were left out (None: len(entries))
    deferred: float | None = None  # not asked: seconds until the server's Retry-After lets us

    @property
    def listed(self) -> int:
        return len(self.entries) if self.total is None else self.total


@dataclass(frozen=True, slots=True)
class Page:
    """An article page, decoded to text."""

    url: str
    final_url: str
    body: str
    content_type: str = "text/html"  # text/html or text/plain
    truncated: bool = False  # ``body`` was cut to [monitor] max_parse_bytes when it arrived


@dataclass(frozen=True, slots=True)
class Removed:
    """A line the cleaner took out of the body, and why (``reason`` is a short slug)."""

    text: str
    reason: str


class EmptyReason(StrEnum):
    """Why extraction gave no text. String-valued: it compares equal to, and prints as, its value.

    One spelling, snake_case like the log events. The value is never stored in the database
    (an entry without text is logged as ``no_article_text`` and skipped); it shows in
    ``monitor extract --json`` and in tests.
    """

    EMPTY_INPUT = "empty_input"  # nothing but whitespace
    FRAMESET = "frameset"  # the page is frames: its text lives in other documents
    JAVASCRIPT_SHELL = "javascript_shell"  # scripts and no visible text: a single-page app
    NO_TEXT = "no_text"  # visible text, but none of it is an article body
    ONLY_NOISE = "only_noise"  # the cleaner removed every line of the extracted body
    ERROR = "error"  # the extractor failed on this input (logged with the exception)


@dataclass(frozen=True, slots=True)
class Extracted:
    """What extraction and cleaning found in one page or text: no source, no identity yet."""

    title: str = ""
    text: str = ""  # paragraphs separated by one blank line
    authors: tuple[str, ...] = ()
    published: str | None = None
    updated: str | None = None
    canonical_url: str | None = None
    lang: str | None = None
    site_name: str | None = None
    description: str | None = None
    captions: tuple[str, ...] = ()
    origin: str | None = None  # syndicated from, e.g. "The New York Times"
    flags: tuple[str, ...] = ()  # ai_generated, translated, state_affiliated_source, ...
    removed: tuple[Removed, ...] = ()
    empty_reason: EmptyReason | None = None  # set exactly when text is empty
    truncated: bool = False  # the page or its text was cut to a size cap: the article is incomplete


@dataclass(frozen=True, slots=True)
class Article:
    """An extracted article with its identity: where it came from and who published it."""

    url: str
    canonical_url: str
    source: str
    outlet: str
    fetched: str  # ISO 8601 UTC
    content: Extracted
    guid: str | None = None
    content_hash: str = ""
    published_offset: str | None = None  # the UTC offset ``content.published`` was written with

    @property
    def title(self) -> str:
        return self.content.title

    @property
    def text(self) -> str:
        return self.content.text


@dataclass(frozen=True, slots=True)
class Mention:
    """One occurrence of a tag's term. Offsets index ``title + "\\n\\n" + text``."""

    tag: str
    term: str
    start: int
    end: int
    sentence: int  # index of the sentence it stands in
    in_title: bool = False


@dataclass(frozen=True, slots=True)
class TagHit:
    """One tag on one article: how often, where first, and the evidence sentence."""

    tag: str
    count: int
    snippet: str
    in_title: bool = False


@dataclass(frozen=True, slots=True)
class Tags:
    """Everything tagging found in one article."""

    hits: tuple[TagHit, ...] = ()
    mentions: tuple[Mention, ...] = ()
    sentences: tuple[str, ...] = ()
    score: float = 0.0  # relevance, 0 (off topic) .. 1 (about rare earths)

    def tag_names(self) -> frozenset[str]:
        return frozenset(hit.tag for hit in self.hits)


@dataclass(frozen=True, slots=True)
class Story:
    """A group of articles that are copies or near copies of one another (a wire story)."""

    id: int
    title: str
    first_seen: str
    first_outlet: str
    last_seen: str
    outlets: tuple[str, ...]
    articles: int = 1
    first_published: str | None = None  # earliest publication time of any copy (or fetch time, see below)
    first_estimated: bool = False  # no copy says when it was published: first_published is a fetch time

    @property
    def outlet_count(self) -> int:
        return len(self.outlets)


@dataclass(frozen=True, slots=True)
class Match:
    """The stored article nearest to a new one's signature, and its story (dedup's lookup result)."""

    article_id: int
    story_id: int | None
    similarity: float


@dataclass(frozen=True, slots=True)
class Alert:
    """A message to send: one rule fired for one story."""

    rule: str
    story_id: int
    article_id: int
    notify: tuple[str, ...]  # Apprise tags
    title: str
    body: str  # Markdown
    reason: str  # why the rule fired, for the reader
    mode: str = "immediate"  # or "digest": waits in the outbox until the rule's digest is sent
    throttle: int = 0  # immediate alerts of the rule per hour before the rest wait for a digest; 0 = no limit
    payload: str = ""  # JSON facts (links, outlets, evidence) to render HTML, text and digests at send time
    gather: int = 0  # seconds to wait before the first send, so copies arriving together join the message


@dataclass(frozen=True, slots=True)
class Observation:
    """One number statement found in an article: what was measured, how much, and when it refers to.

    A price rise "NdPr oxide rose 5 % to 620,000 yuan/t in May" is one observation with ``value``
    620000, ``currency`` CNY, ``unit`` t, ``change_pct`` 5.0 and ``period`` "2025-05". A bare delta
    ("prices rose 5 %") has ``value`` None. Values are normalised to the unit (6.2万吨 → 62000 t);
    ``written`` keeps the text as the article wrote it.
    """

    metric: str  # from monitor/numbers/metrics.toml, e.g. "price:ndpr-oxide", "quota:mining", "funding"
    value: float | None  # normalised; the low end when the article gives a range
    unit: str | None  # normalised quantity unit: "t", "kg", "t/y" ... (None for money amounts)
    currency: str | None  # ISO 4217: "CNY", "USD", "AUD", "EUR", "JPY" (None for tonnages)
    written: str  # the number and unit as written: "$62.5/kg", "6.2万吨", "270,000 tonnes"
    sentence: str  # the evidence sentence
    value_high: float | None = None  # the high end of a range ("60-65 $/kg"), else None
    change_pct: float | None = None  # a stated change, signed: "up 5 %" → 5.0, "fell 3 %" → -3.0
    # what the number refers to: "2025", "2025-05", "2025-Q2", "2025-H1", "2025-05-14", "2025-batch1"
    period: str | None = None
    # tag names near the number: "element:dysprosium", "company:lynas", "place:china"
    subjects: tuple[str, ...] = ()
    start: int = 0  # offsets of ``written`` in ``title + "\n\n" + text`` (the tagger's convention)
    end: int = 0
    confidence: float = 1.0  # 0..1; only observations at or above the store threshold are kept
