"""What officers see in their group: cards edited in place, photos, map pins, forum topics.

Every `OutboundKind` goes through python-telegram-bot's real client to the fake Bot API, which
keeps messages and topics as Telegram does (and refuses what Telegram refuses).
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import ExifTags, Image

from bot.channels.base import Button, Outbound, OutboundKind, SendError
from bot.channels.media import MediaStore
from bot.channels.telegram import TelegramChannel
from db.engine import Sessions
from tests.channels.test_telegram_send import api, channel, settings_for
from tests.fakes.telegram_api import FakeBotApi

GROUP = "-1001000000000"
CHAT = (-1001000000000,)
ACCEPT = ((Button("Terima", "accept:KDR-26-000001"), Button("Tolak", "reject:KDR-26-000001")),)


__all__ = ["api", "channel"]  # the fixtures, shared with test_telegram_send


def staff(kind: OutboundKind = OutboundKind.MESSAGE, text: str = "", **fields: Any) -> Outbound:
    return Outbound(channel="telegram", chat_id=GROUP, kind=kind, text=text, **fields)


def edit(message_id: str | None, text: str, **fields: Any) -> Outbound:
    return staff(OutboundKind.EDIT, text, target_message_id=message_id, **fields)


def held(api: FakeBotApi, message_id: str | None) -> dict[str, Any]:
    """The message as officers see it now."""
    assert message_id is not None
    return api.messages[(CHAT[0], int(message_id))]


# --- editing a card ------------------------------------------------------------------------


async def test_a_card_is_edited_in_place_with_its_new_buttons(
    channel: TelegramChannel, api: FakeBotApi
) -> None:
    card = await channel.send(staff(text="KDR-26-000001 Baru", buttons=ACCEPT))
    done = ((Button("Selesai", "resolve:KDR-26-000001"),),)
    assert await channel.send(edit(card, "KDR-26-000001 Diterima", buttons=done)) == card
    now = held(api, card)
    assert now["text"] == "KDR-26-000001 Diterima"
    assert now["reply_markup"]["inline_keyboard"] == [
        [{"text": "Selesai", "callback_data": "resolve:KDR-26-000001"}]
    ]
    assert len(api.sent) == 1, "an edit posts nothing new"


async def test_an_edit_without_buttons_takes_them_away(
    channel: TelegramChannel, api: FakeBotApi
) -> None:
    card = await channel.send(staff(text="KDR-26-000001 Baru", buttons=ACCEPT))
    await channel.send(edit(card, "KDR-26-000001 Ditutup"))
    assert "reply_markup" not in held(api, card)


async def test_an_edit_that_changes_nothing_counts_as_done(
    channel: TelegramChannel, api: FakeBotApi
) -> None:
    card = await channel.send(staff(text="KDR-26-000001 Baru", buttons=ACCEPT))
    # A retried edit, or two changes rendering the same card: Telegram says "not modified".
    assert await channel.send(edit(card, "KDR-26-000001 Baru", buttons=ACCEPT)) == card
    assert api.attempts.count("editMessageText") == 1
    assert api.edits == []


async def test_a_photo_card_has_its_caption_edited(
    channel: TelegramChannel, api: FakeBotApi
) -> None:
    card = await channel.send(
        staff(OutboundKind.PHOTO, "KDR-26-000001 Baru", media="AgACfile", buttons=ACCEPT)
    )
    assert await channel.send(edit(card, "KDR-26-000001 Diterima")) == card
    assert held(api, card)["caption"] == "KDR-26-000001 Diterima"
    assert [e["caption"] for e in api.edits] == ["KDR-26-000001 Diterima"]


async def test_a_card_that_is_gone_is_posted_anew(
    channel: TelegramChannel, api: FakeBotApi
) -> None:
    # An admin deleted the card: the officers still need to see the ticket's state.
    new_id = await channel.send(edit("424242", "KDR-26-000001 Diterima", buttons=ACCEPT))
    assert new_id is not None and new_id != "424242"
    assert held(api, new_id)["text"] == "KDR-26-000001 Diterima"


async def test_an_edit_of_a_bad_chat_fails_for_good(
    channel: TelegramChannel, api: FakeBotApi
) -> None:
    api.fail_next("editMessageText", 400, description="Bad Request: chat not found")
    error = await _error(channel, edit("1", "KDR-26-000001"))
    assert not error.retryable


async def test_links_never_unfurl_in_messages_or_edits(
    channel: TelegramChannel, api: FakeBotApi
) -> None:
    text = "Lubang di https://maps.google.com/?q=-7.8,112.0 lihat https://bit.ly/foto"
    card = await channel.send(staff(text=text))
    await channel.send(edit(card, text + " (diterima)"))
    for params in (*api.calls_to("sendMessage"), *api.calls_to("editMessageText")):
        assert params["link_preview_options"] == {"is_disabled": True}


# --- photos ----------------------------------------------------------------------------------


def phone_photo() -> bytes:
    """A portrait phone photo stored sideways with EXIF orientation, GPS and the phone model."""
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # rotate 90° to show upright
    exif[ExifTags.Base.Model] = "Redmi Note 12"
    exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitude] = (7.0, 49.0, 12.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


async def test_a_stored_photo_is_uploaded_upright_without_exif(
    api: FakeBotApi, sessions: Sessions
) -> None:
    store = MediaStore(sessions)
    original = phone_photo()
    assert b"Redmi" in original and Image.open(io.BytesIO(original)).getexif()
    row_id = await store.save("whatsapp", "wa-photo-1", "image/jpeg", original)
    telegram = TelegramChannel(settings_for(api), media=store)
    await telegram.start()
    try:
        sent = await telegram.send(
            staff(OutboundKind.PHOTO, "Foto tambahan KDR-26-000001", media=f"media:{row_id}")
        )
    finally:
        await telegram.stop()
    assert sent is not None
    [upload] = api.uploads
    assert (upload.method, upload.field) == ("sendPhoto", "photo")
    uploaded = Image.open(io.BytesIO(upload.data))
    assert not uploaded.getexif(), "no GPS, phone model or time reaches the officers"
    assert b"Redmi" not in upload.data
    assert uploaded.size == (30, 40), "turned upright before its orientation tag was dropped"
    assert api.sent[0]["caption"] == "Foto tambahan KDR-26-000001"


async def test_a_telegram_file_id_is_sent_as_it_is(
    channel: TelegramChannel, api: FakeBotApi
) -> None:
    out = staff(OutboundKind.PHOTO, "", media="AgACAgUAAxkBAAIBresident", reply_to_message_id="7")
    assert await channel.send(out) is not None
    [sent] = api.sent
    assert sent["photo"] == "AgACAgUAAxkBAAIBresident" and "caption" not in sent
    assert sent["reply_parameters"]["message_id"] == 7
    assert api.uploads == []


async def test_a_photo_telegram_cannot_have_is_given_up(
    channel: TelegramChannel, api: FakeBotApi
) -> None:
    for media in ("whatsapp-media:900000000000001", "media:999", None):
        assert not (await _error(channel, staff(OutboundKind.PHOTO, media=media))).retryable
    assert api.sent == []


async def test_a_missing_stored_photo_is_given_up(api: FakeBotApi, sessions: Sessions) -> None:
    telegram = TelegramChannel(settings_for(api), media=MediaStore(sessions))
    await telegram.start()
    try:
        error = await _error(telegram, staff(OutboundKind.PHOTO, media="media:404"))
    finally:
        await telegram.stop()
    assert not error.retryable and "404" in str(error)


async def test_a_caption_too_long_is_cut_to_telegrams_limit(
    channel: TelegramChannel, api: FakeBotApi
) -> None:
    await channel.send(staff(OutboundKind.PHOTO, "kata " * 400, media="AgACfile"))
    caption = api.sent[0]["caption"]
    assert len(caption) <= 1024 and caption.endswith("…")


# --- locations -------------------------------------------------------------------------------


async def test_a_location_arrives_as_a_map_pin(channel: TelegramChannel, api: FakeBotApi) -> None:
    out = staff(OutboundKind.LOCATION, latitude=-7.8166, longitude=112.0118, thread_id=None)
    assert await channel.send(out) is not None
    [sent] = api.sent
    assert (sent["latitude"], sent["longitude"]) == (-7.8166, 112.0118)
    assert api.calls_to("sendLocation") == [sent]


async def test_a_named_place_arrives_as_a_venue(channel: TelegramChannel, api: FakeBotApi) -> None:
    out = staff(OutboundKind.LOCATION, "Jl. Dhoho 12", latitude=-7.8166, longitude=112.0118)
    message_id = await channel.send(out)
    venue = held(api, message_id)["venue"]
    assert venue["title"] == "Jl. Dhoho 12"
    assert venue["location"] == {"latitude": -7.8166, "longitude": 112.0118}


async def test_a_location_without_coordinates_is_given_up(
    channel: TelegramChannel, api: FakeBotApi
) -> None:
    assert not (await _error(channel, staff(OutboundKind.LOCATION, latitude=-7.8))).retryable
    assert api.attempts == ["getMe"]


# --- forum topics ----------------------------------------------------------------------------


async def test_a_topic_is_opened_and_its_thread_id_returned(
    channel: TelegramChannel, api: FakeBotApi
) -> None:
    thread = await channel.send(staff(OutboundKind.OPEN_TOPIC, "KDR-26-000001 Jalan berlubang"))
    assert thread is not None
    assert api.topics[(CHAT[0], int(thread))].name == "KDR-26-000001 Jalan berlubang"
    # What the outbox records under the row's key is what a post into the topic needs.
    posted = await channel.send(staff(text="Kartu", thread_id=int(thread)))
    assert held(api, posted)["message_thread_id"] == int(thread)


async def test_a_topic_is_closed_and_reopened_each_once(
    channel: TelegramChannel, api: FakeBotApi
) -> None:
    thread = await channel.send(staff(OutboundKind.OPEN_TOPIC, "KDR-26-000001"))
    assert thread is not None
    close = staff(OutboundKind.CLOSE_TOPIC, thread_id=int(thread))
    assert await channel.send(close) == thread
    assert api.topics[(CHAT[0], int(thread))].closed
    assert await channel.send(close) == thread, "closed already: done, not failed"
    reopen = staff(OutboundKind.REOPEN_TOPIC, thread_id=int(thread))
    assert await channel.send(reopen) == thread
    assert not api.topics[(CHAT[0], int(thread))].closed
    assert api.attempts.count("closeForumTopic") == 2


async def test_a_topic_never_opened_is_not_closed(
    channel: TelegramChannel, api: FakeBotApi
) -> None:
    assert await channel.send(staff(OutboundKind.CLOSE_TOPIC, thread_key="topic:KDR")) is None
    assert "closeForumTopic" not in api.attempts


async def test_a_topic_in_a_plain_group_is_given_up(
    channel: TelegramChannel, api: FakeBotApi
) -> None:
    out = Outbound(channel="telegram", chat_id="-4000000", kind=OutboundKind.OPEN_TOPIC, text="T")
    assert not (await _error(channel, out)).retryable


async def _error(channel: TelegramChannel, out: Outbound) -> SendError:
    with pytest.raises(SendError) as caught:
        await channel.send(out)
    return caught.value
