"""Resident commands: their own tickets only, and a draft that survives them."""

from __future__ import annotations

from sqlmodel import select

from db.engine import Sessions
from db.tables import Resident
from tests.handlers.conftest import Chat, all_tickets, labels, messages, other, snapshot, text_of

POTHOLE = "Jalan berlubang besar di Jl. Dhoho depan toko buku"
RUBBISH = "Sampah belum diangkut tiga hari di depan pasar Setono Betek"
UNPLACED = "Jalan berlubang besar, aspal rusak sejak musim hujan"


async def file_report(chat: Chat, description: str) -> str:
    await chat.report(description)
    out = await chat.tap("Kirim")
    ref = messages(out)[0].ticket_ref
    assert ref is not None
    return ref


async def test_status_shows_own_tickets_only(chat: Chat, sessions: Sessions) -> None:
    mine = await file_report(chat, POTHOLE)
    neighbour = other(chat, user_id="6002", user_name="Budi")
    theirs = await file_report(neighbour, RUBBISH)

    out = await chat.command("status", mine.lower())
    assert mine in text_of(out) and "Diteruskan" in text_of(out) and "Dinas PUPR" in text_of(out)
    assert messages(out)[0].ticket_ref == mine

    for ref in (theirs, "KDR-26-999999"):
        out = await chat.command("status", ref)
        assert "tidak ditemukan" in text_of(out)
        assert "Sampah" not in text_of(out) and "DLHKP" not in text_of(out)


async def test_status_without_reference_shows_the_latest(chat: Chat) -> None:
    out = await chat.command("status")
    assert "belum punya laporan" in text_of(out)
    await file_report(chat, POTHOLE)
    latest = await file_report(chat, RUBBISH)
    out = await chat.command("status")
    assert latest in text_of(out) and "Sampah" in text_of(out)


async def test_my_reports_lists_recent_ones_with_labels(chat: Chat, sessions: Sessions) -> None:
    refs = [await file_report(chat, POTHOLE) for _ in range(6)]
    await file_report(other(chat, user_id="6002"), RUBBISH)
    out = await chat.command("laporanku")
    text = text_of(out)
    assert all(ref in text for ref in refs[1:]) and refs[0] not in text
    assert "Diteruskan" in text and "Sampah" not in text


async def test_batal_cancels_the_draft(chat: Chat, sessions: Sessions) -> None:
    out = await chat.command("batal")
    assert "Tidak ada laporan" in text_of(out)
    await chat.report(POTHOLE)
    summary = chat.menu
    out = await chat.command("batal")
    assert "dibatalkan" in text_of(out)
    assert (await snapshot(sessions, chat)).state == "idle"
    out = await chat.tap("Kirim", menu=summary)
    assert "tidak berlaku" in out[0].text
    assert await all_tickets(sessions) == []


async def test_cancel_button_cancels_the_draft(chat: Chat, sessions: Sessions) -> None:
    await chat.report(POTHOLE)
    out = await chat.tap("Batal")
    assert "dibatalkan" in text_of(out)
    assert await all_tickets(sessions) == []


async def test_commands_leave_the_draft_alone(chat: Chat, sessions: Sessions) -> None:
    await chat.text(UNPLACED)
    out = await chat.command("laporanku")
    assert (await snapshot(sessions, chat)).state == "location"
    out = await chat.command("start")
    (ask,) = messages(out)
    assert labels(ask) == ["Lanjutkan", "Mulai baru"] and UNPLACED in ask.text
    assert (await snapshot(sessions, chat)).data["description"] == UNPLACED
    out = await chat.tap("Lanjutkan")
    assert messages(out)[-1].request_location  # the open question, asked again


async def test_language_buttons_switch_to_english(chat: Chat, sessions: Sessions) -> None:
    out = await chat.command("bahasa")
    assert labels(messages(out)[0]) == ["Bahasa Indonesia", "English"]
    out = await chat.tap("English")
    assert "English" in text_of(out)
    out = await chat.text(UNPLACED)
    assert "Where is it?" in text_of(out) and labels(chat.menu) == ["Skip"]
    out = await chat.tap("Skip")
    out = await chat.tap("Skip")
    assert labels(chat.menu) == ["Send", "Edit", "Cancel"]
    out = await chat.tap("Send")
    assert "8 working hours" in text_of(out)
    out = await chat.command("laporanku")
    assert "Forwarded" in text_of(out)
    out = await chat.command("bahasa", "indonesia")
    assert "Bahasa Indonesia" in text_of(out)
    async with sessions() as session:
        assert (await session.execute(select(Resident))).scalar_one().language == "id"


async def test_english_phone_is_greeted_in_english(chat: Chat) -> None:
    chat.language = "en-GB"
    out = await chat.command("start")
    assert "welcome to Lapor" in text_of(out)


async def test_unknown_command_gets_a_hint(chat: Chat) -> None:
    out = await chat.command("foo")
    assert "/bantuan" in text_of(out)
    out = await chat.command("bantuan")
    assert "/status" in text_of(out) and "/laporanku" in text_of(out)
