"""WhatsApp webhook payloads in, `Inbound`s out: each shared fixture, then the odd payloads.

A fixture is split the way the webhook splits it (one inbox item per message and per status),
and each item is parsed the way the inbox worker parses it. Photos are downloaded from
FakeGraphApi into the real `media_file` table.
"""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bot.channels.base import Inbound, InboundKind, Location, Media, Unreadable
from bot.channels.media import MAX_IMAGE_BYTES, MediaStore
from bot.channels.whatsapp import WhatsAppChannel, inbox_items
from bot.config import Settings
from db.engine import Sessions
from db.tables import MediaFile
from tests.conftest import FIXTURES as ALL_FIXTURES
from tests.fakes.graph_api import (
    PHONE_NUMBER_ID,
    PHOTO_BYTES,
    FakeGraphApi,
    contact,
    message,
    webhook,
)

FIXTURES = ALL_FIXTURES / "whatsapp"
SITI = "6281200000001"
JOKO = "6281200000002"
SITI_BSUID, JOKO_BSUID, RINA_BSUID = (
    "ID.1000000000000001",
    "ID.1000000000000003",
    "ID.1000000000000002",
)
ASK_CONFIRM = "wamid.TEST_BOT_0001_ASK_CONFIRM"
TICKET_MESSAGE = "wamid.TEST_BOT_0003_TICKET_KDR-26-000123"


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data


def siti(kind: InboundKind, wamid: str, **fields: Any) -> tuple[str, Inbound]:
    return resident(SITI, SITI_BSUID, "Siti Warga", kind, wamid, **fields)


def resident(
    wa_id: str, bsuid: str, name: str, kind: InboundKind, wamid: str, **fields: Any
) -> tuple[str, Inbound]:
    inbound = Inbound(
        channel="whatsapp",
        chat_id=wa_id,
        user_id=wa_id,
        aliases=(bsuid,),
        user_name=name,
        kind=kind,
        message_id=wamid,
        external_id=wamid,
        **fields,
    )
    return f"whatsapp:{wa_id}", inbound


def status(wamid: str, state: str, recipient: str = SITI, **fields: Any) -> tuple[str, Inbound]:
    inbound = Inbound(
        channel="whatsapp",
        chat_id=recipient,
        user_id=recipient,
        kind=InboundKind.DELIVERY,
        status=state,
        reply_to_message_id=wamid,
        external_id=f"status:{wamid}:{state}",
        **fields,
    )
    return f"whatsapp:{recipient}", inbound


EXPECTED: dict[str, list[tuple[str, Inbound]]] = {
    "text": [
        siti(
            InboundKind.TEXT,
            "wamid.TEST_IN_0001_TEXT",
            text="Lampu PJU di Jl. Dhoho depan toko roti mati sudah 3 malam, gelap sekali",
        )
    ],
    "image_with_caption": [
        siti(
            InboundKind.PHOTO,
            "wamid.TEST_IN_0002_IMAGE",
            text="Ini foto lubangnya pak, di Jl. Hayam Wuruk",
            media=(Media("media:1", "image/jpeg", len(PHOTO_BYTES)),),
        )
    ],
    "location": [
        siti(
            InboundKind.LOCATION,
            "wamid.TEST_IN_0003_LOCATION",
            location=Location(-7.8166, 112.0119),
        )
    ],
    "location_named_place": [
        siti(
            InboundKind.LOCATION,
            "wamid.TEST_IN_0004_LOCATION_PLACE",
            location=Location(
                -7.8169, 112.0122, "Toko Roti Contoh, Jl. Dhoho No. 1, Kota Kediri, Jawa Timur"
            ),
        )
    ],
    "interactive_button_reply": [
        siti(
            InboundKind.BUTTON,
            "wamid.TEST_IN_0005_BUTTON",
            button="confirm:yes",
            reply_to_message_id=ASK_CONFIRM,
        )
    ],
    "interactive_list_reply": [
        siti(
            InboundKind.BUTTON,
            "wamid.TEST_IN_0006_LIST",
            button="agency:PUPR",
            reply_to_message_id="wamid.TEST_BOT_0002_ASK_CATEGORY",
        )
    ],
    "reply_to_business_message": [
        siti(
            InboundKind.TEXT,
            "wamid.TEST_IN_0007_REPLY",
            text="Sudah dua hari belum ada petugas yang datang, mohon dicek",
            reply_to_message_id=TICKET_MESSAGE,
        )
    ],
    "audio_voice": [siti(InboundKind.UNSUPPORTED, "wamid.TEST_IN_0008_VOICE")],
    "sticker": [siti(InboundKind.UNSUPPORTED, "wamid.TEST_IN_0009_STICKER")],
    "unsupported": [siti(InboundKind.UNSUPPORTED, "wamid.TEST_IN_0010_UNSUPPORTED")],
    "contacts_message": [siti(InboundKind.UNSUPPORTED, "wamid.TEST_IN_0011_CONTACTS")],
    # Accepted with 200 and nothing stored: no message, no status, nothing to answer.
    "contacts_only_change": [],
    "errors_system_level": [],
    "status_sent": [status(ASK_CONFIRM, "sent")],
    "status_delivered": [status(ASK_CONFIRM, "delivered")],
    "status_read": [status(ASK_CONFIRM, "read")],
    "status_read_legacy_no_contacts": [status(TICKET_MESSAGE, "read")],
    "status_unknown_wamid": [status("wamid.TEST_NEVER_SENT_BY_LAPOR_0000", "delivered")],
    "status_failed": [
        status(
            "wamid.TEST_BOT_0004_STATUS_UPDATE",
            "failed",
            error_code="131047",
            error_detail="whatsapp 131047 Re-engagement message: Message failed to send because "
            "more than 24 hours have passed since the customer last replied to this number.",
        )
    ],
    "status_failed_undeliverable": [
        status(
            "wamid.TEST_BOT_0005_UNDELIVERABLE",
            "failed",
            "6281200000099",
            error_code="131026",
            error_detail="whatsapp 131026 Message undeliverable: Message Undeliverable.",
        )
    ],
    "multi_entry_multi_message": [
        siti(
            InboundKind.TEXT,
            "wamid.TEST_IN_0101_A_TEXT",
            text="sampah di pasar Setonobetek belum diangkut",
        ),
        resident(
            JOKO,
            JOKO_BSUID,
            "Pak Joko",
            InboundKind.TEXT,  # a command in words: the handlers read it (handlers/wording.py)
            "wamid.TEST_IN_0102_B_TEXT",
            text="status KDR-26-000123",
        ),
        siti(
            InboundKind.LOCATION,
            "wamid.TEST_IN_0103_A_LOCATION",
            location=Location(-7.8201, 112.0137),
        ),
        status(TICKET_MESSAGE, "read", JOKO),
        # Not on the fake Graph API: the photo is kept by its media id, for an officer to fetch.
        siti(
            InboundKind.PHOTO,
            "wamid.TEST_IN_0104_A_IMAGE",
            media=(Media("whatsapp-media:900000000000004", "image/jpeg"),),
        ),
        siti(
            InboundKind.BUTTON,
            "wamid.TEST_IN_0105_A_BUTTON",
            button="photo:skip",
            reply_to_message_id=ASK_CONFIRM,
        ),
    ],
    "text_with_bsuid": [
        siti(InboundKind.TEXT, "wamid.TEST_IN_0201_BSUID", text="halo, mau lapor jalan rusak")
    ],
    # No phone number at all: the BSUID is who they are and where answers go.
    "text_username_only": [
        (
            f"whatsapp:{RINA_BSUID}",
            Inbound(
                channel="whatsapp",
                chat_id=RINA_BSUID,
                user_id=RINA_BSUID,
                user_name="Rina",
                kind=InboundKind.TEXT,
                text="saluran air mampet di gang 3",
                message_id="wamid.TEST_IN_0202_USERNAME_ONLY",
                external_id="wamid.TEST_IN_0202_USERNAME_ONLY",
            ),
        )
    ],
}


def fixture_names() -> list[str]:
    return sorted(p.stem for p in Path(FIXTURES).glob("*.json"))


def settings_for(api: FakeGraphApi) -> Settings:
    return Settings(
        _env_file=None,
        whatsapp_access_token=SecretStr(api.token),
        whatsapp_phone_number_id=PHONE_NUMBER_ID,
        whatsapp_api_base_url=api.base_url,
    )


@pytest.fixture
async def api() -> AsyncIterator[FakeGraphApi]:
    async with FakeGraphApi() as fake:
        yield fake


@pytest.fixture
async def channel(api: FakeGraphApi, sessions: Sessions) -> AsyncIterator[WhatsAppChannel]:
    whatsapp = WhatsAppChannel(settings_for(api), media=MediaStore(sessions))
    await whatsapp.start()
    yield whatsapp
    await whatsapp.stop()


async def parsed(channel: WhatsAppChannel, payload: dict[str, Any]) -> list[tuple[str, Inbound]]:
    """What the webhook stores, then what the worker hands to the handlers."""
    result = []
    for item in inbox_items(payload).items:
        inbounds = await channel.parse(json.loads(json.dumps(item.payload)))
        assert len(inbounds) == 1
        assert item.external_id == inbounds[0].external_id
        result.append((item.chat_key, inbounds[0]))
    return result


async def parse_one(channel: WhatsAppChannel, payload: dict[str, Any]) -> Inbound:
    [(_, inbound)] = await parsed(channel, payload)
    return inbound


@pytest.mark.parametrize("name", fixture_names())
async def test_fixture_parses_to_expected_inbounds(channel: WhatsAppChannel, name: str) -> None:
    assert name in EXPECTED, f"new fixture {name}.json: add what it should parse to"
    assert await parsed(channel, load(name)) == EXPECTED[name]


def text_from(wa_id: str, text: str, wamid: str = "wamid.T1") -> dict[str, Any]:
    return webhook(
        contacts=[contact(wa_id)], messages=[message(wa_id, wamid, "text", {"body": text})]
    )


async def test_command_words_reach_the_handlers_as_text(channel: WhatsAppChannel) -> None:
    """The adapter does not decide what is a command: every channel shares handlers/wording.py."""
    inbound = await parse_one(channel, text_from(SITI, "Laporanku"))
    assert (inbound.kind, inbound.command, inbound.text) == (InboundKind.TEXT, None, "Laporanku")


async def test_template_quick_reply_is_a_button(channel: WhatsAppChannel) -> None:
    payload = webhook(
        contacts=[contact(SITI)],
        messages=[
            message(
                SITI,
                "wamid.T2",
                "button",
                {"payload": "rate:good", "text": "Puas"},
                context={"from": "6281200000000", "id": "wamid.BOT_TEMPLATE"},
            )
        ],
    )
    inbound = await parse_one(channel, payload)
    assert (inbound.kind, inbound.button, inbound.reply_to_message_id, inbound.callback_id) == (
        InboundKind.BUTTON,
        "rate:good",
        "wamid.BOT_TEMPLATE",
        None,
    )


async def test_system_message_is_ignored(channel: WhatsAppChannel) -> None:
    payload = webhook(
        messages=[
            message(
                SITI,
                "wamid.T3",
                "system",
                {"body": "User A changed from 6281200000001 to 6281200000003", "wa_id": "628"},
            )
        ]
    )
    assert (await parse_one(channel, payload)).kind == InboundKind.IGNORED


@pytest.mark.parametrize(
    ("kind", "content", "expected"),
    [
        ("reaction", {"message_id": "wamid.BOT", "emoji": "👍"}, InboundKind.UNSUPPORTED),
        ("reaction", {"message_id": "wamid.BOT"}, InboundKind.IGNORED),  # reaction removed
        ("video", {"id": "900000000000009", "mime_type": "video/mp4"}, InboundKind.UNSUPPORTED),
        ("document", {"id": "9", "mime_type": "application/pdf"}, InboundKind.UNSUPPORTED),
        ("interactive", {"type": "nfm_reply", "nfm_reply": {}}, InboundKind.UNSUPPORTED),
        ("some_future_type", {"x": 1}, InboundKind.UNSUPPORTED),
    ],
)
async def test_what_the_dialog_cannot_use(
    channel: WhatsAppChannel, kind: str, content: dict[str, Any], expected: InboundKind
) -> None:
    payload = webhook(contacts=[contact(SITI)], messages=[message(SITI, "wamid.T4", kind, content)])
    assert (await parse_one(channel, payload)).kind == expected


async def test_a_photo_sent_as_a_document_is_a_photo(
    channel: WhatsAppChannel, api: FakeGraphApi
) -> None:
    content = {"id": "900000000000001", "mime_type": "image/jpeg", "filename": "IMG_1.jpg"}
    payload = webhook(
        contacts=[contact(SITI)], messages=[message(SITI, "wamid.T5", "document", content)]
    )
    inbound = await parse_one(channel, payload)
    assert inbound.kind == InboundKind.PHOTO
    assert inbound.media[0].file_id.startswith("media:")


@pytest.mark.parametrize(
    "payload",
    [
        {"message": {"type": "text"}},  # no sender, no id
        {"message": {"id": "wamid.X", "type": "image"}},  # no image object
        {"message": {"id": "wamid.X", "type": "location", "location": "here"}},
        {"status": {"id": "wamid.X"}},  # no status
        {"status": {"status": "read"}},
        {"something": "else"},
        {},
    ],
)
async def test_odd_items_are_unreadable_not_a_crash(
    channel: WhatsAppChannel, payload: dict[str, Any]
) -> None:
    with pytest.raises(Unreadable):
        await channel.parse(payload)


@pytest.mark.parametrize(
    "payload",
    [
        {"object": "page", "entry": []},
        {"object": "whatsapp_business_account", "entry": "nope"},
        {"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "x"}]}]},
        {"object": "whatsapp_business_account", "entry": [{"changes": [None, 3]}]},
        webhook(messages=[{"from": SITI, "type": "text", "text": {"body": "no id"}}]),
    ],
)
def test_odd_envelopes_store_nothing(payload: dict[str, Any]) -> None:
    assert inbox_items(payload).items == []


def test_a_message_without_contacts_keys_on_its_sender() -> None:
    payload = webhook(messages=[message(JOKO, "wamid.T6", "text", {"body": "halo"})])
    [item] = inbox_items(payload).items
    assert (item.chat_key, item.external_id) == (f"whatsapp:{JOKO}", "wamid.T6")


async def test_a_stored_photo_is_not_downloaded_again(
    channel: WhatsAppChannel, api: FakeGraphApi
) -> None:
    payload = load("image_with_caption")
    first = await parse_one(channel, payload)
    again = await parse_one(channel, copy.deepcopy(payload))  # the inbox retried the update
    assert first == again
    assert api.media_requests == ["900000000000001"]


async def test_a_too_big_photo_is_refused_with_a_hint(
    channel: WhatsAppChannel, api: FakeGraphApi, sessions: Sessions
) -> None:
    api.add_media("900000000000050", b"\xff\xd8" + bytes(MAX_IMAGE_BYTES), "image/jpeg")
    content = {"id": "900000000000050", "mime_type": "image/jpeg", "caption": "lubang"}
    payload = webhook(
        contacts=[contact(SITI)], messages=[message(SITI, "wamid.T7", "image", content)]
    )
    inbound = await parse_one(channel, payload)
    assert (inbound.kind, inbound.media) == (InboundKind.UNSUPPORTED, ())
    assert await MediaStore(sessions).find("whatsapp", "900000000000050") is None


async def test_a_file_that_is_no_photo_is_refused_before_download(
    channel: WhatsAppChannel, api: FakeGraphApi
) -> None:
    api.add_media("900000000000051", b"GIF89a" + bytes(100), "image/gif")
    content = {"id": "900000000000051", "mime_type": "image/gif"}
    payload = webhook(
        contacts=[contact(SITI)], messages=[message(SITI, "wamid.T8", "image", content)]
    )
    assert (await parse_one(channel, payload)).kind == InboundKind.UNSUPPORTED
    assert api.media_requests == []


async def test_graph_lying_about_the_type_is_caught_after_metadata(
    channel: WhatsAppChannel, api: FakeGraphApi
) -> None:
    api.add_media("900000000000052", b"%PDF-1.4", "application/pdf")
    content = {"id": "900000000000052", "mime_type": "image/jpeg"}
    payload = webhook(
        contacts=[contact(SITI)], messages=[message(SITI, "wamid.T9", "image", content)]
    )
    assert (await parse_one(channel, payload)).kind == InboundKind.UNSUPPORTED


async def test_an_expired_download_keeps_the_media_id(
    channel: WhatsAppChannel, api: FakeGraphApi
) -> None:
    api.add_media("900000000000053", PHOTO_BYTES, "image/png", url_works=False)
    content = {"id": "900000000000053", "mime_type": "image/png"}
    payload = webhook(
        contacts=[contact(SITI)], messages=[message(SITI, "wamid.TA", "image", content)]
    )
    inbound = await parse_one(channel, payload)
    assert inbound.kind == InboundKind.PHOTO
    assert inbound.media == (Media("whatsapp-media:900000000000053", "image/png"),)


async def test_stored_photo_bytes_are_the_residents(
    channel: WhatsAppChannel, sessions: Sessions
) -> None:
    inbound = await parse_one(channel, load("image_with_caption"))
    async with sessions() as session:
        stored = await session.get(MediaFile, int(inbound.media[0].file_id.removeprefix("media:")))
    assert stored is not None
    assert (stored.data, stored.mime_type, stored.size) == (
        PHOTO_BYTES,
        "image/jpeg",
        len(PHOTO_BYTES),
    )
