"""Links, in one place: every link the monitor builds to its own pages, and the one test that decides
whether a link from the web may be clicked.

Datasette serves a database under its *route*: the file's stem (``app.db`` → ``/app/``),
tilde-encoded, under the ``base_url`` path of ``public_url`` (``https://host/news/`` → ``/news/``).
Alerts, feeds, the home page and templates all take their links from here, so they cannot
disagree with the server. ``public_url`` follows ``[serve] host``/``port`` unless it is set.

Only http(s) URLs become something a user can click (:func:`safe_url`), in the Datasette pages, the
Atom feeds (through the ``safe_url`` SQL function) and the alerts. A browser ignores leading and
trailing control characters and spaces and drops tabs and newlines anywhere in a URL (WHATWG URL
parsing), so ``" \\x01JaVa\\tScRiPt:alert(1)"`` runs as ``javascript:``; the test cleans the same
way before it looks at the scheme, and anything that is not http(s) with a host is refused.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_WILDCARD_HOSTS = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "": "127.0.0.1"}


def tilde_encode(text: str) -> str:
    """Datasette's path encoding (``datasette.utils.tilde_encode``) without importing Datasette."""
    out = []
    for byte in text.encode("utf-8"):
        char = chr(byte)
        out.append(char if char in _SAFE else "+" if char == " " else f"~{byte:02X}")
    return "".join(out)


def default_public_url(host: str, port: int) -> str:
    """Where Datasette answers when no public_url is set: its own host and port."""
    shown = _WILDCARD_HOSTS.get(host, host)
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"  # an IPv6 address in a URL
    return f"http://{shown}:{port}"


def database_route(db_path: Path | str) -> str:
    """The name Datasette gives a database file: its stem."""
    return Path(db_path).stem


def base_path(public_url: str) -> str:
    """The path Datasette's links start with (its ``base_url`` setting): ``/`` or ``/news/``."""
    path = urlsplit(public_url).path or "/"
    return path if path.endswith("/") else path + "/"


def database_path(public_url: str, db_path: Path | str) -> str:
    """The database's page as a path: ``/news/app``."""
    return base_path(public_url) + tilde_encode(database_route(db_path))


def database_url(public_url: str, db_path: Path | str) -> str:
    """The database's page as an absolute URL: ``https://host/news/app``."""
    return public_url.rstrip("/").removesuffix(base_path(public_url).rstrip("/")) + database_path(
        public_url, db_path
    )


def table_url(database: str, table: str) -> str:
    """A table, view or canned query under a database URL (or path)."""
    return f"{database.rstrip('/')}/{tilde_encode(table)}"


def row_url(database: str, table: str, row_id: int | str) -> str:
    """One row, e.g. an article or a story."""
    return f"{table_url(database, table)}/{tilde_encode(str(row_id))}"


def article_url(database: str, article_id: int) -> str:
    return row_url(database, "articles", article_id)


def story_url(database: str, story_id: int) -> str:
    return row_url(database, "stories", story_id)



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


def without_userinfo(url: str) -> str:
    """``url`` without ``user:password@``: the base a page's or feed's relative links are resolved
    against. A relative link inherits the base's user info, so an article URL found in a feed whose
    configured URL carries a password would hold that password, and be stored and served with it."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
