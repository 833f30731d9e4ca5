"""The intake dialog as a resident lives it: messages in, tickets, events and replies out."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from db.engine import Sessions, make_engine, make_sessions
from db.tables import Identity, Resident, TicketStatus
from handlers.messages import InboundKind, Location, Outbound, OutboundKind
from handlers.texts import text_length
from tests.conftest import Database
from tests.handlers.conftest import (
    DLHKP_CHAT,
    NOW,
    PUPR_CHAT,
    REFERRAL,
    TRIAGE_CHAT,
    Chat,
    all_tickets,
    events_of,
    labels,
    make_ctx,
    messages,
    snapshot,
    text_of,
)

REF = re.compile(r"^KDR-\d{2}-\d{6}$")
POTHOLE = "Jalan berlubang besar di Jl. Dhoho depan toko buku, sudah seminggu"
UNPLACED = "Jalan berlubang besar dan dalam, sudah seminggu belum ditambal"  # no place named


def staff_posts(out: list[Outbound], resident_chat: str = "5001") -> list[Outbound]:
    return [o for o in messages(out) if o.chat_id != resident_chat]


async def test_start_greets_and_says_what_to_send(chat: Chat) -> None:
    for args in ("", "poster-alun-alun"):
        out = await chat.command("start", args)
        assert "Lapor" in text_of(out)
        assert "lokasi" in text_of(out)


async def test_report_goes_to_the_agency_with_a_reference(chat: Chat, sessions: Sessions) -> None:
    out = await chat.text(UNPLACED)
    (ask,) = messages(out)
    assert ask.request_location and labels(ask) == ["Lewati"]

    out = await chat.location(-7.8166, 112.0118)
    assert "Lewati" in labels(chat.menu)  # the photo question
    out = await chat.tap("Lewati")
    assert [o.kind for o in out[:2]] == [OutboundKind.CALLBACK_ANSWER, OutboundKind.CLEAR_BUTTONS]
    summary = messages(out)[-1]
    assert labels(summary) == ["Kirim", "Ubah", "Batal"]
    assert "Dinas PUPR" in summary.text and UNPLACED in summary.text

    out = await chat.tap("Kirim")
    receipt, post = messages(out)
    (ticket,) = await all_tickets(sessions)
    assert ticket.ref is not None and REF.match(ticket.ref)
    assert ticket.ref in receipt.text and receipt.ticket_ref == ticket.ref
    assert "Dinas PUPR" in receipt.text and "8 jam kerja" in receipt.text
    assert ticket.status == TicketStatus.ASSIGNED and ticket.agency_code == "PUPR"
    assert (ticket.latitude, ticket.longitude) == (-7.8166, 112.0118)

    events = await events_of(sessions, ticket.id)
    assert [(e.from_status, e.to_status) for e in events] == [(None, "new"), ("new", "assigned")]
    assert all(e.at == NOW for e in events)

    assert (post.channel, post.chat_id, post.thread_id) == ("telegram", str(PUPR_CHAT), 7)
    assert post.ticket_ref == ticket.ref and ticket.ref in post.text
    assert "maps.google.com/?q=-7.816600,112.011800" in post.text
    assert "jalan berlubang" in post.text
    assert f"#R-{ticket.resident_id:06d}" in post.text
    for secret in ("Rina", "Wulandari", "5001"):
        assert secret not in post.text


async def test_year_in_reference_is_the_city_year(chat: Chat, sessions: Sessions) -> None:
    chat.now = NOW.replace(year=2025, month=12, day=31, hour=23, minute=30)  # 16:30 UTC
    await chat.report(POTHOLE)
    out = await chat.tap("Kirim")
    assert "KDR-25-" in text_of(out)


async def test_unsure_routing_offers_candidates_and_unsure_goes_to_triage(
    chat: Chat, sessions: Sessions
) -> None:
    out = await chat.report("Sampah menumpuk menutup selokan di gang Mawar")
    ask = messages(out)[-1]
    assert labels(ask) == ["Dinas PUPR", "DLHKP", "Tidak tahu"]  # router order

    out = await chat.tap("Tidak tahu")
    assert "petugas akan menentukan" in messages(out)[-1].text
    out = await chat.tap("Kirim")
    receipt, post = messages(out)
    (ticket,) = await all_tickets(sessions)
    assert ticket.status == TicketStatus.TRIAGE and ticket.agency_code is None
    assert "Petugas akan memeriksa" in receipt.text
    assert post.chat_id == str(TRIAGE_CHAT)
    assert "Perlu verifikasi" in post.text and "Dinas PUPR, DLHKP" in post.text


async def test_picked_candidate_is_where_the_report_goes(chat: Chat, sessions: Sessions) -> None:
    await chat.report("Sampah menumpuk menutup selokan di gang Mawar")
    await chat.tap("DLHKP")
    out = await chat.tap("Kirim")
    (ticket,) = await all_tickets(sessions)
    assert ticket.agency_code == "DLHKP" and ticket.status == TicketStatus.ASSIGNED
    assert ticket.routing["picked"] is True
    assert staff_posts(out)[0].chat_id == str(DLHKP_CHAT)
    assert "dipilih pelapor" in staff_posts(out)[0].text
    events = await events_of(sessions, ticket.id)
    assert events[-1].actor == "resident"


async def test_external_agency_is_referred_without_a_staff_post(
    chat: Chat, sessions: Sessions
) -> None:
    out = await chat.report("Listrik padam sejak pagi di kampung kami")
    assert "PLN (di luar Pemkot Kediri)" in text_of(out)
    out = await chat.tap("Kirim")
    (receipt,) = messages(out)
    (ticket,) = await all_tickets(sessions)
    assert ticket.status == TicketStatus.REFERRED
    assert REFERRAL in receipt.text and "jam kerja" not in receipt.text
    assert staff_posts(out) == []


async def test_agency_without_staff_chat_posts_to_triage(chat: Chat) -> None:
    await chat.report("Lampu jalan mati di gang Kenanga sejak kemarin")
    out = await chat.tap("Kirim")
    (post,) = staff_posts(out)
    assert post.chat_id == str(TRIAGE_CHAT) and "Dinas Perkim" in post.text
    assert "belum diatur" in post.text


async def test_no_staff_chat_at_all_posts_nothing(chat: Chat, sessions: Sessions) -> None:
    ctx = make_ctx()
    ctx.catalog.triage.telegram_chat_id = None
    chat.ctx = ctx
    await chat.report("Lampu jalan mati di gang Kenanga sejak kemarin")
    out = await chat.tap("Kirim")
    assert staff_posts(out) == []
    assert len(await all_tickets(sessions)) == 1


async def test_old_menu_button_changes_nothing(chat: Chat, sessions: Sessions) -> None:
    await chat.report(POTHOLE)
    summary, summary_id = chat.menu, chat.menu_id
    await chat.tap("Ubah")
    before = await snapshot(sessions, chat)

    out = await chat.tap("Kirim", menu=summary, menu_id=summary_id)
    (answer,) = out
    assert answer.kind == OutboundKind.CALLBACK_ANSWER and answer.callback_id
    assert "tidak berlaku" in answer.text
    assert await snapshot(sessions, chat) == before
    assert await all_tickets(sessions) == []


async def test_button_of_a_sent_report_is_stale(chat: Chat, sessions: Sessions) -> None:
    await chat.report(POTHOLE)
    summary = chat.menu
    await chat.tap("Kirim")
    out = await chat.tap("Kirim", menu=summary)
    assert "tidak berlaku" in out[0].text
    assert len(await all_tickets(sessions)) == 1


async def test_edit_location_comes_back_to_the_summary(chat: Chat, sessions: Sessions) -> None:
    await chat.report(POTHOLE)
    await chat.tap("Ubah")
    assert labels(chat.menu) == ["Masalah", "Lokasi", "Foto", "Kembali"]
    out = await chat.tap("Lokasi")
    assert messages(out)[-1].request_location
    out = await chat.text("Jl. Dhoho 12, depan Toko Sari")
    assert "Jl. Dhoho 12, depan Toko Sari" in messages(out)[-1].text
    assert labels(chat.menu) == ["Kirim", "Ubah", "Batal"]
    await chat.tap("Kirim")
    (ticket,) = await all_tickets(sessions)
    assert ticket.address == "Jl. Dhoho 12, depan Toko Sari" and ticket.latitude is None


async def test_edit_description_routes_again(chat: Chat, sessions: Sessions) -> None:
    await chat.report(POTHOLE)
    await chat.tap("Ubah")
    await chat.tap("Masalah")
    out = await chat.text("Sampah belum diangkut tiga hari di depan pasar")
    assert "DLHKP" in messages(out)[-1].text
    await chat.tap("Kirim")
    (ticket,) = await all_tickets(sessions)
    assert ticket.agency_code == "DLHKP" and ticket.description.startswith("Sampah")


async def test_photo_is_kept_on_the_ticket(chat: Chat, sessions: Sessions) -> None:
    await chat.text(UNPLACED)
    await chat.tap("Lewati")
    out = await chat.photo("AgADBAAD-photo-1")
    assert "1 foto" in messages(out)[-1].text
    out = await chat.tap("Kirim")
    (ticket,) = await all_tickets(sessions)
    assert ticket.photos == [{"file_id": "AgADBAAD-photo-1", "mime_type": "image/jpeg"}]
    assert "Foto: 1" in staff_posts(out)[0].text


async def test_photo_with_caption_starts_a_report(chat: Chat, sessions: Sessions) -> None:
    out = await chat.photo("AgAD-2", caption="Sampah dibuang sembarangan di sungai Brantas")
    # the caption is the description (its place is offered); the photo step is done
    assert messages(out)[-1].text == "Lokasinya di sungai Brantas?"
    out = await chat.tap("Ya")
    assert labels(messages(out)[-1]) == ["Kirim", "Ubah", "Batal"]


async def test_unsupported_media_gets_a_hint_for_the_step(chat: Chat) -> None:
    out = await chat.send(InboundKind.UNSUPPORTED)
    assert "stiker" in text_of(out) and "teks" in text_of(out)

    await chat.text(UNPLACED)
    out = await chat.send(InboundKind.UNSUPPORTED)
    (hint,) = messages(out)
    assert "stiker" in hint.text and "Lewati" in hint.text
    assert hint.request_location and labels(hint) == ["Lewati"]


async def test_long_description_is_kept_whole_but_shown_short(
    chat: Chat, sessions: Sessions
) -> None:
    chat.ctx = make_ctx(max_text_chars=120)
    long_text = POTHOLE + ". " + "Airnya menggenang dan motor sering jatuh. " * 20
    out = await chat.report(long_text)
    summary = messages(out)[-1]
    assert long_text not in summary.text and "…" in summary.text
    out = await chat.tap("Kirim")
    (ticket,) = await all_tickets(sessions)
    assert ticket.description == long_text.strip()
    assert len(staff_posts(out)[0].text) < 1200


@pytest.mark.parametrize("channel", ["telegram", "whatsapp"])
async def test_a_very_long_report_fits_every_message_with_its_buttons(
    chat: Chat, sessions: Sessions, channel: str
) -> None:
    """Every message fits the channel whole (checked by `Chat`), buttons right under it."""
    chat.channel = channel
    story = "Warga sudah lapor berkali-kali 🙏😡 jalan makin parah, motor jatuh tiap malam. "
    long_text = "Jalan berlubang besar dan dalam. " + story * 70  # about 5,800 characters
    address = "Dusun Krajan RT 03 RW 05, " * 25  # a 650-character address
    await chat.text(long_text)
    await chat.text(address)
    out = await chat.tap("Lewati")
    summary = messages(out)[-1]
    assert labels(summary) == ["Kirim", "Ubah", "Batal"]
    assert text_length(summary.text) <= 1024 and "…" in summary.text
    assert summary.text.startswith("Periksa laporan") and "Sudah benar?" in summary.text
    out = await chat.tap("Kirim")
    (ticket,) = await all_tickets(sessions)
    assert ticket.description == long_text.strip() and ticket.address == address.strip()[:500]
    out = await chat.command("status", ticket.ref or "")
    assert "…" in text_of(out)


async def test_greeting_gets_help_not_a_report(chat: Chat, sessions: Sessions) -> None:
    for hello in ("halo", "p", "selamat pagi pak admin", "  "):
        out = await chat.text(hello)
        assert "ceritakan masalah" in text_of(out)
        assert (await snapshot(sessions, chat)).state == "idle"


async def test_expired_draft_is_dropped_and_the_message_handled_fresh(
    chat: Chat, sessions: Sessions
) -> None:
    await chat.text(UNPLACED)
    chat.now = NOW + timedelta(hours=2)
    out = await chat.text("Sampah belum diangkut tiga hari di depan pasar")
    expired, ask = messages(out)
    assert "lama tidak dilanjutkan" in expired.text
    assert "depan pasar" in ask.text
    assert (await snapshot(sessions, chat)).data["description"].startswith("Sampah")


async def test_draft_survives_a_restart(chat: Chat, database: Database) -> None:
    await chat.report(POTHOLE)
    engine = make_engine(database.url, schema=database.schema)  # a new process, same database
    try:
        chat.sessions = make_sessions(engine)
        out = await chat.tap("Kirim")
        assert "KDR-" in text_of(out)
    finally:
        await engine.dispose()


async def test_group_chats_stay_quiet(chat: Chat, sessions: Sessions) -> None:
    chat.is_group = True
    assert await chat.text(POTHOLE) == []
    assert await chat.send(InboundKind.UNSUPPORTED) == []
    out = await chat.command("bantuan")
    assert "chat pribadi" in text_of(out)
    async with sessions() as session:
        assert (
            await session.execute(sa.select(sa.func.count()).select_from(Resident))
        ).scalar() == 0


async def test_blocking_is_recorded_and_ignored_updates_do_nothing(
    chat: Chat, sessions: Sessions
) -> None:
    await chat.command("start")
    assert await chat.send(InboundKind.IGNORED) == []
    assert await chat.send(InboundKind.BLOCKED) == []
    async with sessions() as session:
        identity = (await session.execute(sa.select(Identity))).scalar_one()
        assert identity.blocked_at == NOW
    await chat.text("halo")
    async with sessions() as session:
        identity = (await session.execute(sa.select(Identity))).scalar_one()
        assert identity.blocked_at is None and identity.last_inbound_at == NOW


async def test_odd_input_at_every_step_is_answered_not_raised(chat: Chat) -> None:
    """Whatever an adapter hands over, the worker gets messages back, never an exception."""
    odd: list[dict[str, Any]] = [
        {"kind": InboundKind.TEXT, "text": None},
        {"kind": InboundKind.COMMAND, "command": None},
        {"kind": InboundKind.LOCATION, "location": None},
        {"kind": InboundKind.LOCATION, "location": Location(91.0, 500.0)},
        {"kind": InboundKind.PHOTO, "media": ()},
        {"kind": InboundKind.BUTTON, "button": None},
        {"kind": InboundKind.BUTTON, "button": "send:x:y:z", "callback_id": "c"},
        {"kind": InboundKind.BUTTON, "button": "::"},
    ]
    steps: list[Callable[[], Awaitable[list[Outbound]]]] = [
        lambda: chat.command("batal"),
        lambda: chat.text(UNPLACED),
        lambda: chat.tap("Lewati"),
        lambda: chat.tap("Lewati"),
        lambda: chat.tap("Ubah"),
    ]
    for step in steps:
        await step()
        for fields in odd:
            out = await chat.send(**fields)
            assert messages(out) or out[0].kind == OutboundKind.CALLBACK_ANSWER, fields
