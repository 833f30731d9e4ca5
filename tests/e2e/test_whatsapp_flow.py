"""A resident reports on WhatsApp, end to end: signed webhooks in, Cloud API calls out.

The same dialog as on Telegram, through the real app (`make_app`), the inbox, the handlers,
the outbox and our Graph client, against FakeGraphApi on loopback; SQLite and PostgreSQL.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from db.tables import MediaFile, Ticket
from handlers.staffpost import staff_card
from tests.conftest import Database
from tests.e2e.whatsapp import SITI_BSUID, Lapor, open_lapor
from tests.fakes.graph_api import PHOTO_BYTES, PHOTO_ID

TICKET = re.compile(r"KDR-\d{2}-\d{6}")
REPORT = "Lampu PJU mati sudah 3 malam, gelap sekali kalau lewat"  # names no place
PLACED = "Lampu PJU di Jl. Dhoho depan toko roti mati sudah 3 malam, gelap sekali"


@pytest.fixture
async def lapor(database: Database) -> AsyncIterator[Lapor]:
    async with open_lapor(database) as app:
        yield app


async def report(lapor: Lapor) -> str:
    """Text, location, no photo, Kirim: the ticket reference Lapor answers with."""
    answer = await lapor.say(REPORT)
    assert "lokasi" in answer[0].lower()
    assert lapor.api.sent[-2]["interactive"]["type"] == "location_request_message"
    assert lapor.offered() == ["Lewati"]
    answer = await lapor.share_location(-7.8166, 112.0119)
    assert answer[0].startswith("Lokasi dicatat")
    await lapor.tap("Lewati")  # no photo
    if "Kirim" not in lapor.offered():  # the router was unsure: pick the first agency offered
        await lapor.tap(lapor.offered()[0])
    assert lapor.offered() == ["Kirim", "Ubah", "Batal"]
    [receipt] = await lapor.tap("Kirim")
    found = TICKET.search(receipt)
    assert found, receipt
    return found.group()


async def test_a_resident_reports_and_gets_a_ticket_number(lapor: Lapor) -> None:
    ref = await report(lapor)
    rows = [r for r in await lapor.outbox() if r.channel == "whatsapp"]
    assert all(r.sent_at is not None for r in rows)
    messages = [r for r in rows if r.payload.get("kind", "message") == "message"]
    sent_ids = [lapor.api.wamids.index(r.external_id or "") for r in messages]
    assert sent_ids == sorted(set(sent_ids))  # each row knows its wamid, in the order sent
    [detail] = await lapor.say(f"status {ref}")
    assert ref in detail


async def test_a_place_in_the_text_is_offered_with_reply_buttons(lapor: Lapor) -> None:
    [offer] = await lapor.say(PLACED)
    assert offer == "Lokasinya di Jl. Dhoho depan toko roti?"
    assert lapor.offered() == ["Ya", "Ubah"]
    await lapor.tap("Ya")
    assert lapor.offered() == ["Lewati"]  # the photo question
    await lapor.tap("Lewati")
    await lapor.tap("Kirim")
    async with lapor.services.sessions() as session:
        ticket = (await session.execute(select(Ticket))).scalar_one()
    assert ticket.address == "Jl. Dhoho depan toko roti"


async def test_a_redelivered_tap_is_answered_once(lapor: Lapor) -> None:
    await lapor.say(REPORT)
    await lapor.share_location(-7.8166, 112.0119)
    tap = lapor.tap_payload("Lewati")
    first = await lapor.send(tap)
    assert first
    assert await lapor.send(tap) == []  # Meta retried the webhook: stored once, answered once


async def test_a_stale_menu_is_answered_with_a_message(lapor: Lapor) -> None:
    await lapor.say(REPORT)
    old_skip = lapor.tap_payload("Lewati")  # the location step's skip button
    await lapor.share_location(-7.8166, 112.0119)
    await lapor.tap("Lewati")  # the photo step's skip button: the location one is now stale
    [notice] = await lapor.send(old_skip)
    assert "tidak berlaku" in notice


async def test_words_work_as_commands(lapor: Lapor) -> None:
    ref = await report(lapor)
    [mine] = await lapor.say("laporanku")
    assert ref in mine
    [help_text] = await lapor.say("Bantuan")
    assert "Cara melapor" in help_text
    await lapor.say("sampah di pasar Setonobetek belum diangkut")
    [cancelled] = await lapor.say("batal")
    assert cancelled


async def test_voice_notes_get_a_hint(lapor: Lapor) -> None:
    voice = {"mime_type": "audio/ogg; codecs=opus", "id": "900000000000002", "voice": True}
    [hint] = await lapor.send(lapor.payload("audio", voice))
    assert hint


async def test_the_same_person_without_their_number_is_the_same_resident(lapor: Lapor) -> None:
    ref = await report(lapor)
    # Later the resident adopts a username: Meta sends only the BSUID, and answers go to it.
    hidden = lapor.resident(SITI_BSUID, bsuid=None, name="Siti")
    payload = hidden.payload("text", {"body": "laporanku"})
    message = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    message["from_user_id"] = message.pop("from")
    payload["entry"][0]["changes"][0]["value"]["contacts"] = [
        {"profile": {"name": "Siti", "username": "@siti"}, "user_id": SITI_BSUID}
    ]
    [mine] = await hidden.send(payload)
    assert ref in mine
    assert lapor.api.sent[-1]["recipient"] == SITI_BSUID


async def test_the_phone_number_reaches_neither_staff_nor_logs(
    lapor: Lapor, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    ref = await report(lapor)
    async with lapor.services.sessions() as session:
        ticket = (await session.execute(select(Ticket).where(Ticket.ref == ref))).scalar_one()
    assert ticket.chat_id == lapor.wa_id  # status updates must find the resident again...
    card = staff_card(ticket, lapor.services.ctx)  # ...but officers never see the number
    assert ref in card and "WhatsApp" in card
    ours = "\n".join(
        r.getMessage() for r in caplog.records if r.name.split(".")[0] in ("bot", "handlers", "db")
    )
    for secret in (lapor.wa_id, lapor.wa_id[2:], SITI_BSUID, lapor.name):
        assert secret not in card
        assert secret not in ours


async def test_a_photo_is_downloaded_and_kept_with_the_report(lapor: Lapor) -> None:
    await lapor.say(REPORT)
    await lapor.tap("Lewati")  # no location
    image = {"id": PHOTO_ID, "mime_type": "image/jpeg", "caption": "ini fotonya"}
    await lapor.send(lapor.payload("image", image))
    if "Kirim" not in lapor.offered():
        await lapor.tap(lapor.offered()[0])
    [receipt] = await lapor.tap("Kirim")
    assert TICKET.search(receipt), receipt
    async with lapor.services.sessions() as session:
        ticket = (await session.execute(select(Ticket))).scalar_one()
        (photo,) = ticket.photos
        stored = await session.get(MediaFile, int(photo["file_id"].removeprefix("media:")))
    assert stored is not None and stored.data == PHOTO_BYTES  # kept: WhatsApp's copy expires
