"""The ingest gate: background work steps aside while webhooks arrive in a burst."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator


async def wait_at_most(event: asyncio.Event, seconds: float) -> None:
    """Wait for `event`, or `seconds`. (Not `asyncio.wait_for`: on Python 3.11 it can swallow a
    cancellation that arrives as the event is set, and a worker would then never stop.)"""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await event.wait()


class IngestGate:
    """Background work steps aside while webhooks are arriving in a burst.

    A webhook's 200 is what Telegram and Meta wait for before they send the next update, so
    during a burst acknowledging comes first: processing and sending wait until arrivals pause
    for `quiet` seconds, then catch up. Under a stream that never pauses they wait at most
    `max_defer` seconds and then go on single file, one step at a time instead of dozens side
    by side, so an acknowledgement waits behind one step at most: slowed, never stopped.
    """

    def __init__(self, *, quiet: float = 0.05, max_defer: float = 2.0) -> None:
        self._quiet = quiet
        self._max_defer = max_defer
        self._quiet_now = asyncio.Event()
        self._quiet_now.set()
        self._timer: asyncio.TimerHandle | None = None
        self._last = 0.0
        self._single_file = asyncio.Lock()

    def arrived(self) -> None:
        """O(1) per webhook: the time is noted, and one timer (armed at the first arrival)
        checks at the end of the quiet period whether another arrived meanwhile."""
        loop = asyncio.get_running_loop()
        self._last = loop.time()
        self._quiet_now.clear()
        if self._timer is None:
            self._timer = loop.call_at(self._last + self._quiet, self._check_quiet)

    def _check_quiet(self) -> None:
        loop = asyncio.get_running_loop()
        quiet_from = self._last + self._quiet
        if loop.time() < quiet_from:
            self._timer = loop.call_at(quiet_from, self._check_quiet)
            return
        self._timer = None
        self._quiet_now.set()

    def busy(self) -> bool:
        return not self._quiet_now.is_set()

    async def settle(self) -> None:
        """Wait for a pause in arrivals, or `max_defer` seconds, whichever comes first."""
        if not self.busy():
            return
        await wait_at_most(self._quiet_now, self._max_defer)

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        await self.settle()
        if not self.busy():
            yield
            return
        async with self._single_file:
            yield
