"""The one "safe link" test: only http(s) URLs become something a user can click.

Used by the Datasette pages and the Atom feeds (through the ``safe_url`` SQL function), and by the
alert renderers (Markdown, HTML, email). A browser ignores leading and trailing control characters
and spaces and drops tabs and newlines anywhere in a URL (WHATWG URL parsing), so
``" \\x01JaVa\\tScRiPt:alert(1)"`` runs as ``javascript:``; the test cleans the same way before it
looks at the scheme, and anything that is not http(s) with a host is refused (shown as text).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

MAX_URL_CHARS = 8192  # longer is no real article link; also bounds the work per call
_EDGES = "".join(chr(c) for c in range(0x21))  # C0 controls and space
_TAB_NEWLINE = re.compile(r"[\t\n\r]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe_url(url: object) -> str | None:
    """``url`` (trimmed as a browser would) if it is an http(s) URL with a host, else None."""
    if not isinstance(url, str) or len(url) > MAX_URL_CHARS:
        return None
    cleaned = _TAB_NEWLINE.sub("", url.strip(_EDGES))
    if _CONTROL.search(cleaned):
        return None
    try:
        parts = urlsplit(cleaned)
    except ValueError:  # e.g. an invalid IPv6 literal
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return cleaned
