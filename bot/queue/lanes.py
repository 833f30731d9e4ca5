"""Lanes: claimed work runs side by side, each piece in its own task; the loop that claims it.

Shared by the inbox worker (updates) and the outbox dispatcher (messages). Order per chat is
the database's business (only a chat's head row can be claimed, see `db/queue.py`); here a
loop wakes on a signal or a poll, claims as much as it has free lanes for, and goes on after
any error: it logs, backs off, tells `/healthz`, and tries again.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import Coroutine, Hashable
from datetime import timedelta
from typing import Any

from bot.clock import Clock
from bot.queue.gate import IngestGate, wait_at_most
from bot.queue.health import Health
from db import queue
from db.engine import Sessions

log = logging.getLogger(__name__)


def instance_id() -> str:
    """Who holds a claim: this host and process, unique per start."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def loop_backoff(failures: int, *, cap: float = 30.0) -> float:
    return float(min(cap, 0.5 * 2 ** min(failures, 10)))


class ChatLanes:
    """Mixin for a dataclass that declares the attributes below and implements `run_once`."""

    name: str
    sessions: Sessions
    clock: Clock
    owner: str
    lease: timedelta
    gate: IngestGate
    health: Health
    concurrency: int
    poll_seconds: float
    _wake: asyncio.Event
    _claiming: asyncio.Lock
    _busy_chats: set[Any]
    _tasks: set[asyncio.Task[None]]
    _finished: int = 0  # lanes ended, ever
    _renewed: float = 0.0  # when this loop last renewed its claims' leases (monotonic)

    def wake(self) -> None:
        self._wake.set()

    async def run_once(self) -> int:
        """Claim work and start a lane for each piece; how many were started.

        One claim at a time per process: a `drain` beside the running loop then waits for the
        loop's claim and sees its lanes, instead of finding the rows claimed and no lane yet."""
        async with self._claiming:
            return await self.claim_and_start()

    async def claim_and_start(self) -> int:
        raise NotImplementedError

    async def run(self) -> None:
        """The loop: never ends on an error (a database outage, a bug in one round)."""
        failures = 0
        while True:
            self._wake.clear()
            try:
                await self.gate.settle()  # a scan per group commit would slow the burst it follows
                await self._heartbeat()
                await self.run_once()
            except Exception as exc:
                failures += 1
                self.health.failing(self.name, exc)
                if failures == 1:
                    log.exception("%s: a round failed; retrying with backoff", self.name)
                else:
                    log.warning("%s: still failing (%d): %r", self.name, failures, exc)
                await asyncio.sleep(loop_backoff(failures))
                continue
            if failures:
                log.warning("%s: working again after %d failed rounds", self.name, failures)
                failures = 0
            self.health.ok(self.name)
            await wait_at_most(self._wake, self.poll_seconds)

    async def _heartbeat(self) -> None:
        """Every third of a lease while lanes are busy: keep this process's claims its own."""
        third = self.lease.total_seconds() / 3
        if not self._busy_chats or time.monotonic() - self._renewed < third:
            return
        self._renewed = time.monotonic()
        async with self.sessions.begin(urgent=True) as session:
            await queue.renew_claims(session, owner=self.owner, now=self.clock(), lease=self.lease)

    async def drain(self) -> None:
        """Work until nothing is left to do now (beside the running loop, whose lanes count)."""
        while True:
            finished = self._finished
            with_work = await self.run_once()
            if self._tasks:
                await asyncio.gather(*list(self._tasks))
                continue
            if not with_work and self._finished == finished:
                return  # (a lane that ended meanwhile may have made its chat's next row due)

    def free_lanes(self) -> int:
        return max(0, self.concurrency - len(self._busy_chats))

    def open_lane(self, lane: Hashable, work: Coroutine[Any, Any, None]) -> None:
        self._busy_chats.add(lane)
        task = asyncio.create_task(self._guarded(lane, work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _guarded(self, lane: Hashable, work: Coroutine[Any, Any, None]) -> None:
        """A lane's error (the database went away mid-way) is logged; its claim's lease
        returns the row to the queue, so nothing is lost and nothing is marked twice."""
        try:
            await work
        except Exception:
            log.exception("%s: lane %s failed; its claim returns at the lease", self.name, lane)
        finally:
            self._busy_chats.discard(lane)
            self._finished += 1
            self.wake()
