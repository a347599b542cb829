"""What people see on a terminal: a progress line, tables, readable times.

Styling and the live progress line only on a terminal; ``NO_COLOR`` (https://no-color.org) turns
all styling off. Off a terminal tables are plain text and progress prints nothing at all.

Written on click alone, not rich: with rich importable, Datasette 0.65 (which runs from the same
environment) prints every 404 through rich, fails doing so and answers 500, and installs a
traceback hook that dumps local variables.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO

import click


@dataclass
class Output:
    """A stream and whether it may be styled."""

    stream: TextIO
    is_terminal: bool
    styled: bool

    def print(self, text: str = "") -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def style(self, text: str, **styles: Any) -> str:
        return click.style(text, **styles) if self.styled else text


def console(stream: TextIO | None = None) -> Output:
    """Output on ``stream`` (stdout by default): styled on a terminal unless NO_COLOR is set."""
    stream = stream or sys.stdout
    tty = stream.isatty()
    return Output(stream, tty, tty and not os.environ.get("NO_COLOR"))


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: frozenset[str]

    def lines(self, out: Output) -> list[str]:
        widths = [max([len(name), *(len(row[i]) for row in self.rows)])
                  for i, name in enumerate(self.columns)]

        def line(cells: Sequence[str]) -> str:
            parts = [c.rjust(w) if name in self.numeric else c.ljust(w)
                     for c, w, name in zip(cells, widths, self.columns, strict=True)]
            return "  ".join(parts).rstrip()

        header = line(self.columns)
        return [out.style(header, bold=True), *(line(row) for row in self.rows)]


def table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]],
          numeric: Sequence[str] = ()) -> Table:
    """Columns aligned on their longest cell; numeric columns right-aligned."""
    cells = tuple(tuple("" if v is None else str(v) for v in row) for row in rows)
    return Table(tuple(columns), cells, frozenset(numeric))


def emit(out: Output, shown: Table) -> None:
    for line in shown.lines(out):
        out.print(line)


class Ticker:
    """Advances a progress line; does nothing when there is none."""

    def __init__(self, bar: _Bar | None) -> None:
        self.bar = bar

    def advance(self, count: int = 1, current: str | None = None) -> None:
        if self.bar is not None:
            self.bar.done += count
            self.bar.current = current or self.bar.current
            self.bar.draw()


class _Bar:
    def __init__(self, out: Output, label: str, total: int) -> None:
        self.out, self.label, self.total = out, label, total
        self.done, self.current, self.started = 0, "", time.monotonic()

    def draw(self) -> None:
        columns = shutil.get_terminal_size((80, 24)).columns
        width = max(10, min(40, columns // 3))
        filled = width * self.done // max(self.total, 1)
        elapsed = int(time.monotonic() - self.started)
        bar = self.out.style("━" * filled, fg="green") + self.out.style("━" * (width - filled), dim=True)
        text = (f"{self.out.style(self.label, bold=True)} {bar} {self.done}/{self.total}"
                f" {elapsed // 60}:{elapsed % 60:02d} {self.current}")
        self.out.stream.write("\r\x1b[2K" + text[: columns + 40])
        self.out.stream.flush()

    def clear(self) -> None:
        self.out.stream.write("\r\x1b[2K")
        self.out.stream.flush()


class _AboveTheBar(logging.Handler):
    """Log records printed above the progress line: clear it, write the record, draw it again."""

    def __init__(self, bar: _Bar, formatter: logging.Formatter | None) -> None:
        super().__init__()
        self.bar = bar
        if formatter is not None:
            self.setFormatter(formatter)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.bar.clear()
            self.bar.out.print(self.format(record))
            self.bar.draw()
        except Exception:  # logging must never break the run
            self.handleError(record)


@contextmanager
def progress(total: int, label: str, enabled: bool | None = None) -> Iterator[Ticker]:
    """A progress line on stderr that owns the terminal while it runs; log lines scroll above it.

    ``enabled`` defaults to "stderr is a terminal": off a terminal nothing is drawn.
    """
    out = console(sys.stderr)
    if enabled is None:
        enabled = out.is_terminal
    if not enabled:
        yield Ticker(None)
        return
    bar = _Bar(out, label, total)
    root = logging.getLogger()
    saved = root.handlers[:]
    root.handlers[:] = [_AboveTheBar(bar, saved[0].formatter if saved else None)]
    bar.draw()
    try:
        yield Ticker(bar)
    finally:
        bar.clear()
        root.handlers[:] = saved


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
