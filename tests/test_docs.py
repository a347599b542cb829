"""Every CLI command is documented in README.md and every setting in docs/configuration.md (like
sqlite-utils' docs tests), and the docs pages README links to exist."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from monitor.cli import cli
from monitor.config import SECTIONS
from monitor.models import Source
from monitor.settings import describe

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
CONFIGURATION = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "monitor") -> list[str]:
    names = []
    for name, command in group.commands.items():
        names.append(f"{prefix} {name}")
        if isinstance(command, click.Group):
            names.extend(_commands(command, f"{prefix} {name}"))
    return names


@pytest.mark.parametrize("command", _commands(cli))
def test_every_command_is_documented(command: str) -> None:
    assert f"`{command}" in README, f"{command} is missing from README.md"


SETTINGS = [
    (table, name) for table, group in {**SECTIONS, "source": Source}.items() for name, _, _ in describe(group)
]


@pytest.mark.parametrize(("table", "name"), SETTINGS)
def test_every_setting_is_documented(table: str, name: str) -> None:
    assert f"| `{name}` |" in CONFIGURATION, f"[{table}] {name} is missing from docs/configuration.md"


def test_readme_settings_tables_are_generated_from_the_declarations() -> None:
    from monitor.commands import settings_markdown

    block = CONFIGURATION.split("<!-- settings-table -->")[1].split("<!-- /settings-table -->")[0]
    assert block.strip() == settings_markdown().strip(), "run `make docs` to regenerate docs/configuration.md"


def test_readme_stays_a_newcomers_manual() -> None:
    assert len(README.splitlines()) <= 300, "README.md is the short manual; move details to docs/"


@pytest.mark.parametrize("link", sorted(set(re.findall(r"\]\(((?:docs/)?[A-Z\w-]+\.md)\)", README))))
def test_readme_links_to_pages_that_exist(link: str) -> None:
    assert (ROOT / link).is_file(), f"README.md links to {link}, which does not exist"


def test_cli_reference_is_generated_from_the_click_tree() -> None:
    from monitor.cli_reference import markdown

    current = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert current == markdown(cli), "run `make docs` to regenerate docs/cli.md"
