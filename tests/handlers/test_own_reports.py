"""A resident adds a photo or a detail to a report already sent, or withdraws it in time."""

from __future__ import annotations

from db.engine import Sessions
from db.tables import Ticket, TicketStatus
from handlers.messages import OutboundKind
from handlers.tickets import change_status
from tests.handlers.conftest import (
    PUPR_CHAT,
    Chat,
    all_tickets,
    events_of,
    labels,
    messages,
    other,
    snapshot,
    text_of,
)

POTHOLE = "Aspal rusak, jalan berlubang besar sejak musim hujan"
RUBBISH = "Sampah belum diangkut tiga hari, bau sampai ke jalan"


async def sent_report(chat: Chat, description: str = POTHOLE) -> str:
    await chat.report(description)
    out = await chat.tap("Kirim")
    ref = messages(out)[0].ticket_ref
    assert ref is not None
    return ref


async def ticket_of(sessions: Sessions, ref: str) -> Ticket:
    return next(t for t in await all_tickets(sessions) if t.ref == ref)


async def test_tambah_then_a_photo_and_a_detail_reach_the_ticket_and_the_officers(
    chat: Chat, sessions: Sessions
) -> None:
    ref = await sent_report(chat)
    out = await chat.text(f"tambah {ref.lower()}")
    assert ref in text_of(out) and labels(chat.menu) == ["Selesai"]

    out = await chat.photo("AgAD-later-1", caption="ini fotonya pak")
    to_staff = [o for o in out if o.chat_id == str(PUPR_CHAT)]
    assert [o.kind for o in to_staff] == [OutboundKind.PHOTO]
    assert to_staff[0].media == "AgAD-later-1" and "ini fotonya pak" in to_staff[0].text
    assert to_staff[0].reply_key == f"card:{ref}" and to_staff[0].ticket_ref == ref
    assert "sudah kami teruskan" in text_of([o for o in out if o.chat_id == chat.user_id])

    out = await chat.text("lubangnya sekarang sudah selebar satu meter")
    (staff,) = [o for o in messages(out) if o.chat_id == str(PUPR_CHAT)]
    assert "selebar satu meter" in staff.text and ref in staff.text
    for secret in ("Rina", "5001"):
        assert secret not in staff.text

    out = await chat.tap("Selesai")
    assert "sudah lengkap" in text_of(out)
    assert (await snapshot(sessions, chat)).state == "idle"
    ticket = await ticket_of(sessions, ref)
    assert [p["file_id"] for p in ticket.photos] == ["AgAD-later-1"]
    assert ticket.description == POTHOLE  # the report itself is as it was sent
    notes = [e.note for e in await events_of(sessions, ticket.id) if e.actor == "resident"]
    assert "resident added 1 photo(s)" in notes
    assert "resident added: lubangnya sekarang sudah selebar satu meter" in notes
    assert ticket.status == TicketStatus.ASSIGNED


async def test_tambah_with_words_adds_them_at_once(chat: Chat, sessions: Sessions) -> None:
    ref = await sent_report(chat)
    out = await chat.text(f"tambah {ref} rumah nomor 14, pagar hijau")
    assert "sudah kami teruskan" in text_of(out)
    assert (await snapshot(sessions, chat)).state == "idle"
    notes = [e.note for e in await events_of(sessions, (await ticket_of(sessions, ref)).id)]
    assert "resident added: rumah nomor 14, pagar hijau" in notes


async def test_a_pin_added_later_fills_in_a_ticket_sent_without_one(
    chat: Chat, sessions: Sessions
) -> None:
    ref = await sent_report(chat)
    await chat.command("tambah", ref)
    out = await chat.location(-7.8166, 112.0118)
    (staff,) = [o for o in messages(out) if o.chat_id == str(PUPR_CHAT)]
    assert "maps.google.com/?q=-7.816600,112.011800" in staff.text
    ticket = await ticket_of(sessions, ref)
    assert (ticket.latitude, ticket.longitude) == (-7.8166, 112.0118)


async def test_adding_keeps_a_draft_aside_and_brings_it_back(
    chat: Chat, sessions: Sessions
) -> None:
    ref = await sent_report(chat)
    await chat.text(RUBBISH)  # a new report, at the location question
    await chat.text(f"tambah {ref}")
    await chat.text("sudah dua motor jatuh di situ")
    out = await chat.tap("Selesai")
    assert messages(out)[-1].request_location  # the draft's open question again
    assert (await snapshot(sessions, chat)).data["description"] == RUBBISH


async def test_batal_while_adding_ends_the_adding_only(chat: Chat, sessions: Sessions) -> None:
    ref = await sent_report(chat)
    await chat.text(f"tambah {ref}")
    out = await chat.text("batal")
    assert "sudah lengkap" in text_of(out)
    assert (await ticket_of(sessions, ref)).status == TicketStatus.ASSIGNED


async def test_nobody_adds_to_someone_elses_report(chat: Chat, sessions: Sessions) -> None:
    ref = await sent_report(chat)
    neighbour = other(chat, user_id="6002", user_name="Budi")
    for typed in (f"tambah {ref} ini palsu", f"tarik {ref}"):
        out = await neighbour.text(typed)
        assert "tidak ditemukan" in text_of(out)
    ticket = await ticket_of(sessions, ref)
    assert ticket.status == TicketStatus.ASSIGNED
    assert all(
        e.actor != "resident" or e.note is None for e in await events_of(sessions, ticket.id)
    )


async def test_tambah_without_a_number_shows_how(chat: Chat) -> None:
    ref = await sent_report(chat)
    out = await chat.command("tambah")
    assert f"tambah {ref}" in text_of(out)


async def test_tarik_asks_once_then_closes_and_tells_the_officers(
    chat: Chat, sessions: Sessions
) -> None:
    ref = await sent_report(chat)
    out = await chat.text(f"tarik {ref}")
    assert labels(chat.menu) == ["Ya, tarik", "Tidak"] and POTHOLE[:30] in text_of(out)
    out = await chat.tap("Ya, tarik")
    assert "sudah ditarik" in text_of(out)
    (staff,) = [o for o in messages(out) if o.chat_id == str(PUPR_CHAT)]
    assert ref in staff.text and "ditarik oleh pelapor" in staff.text
    ticket = await ticket_of(sessions, ref)
    assert ticket.status == TicketStatus.CLOSED
    last = (await events_of(sessions, ticket.id))[-1]
    assert (last.actor, last.from_status, last.to_status) == ("resident", "assigned", "closed")
    out = await chat.text(f"tambah {ref} masih ada")
    assert "tidak bisa ditambah" in text_of(out)


async def test_tidak_keeps_the_report(chat: Chat, sessions: Sessions) -> None:
    ref = await sent_report(chat)
    await chat.command("tarik", ref)
    out = await chat.tap("Tidak")
    assert "tetap kami proses" in text_of(out)
    assert (await ticket_of(sessions, ref)).status == TicketStatus.ASSIGNED


async def test_no_withdrawing_once_an_officer_has_acted(chat: Chat, sessions: Sessions) -> None:
    ref = await sent_report(chat)
    await chat.text(f"batalkan laporan {ref}")
    confirm = chat.menu
    async with sessions.begin() as session:  # meanwhile an officer accepts it
        ticket = await session.get(Ticket, (await ticket_of(sessions, ref)).id)
        assert ticket is not None
        await change_status(
            session,
            ticket,
            TicketStatus.ACKNOWLEDGED,
            actor="telegram:9001",
            now=chat.now,
            catalog=chat.ctx.catalog,
        )
    out = await chat.tap("Ya, tarik", menu=confirm)
    assert "sudah ditangani petugas" in text_of(out) and f"tambah {ref}" in text_of(out)
    assert (await ticket_of(sessions, ref)).status == TicketStatus.ACKNOWLEDGED
    out = await chat.text(f"tarik {ref}")
    assert "sudah ditangani petugas" in text_of(out) and not messages(out)[0].buttons


async def test_the_receipt_says_how_to_add_later(chat: Chat) -> None:
    await chat.report(POTHOLE)
    out = await chat.tap("Kirim")
    receipt = messages(out)[0]
    assert receipt.key == f"receipt:{receipt.ticket_ref}"
    assert f"tambah {receipt.ticket_ref}" in receipt.text
