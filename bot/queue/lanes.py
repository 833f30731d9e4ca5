"""One lane per chat: a chat's work runs in order, different chats side by side.

Shared by the inbox worker (updates) and the outbox dispatcher (messages): both wake on a
signal or a poll, start a task for every chat that has work and no task yet, and can be
drained (tests, `lapor chat`, shutdown).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Hashable
from typing import Any

from bot.queue.gate import IngestGate, wait_at_most


class ChatLanes:
    """Mixin for a dataclass that declares the attributes below and implements `run_once`."""

    gate: IngestGate
    concurrency: int
    poll_seconds: float
    _wake: asyncio.Event
    _busy_chats: set[Any]
    _tasks: set[asyncio.Task[None]]

    def wake(self) -> None:
        self._wake.set()

    async def run_once(self) -> int:
        """Start a lane for each chat with work; how many chats have work."""
        raise NotImplementedError

    async def run(self) -> None:
        while True:
            self._wake.clear()
            await self.gate.settle()  # a scan per group commit would slow the burst it follows
            await self.run_once()
            await wait_at_most(self._wake, self.poll_seconds)

    async def drain(self) -> None:
        """Work until nothing is left to do now."""
        while True:
            with_work = await self.run_once()
            if self._tasks:
                await asyncio.gather(*list(self._tasks))
                continue
            if not with_work:
                return

    def lane_free(self, chat: Hashable) -> bool:
        return chat not in self._busy_chats and len(self._busy_chats) < self.concurrency

    def open_lane(self, chat: Hashable, work: Coroutine[Any, Any, None]) -> None:
        self._busy_chats.add(chat)
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def close_lane(self, chat: Hashable) -> None:
        """Called by the lane's task when it ends, however it ends."""
        self._busy_chats.discard(chat)
        self.wake()
