"""What people see on a terminal: a progress display, summary tables, readable times.

Built on rich. Colour and live displays only when the stream is a terminal; ``NO_COLOR``
(https://no-color.org) turns colour off everywhere (rich honours it). Off a terminal the same
tables are printed as plain text and progress displays print nothing at all.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table


def console(stream: TextIO | None = None) -> Console:
    """A console on ``stream`` (stdout by default): styled on a terminal, plain text elsewhere."""
    stream = stream or sys.stdout
    tty = stream.isatty()
    plain = not tty or bool(os.environ.get("NO_COLOR"))  # NO_COLOR: no styling at all, not even bold
    # Off a terminal: no wrapping at 80 columns either (tables stay one row per line).
    return Console(file=stream, highlight=False, soft_wrap=not tty, width=None if tty else 1000,
                   color_system=None if plain else "auto", force_terminal=tty or None)


class _ConsoleHandler(logging.Handler):
    """Log records printed through the live console, so they scroll above the progress display."""

    def __init__(self, target: Console, formatter: logging.Formatter | None) -> None:
        super().__init__()
        self.target = target
        if formatter is not None:
            self.setFormatter(formatter)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.target.print(self.format(record), markup=False, highlight=False, soft_wrap=True)
        except Exception:  # logging must never break the run
            self.handleError(record)


class Ticker:
    """Advances a progress display; does nothing when there is none."""

    def __init__(self, progress: Progress | None, task: Any) -> None:
        self.progress, self.task = progress, task

    def advance(self, count: int = 1, current: str | None = None) -> None:
        if self.progress is not None:
            if current is not None:
                self.progress.update(self.task, current=current)
            self.progress.advance(self.task, count)


@contextmanager
def progress(total: int, label: str, enabled: bool | None = None) -> Iterator[Ticker]:
    """A progress bar on stderr that owns the terminal while it runs; log lines scroll above it.

    ``enabled`` defaults to "stderr is a terminal": off a terminal nothing is drawn.
    """
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        yield Ticker(None, None)
        return
    out = console(sys.stderr)
    bar = Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("{task.fields[current]}", style="dim"), console=out, transient=True,
    )
    root = logging.getLogger()
    saved = root.handlers[:]
    formatter = saved[0].formatter if saved else None
    root.handlers[:] = [_ConsoleHandler(out, formatter)]
    try:
        with bar:
            yield Ticker(bar, bar.add_task(label, total=total, current=""))
    finally:
        root.handlers[:] = saved


def table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]],
          numeric: Sequence[str] = (), wrap: Sequence[str] = ("error", "health", "url/path")) -> Table:
    """A table with right-aligned numeric columns; plain when printed off a terminal.

    On a narrow terminal only the ``wrap`` columns (long free text) fold; names and numbers stay whole.
    """
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    shown = Table(title=title, title_justify="left", box=None, pad_edge=False, header_style="bold")
    for i, name in enumerate(columns):
        if name in wrap:
            shown.add_column(name, overflow="fold")
        else:
            width = max([len(name), *(len(row[i]) for row in cells)])
            shown.add_column(name, justify="right" if name in numeric else "left", no_wrap=True,
                             min_width=width)
    for row in cells:
        shown.add_row(*row)
    return shown


def ago(stamp: str | None, now: datetime | None = None) -> str:
    """``"3 min ago"``, ``"in 2 h"``, ``"never"``: an ISO time relative to now."""
    if not stamp:
        return "never"
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = ((now or datetime.now(UTC)) - when).total_seconds()
    span = _span(abs(seconds))
    if span == "now":
        return "just now"
    return f"{span} ago" if seconds >= 0 else f"in {span}"


def _span(seconds: float) -> str:
    if seconds < 45:
        return "now"
    if seconds < 3570:
        return f"{max(1, round(seconds / 60))} min"
    if seconds < 47.5 * 3600:
        return f"{round(seconds / 3600)} h"
    return f"{round(seconds / 86400)} d"


def emit(out: Console, renderable: Any) -> None:
    """Print a table: styled on a terminal; elsewhere plain lines without trailing blanks."""
    if out.is_terminal:
        out.print(renderable)
        return
    with out.capture() as captured:
        out.print(renderable)
    out.file.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))
