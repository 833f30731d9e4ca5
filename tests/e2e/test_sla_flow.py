"""The SLA end to end: a report through the webhook that nobody answers, and time passing.

The real app (inbox, handlers, outbox, PTB's client to the fake Bot API) runs on a clock the
test moves; sweeps are the service's own (`bot.jobs.run_sweep`), started by the test instead
of the scheduler, at exactly the moments that matter and a second before them. What the fake
Bot API received is what officers and supervisors would have read.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from aiohttp.test_utils import TestClient, TestServer

from bot.jobs import run_sweep
from bot.web.app import make_app
from tests.conftest import Database
from tests.e2e.staff_world import SUPERVISORS_CHAT, staff_catalog
from tests.e2e.telegram_world import PUPR_CHAT, World, settings_for
from tests.e2e.test_staff_flow import report
from tests.fakes.telegram_api import FakeBotApi

WIB = ZoneInfo("Asia/Jakarta")
HEAD_CHAT, SEKDA_CHAT = -1001000000081, -1001000000082
SECOND = timedelta(seconds=1)
STAFF_CHATS = (PUPR_CHAT, SUPERVISORS_CHAT, HEAD_CHAT, SEKDA_CHAT)


@dataclass
class MovableClock:
    """The service's clock, moved by the test."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now


def sla_catalog(tmp: Path) -> Path:
    """The staff catalog with chats for both escalation levels (Kepala Dinas, Sekda)."""
    path = staff_catalog(tmp)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    chats = {"kepala_dinas": HEAD_CHAT, "sekda": SEKDA_CHAT}
    for level in data["sla"]["escalation"]:
        level["chat"] = {"telegram_chat_id": chats[level["code"]]}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


class SlaWorld:
    """One `lapor serve` at a time on one database; `restart` is a new process's app."""

    def __init__(self, database: Database, api: FakeBotApi, tmp: Path, clock: MovableClock) -> None:
        self.database, self.api, self.tmp, self.clock = database, api, tmp, clock
        self.client: TestClient[Any, Any] | None = None
        self.world: World | None = None

    async def start(self) -> World:
        settings = await settings_for(
            self.database, self.api, self.tmp, catalog_path=sla_catalog(self.tmp),
            sla_sweep_seconds=0,  # the test runs the sweeps, at the moments it chooses
        )  # fmt: skip
        app = make_app(settings, clock=self.clock)
        self.client = TestClient(TestServer(app))
        await self.client.start_server()
        self.world = World(self.client, self.api, app)
        return self.world

    async def stop(self) -> None:
        if self.client is not None:
            await self.client.close()
        self.client = self.world = None

    async def sweep(
        self, at: datetime, *, limit: int = 1000, on_outbox: Callable[[], None] | None = None
    ) -> list[tuple[int, str]]:
        """One sweep as if at `at`, its messages sent; (chat, first line) of what arrived."""
        assert self.world is not None
        self.clock.now = at
        services = self.world.services
        before = len(self.api.sent)
        try:
            await run_sweep(
                services.sessions, services.ctx, at, limit=limit,
                on_outbox=on_outbox or services.dispatcher.wake,
            )  # fmt: skip
        finally:
            services.dispatcher.wake()
            await self.world.settle()
        return [
            (int(m["chat_id"]), str(m.get("text", "")).splitlines()[0])
            for m in self.api.sent[before:]
            if m["chat_id"] in STAFF_CHATS
        ]


@pytest.fixture
async def sla(database: Database, api: FakeBotApi, tmp_path: Path) -> AsyncIterator[SlaWorld]:
    clock = MovableClock(datetime(2026, 1, 12, 9, 0, tzinfo=WIB))  # a Monday, no holiday near
    world = SlaWorld(database, api, tmp_path, clock)
    await world.start()
    try:
        yield world
    finally:
        await world.stop()


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 1, day, hour, minute, tzinfo=WIB)


async def test_an_unanswered_report_warns_breaches_and_escalates_once_each_never_early(
    sla: SlaWorld,
) -> None:
    assert sla.world is not None
    ref = await report(sla.world)  # Monday 09:00; PUPR: first response within 8 working hours
    assert await sla.sweep(at(12, 9, 1)) == []  # a minute later: nothing
    # office hours 07:30-12:00 and 13:00-16:00: 75% (6 h) at Monday 16:00, 8 h at Tuesday
    # 09:30, 1.5x at Tuesday 14:30, 2x at Wednesday 10:00
    moments = {
        at(12, 16): (PUPR_CHAT, f"⏰ Pengingat SLA {ref}"),
        at(13, 9, 30): (SUPERVISORS_CHAT, f"🚨 Lewat batas SLA {ref}"),
        at(13, 14, 30): (HEAD_CHAT, f"🚨 Eskalasi ke Kepala Dinas: {ref}"),
        at(14, 10): (SEKDA_CHAT, f"🚨 Eskalasi ke Sekretaris Daerah: {ref}"),
    }
    for moment, expected in moments.items():
        assert await sla.sweep(moment - SECOND) == [], moment  # a second early: nothing
        assert await sla.sweep(moment) == [expected]
        assert await sla.sweep(moment) == []  # the same sweep again: nothing more
    assert await sla.sweep(at(14, 10) + timedelta(days=31)) == []  # the ladder has ended
    breach = next(m for m in sla.api.sent if m["chat_id"] == SUPERVISORS_CHAT)
    labels = [b["text"] for row in breach["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["Riwayat", "Alihkan"]


async def test_a_month_later_one_alert_per_level_across_a_restart_mid_sweep(
    sla: SlaWorld,
) -> None:
    assert sla.world is not None
    refs = [
        await report(sla.world, text)
        for text in (
            "jalan berlubang besar di Jl. Hayam Wuruk depan toko",
            "aspal rusak parah di Jl. Brawijaya dekat pasar",
            "jalan berlubang dalam di Jl. Dhoho sebelah bank",
        )
    ]

    def crash() -> None:
        raise RuntimeError("the process dies after its first batch committed")

    month = at(12, 9) + timedelta(days=31)
    with pytest.raises(RuntimeError):
        await sla.sweep(month, limit=1, on_outbox=crash)
    await sla.stop()  # the process is gone; another one starts on the same database
    await sla.start()
    await sla.sweep(month)
    assert await sla.sweep(month) == []  # a second sweep: nothing more
    assert await sla.sweep(month + timedelta(minutes=1)) == []
    for ref in refs:
        got = sorted(
            chat for m in sla.api.sent for chat in [m["chat_id"]]
            if chat in STAFF_CHATS and ref in str(m.get("text", "")).splitlines()[0]
        )  # fmt: skip
        assert got == sorted(STAFF_CHATS), ref  # warning, breach, Kepala Dinas, Sekda: once
