"""A resident's WhatsApp photo that Graph could not hand out at intake reaches the officers'
Telegram group all the same: fetched when the card is posted, or, if it can no longer be had,
named in a message with its caption; never a dead letter.

End to end (`make_app` with both channels, FakeGraphApi and FakeBotApi on loopback), and
through the real dispatcher on a clock the test moves, for Graph failing on the card's tries.
"""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestClient, TestServer
from PIL import Image
from pydantic import SecretStr

from bot.channels.base import Channel, Outbound, OutboundKind
from bot.channels.media import MediaStore
from bot.channels.telegram import TelegramChannel
from bot.channels.whatsapp import WhatsAppChannel
from bot.channels.whatsapp.media import KEPT_MEDIA_PREFIX
from bot.queue.inbox import outbox_row
from bot.queue.outbox import OutboxDispatcher
from bot.web.app import make_app
from bot.web.keys import SERVICES
from db.engine import Sessions
from db.tables import MediaFile, OutboxRow
from tests.conftest import Database
from tests.e2e.telegram_world import PUPR_CHAT, settings_for
from tests.e2e.whatsapp import Lapor
from tests.fakes.graph_api import APP_SECRET, PHONE_NUMBER_ID, VERIFY_TOKEN, FakeGraphApi
from tests.fakes.settings import channel_settings
from tests.fakes.telegram_api import FakeBotApi

TICKET = re.compile(r"KDR-\d{2}-\d{6}")
MEDIA_ID = "900000000000777"
REPORT = "jalan berlubang besar dan aspal rusak parah, motor sering jatuh"
MISSING_ID = "(Foto tidak dapat diambil dari percakapan pelapor.)"


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "gray").save(out, format="JPEG")
    return out.getvalue()


@dataclass
class Both:
    """A WhatsApp resident (`lapor`) and the officers' Telegram groups (`telegram`)."""

    lapor: Lapor
    telegram: FakeBotApi
    graph: FakeGraphApi

    def to_officers(self) -> list[dict[str, Any]]:
        return [m for m in self.telegram.sent if m["chat_id"] == PUPR_CHAT]

    async def report_with_photo(self) -> str:
        """Text, no location, the photo, Kirim: the ticket's reference."""
        await self.lapor.say(REPORT)
        await self.lapor.tap("Lewati")  # no location
        image = {"id": MEDIA_ID, "mime_type": "image/jpeg", "caption": "lubangnya"}
        await self.lapor.send(self.lapor.payload("image", image))
        if "Kirim" not in self.lapor.offered():  # the router was unsure: the first agency
            await self.lapor.tap(self.lapor.offered()[0])
        [receipt] = await self.lapor.tap("Kirim")
        found = TICKET.search(receipt)
        assert found, receipt
        return found.group()

    async def outbox(self) -> list[OutboxRow]:
        return await self.lapor.outbox()


@pytest.fixture
async def both(database: Database, tmp_path: Path) -> AsyncIterator[Both]:
    async with FakeBotApi() as telegram, FakeGraphApi() as graph:
        graph.add_media(MEDIA_ID, jpeg())
        settings = await settings_for(
            database,
            telegram,
            tmp_path,
            whatsapp_access_token=SecretStr(graph.token),
            whatsapp_phone_number_id=PHONE_NUMBER_ID,
            whatsapp_app_secret=SecretStr(APP_SECRET),
            whatsapp_verify_token=SecretStr(VERIFY_TOKEN),
            whatsapp_api_base_url=graph.base_url,
        )
        app = make_app(settings)
        async with TestClient(TestServer(app)) as client:
            await app[SERVICES].stop_background()  # only `settle()` works the queues
            yield Both(Lapor(client, graph), telegram, graph)


async def test_a_photo_graph_failed_to_give_at_intake_is_fetched_for_the_card(
    both: Both,
) -> None:
    both.graph.fail_media_next(500)  # at intake; the card's try then gets it
    ref = await both.report_with_photo()
    photos = [m for m in both.to_officers() if "photo" in m]
    assert len(photos) == 1 and photos[0]["caption"] == f"Foto dari pelapor untuk {ref}"
    assert both.graph.media_requests == [MEDIA_ID, MEDIA_ID]
    async with both.lapor.services.sessions() as session:
        kept = (await session.execute(sa.select(MediaFile))).scalars().all()
    assert [m.external_id for m in kept] == [MEDIA_ID], "kept now, for the next card too"
    assert all(row.failed_at is None for row in await both.outbox())


async def test_a_photo_graph_no_longer_has_is_named_beside_the_card(both: Both) -> None:
    both.graph.forget_media(MEDIA_ID)  # 404, at intake and ever after
    ref = await both.report_with_photo()
    officers = both.to_officers()
    assert any(f"Laporan baru {ref}" in m.get("text", "") for m in officers), "the card is there"
    assert not [m for m in officers if "photo" in m]
    assert f"Foto dari pelapor untuk {ref}\n{MISSING_ID}" in [m.get("text") for m in officers]
    assert all(row.failed_at is None for row in await both.outbox()), "no dead letter"
    assert both.graph.media_requests == [MEDIA_ID, MEDIA_ID], "a 404 is not asked again"


# --- Graph failing on the card's own tries: the dispatcher's retries -----------------------

NOW = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)
GROUP = str(PUPR_CHAT)
REF = "KDR-26-000001"


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Senders:
    dispatcher: OutboxDispatcher
    clock: Clock
    telegram: FakeBotApi
    graph: FakeGraphApi
    sessions: Sessions

    async def photo_beside_the_card(self) -> None:
        out = Outbound(
            channel="telegram",
            chat_id=GROUP,
            kind=OutboundKind.PHOTO,
            text=f"Foto dari pelapor untuk {REF}",
            media=f"{KEPT_MEDIA_PREFIX}{MEDIA_ID}",
            photo_missing=MISSING_ID,
            ticket_ref=REF,
        )
        async with self.sessions.begin() as session:
            session.add(outbox_row(out, NOW))

    async def rows(self) -> list[OutboxRow]:
        async with self.sessions() as session:
            return list((await session.execute(sa.select(OutboxRow))).scalars().all())

    async def later(self) -> None:
        """Past the row's backoff, then a dispatcher round."""
        self.clock.now += timedelta(minutes=10)
        await self.dispatcher.drain()


@pytest.fixture
async def senders(sessions: Sessions) -> AsyncIterator[Senders]:
    async with FakeBotApi() as telegram_api, FakeGraphApi() as graph:
        graph.add_media(MEDIA_ID, jpeg())
        settings = channel_settings(telegram_api, graph)
        telegram = TelegramChannel(settings, media=MediaStore(sessions))
        whatsapp = WhatsAppChannel(settings, media=MediaStore(sessions))
        await telegram.start()
        await whatsapp.start()
        clock = Clock()
        channels: dict[str, Channel] = {"telegram": telegram, "whatsapp": whatsapp}
        dispatcher = OutboxDispatcher(sessions, channels, clock=clock, max_attempts=3)
        try:
            yield Senders(dispatcher, clock, telegram_api, graph, sessions)
        finally:
            await whatsapp.stop()
            await telegram.stop()


async def test_graph_failing_once_on_the_card_is_tried_again(senders: Senders) -> None:
    senders.graph.fail_media_next(500)
    await senders.photo_beside_the_card()
    await senders.dispatcher.drain()
    assert senders.telegram.sent == [], "not given up, not sent without its photo"
    [row] = await senders.rows()
    assert row.attempts == 1 and row.sent_at is None and row.failed_at is None
    await senders.later()
    [photo] = senders.telegram.sent
    assert photo["caption"] == f"Foto dari pelapor untuk {REF}" and "photo" in photo
    assert [u.method for u in senders.telegram.uploads] == ["sendPhoto"]


async def test_graph_failing_on_every_try_leaves_the_caption_and_a_line(
    senders: Senders,
) -> None:
    senders.graph.fail_media_next(500, times=10)
    await senders.photo_beside_the_card()
    await senders.dispatcher.drain()
    await senders.later()
    assert senders.telegram.sent == []
    await senders.later()  # the last of three attempts
    [message] = senders.telegram.sent
    assert message["text"] == f"Foto dari pelapor untuk {REF}\n{MISSING_ID}"
    [row] = await senders.rows()
    assert row.sent_at is not None and row.failed_at is None
    assert len(senders.graph.media_requests) == 3
