"""docs/cli.md, generated from the click tree (like sqlite-utils' docs/cli-reference.rst).

``make docs`` writes it; ``tests/test_docs.py`` fails when it is not current, so the reference
cannot drift from the commands.
"""

from __future__ import annotations

from collections.abc import Iterator

import click

WIDTH = 100
HEADER = """# CLI reference

Every `monitor` command with its `--help`. Generated from the code by `make docs`
(`python -m monitor.cli_reference > docs/cli.md`); a test fails when it is out of date.

Exit codes: 0 success; 1 a failure (a target failed, a file cannot be read, another writer);
2 an invalid configuration or usage; 3 Datasette's address is taken; 70 a bug (one line; set
`MONITOR_DEBUG=1` for the traceback).
"""


def _walk(command: click.Command, ctx: click.Context) -> Iterator[tuple[click.Context, click.Command]]:
    yield ctx, command
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                yield from _walk(sub, click.Context(sub, info_name=name, parent=ctx,
                                                    terminal_width=WIDTH, max_content_width=WIDTH))


def markdown(root: click.Command) -> str:
    """The reference: one section per command, its help text as printed by ``--help``."""
    top = click.Context(root, info_name="monitor", terminal_width=WIDTH, max_content_width=WIDTH)
    parts = [HEADER]
    for ctx, command in _walk(root, top):
        parts += [f"## `{ctx.command_path}`", "", "```", command.get_help(ctx).rstrip(), "```", ""]
    return "\n".join(parts)


if __name__ == "__main__":
    from monitor.cli import cli

    print(markdown(cli), end="")
