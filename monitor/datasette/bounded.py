"""SQL functions for Datasette that stay fast on any row: each looks at a bounded window only.

Datasette's ``sql_time_limit_ms`` works through SQLite's progress handler, which runs *between*
virtual-machine steps. A function call is one step: a Python function (registered with
``prepare_connection``) or FTS5's own ``snippet()``/``highlight()`` runs to its end however long it
takes, so on a 20 MB article one call held a request for minutes, and the event loop's worker
threads with it. These replacements cut their input to a fixed window first, so one call costs
the same on a 2 KB and a 20 MB row, and the time limit again bounds the whole query.
"""

from __future__ import annotations

import re
import sqlite3

from monitor.links import safe_url

WINDOW_CHARS = 50_000  # how much of a text a snippet looks at (the start: where the news is)
QUERY_CHARS = 500
MMAP_BYTES = 1 << 30  # address space only: the OS page cache backs it, shared by every connection
EXCERPT_WORDS = 24
MAX_TERMS = 16
_WORD = re.compile(r"\w+", re.UNICODE)
_OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR"})


def query_terms(query: object) -> list[str]:
    """The words of an FTS5 query (operators, quotes, columns and ``*`` dropped), lower case."""
    if not isinstance(query, str):
        return []
    words = [w for w in _WORD.findall(query[:QUERY_CHARS]) if w not in _OPERATORS]
    return list(dict.fromkeys(w.lower() for w in words))[:MAX_TERMS]


def _stem(term: str) -> str:
    # FTS uses the porter stemmer: "exports" matches "export", "exporting". A prefix of the term is a
    # cheap stand-in that finds the same words for highlighting (it never decides what matches).
    return term if len(term) <= 4 else term[: max(4, len(term) - 3)]


def excerpt(text: object, query: object, words: int = EXCERPT_WORDS, start: str = "[", end: str = "]") -> str:
    """About ``words`` words around the first match of the query in the text's first window, matches
    marked with ``start``/``end``; the text's start when nothing matches. Plain text (escape it).

    It runs inside a query, holding the GIL (and so Datasette's event loop): only the words it shows
    are split off the window; the match is found by a substring search of the lower-cased window."""
    if not isinstance(text, str):
        return ""
    window = text[:WINDOW_CHARS]
    stems = [_stem(t) for t in query_terms(query)]
    hit = _first_hit(window, stems)
    token_start = hit
    while token_start > 0 and not window[token_start - 1].isspace():
        token_start -= 1  # back to the start of the word the match is in
    before = window[:token_start].rsplit(None, words // 3)
    earlier = len(before) > words // 3 and bool(before[0].strip())  # words left out before the excerpt
    before = before[1:] if len(before) > words // 3 else [w for w in before if w]
    after = window[token_start:].split(None, words - len(before))
    later = len(after) > words - len(before)
    chosen = before + after[: words - len(before)]
    if not chosen:
        return ""
    marked = [
        f"{start}{t}{end}" if stems and any(s in t.lower() for s in stems) else t for t in chosen
    ]
    prefix = "… " if earlier else ""
    suffix = " …" if later or len(text) > WINDOW_CHARS else ""
    return prefix + " ".join(marked) + suffix


def _first_hit(window: str, stems: list[str]) -> int:
    """Where the first word holding one of the stems is (0 when none: the excerpt is the start)."""
    lowered = window.lower()
    if len(lowered) != len(window):  # a character whose lower case is longer: compare word by word
        return _first_hit_by_word(window, stems)
    found = [i for i in (lowered.find(s) for s in stems) if i >= 0]
    return min(found) if found else 0


def _first_hit_by_word(window: str, stems: list[str]) -> int:
    for match in re.finditer(r"\S+", window):
        if any(s in match.group().lower() for s in stems):
            return match.start()
    return 0


def safe_link(url: object) -> str | None:
    """SQL ``safe_url(x)``: the URL if it is http(s), else NULL (see :mod:`monitor.links`)."""
    return safe_url(url)


def article_head(conn: sqlite3.Connection, article_id: object, chars: object) -> str | None:
    """The first ``chars`` characters (at most :data:`WINDOW_CHARS`) of an article's text.

    Read through SQLite's incremental blob I/O, which reads only the pages it needs: referencing
    ``articles.text`` in SQL, even inside ``substr()``, loads the whole value first (20 MB for 20 MB).
    """
    if not isinstance(article_id, int) or not isinstance(chars, int) or chars <= 0:
        return None
    wanted = min(chars, WINDOW_CHARS)
    try:
        with conn.blobopen("articles", "text", article_id, readonly=True) as blob:
            raw = blob.read(wanted * 4)  # UTF-8 takes at most 4 bytes a character
    except sqlite3.Error:  # no such row, or no text
        return None
    return raw.decode("utf-8", "ignore")[:wanted]


def register(conn: sqlite3.Connection) -> None:
    """Add the functions to a connection (Datasette's, a test's):

    - ``safe_url(url)``: the URL if it is http(s), else NULL;
    - ``monitor_excerpt(text, query)``: the excerpt of a text (its first window);
    - ``article_head(id, chars)``: the start of an article's text, read without loading all of it;
    - ``article_excerpt(id, query[, start, end])``: the excerpt of an article, from its first window,
      matches between ``start`` and ``end`` (default ``[`` and ``]``).
    """
    conn.create_function("safe_url", 1, safe_link, deterministic=True)
    conn.create_function("monitor_excerpt", 2, excerpt, deterministic=True)

    def head(article_id: object, chars: object) -> str | None:
        return article_head(conn, article_id, chars)

    def article_excerpt(article_id: object, query: object, start: object = "[", end: object = "]") -> str:
        marks = (start, end) if isinstance(start, str) and isinstance(end, str) else ("[", "]")
        return excerpt(article_head(conn, article_id, WINDOW_CHARS), query, EXCERPT_WORDS, *marks)

    conn.create_function("article_head", 2, head)
    conn.create_function("article_excerpt", 2, article_excerpt)
    conn.create_function("article_excerpt", 4, article_excerpt)  # with the highlight's start and end marks


def map_file(conn: sqlite3.Connection) -> None:
    """Read the database through mmap on this connection.

    A column stored after ``text`` (outlet, published, ...) is reached by walking the text's overflow
    pages; with SQLite's default 2 MB page cache a 20 MB row is read from the file again for every
    query that touches it (facets touch it several times per page). Memory-mapped, the walk is
    pointer chasing in the OS page cache, shared by all connections. Safe with WAL (only the main file
    is mapped; SQLite remaps when the file grows).
    """
    conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
