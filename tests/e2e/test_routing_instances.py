"""Several instances: an officer's routing correction, made through one `lapor serve`, is
learned by another on the same database within `ROUTING_LEARN_SECONDS`, and by neither twice.

Instance A is the whole app (webhooks, queues, the scheduler), where the triage officer picks
the agency; instance B is a second process's services and scheduler on the same database, as
`lapor serve` builds them. SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import system_clock
from bot.scheduler import running_scheduler
from bot.services import Services, open_services
from tests.conftest import Database
from tests.e2e.staff_world import TRIAGE_OFFICER, card, staff_catalog, tap
from tests.e2e.telegram_world import TRIAGE_CHAT, World, open_world, settings_for
from tests.fakes.telegram_api import FakeBotApi

REF = re.compile(r"KDR-\d{2}-\d{6}")
# The router cannot tell whose this is (it goes to triage, as in test_staff_flow's triage
# test); one correction teaches it.
VAGUE = "tolong dibantu pak, ada masalah di depan rumah saya"
LOOK_ALIKE = "tolong dibantu pak, ada masalah di depan rumah kami"


@pytest.fixture
async def two(
    database: Database, api: FakeBotApi, tmp_path: Path
) -> AsyncIterator[tuple[World, Services]]:
    settings = await settings_for(
        database,
        api,
        tmp_path,
        catalog_path=staff_catalog(tmp_path),
        routing_learn_seconds=1,
        sla_sweep_seconds=0,
    )
    world, client = await open_world(settings, api)
    try:
        async with (
            open_services(settings) as other,
            running_scheduler(
                other.sessions, other.ctx, clock=system_clock, sweep_seconds=0, learn_seconds=1
            ),
        ):
            yield world, other
    finally:
        await client.close()


async def report_to_triage(world: World, text: str) -> str:
    await world.post(world.text(text))
    while "Kirim" not in str(world.to_resident()[-1].get("reply_markup", "")):
        labels = [
            b["text"]
            for row in world.to_resident()[-1].get("reply_markup", {}).get("inline_keyboard", [])
            for b in row
        ]
        if "Tidak tahu" in labels:
            await world.post(world.tap("Tidak tahu"))
        elif "Lewati" in labels:
            await world.post(world.tap("Lewati"))
        else:  # the location question, with a keyboard of its own
            await world.post(world.text("Jl. Dhoho 12"))
    await world.post(world.tap("Kirim"))
    found = REF.search(world.to_resident()[-1]["text"])
    assert found, world.to_resident()[-1]["text"]
    return found.group()


async def learned_within(services: Services, text: str, code: str, seconds: float) -> bool:
    for _ in range(int(seconds * 20)):
        if services.ctx.router.route(text).opd == code:
            return True
        await asyncio.sleep(0.05)
    return False


async def test_a_triage_pick_in_one_instance_is_learned_by_the_other_once(
    two: tuple[World, Services],
) -> None:
    world, other = two
    assert other.ctx.router.route(LOOK_ALIKE).opd != "BPBD"
    ref = await report_to_triage(world, VAGUE)
    triage_id, _ = card(world, TRIAGE_CHAT, ref)
    await world.post(tap(world, TRIAGE_CHAT, triage_id, "BPBD", user=TRIAGE_OFFICER))
    assert world.services.ctx.router.route(LOOK_ALIKE).opd == "BPBD", "learned at once here"

    assert await learned_within(other, LOOK_ALIKE, "BPBD", seconds=5), "and there, by the job"
    await asyncio.sleep(2.5)  # more runs of both instances' jobs
    for instance in (world.services, other):
        assert instance.ctx.router.examples.count((VAGUE, "BPBD")) == 1, "learned once"
