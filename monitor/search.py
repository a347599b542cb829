"""What people type in a search box, as a safe FTS5 query. Pure; the one translator every box uses.

Datasette's table search (``_search``, through the ``escape_fts`` SQL function the plugin
replaces), the saved-search query and its Atom feed all call :func:`fts_query`, so the same
words give the same articles everywhere. Understood, Google-style:

- words: all must occur (stemmed by the index: ``export`` finds ``exports``);
- ``"a phrase"``: the words next to each other; ``rare-earth`` is the phrase ``rare earth``;
- ``OR`` between words (capitals): either; it binds tighter than the implicit AND;
- ``-word`` or ``-"a phrase"``: must not occur;
- ``magnet*``: a prefix;
- possessives (``Lynas's``, ``Lynas’``) and other punctuation are dropped, never a syntax error.

Every term reaches FTS5 as a quoted string, so no input can be read as FTS5 syntax (columns,
NEAR, parentheses): the output is always a valid query.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

NOTHING = '""'  # an empty phrase: a valid query that matches no row
_TOKEN = re.compile(r'(?P<neg>-)?"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+)')
_POSSESSIVE = re.compile(r"(?<=\w)['’]s?\b", re.IGNORECASE)
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class _Term:
    text: str  # the FTS5 string: "a b" or "pre"*
    negated: bool = False


def _phrase(words: list[str], prefix: bool = False) -> str | None:
    if not words:
        return None
    quoted = '"' + " ".join(words) + '"'
    return quoted + "*" if prefix else quoted


def _words(text: str) -> list[str]:
    return _WORD.findall(_POSSESSIVE.sub("", text))


def _term(raw: str) -> _Term | str | None:
    """One token of the input: a term, the operator "OR"/"AND", or None when nothing is left of it."""
    if raw in ("OR", "AND", "|"):
        return "OR" if raw in ("OR", "|") else "AND"
    negated = raw.startswith("-") and len(raw) > 1
    body = raw[1:] if negated else raw
    prefix = body.endswith("*")
    text = _phrase(_words(body.rstrip("*")), prefix)
    return _Term(text, negated) if text else None


def fts_query(text: str | None) -> str:
    """A safe FTS5 MATCH expression for what a person typed (``""`` when nothing searchable is left)."""
    items: list[_Term | str] = []
    for match in _TOKEN.finditer(text or ""):
        if match.group("phrase") is not None:
            phrase = _phrase(_words(match.group("phrase")))
            if phrase:
                items.append(_Term(phrase, bool(match.group("neg"))))
        else:
            item = _term(match.group("word"))
            if item is not None:
                items.append(item)
    return _assemble(items)


def _assemble(items: list[_Term | str]) -> str:
    groups: list[list[str]] = []  # OR-groups, ANDed together
    negated: list[str] = []
    join_next = False
    for item in items:
        if isinstance(item, str):
            join_next = item == "OR" and bool(groups)
            continue
        if item.negated:
            negated.append(item.text)
            join_next = False
            continue
        if join_next:
            groups[-1].append(item.text)
        else:
            groups.append([item.text])
        join_next = False
    if not groups:
        return NOTHING  # only exclusions, or nothing: FTS5 cannot search for "not X" alone
    clauses = [g[0] if len(g) == 1 else "(" + " OR ".join(g) + ")" for g in groups]
    return " AND ".join(clauses) + "".join(f" NOT {n}" for n in negated)


def register_sql_functions(conn: sqlite3.Connection) -> None:
    """``monitor_fts(text)`` for canned queries, and ``escape_fts`` (Datasette's table search) replaced."""
    conn.create_function("escape_fts", 1, fts_query, deterministic=True)
    conn.create_function("monitor_fts", 1, fts_query, deterministic=True)
