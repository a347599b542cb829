"""``monitor retag`` fills ``lang`` for articles stored before languages were detected (issue 14),
on a real SQLite file, and keeps a language the page declared."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from click.testing import CliRunner

from monitor.cli import cli

GERMAN = (
    "Seltene Erden werden teurer\n\n"
    "Die Preise für Dysprosium und Terbium haben sich seit den chinesischen Exportbeschränkungen "
    "verdoppelt, sagten Händler in Hamburg am Montag. Die Hersteller von Permanentmagneten suchen "
    "nach neuen Lieferanten in Australien und Kanada.\n"
)


def _langs(db: Path) -> dict[int, str | None]:
    with sqlite3.connect(db) as conn:
        return {int(row[0]): row[1] for row in conn.execute("select id, lang from articles")}


def test_retag_fills_missing_lang_and_keeps_declared(
    cli_runner: CliRunner, seeds_config: Path, seeds_dir: Path
) -> None:
    (seeds_dir / "de_seltene_erden.txt").write_text(GERMAN, encoding="utf-8")
    base = ["--config", str(seeds_config)]
    assert cli_runner.invoke(cli, [*base, "ingest", str(seeds_dir)]).exit_code == 0
    db = seeds_config.parent / "data" / "monitor.db"
    detected = _langs(db)
    assert sorted(detected.values(), key=str) == ["de", "en", "en", "en", "en", "en"]
    declared = min(detected)  # as if its page had declared French
    with sqlite3.connect(db) as conn:  # an older database: no language stored
        conn.execute("update articles set lang = null where id != ?", [declared])
        conn.execute("update articles set lang = 'fr' where id = ?", [declared])
    assert sum(lang is None for lang in _langs(db).values()) == 5

    result = cli_runner.invoke(cli, [*base, "retag", "--batch", "4"])

    assert result.exit_code == 0, result.output
    assert _langs(db) == {**detected, declared: "fr"}
