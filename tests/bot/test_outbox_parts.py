"""One outbox row, several channel messages (a long text in parts, a location request and its
buttons' follow-up): a retry after a failure in the middle sends only the parts not delivered."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bot.channels.telegram import TelegramChannel
from bot.config import Settings
from bot.queue.inbox import outbox_row
from bot.queue.outbox import OutboxDispatcher
from db.engine import Sessions
from db.tables import OutboxRow
from handlers.messages import Button, Outbound
from tests.fakes.telegram_api import FakeBotApi

NOW = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)
RESIDENT = "555001"


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def telegram() -> AsyncIterator[tuple[FakeBotApi, TelegramChannel]]:
    async with FakeBotApi() as api:
        settings = Settings(
            _env_file=None,
            telegram_bot_token=SecretStr(api.token),
            telegram_api_base_url=api.base_url,
        )
        channel = TelegramChannel(settings)
        await channel.start()
        yield api, channel
        await channel.stop()


async def the_row(sessions: Sessions) -> OutboxRow:
    async with sessions() as session:
        return (await session.execute(select(OutboxRow))).scalar_one()


async def test_a_retry_sends_only_the_parts_not_delivered(
    sessions: Sessions, telegram: tuple[FakeBotApi, TelegramChannel]
) -> None:
    api, channel = telegram
    paragraphs = [f"Bagian {n}: " + "jalan rusak parah " * 200 for n in range(3)]
    long = Outbound(
        channel="telegram",
        chat_id=RESIDENT,
        text="\n\n".join(paragraphs),
        buttons=((Button("Kirim", "confirm:yes"),),),
    )
    async with sessions.begin() as session:
        session.add(outbox_row(long, NOW))
    api.fail_next("sendMessage", status=502, after=1)  # the first part goes, the second fails
    clock = Clock()
    dispatcher = OutboxDispatcher(sessions, {"telegram": channel}, clock=clock)
    await dispatcher.drain()
    row = await the_row(sessions)
    assert row.sent_at is None and row.parts_sent == 1
    clock.now = row.next_attempt_at + timedelta(seconds=1)
    await dispatcher.drain()
    texts = [m["text"] for m in api.sent]
    assert len(texts) >= 3 and texts[0].startswith("Bagian 0")
    assert sum(t.startswith("Bagian 0") for t in texts) == 1  # not sent again
    assert "Bagian 2" in texts[-1] and api.sent[-1].get("reply_markup")  # buttons on the last
    row = await the_row(sessions)
    assert row.sent_at is not None
    assert row.external_id is not None  # the part with the buttons: what later edits name
