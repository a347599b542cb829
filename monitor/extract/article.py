"""A fetched page to an article: structural extraction, then the text-level cleaner.

``extract_html`` alone is the extractor the benchmark measures; the pipeline also runs
``clean`` over its text, because noise survives structure (sign-offs, share widgets,
disclaimers) and carries provenance the reader should see (authors, origin, flags).
"""

from __future__ import annotations

from dataclasses import replace

from monitor.extract.clean import clean
from monitor.extract.guard import cut_text
from monitor.extract.html import extract_html
from monitor.models import EmptyReason, Extracted


def extract_article(html: str, url: str | None = None, max_text_chars: int | None = None) -> Extracted:
    """Extract a page and clean its text; what the cleaner learned joins the page's metadata.

    Text over ``max_text_chars`` is cut at a paragraph before the cleaner (whose cost grows
    with it) sees it, and the result says ``truncated``.
    """
    page = extract_html(html, url)
    if not page.text:
        return page
    text, cut = cut_text(page.text, max_text_chars) if max_text_chars else (page.text, False)
    cleaned = clean(text, extracted=True)
    return replace(
        page,
        text=cleaned.text,
        removed=page.removed + cleaned.removed,
        authors=page.authors or cleaned.authors,
        origin=page.origin or cleaned.origin,
        flags=tuple(dict.fromkeys(page.flags + cleaned.flags)),
        captions=page.captions + tuple(c for c in cleaned.captions if c not in page.captions),
        published=page.published or cleaned.published,
        empty_reason=page.empty_reason if cleaned.text else EmptyReason.ONLY_NOISE,
        truncated=page.truncated or cut,
    )
