"""A ticket's life in an officers' forum group, through the real dispatcher, PTB and the fake.

Handlers name messages by key (they decide before anything is sent); the dispatcher records the
id each send returns under the row's key — a topic's thread id, a card's message id — and the
later rows that name those keys land in that topic and edit that card.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.channels.base import Button, Outbound, OutboundKind
from bot.channels.telegram import TelegramChannel
from bot.queue.inbox import outbox_row
from bot.queue.outbox import OutboxDispatcher
from db.engine import Sessions
from tests.channels.test_telegram_send import settings_for
from tests.fakes.telegram_api import FakeBotApi

GROUP = "-1001000000000"
REF = "KDR-26-000001"
NOW = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as fake:
        yield fake


def staff(kind: OutboundKind, text: str = "", **fields: object) -> Outbound:
    return Outbound(channel="telegram", chat_id=GROUP, kind=kind, text=text, **fields)  # type: ignore[arg-type]


async def decide(sessions: Sessions, *outs: Outbound) -> None:
    async with sessions.begin() as session:
        for out in outs:
            session.add(outbox_row(out, NOW))


async def test_a_ticket_gets_a_topic_a_card_edited_in_it_and_the_topic_closed(
    api: FakeBotApi, sessions: Sessions
) -> None:
    telegram = TelegramChannel(settings_for(api))
    await telegram.start()
    dispatcher = OutboxDispatcher(sessions, {"telegram": telegram}, clock=lambda: NOW)
    topic, card = f"topic:{REF}", f"card:{REF}"
    accept = ((Button("Terima", f"accept:{REF}"),),)
    try:
        await decide(
            sessions,
            staff(OutboundKind.OPEN_TOPIC, f"{REF} Jalan berlubang", key=topic),
            staff(OutboundKind.MESSAGE, f"{REF} Baru", key=card, thread_key=topic, buttons=accept),
        )
        await dispatcher.drain()
        await decide(
            sessions,
            staff(OutboundKind.EDIT, f"{REF} Selesai", edit_key=card, thread_key=topic),
            staff(OutboundKind.CLOSE_TOPIC, thread_key=topic),
        )
        await dispatcher.drain()
    finally:
        await telegram.stop()
    [(chat_id, thread_id)] = list(api.topics)
    assert api.topics[(chat_id, thread_id)].closed
    [posted] = api.sent
    assert posted["message_thread_id"] == thread_id, "the card is posted in the ticket's topic"
    [(_, card_id)] = [k for k in api.messages if k[0] == chat_id]
    assert api.messages[(chat_id, card_id)]["text"] == f"{REF} Selesai", "edited in place"
    assert "reply_markup" not in api.messages[(chat_id, card_id)]
