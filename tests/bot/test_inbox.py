"""The inbox: stored once, processed once, in order per chat, with its decisions in one commit."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.channels.base import InboxItem, Unreadable
from bot.queue.gate import IngestGate
from bot.queue.inbox import InboxWorker, InboxWriter
from db import queue
from db.engine import Sessions
from db.tables import InboxRow, OutboxRow
from handlers.context import Context
from handlers.messages import Inbound, InboundKind, Outbound
from routing.catalog import parse_catalog
from routing.matcher import Router
from tests.bot.channels import RecordingChannel

CATALOG = parse_catalog(
    """
agencies:
  - {code: PUPR, name: Dinas PUPR, kind: internal, keywords: [jalan rusak],
     sla: {first_response_hours: 8, resolution_hours: 120}}
"""
)
CTX = Context(catalog=CATALOG, router=Router(CATALOG))
NOW = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)


def item(n: int, chat: str = "c1", text: str = "halo") -> InboxItem:
    inbound = Inbound(
        channel="test",
        chat_id=chat,
        user_id=chat,
        kind=InboundKind.TEXT,
        text=text,
        external_id=str(n),
    )
    return InboxItem("test", str(n), f"test:{chat}", inbound.to_json())


class Echo:
    """A dispatch that answers every text with itself, and can be told to fail on one text."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.fail_on: set[str] = set()

    async def __call__(
        self, session: AsyncSession, inbound: Inbound, *, now: datetime, ctx: Context
    ) -> list[Outbound]:
        assert inbound.text is not None
        self.seen.append(inbound.text)
        if inbound.text in self.fail_on:
            raise RuntimeError("handler bug")
        return [Outbound(channel="test", chat_id=inbound.chat_id, text=f"echo {inbound.text}")]


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def worker(sessions: Sessions, dispatch: Any, clock: Any = lambda: NOW) -> InboxWorker:
    return InboxWorker(sessions, {"test": RecordingChannel()}, CTX, dispatch, clock=clock)


async def inbox_row(sessions: Sessions, external_id: str) -> InboxRow:
    async with sessions() as session:
        stmt = sa.select(InboxRow).where(col(InboxRow.external_id) == external_id)
        return (await session.execute(stmt)).scalar_one()


async def count(sessions: Sessions, table: Any, *where: Any) -> int:
    async with sessions() as session:
        stmt = sa.select(sa.func.count()).select_from(table).where(*where)
        return int((await session.execute(stmt)).scalar_one())


async def test_retried_delivery_is_stored_once(sessions: Sessions) -> None:
    writer = InboxWriter(sessions)
    assert await writer.store(item(1)) is True
    assert await writer.store(item(1)) is False
    assert await count(sessions, InboxRow) == 1


async def test_an_update_stored_as_received_reads_back_as_the_same_update(
    sessions: Sessions,
) -> None:
    """The webhook stores a body's text as it came (no re-serialising): what is read back is the
    same update, with its arrival time, on SQLite's direct path and on PostgreSQL alike."""
    clock = Clock()
    writer = InboxWriter(sessions, clock=clock)
    as_sent = item(1, text="lampu mati 😀")
    raw = json.dumps(as_sent.payload, ensure_ascii=True)  # as Telegram sends it: escaped
    assert await writer.store(dataclasses.replace(as_sent, raw=raw)) is True
    assert await writer.store(item(2, text="jalan rusak")) is True
    first, second = await inbox_row(sessions, "1"), await inbox_row(sessions, "2")
    assert first.payload == json.loads(raw)
    assert second.payload == json.loads(json.dumps(item(2, text="jalan rusak").payload))
    assert first.received_at == NOW and first.attempts == 0 and first.done_at is None
    echo = Echo()
    await worker(sessions, echo).drain()
    assert echo.seen == ["lampu mati 😀", "jalan rusak"]


async def test_concurrent_updates_share_commits(sessions: Sessions) -> None:
    writer = InboxWriter(sessions)
    results = await asyncio.gather(*(writer.store(item(n, chat=f"c{n % 7}")) for n in range(200)))
    assert all(results)
    assert await count(sessions, InboxRow) == 200
    assert writer.commits < 200 / 4  # a burst is written in a few group commits, not 200


async def test_each_chat_is_processed_in_arrival_order(sessions: Sessions) -> None:
    writer, echo = InboxWriter(sessions), Echo()
    for n in range(30):
        await writer.store(item(n, chat=f"c{n % 3}", text=f"{n % 3}-{n}"))
    await worker(sessions, echo).drain()
    for chat in "012":
        texts = [t for t in echo.seen if t.startswith(chat)]
        assert texts == sorted(texts, key=lambda t: int(t.split("-")[1]))
    assert await count(sessions, InboxRow, InboxRow.done_at.is_(None)) == 0  # type: ignore[union-attr]
    assert await count(sessions, OutboxRow) == 30


async def test_a_failed_update_keeps_its_row_and_decides_nothing(sessions: Sessions) -> None:
    writer, echo = InboxWriter(sessions), Echo()
    echo.fail_on = {"boom"}
    await writer.store(item(1, text="boom"))
    await writer.store(item(2, text="after"))
    clock = Clock()
    await worker(sessions, echo, clock).drain()
    assert await count(sessions, OutboxRow) == 0  # nothing half-decided was committed
    assert echo.seen == ["boom"]  # the chat's next update waits for the failed one
    row = await inbox_row(sessions, "1")
    assert row.done_at is None and row.attempts == 1 and "handler bug" in (row.error or "")
    echo.fail_on.clear()  # the bug is fixed and the service restarted: a new worker
    assert row.next_attempt_at is not None
    clock.now = row.next_attempt_at
    await worker(sessions, echo, clock).drain()
    assert echo.seen == ["boom", "boom", "after"]
    assert await count(sessions, OutboxRow) == 2


async def test_an_update_is_processed_once_by_two_workers(sessions: Sessions) -> None:
    writer, echo = InboxWriter(sessions), Echo()
    for n in range(40):
        await writer.store(item(n, chat=f"c{n % 8}", text=f"{n % 8}-{n}"))
    await asyncio.gather(worker(sessions, echo).drain(), worker(sessions, echo).drain())
    assert await count(sessions, OutboxRow) == 40
    assert sorted(echo.seen) == sorted(set(echo.seen))  # none twice
    for chat in range(8):  # and each chat in arrival order, across the two workers
        texts = [t for t in echo.seen if t.startswith(f"{chat}-")]
        assert texts == sorted(texts, key=lambda t: int(t.split("-")[1]))


async def test_a_failing_update_backs_off_then_parks_until_retried(sessions: Sessions) -> None:
    writer, echo, clock = InboxWriter(sessions), Echo(), Clock()
    echo.fail_on = {"boom"}
    await writer.store(item(1, text="boom"))
    w = worker(sessions, echo, clock)
    waits = []
    for _ in range(8):  # more tries than allowed, each as soon as the row is due
        await w.drain()
        row = await inbox_row(sessions, "1")
        if row.next_attempt_at is not None and row.next_attempt_at > clock.now:
            waits.append((row.next_attempt_at - clock.now).total_seconds())
            clock.now = row.next_attempt_at
    assert echo.seen == ["boom"] * 5  # five tries, then parked for good
    assert waits == sorted(waits) and waits[-1] > 4 * waits[0]  # growing backoff
    clock.now += timedelta(days=1)
    await w.drain()
    assert echo.seen == ["boom"] * 5
    echo.fail_on.clear()  # the cause is fixed; the operator puts it back
    async with sessions.begin() as session:
        assert await queue.retry_inbox(session, max_attempts=w.max_attempts) == 1
    await w.drain()
    assert echo.seen == ["boom"] * 6 and await count(sessions, OutboxRow) == 1


async def test_a_database_outage_uses_no_attempt(sessions: Sessions) -> None:
    if sessions.engine.dialect.name != "postgresql":
        pytest.skip("the connection is cut by PostgreSQL's pg_terminate_backend")
    writer, clock = InboxWriter(sessions), Clock()
    cut: list[bool] = []

    async def outage_once(
        session: AsyncSession, inbound: Inbound, *, now: datetime, ctx: Context
    ) -> list[Outbound]:
        if not cut:
            cut.append(True)  # the server goes away under this transaction
            await session.execute(sa.text("SELECT pg_terminate_backend(pg_backend_pid())"))
        return [Outbound(channel="test", chat_id=inbound.chat_id, text="ok")]

    await writer.store(item(1))
    await worker(sessions, outage_once, clock).drain()
    row = await inbox_row(sessions, "1")
    assert row.done_at is None and row.attempts == 0  # not the update's fault
    assert row.next_attempt_at is not None
    clock.now = row.next_attempt_at
    await worker(sessions, outage_once, clock).drain()
    assert (await inbox_row(sessions, "1")).done_at is not None


async def test_rows_of_a_channel_this_process_does_not_run_are_left(sessions: Sessions) -> None:
    """`lapor chat` beside `lapor serve`: the server must not take the console's updates."""
    writer, echo = InboxWriter(sessions), Echo()
    await writer.store(InboxItem("console", "1", "console:me", item(1).payload))
    await worker(sessions, echo).drain()
    row = await inbox_row(sessions, "1")
    assert echo.seen == [] and row.attempts == 0 and row.done_at is None and row.error is None


class UnreadableChannel(RecordingChannel):
    async def parse(self, payload: dict[str, Any]) -> list[Inbound]:
        raise Unreadable("text is a list")


async def test_an_unreadable_update_is_kept_marked_and_never_retried(sessions: Sessions) -> None:
    writer, echo = InboxWriter(sessions), Echo()
    await writer.store(item(1))
    channels = {"test": UnreadableChannel()}
    await InboxWorker(sessions, channels, CTX, echo, clock=lambda: NOW).drain()
    row = await inbox_row(sessions, "1")
    assert row.done_at is not None and row.attempts == 0
    assert "text is a list" in (row.error or "")
    assert await count(sessions, OutboxRow) == 0


async def test_one_unstorable_update_fails_alone_in_its_group_commit(sessions: Sessions) -> None:
    writer = InboxWriter(sessions)
    good = [item(n, chat=f"c{n}") for n in range(20)]
    bad = InboxItem("test", "bad\ud800", "test:c99", item(99).payload)  # a lone surrogate
    results = await asyncio.gather(
        *(writer.store(i) for i in [*good[:10], bad, *good[10:]]), return_exceptions=True
    )
    assert [isinstance(r, Exception) for r in results] == [False] * 10 + [True] + [False] * 10
    assert await count(sessions, InboxRow) == 20


async def test_background_work_waits_for_a_pause_in_arrivals() -> None:
    gate = IngestGate(quiet=0.05, max_defer=5)
    order: list[str] = []

    async def burst() -> None:
        for _ in range(10):
            gate.arrived()
            await asyncio.sleep(0.01)
        order.append("burst over")

    async def background() -> None:
        async with gate.turn():
            order.append("background")

    gate.arrived()
    await asyncio.gather(burst(), background())
    assert order == ["burst over", "background"]


async def test_background_work_is_never_stopped_by_a_stream_of_arrivals() -> None:
    gate = IngestGate(quiet=0.05, max_defer=0.1)
    stop = asyncio.Event()

    async def stream() -> None:
        while not stop.is_set():
            gate.arrived()
            await asyncio.sleep(0.005)

    feeder = asyncio.create_task(stream())
    await asyncio.sleep(0.01)
    async with asyncio.timeout(2):  # gets its turn while arrivals never pause
        async with gate.turn():
            assert gate.busy()
    stop.set()
    await feeder
