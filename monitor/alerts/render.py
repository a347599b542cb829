"""What an alert says: Markdown for chat, HTML for email, plain text elsewhere. Pure.

No user templates (nothing user-written is ever executed or interpreted): messages are built
with plain string operations, and every piece of article text is escaped for its format. The
matched term is highlighted — ``**term**`` in Markdown, ``<mark>term</mark>`` in HTML.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from monitor import links as site

FORMATS = ("markdown", "html", "text")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")
_SPACES = re.compile(r"\s+")
_WEB = re.compile(r"(?i)^https?://")


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

    def to_json(self) -> str:
        return json.dumps({"kind": "story", **asdict(self)}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Facts:
        data = json.loads(text)
        data.pop("kind", None)
        data["outlets"] = tuple(data.get("outlets") or ())
        data["evidence"] = tuple(
            Evidence(e["tag"], e["sentence"], tuple(e["terms"])) for e in data["evidence"]
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
    """``database_url`` is the database's page in Datasette (``Config.database_url``, monitor.links)."""
    article = facts.url if _WEB.match(facts.url) else None
    monitor = site.article_url(database_url, facts.article_id)
    return Links(article, monitor, site.story_url(database_url, facts.story_id))


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
    safe = url.replace(" ", "%20").replace("(", "%28").replace(")", "%29") if url else None
    return f"[{md_escape(label)}]({safe})" if safe else md_escape(label)


def _carried(facts: Facts) -> str:
    count = len(facts.outlets)
    return f"carried by {count} outlets" if count > 1 else "1 outlet"


def _byline(facts: Facts) -> str:
    outlets = ", ".join(facts.outlets[:5]) + (" …" if len(facts.outlets) > 5 else "")
    return f"{outlets or facts.outlet} · {_carried(facts)} · published {facts.published or 'unknown'}"


def markdown(facts: Facts, public_url: str) -> str:
    """The chat message (Markdown)."""
    to = links(facts, public_url)
    lines = [
        f"**{md_escape(facts.title)}**",
        md_escape(_byline(facts)),
        f"Relevance {facts.score:.2f} · rule {md_escape(facts.rule)}: {md_escape(facts.reason)}",
        "",
    ]
    for item in facts.evidence:
        quoted = highlight(item.sentence, item.terms, md_escape, lambda s: f"**{s}**")
        lines.append(f"- `{item.tag.replace('`', '')}` — “{quoted}”")
    article = _md_link("Article", to.article) if to.article else md_escape(facts.url)
    lines += ["", " · ".join([article, _md_link("In the monitor", to.monitor), _md_link("Story", to.story)])]
    return "\n".join(lines)


def _h(text: str) -> str:
    return html_lib.escape(_squeeze(text), quote=True)


def _a(label: str, url: str | None) -> str:
    return f'<a href="{_h(url)}">{_h(label)}</a>' if url else _h(label)


def _mark(escaped: str) -> str:
    return f"<mark>{escaped}</mark>"


def html(facts: Facts, public_url: str) -> str:
    """The email body (HTML); everything from the article is escaped."""
    to = links(facts, public_url)
    items = "".join(
        f"<li><code>{_h(e.tag)}</code> — “{highlight(e.sentence, e.terms, _h, _mark)}”</li>"
        for e in facts.evidence
    )
    article = _a("Article", to.article) if to.article else _h(facts.url)
    return (
        f"<p><strong>{_h(facts.title)}</strong><br>{_h(_byline(facts))}<br>"
        f"Relevance {facts.score:.2f} · rule {_h(facts.rule)}: {_h(facts.reason)}</p>"
        f"<ul>{items}</ul><p>{article} · {_a('In the monitor', to.monitor)} · {_a('Story', to.story)}</p>"
    )


def text(facts: Facts, public_url: str) -> str:
    """Plain text, for services that show no markup (SMS, some chats)."""
    to = links(facts, public_url)
    lines = [
        facts.title,
        _byline(facts),
        f"Relevance {facts.score:.2f} · rule {facts.rule}: {facts.reason}",
        "",
    ]
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
    """Stories under their primary tag, biggest group first (ties by name)."""
    groups: dict[str, list[Facts]] = {}
    for item in items:
        groups.setdefault(item.primary_tag, []).append(item)
    return sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))


def digest_title(rule: str, count: int) -> str:
    return f"{rule}: {count} new {'story' if count == 1 else 'stories'}"


def digest(rule: str, items: Sequence[Facts], fmt: str, public_url: str) -> str:
    """One message for many stories, grouped by tag with counts."""
    groups = group_by_tag(items)
    if fmt == "html":
        return "".join(
            f"<h3>{_h(tag)} ({len(g)})</h3><ul>{''.join(_digest_html(f, public_url) for f in g)}</ul>"
            for tag, g in groups
        )
    if fmt == "text":
        return "\n".join(
            f"{tag} ({len(g)})\n" + "\n".join(_digest_text(f, public_url) for f in g) + "\n"
            for tag, g in groups
        ).rstrip()
    return "\n".join(
        f"**{md_escape(tag)}** ({len(g)})\n" + "\n".join(_digest_md(f, public_url) for f in g) + "\n"
        for tag, g in groups
    ).rstrip()


def _digest_md(facts: Facts, public_url: str) -> str:
    to = links(facts, public_url)
    return (
        f"- {_md_link(facts.title, to.article or to.monitor)} — {md_escape(facts.outlet)}, {_carried(facts)}"
    )


def _digest_html(facts: Facts, public_url: str) -> str:
    to = links(facts, public_url)
    return f"<li>{_a(facts.title, to.article or to.monitor)} — {_h(facts.outlet)}, {_h(_carried(facts))}</li>"


def _digest_text(facts: Facts, public_url: str) -> str:
    to = links(facts, public_url)
    return f"- {facts.title} — {facts.outlet}, {_carried(facts)}: {to.article or to.monitor}"


# Stored payloads -------------------------------------------------------------------------------


def notice(title: str, message: str) -> str:
    """The payload of a health notice (no article behind it)."""
    return json.dumps({"kind": "notice", "title": title, "message": message}, ensure_ascii=False)


def body(payload: str | None, fallback: str, fmt: str, public_url: str) -> str:
    """The body of a stored outbox row in the target's format."""
    data: dict[str, Any] = json.loads(payload) if payload else {}
    kind = data.get("kind")
    if kind == "story":
        return RENDERERS.get(fmt, markdown)(Facts.from_json(payload or ""), public_url)
    if kind == "digest":
        items = [Facts.from_json(json.dumps(item)) for item in data["items"]]
        return digest(data["rule"], items, fmt, public_url)
    message = str(data.get("message", fallback))
    return f"<p>{_h(message)}</p>" if fmt == "html" else message


def digest_payload(rule: str, items: Sequence[Facts]) -> str:
    return json.dumps(
        {"kind": "digest", "rule": rule, "items": [asdict(i) for i in items]}, ensure_ascii=False
    )
