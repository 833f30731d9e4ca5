"""The inbox: stored once, processed once, in order per chat, with its decisions in one commit."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.channels.base import InboxItem
from bot.queue.gate import IngestGate
from bot.queue.inbox import InboxWorker, InboxWriter
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


def worker(sessions: Sessions, dispatch: Any) -> InboxWorker:
    return InboxWorker(sessions, {"test": RecordingChannel()}, CTX, dispatch, clock=lambda: NOW)


async def count(sessions: Sessions, table: Any, *where: Any) -> int:
    async with sessions() as session:
        stmt = sa.select(sa.func.count()).select_from(table).where(*where)
        return int((await session.execute(stmt)).scalar_one())


async def test_retried_delivery_is_stored_once(sessions: Sessions) -> None:
    writer = InboxWriter(sessions)
    assert await writer.store(item(1)) is True
    assert await writer.store(item(1)) is False
    assert await count(sessions, InboxRow) == 1


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
    w = worker(sessions, echo)
    await w.run_once()
    await asyncio.gather(*list(w._tasks))
    assert await count(sessions, OutboxRow) == 0  # nothing half-decided was committed
    assert echo.seen == ["boom"]  # the chat's next update waits for the failed one
    async with sessions() as session:
        row = (
            await session.execute(sa.select(InboxRow).where(col(InboxRow.external_id) == "1"))
        ).scalar_one()
    assert row.done_at is None and row.attempts == 1 and "handler bug" in (row.error or "")
    echo.fail_on.clear()  # the bug is fixed and the service restarted: a new worker
    await worker(sessions, echo).drain()
    assert echo.seen == ["boom", "boom", "after"]
    assert await count(sessions, OutboxRow) == 2


async def test_an_update_is_processed_once_by_two_workers(sessions: Sessions) -> None:
    writer, echo = InboxWriter(sessions), Echo()
    for n in range(10):
        await writer.store(item(n, chat=f"c{n}"))
    await asyncio.gather(worker(sessions, echo).drain(), worker(sessions, echo).drain())
    assert await count(sessions, OutboxRow) == 10


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
