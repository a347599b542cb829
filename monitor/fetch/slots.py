"""A host's request slots, shared fairly among the sources that want them.

``asyncio.Semaphore`` hands a freed slot to whoever asked first, so a source with forty slow
pages queued ahead of everyone keeps a host busy for forty deadlines while the host's other
sources wait. Here a freed slot goes to the waiting source that holds the fewest slots (ties:
the one served longest ago), so another source waits at most for one request of the slow one
to end, and that request is bounded by its deadline.
"""

from __future__ import annotations

import asyncio
from collections import Counter, deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress


class FairSlots:
    """``limit`` slots; ``async with slots.hold(tenant)`` waits for one."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.busy = 0
        self._held: Counter[str] = Counter()
        self._waiting: dict[str, deque[asyncio.Future[None]]] = {}
        self._served: dict[str, int] = {}  # tenant -> sequence number of its latest grant
        self._grants = 0

    @asynccontextmanager
    async def hold(self, tenant: str) -> AsyncIterator[None]:
        await self._acquire(tenant)
        try:
            yield
        finally:
            self._release(tenant)

    async def _acquire(self, tenant: str) -> None:
        if self.busy < self.limit and not self._waiting:
            self._take(tenant)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(tenant, deque()).append(future)
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self._release(tenant)  # granted just as we were cancelled: hand it on
            else:
                self._forget(tenant, future)
            raise

    def _take(self, tenant: str) -> None:
        self.busy += 1
        self._held[tenant] += 1
        self._grants += 1
        self._served[tenant] = self._grants

    def _release(self, tenant: str) -> None:
        self.busy -= 1
        self._held[tenant] -= 1
        if self._held[tenant] <= 0:
            del self._held[tenant]
        self._grant()

    def _grant(self) -> None:
        while self.busy < self.limit and self._waiting:
            # Fewest slots held first; on a tie, the tenant served longest ago (round robin).
            tenant = min(self._waiting, key=lambda t: (self._held[t], self._served.get(t, -1)))
            queue = self._waiting[tenant]
            future = queue.popleft()
            if not queue:
                del self._waiting[tenant]
            self._take(tenant)
            future.set_result(None)

    def _forget(self, tenant: str, future: asyncio.Future[None]) -> None:
        queue = self._waiting.get(tenant)
        if queue is None:
            return
        with suppress(ValueError):
            queue.remove(future)
        if not queue:
            del self._waiting[tenant]
