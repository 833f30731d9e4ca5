"""The inbox: store each raw update once, then turn it into handler decisions, in order per chat.

A webhook answers 200 only after its update is committed here; from then on the update cannot be
lost: a crash before processing leaves the row pending, and the worker takes it up on restart.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import Counter

from bot.channels.base import Channel, Inbound, InboxItem
from bot.clock import Clock, system_clock
from bot.queue.gate import IngestGate
from bot.queue.lanes import ChatLanes
from db import queue
from db.engine import Sessions
from db.tables import OutboxRow
from handlers.context import Context
from handlers.messages import Outbound, OutboundKind

log = logging.getLogger(__name__)

INBOX_COMMITS = Counter("lapor_inbox_commits_total", "Group commits of the inbox writer")
INBOX_STORED = Counter("lapor_inbox_stored_total", "Updates written by the inbox writer")

Dispatch = Callable[..., Awaitable[list[Outbound]]]


@dataclass
class _Waiting:
    item: InboxItem
    done: asyncio.Future[bool]


class InboxWriter:
    """Group commit: updates arriving while a commit runs are written together by the next one.

    A burst then costs one commit per batch instead of one per update, with no added wait for a
    lone update: the first caller starts a flush at once.
    """

    def __init__(
        self,
        sessions: Sessions,
        *,
        clock: Clock = system_clock,
        on_stored: Callable[[], None] | None = None,
        gate: IngestGate | None = None,
        max_batch: int = 500,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._on_stored = on_stored
        self._max_batch = max_batch
        self.gate = gate or IngestGate()
        self._waiting: list[_Waiting] = []
        self._flusher: asyncio.Task[None] | None = None
        self.commits = 0  # for the benchmark: how many commits the stored updates cost

    async def store(self, item: InboxItem) -> bool:
        """True if the update is new; False if this channel id was stored before (a retry)."""
        self.gate.arrived()
        waiting = _Waiting(item, asyncio.get_running_loop().create_future())
        self._waiting.append(waiting)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_all())
        return await waiting.done

    async def _flush_all(self) -> None:
        while self._waiting:
            batch, self._waiting = (
                self._waiting[: self._max_batch],
                self._waiting[self._max_batch :],
            )
            await self._flush(batch)

    async def _flush(self, batch: list[_Waiting]) -> None:
        rows = [
            {
                "channel": w.item.channel,
                "external_id": w.item.external_id,
                "chat_key": w.item.chat_key,
                "payload": w.item.payload,
            }
            for w in batch
        ]
        try:
            async with self._sessions.begin(urgent=True) as session:
                results = await queue.insert_inbox_rows(session, rows, now=self._clock())
        except Exception as exc:  # the callers answer 500 and the channel retries
            log.exception("inbox commit failed for %d updates", len(batch))
            for waiting in batch:
                if not waiting.done.done():
                    waiting.done.set_exception(exc)
            return
        self.commits += 1
        INBOX_COMMITS.inc()
        INBOX_STORED.inc(len(batch))
        for waiting, is_new in zip(batch, results, strict=True):
            if not waiting.done.done():
                waiting.done.set_result(is_new)
        if self._on_stored is not None:
            self._on_stored()


@dataclass
class InboxWorker(ChatLanes):
    """Processes stored updates: one chat's in arrival order, different chats side by side."""

    sessions: Sessions
    channels: Mapping[str, Channel]
    ctx: Context
    dispatch: Dispatch
    clock: Clock = system_clock
    on_outbox: Callable[[], None] | None = None
    gate: IngestGate = field(default_factory=IngestGate)
    concurrency: int = 16
    max_attempts: int = 5
    poll_seconds: float = 1.0
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    _busy_chats: set[str] = field(default_factory=set)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def run_once(self) -> int:
        """Start a lane for every chat with pending updates; how many were started."""
        async with self.sessions() as session:
            rows = await queue.pending_inbox(session, limit=2000, max_attempts=self.max_attempts)
        by_chat: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for row_id, channel, chat_key in rows:
            by_chat[chat_key].append((row_id, channel))
        started = 0
        for chat_key, items in by_chat.items():
            if self.lane_free(chat_key):
                self.open_lane(chat_key, self._process_chat(chat_key, items))
                started += 1
        return started

    async def _process_chat(self, chat_key: str, items: list[tuple[int, str]]) -> None:
        try:
            for row_id, channel in items:
                async with self.gate.turn():
                    ok = await self.process(row_id, channel)
                if not ok:
                    break  # keep this chat's order: later updates wait for the failed one
        finally:
            self.close_lane(chat_key)

    async def process(self, row_id: int, channel_name: str) -> bool:
        """Parse outside the transaction (it may download), decide inside it; False on failure."""
        try:
            inbounds = await self._parse(row_id, channel_name)
            async with self.sessions.begin() as session:
                now = self.clock()
                if not await queue.claim_inbox_row(session, row_id, now):
                    return True
                for inbound in inbounds:
                    for out in await self.dispatch(session, inbound, now=now, ctx=self.ctx):
                        session.add(outbox_row(out, now))
        except Exception as exc:
            log.exception("inbox row %d (%s) failed", row_id, channel_name)
            async with self.sessions.begin() as session:
                await queue.record_inbox_failure(session, row_id, f"{type(exc).__name__}: {exc}")
            return False
        if self.on_outbox is not None:
            self.on_outbox()
        return True

    async def _parse(self, row_id: int, channel_name: str) -> list[Inbound]:
        channel = self.channels.get(channel_name)
        if channel is None:
            raise LookupError(f"channel {channel_name} is not running")
        async with self.sessions() as session:
            payload: dict[str, Any] = await queue.inbox_payload(session, row_id)
        return await channel.parse(payload)


def outbox_row(out: Outbound, now: Any) -> OutboxRow:
    return OutboxRow(**outbox_values(out, now))


def outbox_values(out: Outbound, now: Any) -> dict[str, Any]:
    """The outbox row's columns for `out`; bulk writers (the SLA sweep) insert these as they are."""
    return {
        "channel": out.channel,
        "chat_id": out.chat_id,
        "payload": out.to_json(),
        "ticket_ref": out.ticket_ref,
        "key": out.key or (out.edit_key if out.kind is OutboundKind.EDIT else None),
        "created_at": now,
        "next_attempt_at": now,
        "attempts": 0,
        # which way a ticket's news went: WhatsApp's template (outside the 24-hour window) or not
        "delivery_mode": "template" if out.template else "session",
    }
