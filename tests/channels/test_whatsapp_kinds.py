"""Kinds WhatsApp has no call for, and the pictures and pins it has: what a resident receives.

An edit arrives as a new message (WhatsApp cannot edit); a stored photo is uploaded to Graph
without its EXIF and sent by the id Graph gave it; a pin is a location message; forum topics
are Telegram's alone and succeed doing nothing.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image

from bot.channels.base import Button, Outbound, OutboundKind, SendError
from bot.channels.media import MediaStore
from bot.channels.whatsapp import WhatsAppChannel
from db.engine import Sessions
from tests.channels.test_telegram_staff_sends import phone_photo
from tests.channels.test_whatsapp_send import SITI, api, channel, out, settings_for
from tests.fakes.graph_api import PHOTO_ID, FakeGraphApi

__all__ = ["api", "channel"]  # the fixtures, shared with test_whatsapp_send


async def test_an_edit_arrives_as_a_new_message(
    channel: WhatsAppChannel, api: FakeGraphApi
) -> None:
    done = ((Button("Ya, selesai", "confirm:yes"), Button("Belum", "confirm:no")),)
    edit = out(
        "KDR-26-000001 sudah selesai. Benar?",
        kind=OutboundKind.EDIT,
        target_message_id="wamid.OLD",
        buttons=done,
    )
    wamid = await channel.send(edit)
    assert wamid == api.wamids[0]
    assert api.texts() == ["KDR-26-000001 sudah selesai. Benar?"]
    assert [b["reply"]["title"] for b in api.interactive()["action"]["buttons"]] == [
        "Ya, selesai",
        "Belum",
    ]


async def test_a_stored_photo_is_uploaded_without_exif_then_sent(
    api: FakeGraphApi, sessions: Sessions
) -> None:
    store = MediaStore(sessions)
    row_id = await store.save("telegram", "AgAC-resident", "image/jpeg", phone_photo())
    whatsapp = WhatsAppChannel(settings_for(api), media=store)
    await whatsapp.start()
    try:
        photo = out("Foto perbaikan", kind=OutboundKind.PHOTO, media=f"media:{row_id}")
        wamid = await whatsapp.send(photo)
    finally:
        await whatsapp.stop()
    [media_id] = api.uploads
    [body] = api.sent
    assert body["type"] == "image"
    assert body["image"] == {"id": media_id, "caption": "Foto perbaikan"}
    assert wamid == api.wamids[0]
    uploaded = api.media[media_id].data
    assert not Image.open(io.BytesIO(uploaded)).getexif()
    assert b"Redmi" not in uploaded


async def test_a_residents_whatsapp_media_id_is_sent_as_it_is(
    channel: WhatsAppChannel, api: FakeGraphApi
) -> None:
    photo = out("", kind=OutboundKind.PHOTO, media=f"whatsapp-media:{PHOTO_ID}")
    await channel.send(photo)
    assert api.sent[0]["image"] == {"id": PHOTO_ID}
    assert api.uploads == []


async def test_a_photo_whatsapp_cannot_have_is_given_up(
    channel: WhatsAppChannel, api: FakeGraphApi
) -> None:
    for media in ("AgACAgUAAxkBAAIB-telegram-file", "media:1", None):
        with pytest.raises(SendError) as caught:
            await channel.send(out("", kind=OutboundKind.PHOTO, media=media))
        assert not caught.value.retryable
    assert api.sent == []


async def test_a_failed_upload_is_retried_later(api: FakeGraphApi, sessions: Sessions) -> None:
    store = MediaStore(sessions)
    row_id = await store.save("telegram", "AgAC-2", "image/jpeg", phone_photo())
    whatsapp = WhatsAppChannel(settings_for(api), media=store)
    await whatsapp.start()
    try:
        api.fail_next(503, code=131000)
        with pytest.raises(SendError) as caught:
            await whatsapp.send(out("", kind=OutboundKind.PHOTO, media=f"media:{row_id}"))
    finally:
        await whatsapp.stop()
    assert caught.value.retryable
    assert api.sent == []


async def test_a_location_is_a_pin_with_the_places_name(
    channel: WhatsAppChannel, api: FakeGraphApi
) -> None:
    pin = out("Jl. Dhoho 12", kind=OutboundKind.LOCATION, latitude=-7.8166, longitude=112.0118)
    await channel.send(pin)
    [body] = api.sent
    assert body["to"] == SITI
    assert body["location"] == {"latitude": -7.8166, "longitude": 112.0118, "name": "Jl. Dhoho 12"}


async def test_a_location_without_coordinates_is_given_up(
    channel: WhatsAppChannel, api: FakeGraphApi
) -> None:
    with pytest.raises(SendError) as caught:
        await channel.send(out("", kind=OutboundKind.LOCATION))
    assert not caught.value.retryable


@pytest.mark.parametrize(
    "kind", [OutboundKind.OPEN_TOPIC, OutboundKind.CLOSE_TOPIC, OutboundKind.REOPEN_TOPIC]
)
async def test_topics_are_nothing_to_do_on_whatsapp(
    channel: WhatsAppChannel, api: FakeGraphApi, kind: OutboundKind
) -> None:
    assert (
        await channel.send(Outbound(channel="whatsapp", chat_id=SITI, kind=kind, text="T")) is None
    )
    assert api.sent == []
