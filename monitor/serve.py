"""Serve the database with Datasette: safe settings, our metadata, templates and plugin.

Datasette runs as a child process (``python -m datasette serve ...``) so it never shares the
daemon's event loop, threads or SQLite connections. What it is allowed to do:

- binds ``[serve] host`` (127.0.0.1 by default) and ``[serve] port``;
- arbitrary SQL only when ``[serve] allow_sql`` is true (canned queries always work);
- no download of the database file, no CSV streaming past ``max_returned_rows``;
- every query stops after ``sql_time_limit_ms`` (the SQL functions it may call read bounded windows,
  :mod:`monitor.datasette.bounded`, because the limit cannot stop a function midway);
- internal tables answer 403 (:mod:`monitor.datasette.exposure`); with ``[serve] auth`` every page
  needs a sign-in (datasette-auth-passwords; the hash only ever travels in the child's environment);
- the live database is opened *mutable*, never ``-i``/immutable (the daemon writes it while it is
  served; immutable would let SQLite cache stale pages). Datasette opens its read connections of a
  mutable file with ``?mode=ro`` and only opens a write connection for write canned queries or
  plugins that ask for one; we configure neither, so it never writes.

The metadata is ``datasette-metadata.json`` at the repository root with the database key renamed
to the file's stem and ``allow_sql`` set from the config; it is written beside the database as
``<stem>.datasette.json`` (or a private temporary directory when that is not writable).
"""

from __future__ import annotations

import asyncio
import ctypes
import errno
import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from monitor import links, log
from monitor.config import Config
from monitor.errors import ConfigError, ServeError, StoreError

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent
ASSETS_DIR = Path(__file__).resolve().parent / "datasette"
# A wheel carries the metadata inside the package (pyproject force-include); a checkout has it at the root.
_PACKAGED_METADATA = ASSETS_DIR / "metadata.json"
METADATA_PATH = _PACKAGED_METADATA if _PACKAGED_METADATA.exists() else REPO_ROOT / "datasette-metadata.json"
TEMPLATE_DIR = ASSETS_DIR / "templates"
PLUGINS_DIR = ASSETS_DIR / "plugins"
STATIC_DIR = ASSETS_DIR / "static"
STATIC_MOUNT = "static-monitor"  # not "monitor": that path is the database's
METADATA_DATABASE = "monitor"  # the database key used in datasette-metadata.json
SECRET_ENV = "DATASETTE_SECRET"
PASSWORD_HASH_ENV = "MONITOR_PASSWORD_HASH"  # the sign-in hash reaches Datasette only in its environment
AUTH_PLUGIN = "datasette-auth-passwords"
STOP_TIMEOUT_S = 10.0
_PR_SET_PDEATHSIG = 1


def datasette_args(config: Config, db_path: Path) -> list[str]:
    """The full argv (``[python, "-m", "datasette", "serve", ...]``) that serves ``db_path`` safely.

    Writes the effective metadata file as a side effect; holds no secret (see :func:`child_env`).
    """
    db_path = Path(db_path).resolve()
    serve = config.serve
    metadata_file = write_metadata(effective_metadata(config, db_path.stem), db_path)
    args = [
        sys.executable, "-m", "datasette", "serve", str(db_path),
        "--host", serve.host, "--port", str(serve.port),
        "--metadata", str(metadata_file),
        "--template-dir", str(TEMPLATE_DIR),
        "--plugins-dir", str(PLUGINS_DIR),
        "--static", f"{STATIC_MOUNT}:{STATIC_DIR}",
    ]
    for name, value in settings(config).items():
        args += ["--setting", name, value]
    return args


def settings(config: Config) -> dict[str, str]:
    """Datasette ``--setting`` values: the safe defaults plus what ``[serve]`` chooses."""
    values = {
        "default_allow_sql": "on" if config.serve.allow_sql else "off",
        "allow_download": "off",
        # Streaming CSV ignores max_returned_rows: with it on, the row cap would mean nothing.
        "allow_csv_stream": "off",
        "sql_time_limit_ms": str(config.serve.sql_time_limit_ms),
        "max_returned_rows": str(config.serve.max_returned_rows),
        "default_page_size": "50",
        "truncate_cells_html": "400",
        # Suggested facets run one extra query per column on every table page: work an anonymous
        # visitor can multiply. The configured facets (datasette-metadata.json) stay.
        "suggest_facets": "off",
        # A table page runs its queries one after another (rows, count, each facet): with Datasette's 3
        # SQL threads each one queues behind other visitors' queries. More threads cost little (reads
        # go through mmap, see monitor.datasette.bounded) and keep one busy page from delaying the rest.
        "num_sql_threads": "8",
    }
    # Behind a reverse proxy at https://host/news/, Datasette must build its links under /news/.
    base_url = links.base_path(config.public_url)
    if base_url != "/":
        values["base_url"] = base_url
    return values


def effective_metadata(config: Config, database: str) -> dict[str, Any]:
    """datasette-metadata.json for a database named ``database``, with ``allow_sql`` from the config."""
    metadata: dict[str, Any] = json.loads(METADATA_PATH.read_text(encoding="utf-8"))
    databases = metadata.setdefault("databases", {})
    if database != METADATA_DATABASE and METADATA_DATABASE in databases:
        databases[database] = databases.pop(METADATA_DATABASE)
    # True allows everyone, False denies everyone (even a signed-in root): the config decides.
    metadata["allow_sql"] = bool(config.serve.allow_sql)
    databases.setdefault(database, {})["allow_sql"] = bool(config.serve.allow_sql)
    if config.serve.auth:
        # Every page needs the sign-in; the hash is resolved from the child's environment at start, so
        # neither this file nor the database ever holds it.
        metadata["allow"] = {"id": [config.serve.auth_user]}
        metadata.setdefault("plugins", {})[AUTH_PLUGIN] = {
            f"{config.serve.auth_user}_password_hash": {"$env": PASSWORD_HASH_ENV}
        }
    # The home page links are written for /monitor/; follow the database name and base_url.
    if "description_html" in metadata:
        prefix = f'href="{links.base_path(config.public_url)}{links.tilde_encode(database)}/'
        metadata["description_html"] = metadata["description_html"].replace('href="/monitor/', prefix)
    return metadata


def write_metadata(metadata: dict[str, Any], db_path: Path) -> Path:
    """Write ``metadata`` beside the database (atomically), or in a private temp dir if read-only."""
    text = json.dumps(metadata, indent=2, ensure_ascii=False)
    target = db_path.with_name(f"{db_path.stem}.datasette.json")
    try:
        partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        partial.write_text(text, encoding="utf-8")
        partial.replace(target)
        return target
    except OSError:
        private = Path(tempfile.mkdtemp(prefix="monitor-datasette-")) / target.name
        private.write_text(text, encoding="utf-8")
        return private


def child_env(environ: dict[str, str] | None = None, config: Config | None = None) -> dict[str, str]:
    """The environment of the Datasette child: ``DATASETTE_SECRET`` set, ephemeral if it was unset;
    with ``[serve] auth`` also the password hash, from ``password_hash_file`` or the environment."""
    env = dict(os.environ if environ is None else environ)
    if config is not None and config.serve.auth:
        env[PASSWORD_HASH_ENV] = password_hash(config, env)
    if not env.get(SECRET_ENV):
        env[SECRET_ENV] = secrets.token_hex(32)
        log.event(
            logger, "datasette_secret_ephemeral", level=logging.WARNING,
            hint=f"set {SECRET_ENV} so sign-ins and signed tokens survive a restart",
        )
    return env


def password_hash(config: Config, environ: dict[str, str]) -> str:
    """The sign-in's password hash (``pbkdf2_sha256$...``); a clear error when there is none."""
    source = config.serve.password_hash_file
    if source:
        path = config.resolve(source)
        try:
            value = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"cannot read the password hash file: {exc.strerror}", file=str(path)) from exc
    else:
        value = environ.get(PASSWORD_HASH_ENV, "").strip()
    if not value.startswith("pbkdf2_sha256$"):
        raise ConfigError(
            f"[serve] auth is on but no password hash was given: put the output of `datasette hash-password`"
            f" in password_hash_file or {PASSWORD_HASH_ENV}",
            file=str(config.path),
        )
    return value
def check_address(host: str, port: int) -> None:
    """Raise ServeError when ``host:port`` cannot be listened on (taken, or not this machine's).

    Checked before Datasette starts, so a taken port is one clear error instead of a child that
    dies at once and is restarted for ever. SO_REUSEADDR as uvicorn sets it: a port that only has
    connections in TIME_WAIT is free.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ServeError(
                    f"cannot serve on {host}:{port}: the address is already in use (another monitor or"
                    " Datasette?); stop it or choose another port with --port or MONITOR_PORT"
                ) from None
            raise ServeError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None


def start(config: Config, db_path: Path) -> subprocess.Popen[bytes]:
    """Start Datasette as a child process that dies with this process (Linux: PR_SET_PDEATHSIG).

    Call it from the main thread: the kernel signals the child when the *thread* that started it
    exits. The caller still owns the child: ``stop(process)`` on shutdown. Raises ServeError when
    the address is taken.
    """
    db_path = Path(db_path).resolve()
    check_address(config.serve.host, config.serve.port)
    _ensure_database(db_path)
    args = datasette_args(config, db_path)
    log.event(logger, "datasette_start", db=str(db_path), host=config.serve.host, port=config.serve.port,
              url=links.database_url(config.public_url, db_path), allow_sql=config.serve.allow_sql)
    return subprocess.Popen(
        args, env=child_env(config=config), stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent_hook()
    )


def serve(config: Config, db_path: Path) -> int:
    """Run Datasette in the foreground until it exits or is interrupted; return its exit code."""
    process = start(config, db_path)
    try:
        return process.wait()
    except KeyboardInterrupt:
        return stop(process)


def stop(process: subprocess.Popen[bytes], timeout: float = STOP_TIMEOUT_S) -> int:
    """Terminate the child politely, kill it if it lingers; return its exit code."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    log.event(logger, "datasette_stopped", code=process.returncode)
    return int(process.returncode)


def _ensure_database(db_path: Path) -> None:
    # A fresh install may serve before the first fetch: create and migrate an empty database. A database
    # an older version left is migrated before it is served: its views and row layout are the ones
    # that read whole article texts (see monitor.store.migrations m011). Nothing pending: no write.
    from monitor.store.db import open_db

    try:
        open_db(db_path).close()
    except StoreError as exc:  # exit 1, not ServeError's 3: a restart may well succeed (the worker's up)
        raise StoreError(
            f"cannot serve {db_path}: it must be opened (and upgraded) first and could not be: {exc}"
        ) from None


def _die_with_parent_hook() -> Callable[[], None] | None:
    """A preexec function asking the kernel to SIGTERM the child when its parent dies (Linux only)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up before fork: the hook only calls
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def hook() -> None:
        prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM))
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return hook


CHILD_STOP_TIMEOUT = 5.0  # seconds Datasette gets to stop after SIGTERM before SIGKILL


class DatasetteChild:
    """Datasette as a child of the daemon (``monitor run``): started with it, restarted when it dies
    (at most once per check, so a crash loop is slow), stopped with it. A child that cannot start
    for a configuration reason is logged and left out: fetching goes on."""

    def __init__(self, config: Config, db_path: Path) -> None:
        self.config = config
        self.db_path = db_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        try:
            self.process = start(self.config, self.db_path)
        except ConfigError as exc:  # e.g. [serve] auth without a password hash
            log.event(logger, "datasette_not_started", logging.ERROR, error=str(exc))
            return
        log.event(logger, "datasette_started", pid=self.process.pid, port=self.config.serve.port)

    def check(self) -> ServeError | None:
        """Restart a child that exited; the error when its address was taken meanwhile."""
        if self.process is None or self.process.poll() is None:
            return None
        log.event(logger, "datasette_exited", logging.ERROR, code=self.process.returncode)
        try:
            self.start()
        except ServeError as exc:  # restarting cannot help
            self.process = None
            log.event(logger, "datasette_failed", logging.ERROR, error=str(exc))
            return exc
        return None

    async def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            await asyncio.to_thread(process.wait, CHILD_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            await asyncio.to_thread(process.wait)
