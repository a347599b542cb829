"""Pure helpers behind the Datasette plugin: parse stored values, build escaped HTML.

Everything stored is raw text from the web. HTML is built only with ``markupsafe`` (``Markup``
format escapes every argument) and links only point to http(s) URLs, so stored markup, scripts
or ``javascript:`` URLs are always shown inert.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from markupsafe import Markup, escape

from monitor.links import safe_url as safe_url  # re-exported: templates and monitor_views use it

SNIPPET_CHARS = 280
# A page shows at most this much of an article's text: an old database may hold a 20 MB row, and
# rendering all of it would hold Datasette's event loop for seconds.
PAGE_TEXT_CHARS = 200_000
JSON_LIST_COLUMNS = frozenset({"authors", "captions", "flags", "outlet_list"})
TAG_COLUMNS = frozenset({"tags", "categories"})


def json_list(raw: object) -> list[str]:
    """A stored JSON array as strings; anything else (null, bad JSON, an object) as an empty list."""
    if not isinstance(raw, str) or not raw.strip():
        return []
    try:
        value = json.loads(raw)
    except ValueError:
        return []
    return [str(item) for item in value if item is not None] if isinstance(value, list) else []


def tag_list(raw: object) -> list[str]:
    """Tags from a JSON array (the article_list view) or a space-separated list (canned queries)."""
    if isinstance(raw, str) and raw.lstrip().startswith("["):
        return json_list(raw)
    return raw.split() if isinstance(raw, str) else []


def removed_lines(raw: object) -> list[tuple[str, str]]:
    """The ``removed`` column, ``[{"text", "reason"}, ...]``, as (reason, text) pairs."""
    if not isinstance(raw, str):
        return []
    try:
        value = json.loads(raw)
    except ValueError:
        return []
    items = value if isinstance(value, list) else []
    return [(str(i.get("reason", "")), str(i.get("text", ""))) for i in items if isinstance(i, dict)]


def paragraphs(text: object, limit: int = PAGE_TEXT_CHARS) -> list[str]:
    """Article text split at blank lines (how the cleaner writes it), blank paragraphs dropped.

    Only the first ``limit`` characters: a longer text ends with a note that it was cut.
    """
    if not isinstance(text, str):
        return []
    if len(text) > limit:
        kept = paragraphs(text[:limit], limit)
        return [*kept, f"[… text cut for display after {limit:,} characters]"]
    return [" ".join(block.split()) for block in text.replace("\r\n", "\n").split("\n\n") if block.strip()]


def snippet(text: object, limit: int = SNIPPET_CHARS) -> str:
    """The start of a text, cut at a word boundary, with an ellipsis when cut."""
    # Only a bounded window is looked at, however long the text (render_cell runs on the event loop).
    flat = " ".join(text[: limit * 4].split()) if isinstance(text, str) else ""
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0]
    return cut + " …"


def link(url: object, text: object, *, external: bool = True) -> Markup:
    """An escaped ``<a>`` to an http(s) URL, or the escaped text alone when the URL is unsafe."""
    label = text if isinstance(text, str) and text.strip() else (url or "")
    target = safe_url(url) if external else (url if isinstance(url, str) else None)
    if target is None:
        return escape(label)
    rel = ' rel="noopener noreferrer nofollow"' if external else ""
    # escape() and concatenation rather than Markup.format: the same escaping, several times faster
    # (a list page renders hundreds of links and chips on the event loop).
    return Markup(f'<a href="{escape(target)}"{rel}>{escape(label)}</a>')


def tag_name(tag: str) -> str:
    """``element:dysprosium`` → ``dysprosium``; the name part a person reads."""
    return tag.split(":", 1)[1].replace("-", " ") if ":" in tag else tag


def tag_category(tag: str) -> str:
    return tag.split(":", 1)[0] if ":" in tag else ""


def chips(values: Iterable[str], href: str | None = None, column: str = "tags") -> Markup:
    """Small labels; with ``href`` (the article_list URL) each one filters the list by itself."""
    parts = []
    for value in values:
        css = escape(f"chip chip-{tag_category(value) or 'plain'}")
        text = escape(tag_name(value) if column == "tags" else value)
        title = escape(value)
        if href:
            query = escape(urlencode({f"{column}__arraycontains": value}))
            parts.append(f'<a class="{css}" href="{escape(href)}?{query}" title="{title}">{text}</a>')
        else:
            parts.append(f'<span class="{css}" title="{title}">{text}</span>')
    return Markup(" ".join(parts))


def filter_chips(values: Iterable[str], path: str, args: Sequence[tuple[str, str]]) -> Markup:
    """Tag chips that narrow the current list to one tag, keeping its other filters (the time window)."""
    parts = []
    for value in values:
        href = with_args(path, args, tags__arraycontains=value)
        css = f"chip chip-{tag_category(value) or 'plain'}"
        anchor = Markup('<a class="{}" href="{}" title="{}">{}</a>')
        parts.append(anchor.format(css, href, value, tag_name(value)))
    return Markup(" ").join(parts)


def removed_list(pairs: Sequence[tuple[str, str]]) -> Markup:
    items = [Markup("<li><span class=\"reason\">{}</span> {}</li>").format(r, t) for r, t in pairs]
    return Markup('<ul class="removed">{}</ul>').format(Markup("").join(items)) if items else Markup("")


# Times: one format everywhere -----------------------------------------------------------------

DATE_COLUMNS = frozenset(
    {"published", "fetched", "updated", "first_seen", "last_seen", "first_published", "seen", "created",
     "sent", "next_attempt", "attempted", "last_ok", "last_new", "last_attempt", "next_due", "added",
     "resolved", "stored", "latest"}
)


def when_text(value: object) -> str:
    """``2026-11-30 14:05 UTC`` for a stored time, ``2026-11-30`` for a bare date, as is otherwise."""
    if not isinstance(value, str) or not value.strip():
        return ""
    text = value.strip()
    if len(text) == 10 and text[4:5] == "-":
        return text
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def when(value: object) -> Markup:
    """A ``<time>`` element in the one display format (the machine-readable value in ``datetime``)."""
    text = when_text(value)
    if not text:
        return Markup("")
    return Markup(f'<time datetime="{escape(value)}">{escape(text)}</time>')


# The front page: time windows and links that keep the other filters ------------------------------

WINDOWS = (("24 h", timedelta(days=1)), ("7 days", timedelta(days=7)), ("30 days", timedelta(days=30)))
TIME_KEYS = ("published__gte", "published__lt")


def with_args(path: str, args: Iterable[tuple[str, str]], **changes: str | None) -> str:
    """``path?args`` with some keys replaced (None drops them); the page number is always reset."""
    kept = [(k, v) for k, v in args if k not in changes and k != "_next"]
    kept += [(k, v) for k, v in changes.items() if v]
    return f"{path}?{urlencode(kept)}" if kept else path


def time_filters(path: str, args: Sequence[tuple[str, str]], now: datetime) -> list[dict[str, object]]:
    """The time-window links of the front page: each keeps the other filters; the active one is marked."""
    current = dict(args).get("published__gte")
    links = []
    for label, span in WINDOWS:
        cutoff = (now - span).astimezone(UTC).isoformat(timespec="minutes")
        active = current is not None and _span_of(current, now) == span
        href = with_args(path, args, published__gte=cutoff, published__lt=None)
        links.append({"label": label, "href": href, "active": active})
    links.append({"label": "all time", "href": with_args(path, args, published__gte=None, published__lt=None),
                  "active": not current and not dict(args).get("published__lt")})
    return links


def _span_of(cutoff: str, now: datetime) -> timedelta | None:
    """Which window a cutoff was made for (links made minutes ago still count as theirs)."""
    try:
        moment = datetime.fromisoformat(cutoff)
    except ValueError:
        return None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    for _, span in WINDOWS:
        if abs((now - moment) - span) < timedelta(hours=1):
            return span
    return None


# Search: the one highlight marker pair the saved search's snippet() writes ----------------------

MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"  # private-use characters: never in article text


def marked(value: object) -> Markup:
    """Escaped text with the snippet markers turned into ``<mark>``: nothing else becomes markup."""
    text = escape(value if isinstance(value, str) else "")
    return Markup(str(text).replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>"))
