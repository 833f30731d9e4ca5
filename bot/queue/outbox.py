"""The outbox dispatcher: sends what handlers decided, once committed, until it goes through.

Order is kept per chat (only a chat's head row is claimed). Channel limits are the adapter's
business (python-telegram-bot's AIORateLimiter); here we obey what the channel says back:
429 pauses the whole channel for `retry_after` (with jitter), 5xx and timeouts back off, a
refusal is a dead letter at once, "blocked by the user" stops writing to that resident, and
an exception that is not a `SendError` is Lapor's own bug: a dead letter with its traceback,
unless it is the database failing mid-send (a fetched photo stored, a part recorded): then the
row waits a moment and no attempt counts, as in the inbox.
A picture another channel holds is fetched through that channel before it is sent; a photo
that cannot be had goes as its caption and the handler's line saying so, not as a dead letter.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
import time
import traceback
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from prometheus_client import Histogram

from bot.channels.base import (
    SENDING,
    Channel,
    MediaHolder,
    Outbound,
    OutboundKind,
    PartLog,
    SendError,
)
from bot.clock import Clock, system_clock
from bot.queue.backoff import OUTAGE_RETRY_SECONDS, backoff
from bot.queue.election import SenderElection
from bot.queue.gate import IngestGate
from bot.queue.health import Health
from bot.queue.lanes import ChatLanes, instance_id
from db import queue
from db.engine import Sessions, is_outage
from db.tables import OutboxRow

log = logging.getLogger(__name__)

MARK_SENT_GAP = Histogram(
    "lapor_outbox_mark_sent_seconds",
    "From the channel accepting a message to its row marked sent (a crash in between re-sends)",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)

BLOCKED_ERROR = "blocked: the person blocked the bot (written to again once they write)"


def row_id(row: OutboxRow) -> int:
    if row.id is None:
        raise ValueError("outbox row was never stored")
    return row.id


@dataclass
class OutboxDispatcher(ChatLanes):
    """Claims the due head message of each chat (with a lease, so several instances share one
    outbox), sends it, and records what the channel said, each in its own short commit."""

    sessions: Sessions
    channels: Mapping[str, Channel]
    clock: Clock = system_clock
    gate: IngestGate = field(default_factory=IngestGate)
    health: Health = field(default_factory=Health)
    owner: str = field(default_factory=instance_id)
    name: str = "outbox-dispatcher"
    max_attempts: int = 8
    concurrency: int = 32
    lease: timedelta = timedelta(seconds=30)  # longer than any send's timeouts and waits
    poll_seconds: float = 1.0
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    _claiming: asyncio.Lock = field(default_factory=asyncio.Lock)
    _busy_chats: set[int] = field(default_factory=set)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _paused_until: dict[str, datetime] = field(default_factory=dict)
    election: SenderElection | None = None  # several instances: one sends for each channel

    def _open_channels(self, now: datetime) -> list[str]:
        """Channels not in a bot-wide pause (a 429 is the channel's limit for the whole bot)."""
        return [c for c in self.channels if self._paused_until.get(c, now) <= now]

    async def claim_and_start(self) -> int:
        """Claim the due head row of as many chats as there are free lanes; how many."""
        now = self.clock()
        channels = self._open_channels(now)
        free = self.free_lanes()
        if not channels or free == 0:
            return 0
        if self.election is not None:
            channels = await self.election.mine(channels)
            if not channels:
                return 0
        async with self.sessions.begin() as session:
            rows = await queue.claim_outbox_heads(
                session, channels=channels, owner=self.owner, now=now, lease=self.lease, limit=free
            )
            blocked = await queue.blocked_chats(session, {(r.channel, r.chat_id) for r in rows})
        for row in rows:
            if (row.channel, row.chat_id) in blocked:
                self.open_lane(row_id(row), self._skip_blocked(row))
            else:
                self.open_lane(row_id(row), self._send_in_turn(row))
        return len(rows)

    async def _send_in_turn(self, row: OutboxRow) -> None:
        async with self.gate.turn():
            await self.send(row)

    async def _skip_blocked(self, row: OutboxRow) -> None:
        """The resident blocked Lapor: nothing is written to them until they write again."""
        async with self.sessions.begin() as session:
            await queue.mark_failed(session, row_id(row), error=BLOCKED_ERROR, now=self.clock())

    async def send(self, row: OutboxRow) -> None:
        """Send one claimed row and record the outcome."""
        try:
            out = Outbound.from_json(row.payload)
        except Exception:
            await self._our_bug(row)
            return
        out = await self._resolve_keys(row, out)  # a database error here: the lease returns it
        parts = PartLog(row.parts_sent, row.external_id, self._parts_recorder(row))
        token = SENDING.set(parts)
        try:
            external_id = await self._send_out(row, out)
        except SendError as exc:
            await self._record_failure(row, exc)
            return
        except Exception as exc:
            if is_outage(exc):  # storing a fetched photo, recording a part: not the message's
                await self._database_out(row, exc)
            else:  # Lapor's own bug, not the channel's answer: retrying will not help
                await self._our_bug(row)
            return
        finally:
            SENDING.reset(token)
        if out.kind is OutboundKind.EDIT:
            # Edited in place, a message keeps its id; a channel that cannot edit (WhatsApp),
            # or a card deleted meanwhile, sent a new message: that one is the card from now on.
            external_id = external_id or out.target_message_id
        # its own short commit, first in line: a crash between "accepted" and this re-sends
        accepted = time.perf_counter()
        async with self.sessions.begin(urgent=True) as session:
            await queue.mark_sent(session, row_id(row), external_id=external_id, now=self.clock())
        MARK_SENT_GAP.observe(time.perf_counter() - accepted)

    async def _send_out(self, row: OutboxRow, out: Outbound) -> str | None:
        """Send through the row's channel; a photo first fetched from the channel holding it.

        A photo that cannot be had (its holder says never, or the last attempt failed) goes as
        its caption and the handler's line saying so (`photo_missing`): the officers still get
        the report's message, and the chat's later messages are not held up behind it.
        """
        channel = self.channels[row.channel]
        if out.kind is not OutboundKind.PHOTO or not out.media:
            return await channel.send(out)
        try:
            return await channel.send(await self._fetched(row.channel, out))
        except SendError as exc:
            last = not exc.retryable or row.attempts + 1 >= self.max_attempts
            if not out.photo_missing or exc.blocked or exc.retry_after is not None or not last:
                raise
            log.warning("outbox row %d: photo not to be had (%s); caption sent alone", row.id, exc)
            text = f"{out.text}\n{out.photo_missing}" if out.text.strip() else out.photo_missing
            return await channel.send(
                dataclasses.replace(out, kind=OutboundKind.MESSAGE, media=None, text=text)
            )

    async def _fetched(self, channel: str, out: Outbound) -> Outbound:
        """A picture another channel holds (a resident's WhatsApp photo not downloaded at
        intake) is fetched through that channel into the media store, for this one to send."""
        for holder in self.channels.values():
            if holder.name == channel or not isinstance(holder, MediaHolder):
                continue
            try:
                stored = await holder.fetch_media(out.media or "")
            except SendError as exc:  # the holder's limits are not this channel's: no pause
                raise SendError(str(exc), retryable=exc.retryable) from exc
            if stored is not None:
                return dataclasses.replace(out, media=stored)
        return out

    def _parts_recorder(self, row: OutboxRow) -> Callable[[int, str | None], Awaitable[None]]:
        async def record(done: int, message_id: str | None) -> None:
            """Each part in its own short commit as soon as the channel accepted it."""
            async with self.sessions.begin(urgent=True) as session:
                await queue.record_parts(session, row_id(row), done=done, external_id=message_id)

        return record

    async def _database_out(self, row: OutboxRow, exc: Exception) -> None:
        """The database failed mid-send: tried again shortly, no attempt counted (when even that
        cannot be recorded, the claim's lease returns the row)."""
        log.warning("outbox row %d: database unavailable mid-send: %r", row.id, exc)
        try:
            async with self.sessions.begin() as session:
                await queue.mark_retry(
                    session,
                    row_id(row),
                    error=f"{type(exc).__name__}: {exc}",
                    at=self.clock() + timedelta(seconds=OUTAGE_RETRY_SECONDS),
                    count_attempt=False,
                )
        except Exception:
            log.warning("outbox row %d: left to its lease", row.id, exc_info=True)

    async def _our_bug(self, row: OutboxRow) -> None:
        log.exception("outbox row %d: Lapor's own error, given up (not retried)", row.id)
        error = "Lapor's error: " + traceback.format_exc(limit=8)
        async with self.sessions.begin() as session:
            await queue.mark_failed(session, row_id(row), error=error, now=self.clock())

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
            if exc.blocked:
                log.warning("outbox row %d: the person blocked the bot; not writing again", row.id)
                await queue.block_chat(session, row.channel, row.chat_id, now=now)
                await queue.mark_failed(session, row_id(row), error=BLOCKED_ERROR, now=now)
            elif not exc.retryable or row.attempts + 1 >= self.max_attempts:
                log.warning("outbox row %d dead-lettered: %s", row.id, error)
                await queue.mark_failed(session, row_id(row), error=error, now=now)
            elif exc.retry_after is not None:
                # the channel's limit for the whole bot: every chat of this channel waits (with
                # jitter, so the instances and chats do not all come back at the same instant);
                # not the message's fault, so not counted as an attempt
                pause = exc.retry_after * random.uniform(1.0, 1.2)  # noqa: S311
                until = now + timedelta(seconds=pause)
                self._paused_until[row.channel] = max(
                    until, self._paused_until.get(row.channel, now)
                )
                log.warning("%s asks to slow down: pausing its sends %.1f s", row.channel, pause)
                await queue.mark_retry(
                    session, row_id(row), error=error, at=until, count_attempt=False
                )
            else:
                at = now + timedelta(seconds=backoff(row.attempts + 1))
                await queue.mark_retry(session, row_id(row), error=error, at=at, count_attempt=True)
