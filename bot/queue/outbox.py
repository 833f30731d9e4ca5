"""The outbox dispatcher: sends what handlers decided, once committed, until it goes through.

Order is kept per chat (a chat's second message waits for its first). Channel limits are the
adapter's business (python-telegram-bot's AIORateLimiter); here we obey what the channel says
back: `retry_after` on 429, exponential backoff on 5xx and timeouts, a dead letter after
`max_attempts` or at once when the channel will never accept the message.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from bot.channels.base import Channel, Outbound, OutboundKind, SendError
from bot.clock import Clock, system_clock
from bot.queue.gate import IngestGate
from bot.queue.lanes import ChatLanes
from db import queue
from db.engine import Sessions
from db.tables import OutboxRow

log = logging.getLogger(__name__)


def row_id(row: OutboxRow) -> int:
    if row.id is None:
        raise ValueError("outbox row was never stored")
    return row.id


def backoff(attempt: int, *, base: float = 2.0, cap: float = 600.0) -> float:
    """Seconds before retry `attempt` (1-based): doubling, capped, with jitter against herds."""
    delay: float = min(cap, base * 2.0 ** (attempt - 1))
    return delay * random.uniform(0.8, 1.2)  # noqa: S311  (jitter, not security)


@dataclass
class OutboxDispatcher(ChatLanes):
    sessions: Sessions
    channels: Mapping[str, Channel]
    clock: Clock = system_clock
    gate: IngestGate = field(default_factory=IngestGate)
    max_attempts: int = 8
    concurrency: int = 32
    poll_seconds: float = 1.0
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    _busy_chats: set[tuple[str, str]] = field(default_factory=set)
    _finished_during_read: set[tuple[str, str]] = field(default_factory=set)
    _reading: asyncio.Lock = field(default_factory=asyncio.Lock)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def run_once(self) -> int:
        """Start a sender for every chat with due messages; how many chats have work.

        The rows are read before we look at who is busy, so a chat that was being sent to at
        any moment of the read is left for the next round: its rows may already be sent.
        """
        if not self.channels:
            return 0
        async with self._reading:
            return await self._start_senders()

    async def _start_senders(self) -> int:
        busy_before = set(self._busy_chats)
        self._finished_during_read = set()
        async with self.sessions() as session:
            rows = await queue.pending_outbox(session, channels=list(self.channels), limit=2000)
        stale = busy_before | self._finished_during_read
        now = self.clock()
        by_chat: dict[tuple[str, str], list[OutboxRow]] = defaultdict(list)
        waiting: set[tuple[str, str]] = set()
        for row in rows:
            chat = (row.channel, row.chat_id)
            if chat in waiting or row.next_attempt_at > now:
                waiting.add(chat)  # everything after a message that is not due yet waits too
                continue
            by_chat[chat].append(row)
        with_work = 0
        for chat, chat_rows in by_chat.items():
            with_work += 1  # started now, or `drain` must look again
            if chat not in stale and self.lane_free(chat):
                self.open_lane(chat, self._send_chat(chat, chat_rows))
        return with_work

    async def _send_chat(self, chat: tuple[str, str], rows: list[OutboxRow]) -> None:
        try:
            for row in rows:
                async with self.gate.turn():
                    ok = await self.send(row)
                if not ok:
                    break
        finally:
            self._finished_during_read.add(chat)
            self.close_lane(chat)

    async def send(self, row: OutboxRow) -> bool:
        """Send one row and record the outcome; False when the chat should wait."""
        out = await self._resolve_keys(row, Outbound.from_json(row.payload))
        try:
            external_id = await self.channels[row.channel].send(out)
        except SendError as exc:
            await self._record_failure(row, exc)
            return not exc.retryable  # a dead letter does not hold up the rest of the chat
        except Exception as exc:  # an adapter bug must not kill the dispatcher
            log.exception("outbox row %d: unexpected error from %s", row.id, row.channel)
            await self._record_failure(row, SendError(repr(exc), retryable=True))
            return False
        if out.kind is OutboundKind.EDIT:
            external_id = out.target_message_id  # an edited message keeps its id
        async with self.sessions.begin() as session:
            await queue.mark_sent(session, row_id(row), external_id=external_id, now=self.clock())
        return True

    async def _resolve_keys(self, row: OutboxRow, out: Outbound) -> Outbound:
        """Turn the keys a handler wrote into the ids the channel gave those messages.

        A chat's rows go out in order, so a message named by a key was sent before this row,
        unless it was given up: then an edit goes as a new message (which takes the key, so the
        next edit finds it), and a reply or a topic post goes to the chat itself.
        """
        if not (out.edit_key or out.reply_key or out.thread_key):
            return out
        changes: dict[str, object] = {}
        async with self.sessions() as session:

            async def lookup(key: str) -> str | None:
                return await queue.sent_message_id(
                    session, channel=row.channel, chat_id=row.chat_id, key=key
                )

            if out.kind is OutboundKind.EDIT and out.edit_key:
                target = await lookup(out.edit_key)
                if target is None:
                    changes["kind"] = OutboundKind.MESSAGE
                else:
                    changes["target_message_id"] = target
            if out.reply_key:
                changes["reply_to_message_id"] = await lookup(out.reply_key)
            if out.thread_key:
                thread = await lookup(out.thread_key)
                changes["thread_id"] = int(thread) if thread and thread.isdigit() else None
        return dataclasses.replace(out, **changes)  # type: ignore[arg-type]

    async def _record_failure(self, row: OutboxRow, exc: SendError) -> None:
        now = self.clock()
        error = f"{type(exc).__name__}: {exc}"
        async with self.sessions.begin() as session:
            if not exc.retryable or row.attempts + 1 >= self.max_attempts:
                log.warning("outbox row %d dead-lettered: %s", row.id, error)
                await queue.mark_failed(session, row_id(row), error=error, now=now)
            elif exc.retry_after is not None:
                # the channel's own wish; not the message's fault, so not counted as an attempt
                at = now + timedelta(seconds=exc.retry_after)
                await queue.mark_retry(
                    session, row_id(row), error=error, at=at, count_attempt=False
                )
            else:
                at = now + timedelta(seconds=backoff(row.attempts + 1))
                await queue.mark_retry(session, row_id(row), error=error, at=at, count_attempt=True)
