"""What every ``monitor`` command shares: the error handling and the global options' state.

No traceback reaches a user: errors from the library (``MonitorError``) and from the operating
system become one ``Error: ...`` line and an exit code (2 for a bad configuration or bad usage,
3 when Datasette's address is taken, 1 otherwise); anything else is a bug, reported in one line
too (``MONITOR_DEBUG=1`` shows its traceback).
"""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from monitor.config import Config, Overrides
from monitor.errors import ConfigError, MonitorError, UsageError

DEFAULT_CONFIG = "feeds.toml"
PORT_ENV = "MONITOR_PORT"
DEBUG_ENV = "MONITOR_DEBUG"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
BUG_EXIT = 70  # EX_SOFTWARE


def fail(message: str, code: int) -> NoReturn:
    """Print ``Error: ...`` (one line per line of the message) and exit with ``code``."""
    for line in message.splitlines() or [""]:
        click.echo(f"Error: {line}", err=True)
    sys.exit(code)


class MonitorGroup(click.Group):
    """Every failure as ``Error: ...`` lines on stderr and an exit code, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MonitorError as exc:
            fail(str(exc), exc.exit_code)
        except IsADirectoryError as exc:
            fail(f"{exc.filename}: is a directory, not a file", 1)
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            fail(f"{where}{exc.strerror or exc}", 1)
        except sqlite3.Error as exc:
            from monitor.store.db import is_busy

            if is_busy(exc):
                fail(f"database busy: another process holds its write lock ({exc})", 1)
            fail(f"database: {exc}", 1)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Click's usage errors in one line (with where to find help); bugs in one line too."""
        if kwargs.get("standalone_mode", True) is False:
            return super().main(*args, **kwargs)
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx else "monitor"
            fail(f"{exc.format_message()} (see '{where} --help')", 2)
        except click.ClickException as exc:
            fail(exc.format_message(), exc.exit_code)
        except (click.Abort, KeyboardInterrupt):
            fail("interrupted", 130)
        except BrokenPipeError:
            sys.exit(1)  # `monitor status | head`: the reader left, nothing to say
        except Exception as exc:
            if os.environ.get(DEBUG_ENV):
                raise
            fail(f"internal error: {type(exc).__name__}: {exc} (a bug: please report it;"
                  f" {DEBUG_ENV}=1 shows the traceback)", BUG_EXIT)
        sys.exit(result if isinstance(result, int) else 0)


class State:
    """The global options. The config is loaded on first use, so ``clean`` needs none."""

    def __init__(self, config_path: str, explicit: bool, db_path: str | None, db_origin: str) -> None:
        self.config_path = Path(config_path)
        self.explicit = explicit
        self.db_override = Path(db_path) if db_path else None
        self.db_origin = db_origin
        self.host: str | None = None
        self.port: int | None = None
        self.port_origin = ""
        self._configs: dict[bool, Config] = {}

    def overrides(self) -> Overrides:
        origins = []
        if self.db_override is not None:
            origins.append(("monitor.db", self.db_origin))
        port = self.port
        if port is None and os.environ.get(PORT_ENV):
            port = _env_port(os.environ[PORT_ENV])
            self.port_origin = f"env {PORT_ENV}"
        if port is not None:
            origins.append(("serve.port", self.port_origin))
        if self.host is not None:
            origins.append(("serve.host", "option --host"))
        return Overrides(db=self.db_override, host=self.host, port=port, origins=tuple(origins))

    def config(self, required: bool = True) -> Config:
        """The configuration; without a feeds.toml, an error when the command needs one (and no
        --db says where the data is), else the defaults, said on stderr."""
        if required not in self._configs:
            self._configs[required] = self._load(required)
        return self._configs[required]

    def _load(self, required: bool) -> Config:
        from monitor import config as config_module

        if self.explicit or self.config_path.exists():
            return config_module.load(self.config_path, self.overrides())
        if required and self.db_override is None:
            raise ConfigError(
                f"no configuration: {self.config_path.resolve()} does not exist. Run where your feeds.toml"
                " is, pass --config PATH (or MONITOR_CONFIG), or copy the shipped feeds.toml"
                " (README: 'First run')",
            )
        config = self.overrides().apply(config_module.parse("", self.config_path))
        if required:
            click.echo(f"note: no {self.config_path} here: default settings, database {config.db_path}",
                       err=True)
        return config

    def db_path(self) -> Path:
        return self.config().db_path

    def open_db(self, create: bool = True) -> Any:
        """The database; with ``create=False`` a missing file is an error, not a new empty database."""
        from monitor.store.db import open_db

        path = self.db_path()
        if not create and not path.exists():
            raise UsageError(f"no database at {path} yet: run 'monitor once' or 'monitor run' first")
        if path.is_dir():
            raise UsageError(f"{path}: is a directory, not a database file")
        return open_db(path, self.config().monitor.write_wait)


def _env_port(raw: str) -> int:
    if raw.strip().isdigit() and 0 < int(raw) < 65536:
        return int(raw)
    raise UsageError(f"{PORT_ENV}={raw!r}: must be a port number from 1 to 65535")


pass_state = click.make_pass_decorator(State)
PORT = click.IntRange(1, 65535)
