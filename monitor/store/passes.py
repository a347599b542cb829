"""Which passes are first passes: a new source's backlog and a new rule's first pass are backfill.

A source has had its first pass once it has a successful pass (``sources.last_ok``) or a recorded
ingest; a rule once it has been through a pass. Rules are remembered in ``state`` under
``alerts.rule.<name>``; the first time this is used on a database (an upgrade), the rules then
configured are taken as known, so an upgrade never silences the rules people already rely on.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlite_utils import Database

_RULE = "alerts.rule."
_RULES_TRACKED = "alerts.rules_tracked"
_INGESTED = "sources.ingested."


def first_pass(db: Database, source: str) -> bool:
    row = db.execute("select last_ok from sources where name = ?", [source]).fetchone()
    if row is not None and row[0]:
        return False
    return db.execute("select 1 from state where key = ?", [_INGESTED + source]).fetchone() is None


def record_ingest(db: Database, source: str, when: str) -> None:
    db.execute("insert or ignore into state (key, value) values (?, ?)", [_INGESTED + source, when])


def new_rules(db: Database, names: Iterable[str], when: str) -> frozenset[str]:
    """The rules that have never been through a pass (none on the first call for a database)."""
    names = list(names)
    with db.atomic():
        if db.execute("select 1 from state where key = ?", [_RULES_TRACKED]).fetchone() is None:
            db.execute("insert into state (key, value) values (?, ?)", [_RULES_TRACKED, when])
            remember_rules(db, names, when)
            return frozenset()
    known = {r[0][len(_RULE) :] for r in db.execute("select key from state where key like ?", [_RULE + "%"])}
    return frozenset(n for n in names if n not in known)


def remember_rules(db: Database, names: Iterable[str], when: str) -> None:
    db.conn.executemany(
        "insert or ignore into state (key, value) values (?, ?)", [(_RULE + n, when) for n in names]
    )
