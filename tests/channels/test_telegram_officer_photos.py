"""An officer's photo in a staff group is kept by Lapor, so a WhatsApp resident gets it too.

python-telegram-bot's own getFile and download run against the fake Bot API, which holds the
file as Telegram would.
"""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from bot.channels.base import InboundKind
from bot.channels.media import MediaStore, stored_id
from bot.channels.telegram import TelegramChannel
from db.engine import Sessions
from tests.channels.test_telegram_parse import group_message, load
from tests.channels.test_telegram_send import settings_for
from tests.channels.test_telegram_staff_sends import phone_photo
from tests.fakes.telegram_api import FakeBotApi

OFFICER_PHOTO = "AgACAgUAAxkBAAIBofficer"


def with_photo(payload: dict[str, Any], file_id: str) -> dict[str, Any]:
    message = payload["message"]
    message.pop("text", None)
    message["caption"] = "sudah ditambal"
    message["photo"] = [
        {"file_id": f"{file_id}-small", "file_unique_id": "s", "width": 90, "height": 67},
        {"file_id": file_id, "file_unique_id": "b", "width": 1280, "height": 960},
    ]
    return payload


async def test_an_officers_photo_is_stored_without_exif_and_named_for_every_channel(
    sessions: Sessions,
) -> None:
    store = MediaStore(sessions)
    async with FakeBotApi() as api:
        api.add_file(OFFICER_PHOTO, phone_photo())
        telegram = TelegramChannel(settings_for(api), media=store)
        await telegram.start()
        try:
            [first] = await telegram.parse(with_photo(group_message(), OFFICER_PHOTO))
            [again] = await telegram.parse(with_photo(group_message(), OFFICER_PHOTO))
        finally:
            await telegram.stop()
    assert first.kind is InboundKind.PHOTO and first.text == "sudah ditambal"
    [media] = first.media
    row_id = stored_id(media.file_id)
    assert row_id is not None, media
    row = await store.load(row_id)
    assert row is not None
    assert b"Redmi" not in row.data and not Image.open(io.BytesIO(row.data)).getexif()
    assert again.media == first.media  # a parse retried by the inbox downloads nothing new
    assert len(api.calls_to("getFile")) == 1


async def test_a_file_telegram_will_not_hand_out_stays_a_telegram_id(sessions: Sessions) -> None:
    async with FakeBotApi() as api:  # holds no such file: getFile answers 400
        telegram = TelegramChannel(settings_for(api), media=MediaStore(sessions))
        await telegram.start()
        try:
            [inbound] = await telegram.parse(with_photo(group_message(), OFFICER_PHOTO))
        finally:
            await telegram.stop()
    assert [m.file_id for m in inbound.media] == [OFFICER_PHOTO]


async def test_a_residents_own_photo_keeps_its_telegram_id(sessions: Sessions) -> None:
    async with FakeBotApi() as api:
        telegram = TelegramChannel(settings_for(api), media=MediaStore(sessions))
        await telegram.start()
        try:
            [inbound] = await telegram.parse(load("photo_with_caption"))
        finally:
            await telegram.stop()
    assert inbound.kind is InboundKind.PHOTO
    assert stored_id(inbound.media[0].file_id) is None
    assert api.calls_to("getFile") == []
