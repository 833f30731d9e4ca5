"""The inbox: store each raw update once, then turn it into handler decisions, in order per chat.

A webhook answers 200 only after its update is committed here; from then on the update cannot be
lost: a crash before processing leaves the row pending, and the worker takes it up on restart.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from prometheus_client import Counter

from bot.channels.base import Channel, Inbound, InboxItem, Unreadable
from bot.clock import Clock, system_clock
from bot.queue.backoff import OUTAGE_RETRY_SECONDS, backoff
from bot.queue.gate import IngestGate
from bot.queue.health import Health
from bot.queue.lanes import ChatLanes, instance_id
from db import queue
from db.engine import JSONText, Sessions, is_outage
from db.tables import OutboxRow
from handlers.context import Context
from handlers.messages import Outbound, OutboundKind

log = logging.getLogger(__name__)

INBOX_COMMITS = Counter("lapor_inbox_commits_total", "Group commits of the inbox writer")
INBOX_STORED = Counter("lapor_inbox_stored_total", "Updates written by the inbox writer")

Dispatch = Callable[..., Awaitable[list[Outbound]]]
MAX_ATTEMPTS = 5  # then the update is parked until `lapor failures --retry`


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
                "payload": w.item.payload if w.item.raw is None else JSONText(w.item.raw),
            }
            for w in batch
        ]
        try:
            results = await self._insert(rows)
        except Exception as exc:
            if len(batch) > 1 and not is_outage(exc):
                # one unstorable item must not fail the innocent ones it was batched with
                log.warning(
                    "inbox commit of %d failed (%r); storing them one by one", len(batch), exc
                )
                for waiting, row in zip(batch, rows, strict=True):
                    await self._flush_one(waiting, row)
                return
            log.exception("inbox commit failed for %d updates", len(batch))
            for waiting in batch:
                if not waiting.done.done():
                    waiting.done.set_exception(exc)  # the callers answer 500; the channel retries
            return
        for waiting, is_new in zip(batch, results, strict=True):
            if not waiting.done.done():
                waiting.done.set_result(is_new)
        self._stored(len(batch))

    async def _insert(self, rows: list[dict[str, Any]]) -> list[bool]:
        async with self._sessions.connection(urgent=True) as conn:
            return await queue.insert_inbox_rows(conn, rows, now=self._clock())

    async def _flush_one(self, waiting: _Waiting, row: dict[str, Any]) -> None:
        try:
            (is_new,) = await self._insert([row])
        except Exception as exc:
            log.exception("inbox: update %s cannot be stored", waiting.item.channel)
            if not waiting.done.done():
                waiting.done.set_exception(exc)
            return
        if not waiting.done.done():
            waiting.done.set_result(is_new)
        self._stored(1)

    def _stored(self, count: int) -> None:
        self.commits += 1
        INBOX_COMMITS.inc()
        INBOX_STORED.inc(count)
        if self._on_stored is not None:
            self._on_stored()


@dataclass
class InboxWorker(ChatLanes):
    """Processes stored updates: one chat's in arrival order, different chats side by side.

    Takes only rows of the channels this process runs (`lapor chat` beside `lapor serve`), and
    only a chat's head row, claimed with a lease: several processes share one inbox safely.
    """

    sessions: Sessions
    channels: Mapping[str, Channel]
    ctx: Context
    dispatch: Dispatch
    clock: Clock = system_clock
    on_outbox: Callable[[], None] | None = None
    gate: IngestGate = field(default_factory=IngestGate)
    health: Health = field(default_factory=Health)
    owner: str = field(default_factory=instance_id)
    name: str = "inbox-worker"
    concurrency: int = 16
    max_attempts: int = MAX_ATTEMPTS
    lease: timedelta = timedelta(seconds=30)
    poll_seconds: float = 1.0
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    _claiming: asyncio.Lock = field(default_factory=asyncio.Lock)
    _busy_chats: set[int] = field(default_factory=set)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def claim_and_start(self) -> int:
        """Claim the due head row of as many chats as there are free lanes; how many."""
        free = self.free_lanes()
        if free == 0 or not self.channels:
            return 0
        async with self.sessions.begin() as session:
            claimed = await queue.claim_inbox_heads(
                session,
                channels=list(self.channels),
                owner=self.owner,
                now=self.clock(),
                lease=self.lease,
                max_attempts=self.max_attempts,
                limit=free,
            )
        for row_id, channel, _chat in claimed:
            self.open_lane(row_id, self._process_in_turn(row_id, channel))
        return len(claimed)

    async def _process_in_turn(self, row_id: int, channel: str) -> None:
        async with self.gate.turn():
            await self.process(row_id, channel)

    async def process(self, row_id: int, channel_name: str) -> bool:
        """Parse outside the transaction (it may download), decide inside it; False on failure."""
        try:
            inbounds = await self._parse(row_id, channel_name)
        except Unreadable as exc:  # bad input: no retry can help, nobody is answered
            log.warning("inbox row %d (%s) is unreadable: %s", row_id, channel_name, exc)
            async with self.sessions.begin() as session:
                await queue.finish_inbox_row(
                    session, row_id, owner=self.owner, now=self.clock(), error=f"unreadable: {exc}"
                )
            return True
        except Exception as exc:
            await self._failed(row_id, channel_name, exc)
            return False
        try:
            async with self.sessions.begin() as session:
                now = self.clock()
                if not await queue.finish_inbox_row(session, row_id, owner=self.owner, now=now):
                    return True  # our lease ran out and another worker has it: theirs now
                for inbound in inbounds:
                    for out in await self.dispatch(session, inbound, now=now, ctx=self.ctx):
                        session.add(outbox_row(out, now))
        except Exception as exc:
            await self._failed(row_id, channel_name, exc)
            return False
        if self.on_outbox is not None:
            self.on_outbox()
        return True

    async def _failed(self, row_id: int, channel_name: str, exc: Exception) -> None:
        """Try again later with growing backoff; a database outage is not the update's fault
        and uses no attempt (when the database cannot even record that, the lease returns it)."""
        outage = is_outage(exc)
        if outage:
            log.warning("inbox row %d (%s): database unavailable: %r", row_id, channel_name, exc)
        else:
            log.exception("inbox row %d (%s) failed", row_id, channel_name)
        async with self.sessions.begin() as session:
            attempts = await queue.inbox_attempts(session, row_id)
            delay = OUTAGE_RETRY_SECONDS if outage else backoff(attempts + 1, base=2.0, cap=300.0)
            await queue.record_inbox_failure(
                session,
                row_id,
                owner=self.owner,
                error=f"{type(exc).__name__}: {exc}",
                at=self.clock() + timedelta(seconds=delay),
                count_attempt=not outage,
            )

    async def _parse(self, row_id: int, channel_name: str) -> list[Inbound]:
        channel = self.channels[channel_name]  # claims take only channels this process runs
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
