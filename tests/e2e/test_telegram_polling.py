"""Polling mode (a laptop with no public URL): updates take the webhook's path through the inbox."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from db.tables import InboxRow
from tests.conftest import Database
from tests.e2e.telegram_world import RESIDENT, open_world, settings_for
from tests.fakes.telegram_api import FakeBotApi


async def test_polled_updates_are_stored_and_answered(
    database: Database, api: FakeBotApi, tmp_path: Path
) -> None:
    settings = await settings_for(database, api, tmp_path, telegram_mode="polling")
    world, client = await open_world(settings, api)
    try:
        api.add_update(world.text("/start"))
        await api.wait_for_sent(1, timeout=10)
        assert api.sent[0]["chat_id"] == RESIDENT
        assert api.calls_to("deleteWebhook")  # polling and a webhook cannot both be set
        async with world.services.sessions() as session:
            count = await session.scalar(sa.select(sa.func.count()).select_from(InboxRow))
        assert count == 1
    finally:
        await client.close()


async def test_a_polled_update_that_cannot_be_stored_is_skipped_not_fetched_forever(
    database: Database, api: FakeBotApi, tmp_path: Path
) -> None:
    settings = await settings_for(database, api, tmp_path, telegram_mode="polling")
    world, client = await open_world(settings, api)
    try:
        api.add_update(world.text("lubang \ud800"))  # a lone surrogate: no database takes it
        api.add_update(world.text("/start"))
        await api.wait_for_sent(1, timeout=10)
        async with world.services.sessions() as session:
            count = await session.scalar(sa.select(sa.func.count()).select_from(InboxRow))
        assert count == 1
    finally:
        await client.close()
