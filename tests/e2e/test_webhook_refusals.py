"""What can never be stored gets a clear 400 at the webhook, alone; everything else is kept.

Before the checks, one such update failed the group commit it shared with innocent ones (500
for all of them), and deep nesting raised RecursionError (500).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa

from db.tables import InboxRow
from tests.conftest import Database
from tests.e2e.telegram_world import SECRET, World
from tests.e2e.whatsapp import SITI, Lapor, open_lapor
from tests.fakes.graph_api import contact, message, webhook

LONE_SURROGATE = "\ud800"


async def post_raw(world: World, body: bytes) -> tuple[int, str]:
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    resp = await world.client.post("/telegram/webhook", data=body, headers=headers)
    return resp.status, await resp.text()


async def stored(world: World) -> int:
    async with world.services.sessions() as session:
        return int(await session.scalar(sa.select(sa.func.count()).select_from(InboxRow)) or 0)


def dumps(value: Any) -> bytes:
    """JSON as a careless sender writes it: lone surrogates escaped, NaN allowed."""
    return json.dumps(value, allow_nan=True).encode()


def nested(depth: int) -> bytes:
    return b'{"update_id": 1, "message": ' + b"[" * depth + b"]" * depth + b"}"


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda u: u["message"].update(text="jalan " + LONE_SURROGATE), "lone surrogate"),
        (lambda u: u["message"].update(text="nul\x00byte"), "NUL"),
        (lambda u: u["message"]["from"].update(first_name=LONE_SURROGATE), "lone surrogate"),
        (lambda u: u["message"].update(location={"latitude": float("nan")}), "NaN"),
        (lambda u: u["message"].update(location={"latitude": float("inf")}), "NaN or infinite"),
        (lambda u: u.update(update_id=10**200), "longer than 128"),
    ],
)
async def test_a_telegram_update_that_can_never_be_stored_is_a_clear_400(
    world: World, mutate: Any, reason: str
) -> None:
    bad = world.text("ada lubang")
    mutate(bad)
    status, text = await post_raw(world, dumps(bad))
    assert status == 400 and reason in text
    assert await stored(world) == 0
    # The next update is not held up by it.
    assert await world.post(world.text("/start")) == 200
    assert await stored(world) == 1 and world.to_resident()


@pytest.mark.parametrize("depth", [1000, 100_000])
async def test_deep_nesting_is_a_400_on_both_webhooks(
    world: World, database: Database, depth: int
) -> None:
    status, text = await post_raw(world, nested(depth))
    assert status == 400 and "nested deeper" in text
    async with open_lapor(database) as lapor:
        assert await lapor.post(nested(depth)) == 400
        assert await lapor.count(InboxRow) == 0
    assert await stored(world) == 0


async def test_one_bad_update_among_concurrent_ones_fails_alone(world: World) -> None:
    good = [world.text(f"laporan {i}") for i in range(40)]
    bad = world.text("x" + LONE_SURROGATE)
    bodies = [dumps(u) for u in good[:20]] + [dumps(bad)] + [dumps(u) for u in good[20:]]
    answers = await asyncio.gather(*(post_raw(world, b) for b in bodies))
    statuses = [status for status, _ in answers]
    assert statuses.count(200) == 40 and statuses.count(400) == 1
    assert statuses[20] == 400
    assert await stored(world) == 40


@pytest.fixture
async def lapor(database: Database) -> AsyncIterator[Lapor]:
    async with open_lapor(database) as app:
        yield app


def two_messages(good_text: str, bad: dict[str, Any]) -> dict[str, Any]:
    ok = message(SITI, "wamid.GOOD_0001", "text", {"body": good_text})
    other = {**message("6281200000002", "wamid.BAD_0001", "text", {"body": "halo"}), **bad}
    people = [contact(SITI), contact("6281200000002", "Budi")]
    return webhook(contacts=people, messages=[ok, other])


@pytest.mark.parametrize(
    "bad",
    [
        {"id": "wamid." + "X" * 200},
        {"text": {"body": "lampu mati " + LONE_SURROGATE}},
        {"location": {"latitude": float("nan"), "longitude": 112.0}, "type": "location"},
        {"id": "wamid.NUL\x00"},
    ],
)
async def test_a_whatsapp_post_keeps_its_good_message_beside_a_bad_one(
    lapor: Lapor, bad: dict[str, Any]
) -> None:
    assert await lapor.post(dumps(two_messages("/start", bad))) == 200
    async with lapor.services.sessions() as session:
        rows = (await session.execute(sa.select(InboxRow))).scalars().all()
    ids = [row.external_id for row in rows]
    assert ids == ["wamid.GOOD_0001"]
    await lapor.settle()
    assert lapor.api.sent and all(body["to"] == SITI for body in lapor.api.sent)


async def test_a_whatsapp_post_with_nothing_storable_is_a_400(lapor: Lapor) -> None:
    only_bad = webhook(
        contacts=[contact(SITI)],
        messages=[message(SITI, "wamid." + "Y" * 300, "text", {"body": "halo"})],
    )
    assert await lapor.post(dumps(only_bad)) == 400
    assert await lapor.count(InboxRow) == 0
