"""``monitor run``: the long-running worker behind the systemd unit.

Why AsyncIOScheduler in one event loop (not a blocking scheduler with a thread pool): the
pipeline is async and the database has ONE writer connection. With every job a task on one
loop, each ``db.atomic()`` block (which never awaits) runs whole before another job's write
starts, so writers never interleave, no lock is needed, and the shared Fetcher's connection
pool and per-host limits see every request. A thread pool would need a lock around the
connection and one event loop per thread.

Jobs (rebuilt from feeds.toml at start and on SIGHUP):

- ``source:<name>``: one pass of one source; after it, rescheduled to the ``next_due`` the
  pipeline stored on the source's row (which carries error backoff), plus jitter.
- ``outbox``: alert delivery every 30 s.   ``digest:<rule>``: a digest rule's cron schedule.
- ``maintenance``: hourly WAL checkpoint and pruning.   ``tick``: proves the scheduler runs.

Signals: SIGTERM/SIGINT stop new work and give running jobs SHUTDOWN_DEADLINE seconds;
jobs still running are cancelled at their next ``await``, which always lies between two
transactions, so no article is ever half stored. SIGHUP reloads feeds.toml.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
import signal
import sqlite3
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlite_utils import Database

from monitor import log
from monitor.commands import prepare_db
from monitor.config import Config, Overrides, load
from monitor.errors import ConfigError, MonitorError
from monitor.fetch.client import Fetcher
from monitor.lock import DatabaseLock
from monitor.models import Source
from monitor.pipeline import Context, run_sources
from monitor.schedule import cron_trigger, first_run, jitter, misfire_grace, next_run, startup_spread
from monitor.serve import DatasetteChild
from monitor.store import articles as article_rows
from monitor.store import sources as source_rows
from monitor.store import status as status_rows
from monitor.store.db import file_name, open_db, ping
from monitor.store.db import now as utc_now
from monitor.store.maintenance import maintain
from monitor.systemd import Notifier

logger = logging.getLogger("monitor.daemon")

SHUTDOWN_DEADLINE = 20.0  # seconds; keep below the unit's TimeoutStopSec (30 s)
OUTBOX_INTERVAL = 30
MAINTENANCE_INTERVAL = 3600
TICK_INTERVAL = 5.0
STALE_AFTER = 4 * TICK_INTERVAL  # no tick for this long: the loop or the scheduler is stuck
STATUS_INTERVAL = 15.0
MAX_PARALLEL_PASSES = 16  # source passes at once; bounds memory when 1,000 sources fall due together
LATE_AFTER = 60.0  # seconds a pass may start after its time (plus a tenth of its interval) unremarked


def run(
    config_path: Path, db_path: Path | None = None, serve: bool = True, overrides: Overrides | None = None
) -> int:
    """Run until SIGTERM/SIGINT; 0 on a clean stop, 3 when Datasette lost its address.

    Raises ConfigError, LockedError, StoreError, ServeError (the address is taken at start).
    """
    if db_path is not None and (overrides is None or overrides.db is None):
        overrides = dataclasses.replace(overrides or Overrides(), db=db_path)
    config = load(config_path, overrides)
    if serve:
        from monitor.serve import check_address

        check_address(config.serve.host, config.serve.port)  # before anything starts: one clear error
    if not logging.getLogger().handlers:  # the CLI has set up logging already (with --log-level)
        log.setup(config.monitor.log_level)
    for chatty in ("apscheduler", "apprise"):  # our own events (alert_sent, source_done) say it once
        logging.getLogger(chatty).setLevel(logging.WARNING)
    db_file = config.db_path
    with DatabaseLock(db_file):  # before opening: two daemons must not even migrate at once
        return asyncio.run(_main(config_path, config, db_file, serve, overrides))


async def _main(
    config_path: Path, config: Config, db_file: Path, serve: bool, overrides: Overrides | None = None
) -> int:
    db = open_db(db_file, config.monitor.write_wait)
    try:
        async with Fetcher(config.fetch) as fetcher:
            daemon = Daemon(config_path, config, db, fetcher, Notifier.from_env(), overrides)
            await daemon.serve_forever(db_file if serve else None)
    finally:
        db.close()
    log.event(logger, "daemon_stopped", code=daemon.exit_code)
    return daemon.exit_code


class Daemon:
    """The scheduler, its jobs, the signals and the watchdog around one database."""

    def __init__(self, config_path: Path, config: Config, db: Database, fetcher: Fetcher,
                 notifier: Notifier, overrides: Overrides | None = None) -> None:
        self.config_path = config_path
        self.overrides = overrides  # --db/--host/--port/MONITOR_PORT, kept across reloads
        self.exit_code = 0
        self.config = config
        self.ctx = Context.from_config(config)
        self.db = db
        self.fetcher = fetcher
        self.notifier = notifier
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.sources: dict[str, Source] = {}
        self.last_pass: str | None = None
        self.rng = random.Random()
        self._passes = asyncio.Semaphore(MAX_PARALLEL_PASSES)
        self._inflight: set[asyncio.Task[Any]] = set()
        self._stop = asyncio.Event()
        self._stopping = False
        self._last_tick = time.monotonic()
        self._planned: dict[str, datetime] = {}  # when each source's next pass should start
        self._outbox_running = False  # one delivery round at a time, scheduled or woken
        self._outbox_again = False
        self._background: set[asyncio.Task[None]] = set()
        self._job_errors: dict[str, str] = {}  # job -> its last error, so a failing job logs once
        self._datasette: DatasetteChild | None = None

    # Lifecycle ---------------------------------------------------------------------------

    async def serve_forever(self, serve_db: Path | None) -> None:
        """Start everything, tell systemd we are ready, and wait for a stop signal."""
        self._install_signals()
        self._schedule_all()
        self.scheduler.start()
        if serve_db is not None:
            self._datasette = DatasetteChild(self.config, serve_db)
            self._datasette.start()
        watchdog = asyncio.create_task(self._watchdog_loop(), name="watchdog")
        log.event(logger, "daemon_started", sources=len(self.sources), db=file_name(self.db),
                  watchdog=self.notifier.watchdog_interval)
        self.notifier.ready(self.status_line())
        await self._stop.wait()
        await self._shutdown()
        watchdog.cancel()

    def request_stop(self, reason: str) -> None:
        if not self._stopping:
            self._stopping = True
            log.event(logger, "daemon_stopping", reason=reason, running_jobs=len(self._inflight))
            self.notifier.stopping(f"stopping ({reason})")
            self._stop.set()

    async def _shutdown(self) -> None:
        self.scheduler.pause()  # nothing new starts; what runs gets the deadline
        unfinished = await _finish(set(self._inflight), SHUTDOWN_DEADLINE)
        if unfinished:
            log.event(logger, "jobs_cancelled", logging.WARNING, count=unfinished, deadline=SHUTDOWN_DEADLINE)
        self.scheduler.shutdown(wait=False)
        await asyncio.sleep(0)  # the scheduler shuts down on the loop's next turn
        if self._datasette is not None:
            await self._datasette.stop()

    def _install_signals(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.request_stop, sig.name)
        loop.add_signal_handler(signal.SIGHUP, self.reload)

    # Jobs ----------------------------------------------------------------------------------

    def _schedule_all(self) -> None:
        """(Re)build every job from the current config; running jobs finish undisturbed."""
        prepare_db(self.db, self.ctx)  # mirror sources and the taxonomy, as `monitor once` does
        wanted = {s.name: s for s in self.config.sources if s.enabled}
        for job in self.scheduler.get_jobs():
            if job.id.startswith(("source:", "digest:")):
                job.remove()
        self.sources = wanted
        spread = startup_spread(len(wanted))
        for source in wanted.values():
            self._add_source_job(source, spread)
        self._add_digest_jobs()
        self._add_fixed_jobs()

    def _add_source_job(self, source: Source, spread: float) -> None:
        now = datetime.now(UTC)
        stored = source_rows.stored_next_due(self.db, source.name)
        due = first_run(stored, now, source.interval, self.rng, spread)
        self.scheduler.add_job(
            self._run_source, IntervalTrigger(seconds=source.interval, jitter=jitter(source.interval)),
            args=[source.name], id=f"source:{source.name}", name=source.name, next_run_time=due,
            coalesce=True, max_instances=1, misfire_grace_time=misfire_grace(source.interval),
            replace_existing=True,
        )
        self._planned[source.name] = due

    def _add_digest_jobs(self) -> None:
        """Digest rules, and throttled rules whose overflow waits for a digest, on their cron line."""
        for rule in self.config.alerts:
            schedule = rule.digest_schedule
            if not schedule:
                continue
            try:
                trigger = cron_trigger(schedule, rule.timezone)
            except (ValueError, LookupError) as exc:  # config validation should have caught it
                log.event(logger, "digest_schedule_invalid", logging.ERROR, rule=rule.name, error=exc)
                continue
            self.scheduler.add_job(self._run_digest, trigger, args=[rule.name], id=f"digest:{rule.name}",
                                   name=f"digest {rule.name}", coalesce=True, max_instances=1,
                                   misfire_grace_time=3600, replace_existing=True)

    def _add_fixed_jobs(self) -> None:
        now = datetime.now(UTC)
        fixed: list[tuple[str, Callable[[], Awaitable[None]], float]] = [
            ("outbox", self._run_outbox, OUTBOX_INTERVAL),
            ("maintenance", self._run_maintenance, MAINTENANCE_INTERVAL),
            ("tick", self._tick, TICK_INTERVAL),
        ]
        for job_id, func, seconds in fixed:
            if self.scheduler.get_job(job_id) is None:
                first = now if job_id == "outbox" else None  # alerts left by a crash go out at once
                self.scheduler.add_job(func, IntervalTrigger(seconds=seconds), id=job_id, name=job_id,
                                       coalesce=True, max_instances=1, misfire_grace_time=int(seconds),
                                       **({"next_run_time": first} if first else {}))
        if self.scheduler.get_job("missed-digests") is None and not self.scheduler.running:
            # Digests whose time passed while the daemon was down are sent once at start.
            self.scheduler.add_job(self._run_missed_digests, id="missed-digests", name="missed digests",
                                   next_run_time=now, misfire_grace_time=None)

    async def _run_source(self, name: str) -> None:
        async with self._passes:
            source = self.sources.get(name)
            if source is None or self._stopping:
                return  # removed by a reload, or the daemon is stopping: leave it to next time
            self._check_lateness(source)
            await self._guarded(f"source:{name}", lambda: self._source_pass(source))

    async def _source_pass(self, source: Source) -> None:
        reports = await run_sources(self.db, self.ctx, [source], self.fetcher)
        self.last_pass = utc_now()
        if any(r.new or r.copies or r.updated for r in reports):
            self._wake_outbox()  # new alerts go out now, not at the next 30 s round
        stored_due = source_rows.stored_next_due(self.db, source.name)
        when = next_run(stored_due, datetime.now(UTC), source.interval, self.rng)
        job = self.scheduler.get_job(f"source:{source.name}")
        if job is not None:
            job.modify(next_run_time=when)
            self._planned[source.name] = when

    def _check_lateness(self, source: Source) -> None:
        """A pass starting well after its time means the machine carries too much: say so."""
        planned = self._planned.get(source.name)
        late = (datetime.now(UTC) - planned).total_seconds() if planned else 0.0
        if late > max(LATE_AFTER, source.interval * 0.1):
            log.event(logger, "source_late", logging.WARNING, source=source.name, seconds=round(late),
                      hint="passes start late: fewer sources, longer intervals, or a faster machine")

    def _wake_outbox(self) -> None:
        """After a pass that stored something: deliver now, not at the next 30 s round."""
        if self._stopping:
            return
        if self._outbox_running:
            self._outbox_again = True  # the running round goes once more
            return
        self._outbox_running = True
        task = asyncio.create_task(self._outbox_rounds(), name="outbox-now")
        self._background.add(task)  # a reference, so the task is not garbage collected mid-run
        task.add_done_callback(self._background.discard)

    async def _run_outbox(self) -> None:
        """The scheduled round (every 30 s): retries and anything a wake-up did not cover."""
        if self._outbox_running:
            self._outbox_again = True
            return
        self._outbox_running = True
        await self._outbox_rounds()

    async def _outbox_rounds(self) -> None:
        from monitor.alerts.notify import deliver_pending

        try:
            self._outbox_again = True
            while self._outbox_again and not self._stopping:
                self._outbox_again = False
                await self._guarded("outbox", lambda: deliver_pending(self.db, self.config))
        finally:
            self._outbox_running = False

    async def _run_digest(self, rule_name: str) -> None:
        from monitor.alerts.notify import send_digests

        await self._guarded(f"digest:{rule_name}",
                            lambda: send_digests(self.db, self.config, rule_name, datetime.now(UTC)))

    async def _run_missed_digests(self) -> None:
        from monitor.alerts.notify import send_due_digests

        await self._guarded("missed-digests", lambda: send_due_digests(self.db, self.config))

    async def _run_maintenance(self) -> None:
        async def work() -> None:
            report = maintain(self.db, self.config.monitor.keep_html_days, datetime.now(UTC))
            log.event(logger, "maintenance_done", pages_pruned=report.pages_pruned,
                      fetches_pruned=report.fetches_pruned, wal_busy=report.wal_busy,
                      wal_frames=report.wal_frames)

        await self._guarded("maintenance", work)

    async def _tick(self) -> None:
        self._last_tick = time.monotonic()

    async def _guarded(self, job: str, work: Callable[[], Awaitable[Any]]) -> None:
        """Run one job's work, tracked for shutdown; a failure is logged and never kills the daemon."""
        if self._stopping:
            return
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
        try:
            await work()
            if self._job_errors.pop(job, None):
                log.event(logger, "job_recovered", job=job)
        except Exception as exc:  # one job's failure must not stop the others
            self._report_failure(job, exc)
        finally:
            if task is not None:
                self._inflight.discard(task)

    def _report_failure(self, job: str, exc: Exception) -> None:
        """One line when a job starts failing or fails differently; a traceback only for a bug."""
        error = f"{type(exc).__name__}: {exc}"
        repeated = self._job_errors.get(job) == error
        self._job_errors[job] = error
        # The same error again (an outbox with no targets, every 30 s) is only worth a debug line.
        log.event(logger, "job_failed", logging.DEBUG if repeated else logging.ERROR, job=job, error=error)
        if not repeated and not isinstance(exc, MonitorError):
            logger.error("traceback of %s", job, exc_info=exc)

    # Reload --------------------------------------------------------------------------------

    def reload(self) -> None:
        """SIGHUP: a valid feeds.toml replaces the jobs; an invalid one is refused, the old one runs on."""
        try:
            config = load(self.config_path, self.overrides)
            ctx = Context.from_config(config)
        except ConfigError as exc:
            # "setting", not "key": the log redactor hides any key=... value as a possible API key.
            log.event(logger, "config_reload_failed", logging.ERROR, file=exc.file or str(self.config_path),
                      line=exc.line, key=exc.key, error=exc.message, kept="the running configuration")
            return
        if config.fetch != self.config.fetch or config.db_path != self.config.db_path:
            log.event(logger, "config_reload_partial", logging.WARNING,
                      reason="[fetch] and [monitor] db take effect on restart")
        self.config, self.ctx = config, ctx
        if self._datasette is not None:
            self._datasette.config = config  # a restarted child serves what the file says now
        self._schedule_all()
        log.event(logger, "config_reloaded", file=self.config_path, sources=len(self.sources),
                  alert_rules=len(config.alerts))
        self._send_status()

    # Health --------------------------------------------------------------------------------

    async def _watchdog_loop(self) -> None:
        """WATCHDOG=1 only while the scheduler ticks and the database answers; STATUS each round."""
        period = min(self.notifier.watchdog_interval or STATUS_INTERVAL, STATUS_INTERVAL)
        unhealthy: str | None = None
        while True:
            await asyncio.sleep(period)
            problem = self.health_problem()
            if problem is None:
                self.notifier.watchdog()
                self._send_status()
                self._check_datasette()
            elif problem != unhealthy:
                log.event(logger, "watchdog_withheld", logging.ERROR, reason=problem)
            unhealthy = problem

    def health_problem(self) -> str | None:
        """None when healthy; otherwise why systemd should restart us."""
        stale = time.monotonic() - self._last_tick
        if stale > STALE_AFTER:
            return f"scheduler silent for {stale:.0f}s"
        try:
            ping(self.db)
        except Exception as exc:
            return f"database: {exc}"
        return None

    def _send_status(self) -> None:
        try:
            self.notifier.status(self.status_line())
        except sqlite3.Error as exc:  # the next round tries again; health_problem() judges the database
            log.event(logger, "status_failed", logging.WARNING, error=exc)

    def _check_datasette(self) -> None:
        """A dead Datasette child is restarted; one that cannot serve any more stops the daemon."""
        error = self._datasette.check() if self._datasette is not None else None
        if error is not None:
            self.exit_code = error.exit_code
            self.request_stop("datasette cannot serve")

    def status_line(self) -> str:
        articles = article_rows.count_articles(self.db)
        pending = status_rows.pending_alerts(self.db)
        return (f"{len(self.sources)} sources, {articles} articles, last pass {self.last_pass or 'none yet'},"
                f" {pending} alerts pending")


async def _finish(tasks: set[asyncio.Task[Any]], deadline: float) -> int:
    """Wait for tasks up to the deadline, cancel the rest; returns how many were cancelled."""
    if not tasks:
        return 0
    _, pending = await asyncio.wait(tasks, timeout=deadline)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    return len(pending)
