"""What an alert says: Markdown for chat, HTML for email, plain text elsewhere. Pure.

No user templates (nothing user-written is ever executed or interpreted): messages are built
with plain string operations, and every piece of article text is escaped for its format. The
matched term is highlighted — ``**term**`` in Markdown, ``<mark>term</mark>`` in HTML.

A message describes the story as it stands when it leaves: the sender refreshes the stored facts
with the story's current outlets and first copy (:func:`with_story`) just before rendering.
"""

from __future__ import annotations

import dataclasses
import html as html_lib
import json
import re
import zoneinfo
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import Any

from monitor import links as site
from monitor.alerts import numbers
from monitor.alerts.keys import idempotency_key
from monitor.links import safe_url

FORMATS = ("markdown", "html", "text")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")
_SPACES = re.compile(r"\s+")
_MD_URL_ESCAPES = str.maketrans({" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E"})


@dataclass(frozen=True, slots=True)
class Evidence:
    """A sentence that shows why a rule fired, and the terms in it to highlight."""

    tag: str
    sentence: str
    terms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything a story alert shows; stored as JSON in the outbox row to render at send time."""

    rule: str
    title: str
    url: str
    outlet: str
    outlets: tuple[str, ...]
    published: str | None
    score: float
    reason: str
    article_id: int
    story_id: int
    evidence: tuple[Evidence, ...] = ()
    first_outlet: str = ""  # the outlet that published the story first
    first_published: str | None = None  # when it did (a fetch time when first_estimated)
    first_estimated: bool = False
    lede: str = ""  # the first sentences of the article
    tags: tuple[str, ...] = ()
    timezone: str = "UTC"  # the rule's: times are shown in it
    backfill: bool = False  # published before the rule's max_age or in a first pass: digest only
    first_url: str = ""  # the first outlet's copy

    def to_json(self) -> str:
        return json.dumps({"kind": "story", **asdict(self)}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Facts:
        data = json.loads(text)
        known = {f.name for f in dataclasses.fields(cls)}
        data = {k: v for k, v in data.items() if k in known}  # payloads of older versions lack fields
        data["outlets"] = tuple(data.get("outlets") or ())
        data["tags"] = tuple(data.get("tags") or ())
        data["evidence"] = tuple(
            Evidence(e["tag"], e["sentence"], tuple(e["terms"])) for e in data.get("evidence") or ()
        )
        return cls(**data)

    @property
    def primary_tag(self) -> str:
        """The tag a digest files this story under: the first piece of evidence's."""
        return self.evidence[0].tag if self.evidence else "other"


@dataclass(frozen=True, slots=True)
class Links:
    article: str | None  # None when the article has no web address (a local file)
    monitor: str
    story: str


def links(facts: Facts, database_url: str) -> Links:
    """Every link a message carries is built here. ``database_url`` is the database's page in
    Datasette (``Config.database_url``, see monitor.links)."""
    article = safe_url(facts.url)  # the one place an alert takes a link from the web
    monitor = site.article_url(database_url, facts.article_id)
    return Links(article, monitor, site.story_url(database_url, facts.story_id))


def readable_time(value: str | None, timezone: str = "UTC") -> str:
    """``Mon 3 Mar 2025, 07:00 CET`` in the rule's zone; a bare date stays a date; unknown zones are UTC."""
    if not value:
        return "unknown"
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if len(value.strip()) == 10:
        return f"{moment:%a} {moment.day} {moment:%b %Y}"
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    try:
        zone: Any = zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = UTC
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} {local.tzname() or 'UTC'}"


_SENTENCE_END = re.compile(r"(?<=[^\s.][.!?])[\"'”’)]?\s+(?=[\"'“‘(]?[A-Z0-9])")


def lede(text: str, limit: int = 320, sentences: int = 2) -> str:
    """The article's first sentences (two), up to about ``limit`` characters (one sentence at least, cut)."""
    first = " ".join(text.split("\n\n", 1)[0].split()) if text else ""
    out = ""
    for number, sentence in enumerate(_SENTENCE_END.split(first)):
        if out and (number >= sentences or len(out) + len(sentence) + 1 > limit):
            break
        out = f"{out} {sentence}".strip()
    return out if len(out) <= limit + 80 else out[:limit].rsplit(" ", 1)[0] + " …"


def with_story(
    facts: Facts,
    outlets: Sequence[str],
    first_outlet: str,
    first_published: str | None,
    first_estimated: bool,
    first_url: str,
) -> Facts:
    """The facts with the story as it stands now (at send time): all its outlets, its first copy."""
    if not outlets:
        return facts
    return replace(
        facts,
        outlets=tuple(outlets),
        first_outlet=first_outlet,
        first_published=first_published,
        first_estimated=first_estimated,
        first_url=first_url,
    )


def structured(facts: Facts, database_url: str) -> dict[str, Any]:
    """The fields a JSON target gets besides the message, so a consumer never parses Markdown."""
    to = links(facts, database_url)
    return {
        "story_id": facts.story_id,
        "url": to.article or facts.url,
        "story_url": to.story,
        "title": facts.title,
        "outlets": list(facts.outlets),
        "first_outlet": facts.first_outlet or facts.outlet,
        "published": facts.first_published or facts.published,
        "published_estimated": facts.first_estimated,
        "tags": list(facts.tags),
        "score": round(facts.score, 4),
        "rule": facts.rule,
        "lede": facts.lede,
        "evidence": [e.sentence for e in facts.evidence],
        "idempotency_key": idempotency_key(facts.rule, facts.story_id),
    }


def highlight(
    sentence: str, terms: Iterable[str], escape: Callable[[str], str], mark: Callable[[str], str]
) -> str:
    """Escape a sentence, marking every occurrence of the terms (any case, longest first)."""
    words = sorted({t for t in terms if t.strip()}, key=len, reverse=True)
    if not words:
        return escape(sentence)
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    out, last = [], 0
    for found in pattern.finditer(sentence):
        out += [escape(sentence[last : found.start()]), mark(escape(found.group(0)))]
        last = found.end()
    out.append(escape(sentence[last:]))
    return "".join(out)


def _squeeze(text: str) -> str:
    """Runs of whitespace (newlines too) as one space, so a sentence stays on its line."""
    return _SPACES.sub(" ", text)


def md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", _squeeze(text))


def _md_link(label: str, url: str | None) -> str:
    # ``url`` is an article link that passed safe_url (see links()) or one built from the database URL.
    safe = url.translate(_MD_URL_ESCAPES) if url else None
    return f"[{md_escape(label)}]({safe})" if safe else md_escape(label)


def _carried(facts: Facts) -> str:
    count = len(facts.outlets)
    return f"carried by {count} outlets" if count > 1 else "1 outlet"


def _outlet_names(facts: Facts) -> str:
    more = len(facts.outlets) - 8
    return ", ".join(facts.outlets[:8]) + (f" and {more} more" if more > 0 else "")


def _first(facts: Facts) -> str:
    when = readable_time(facts.first_published or facts.published, facts.timezone)
    seen = " (fetched; no publication date)" if facts.first_estimated else ""
    return f"First: {facts.first_outlet or facts.outlet}, {when}{seen}"


def _byline(facts: Facts) -> str:
    return f"{_first(facts)} · {_carried(facts)}: {_outlet_names(facts) or facts.outlet}"


def markdown(facts: Facts, database_url: str) -> str:
    """The chat message (Markdown)."""
    to = links(facts, database_url)
    lines = [
        f"**{md_escape(facts.title)}**",
        md_escape(_byline(facts)),
        f"Relevance {facts.score:.2f} · rule {md_escape(facts.rule)}: {md_escape(facts.reason)}",
        "",
    ]
    if facts.lede:
        lines += [f"> {md_escape(facts.lede)}", ""]
    for item in facts.evidence:
        quoted = highlight(item.sentence, item.terms, md_escape, lambda s: f"**{s}**")
        lines.append(f"- `{item.tag.replace('`', '')}` — “{quoted}”")
    article = _md_link("Article", to.article) if to.article else md_escape(facts.url)
    lines += ["", " · ".join([article, _md_link("In the monitor", to.monitor), _md_link("Story", to.story)])]
    return "\n".join(lines)


def _h(text: str) -> str:
    return html_lib.escape(_squeeze(text), quote=True)


def _a(label: str, url: str | None) -> str:
    # ``url`` is an article link that passed safe_url (see links()) or one built from the database URL.
    return f'<a href="{_h(url)}">{_h(label)}</a>' if url else _h(label)


def _mark(escaped: str) -> str:
    return f"<mark>{escaped}</mark>"


def html(facts: Facts, database_url: str) -> str:
    """The email body (HTML); everything from the article is escaped."""
    to = links(facts, database_url)
    items = "".join(
        f"<li><code>{_h(e.tag)}</code> — “{highlight(e.sentence, e.terms, _h, _mark)}”</li>"
        for e in facts.evidence
    )
    # Each link also shows its address: mail clients that read the text/plain part (which Apprise
    # derives from this HTML by dropping tags) keep every link.
    article = _a(to.article, to.article) if to.article else _h(facts.url)
    lede_html = f"<blockquote>{_h(facts.lede)}</blockquote>" if facts.lede else ""
    return (
        f"<p><strong>{_h(facts.title)}</strong><br>{_h(_first(facts))}<br>"
        f"{_h(_carried(facts).capitalize())}: {_h(_outlet_names(facts) or facts.outlet)}<br>"
        f"Relevance {facts.score:.2f} · rule {_h(facts.rule)}: {_h(facts.reason)}</p>{lede_html}"
        f"<ul>{items}</ul><p>Article: {article}<br>Story: {_a(to.story, to.story)}<br>"
        f"In the monitor: {_a(to.monitor, to.monitor)}</p>"
    )


def text(facts: Facts, database_url: str) -> str:
    """Plain text, for services that show no markup (SMS, some chats)."""
    to = links(facts, database_url)
    lines = [
        facts.title,
        _byline(facts),
        f"Relevance {facts.score:.2f} · rule {facts.rule}: {facts.reason}",
        "",
    ]
    if facts.lede:
        lines += [facts.lede, ""]
    lines += [f"- {e.tag}: “{' '.join(e.sentence.split())}”" for e in facts.evidence]
    lines += [
        "",
        f"Article: {to.article or facts.url}",
        f"In the monitor: {to.monitor}",
        f"Story: {to.story}",
    ]
    return "\n".join(lines)


RENDERERS: dict[str, Callable[[Facts, str], str]] = {"markdown": markdown, "html": html, "text": text}


# Digests -------------------------------------------------------------------------------------


def group_by_tag(items: Sequence[Facts]) -> list[tuple[str, list[Facts]]]:
    """Stories under their primary tag, biggest group first (ties by name), newest published first."""
    groups: dict[str, list[Facts]] = {}
    newest_first = sorted(items, key=lambda f: _published_utc(f.first_published or f.published), reverse=True)
    for item in newest_first:  # within a group, by publication time: the newest story first
        groups.setdefault(item.primary_tag, []).append(item)
    return sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))


def _published_utc(value: str | None) -> str:
    """A sortable form of a stored time: ISO 8601 UTC (bare dates as midnight), "" when unknown."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return ""
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def digest_title(rule: str, count: int) -> str:
    return f"{rule}: {count} new {'story' if count == 1 else 'stories'}"


def digest(rule: str, items: Sequence[Facts], fmt: str, database_url: str) -> str:
    """One message for many stories, grouped by tag with counts."""
    groups = group_by_tag(items)
    if fmt == "html":
        return "".join(
            f"<h3>{_h(tag)} ({len(g)})</h3><ul>{''.join(_digest_html(f, database_url) for f in g)}</ul>"
            for tag, g in groups
        )
    if fmt == "text":
        return "\n".join(
            f"{tag} ({len(g)})\n" + "\n".join(_digest_text(f, database_url) for f in g) + "\n"
            for tag, g in groups
        ).rstrip()
    return "\n".join(
        f"**{md_escape(tag)}** ({len(g)})\n" + "\n".join(_digest_md(f, database_url) for f in g) + "\n"
        for tag, g in groups
    ).rstrip()


def _digest_note(facts: Facts) -> str:
    when = readable_time(facts.first_published or facts.published, facts.timezone)
    note = f"{facts.first_outlet or facts.outlet} first, {when}, {_carried(facts)}"
    return note + (" (backfill)" if facts.backfill else "")


def _digest_md(facts: Facts, database_url: str) -> str:
    to = links(facts, database_url)
    return f"- {_md_link(facts.title, to.article or to.monitor)} — {md_escape(_digest_note(facts))}"


def _digest_html(facts: Facts, database_url: str) -> str:
    to = links(facts, database_url)
    return f"<li>{_a(facts.title, to.article or to.monitor)} — {_h(_digest_note(facts))}</li>"


def _digest_text(facts: Facts, database_url: str) -> str:
    to = links(facts, database_url)
    return f"- {facts.title} — {_digest_note(facts)}: {to.article or to.monitor}"


# Stored payloads -------------------------------------------------------------------------------


def notice(title: str, message: str) -> str:
    """The payload of a health notice (no article behind it)."""
    return json.dumps({"kind": "notice", "title": title, "message": message}, ensure_ascii=False)


def body(payload: str | None, fallback: str, fmt: str, database_url: str) -> str:
    """The body of a stored outbox row in the target's format."""
    data: dict[str, Any] = json.loads(payload) if payload else {}
    kind = data.get("kind")
    if kind == "story":
        return RENDERERS.get(fmt, markdown)(Facts.from_json(payload or ""), database_url)
    if kind == "digest":
        items = [Facts.from_json(json.dumps(item)) for item in data["items"]]
        return digest(data["rule"], items, fmt, database_url)
    if kind == "number":
        return numbers.render(payload or "", fmt, database_url)
    message = str(data.get("message", fallback))
    return f"<p>{_h(message)}</p>" if fmt == "html" else message


def digest_payload(rule: str, items: Sequence[Facts]) -> str:
    return json.dumps(
        {"kind": "digest", "rule": rule, "items": [asdict(i) for i in items]}, ensure_ascii=False
    )
