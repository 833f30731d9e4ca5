from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import Database
from tests.e2e.telegram_world import World, open_world, settings_for
from tests.fakes.telegram_api import FakeBotApi


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as fake:
        yield fake


@pytest.fixture
async def world(database: Database, api: FakeBotApi, tmp_path: Path) -> AsyncIterator[World]:
    settings = await settings_for(database, api, tmp_path)
    world, client = await open_world(settings, api)
    try:
        yield world
    finally:
        await client.close()
