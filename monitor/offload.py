"""CPU-heavy work (parsing feeds, index pages and sitemaps, extracting articles) off the event loop.

One process-wide pool of ``[monitor] parse_workers`` threads. The loop only fetches and
writes; while a worker parses a big document the loop keeps running the scheduler's
heartbeat, the systemd watchdog and other sources' requests. Pure-Python parsing holds the
GIL, but CPython hands it to the waiting loop thread every few milliseconds
(``sys.getswitchinterval``), and the parser's size cap bounds each C call (Lexbor, expat).

Threads, not processes: the work is pure (no database, no clock), its inputs are large
strings that a process pool would copy, and a second interpreter would cost its own
~60 MB of imports under the unit's ``MemoryMax``. Memory in use grows with the number of
workers (one parsed document each), so the default is one.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_size = 1


def configure(workers: int) -> None:
    """Set the pool's size; takes effect when the pool is (re)created, i.e. if it is idle now."""
    global _pool, _size
    with _lock:
        if workers == _size and _pool is not None:
            return
        _size = max(1, workers)
        old, _pool = _pool, None
    if old is not None:
        old.shutdown(wait=False)  # running work finishes; new work goes to the new pool


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=_size, thread_name_prefix="parse")
        return _pool


async def run(func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``func(*args, **kwargs)`` in a worker thread; the caller's task waits, the loop does not."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_executor(), functools.partial(func, *args, **kwargs))
