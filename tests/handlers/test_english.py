"""A resident who chose English reads English everywhere: hints, agency names, the summary."""

from __future__ import annotations

import re
from collections.abc import Sequence

from handlers.messages import InboundKind, Outbound
from tests.handlers.conftest import REFERRAL_EN, Chat, labels, messages, text_of

# Words that give away an Indonesian text; none of them is English.
INDONESIAN = re.compile(
    r"\b(silakan|laporan|lewati|ketik|dinas|pilih|lokasi|masalah|kirim|batal|ubah|tidak|"
    r"sudah|terima kasih|petugas|kami|anda|untuk|atau|bantuan|laporanku|tarik|tambah|"
    r"diteruskan|selesai|lanjutkan)\b",
    re.I,
)
POTHOLES = "jalan berlubang"  # the resident's own words, quoted back in the summary
RESIDENT_CHAT = "5001"
UNPLACED = f"The road is full of potholes ({POTHOLES}) since the rainy season"


def english_only(out: Sequence[Outbound]) -> None:
    """What the resident reads; staff groups read Indonesian."""
    for o in (o for o in messages(out) if o.chat_id == RESIDENT_CHAT):
        for text in (o.text, o.follow_up, o.location_label, o.choose_label, *labels(o)):
            found = INDONESIAN.search(text.replace(POTHOLES, ""))
            assert found is None, (found, text)


async def in_english(chat: Chat) -> None:
    chat.language = "en-US"
    english_only(await chat.command("start"))


async def test_a_whole_report_in_english(chat: Chat) -> None:
    await in_english(chat)
    english_only(await chat.text(UNPLACED))
    english_only(await chat.send(InboundKind.UNSUPPORTED))  # the hint for this step
    english_only(await chat.text("menu"))
    english_only(await chat.tap("Continue"))
    english_only(await chat.tap("Skip"))
    out = await chat.tap("Skip")
    english_only(out)
    assert "Public Works (PUPR)" in text_of(out) and "Dinas" not in text_of(out)
    out = await chat.tap("Send")
    receipt = messages(out)[0]
    english_only([receipt])
    assert "Public Works (PUPR)" in receipt.text and "type add " in receipt.text
    ref = receipt.ticket_ref
    for command in ("laporanku", "bantuan", "batal", "foo"):
        english_only(await chat.command(command))
    english_only(await chat.text("my reports"))
    english_only(await chat.text(f"status {ref}"))
    english_only(await chat.text(f"withdraw {ref}"))
    english_only(await chat.tap("No"))
    english_only(await chat.text(f"add {ref}"))
    english_only(await chat.text("the hole is one metre wide now"))
    english_only(await chat.tap("Done"))


async def test_help_names_the_english_commands(chat: Chat) -> None:
    await in_english(chat)
    out = await chat.command("help")
    for command in ("/myreports", "/add", "/withdraw", "/cancel", "/language"):
        assert command in text_of(out)
    assert "/laporanku" not in text_of(out)


async def test_unsure_routing_offers_english_agency_names(chat: Chat) -> None:
    await in_english(chat)
    await chat.text("Sampah menumpuk menutup selokan sejak minggu lalu")
    await chat.tap("Skip")
    out = await chat.tap("Skip")
    assert labels(messages(out)[-1]) == ["Public Works (PUPR)", "Environment (DLHKP)", "Not sure"]
    english_only(out)


async def test_referral_is_in_english(chat: Chat) -> None:
    await in_english(chat)
    await chat.text("Listrik padam since this morning in our street")
    await chat.tap("Skip")
    await chat.tap("Skip")
    out = await chat.tap("Send")
    assert REFERRAL_EN in text_of(out) and "PLN" in text_of(out)


async def test_english_controls_are_english(chat: Chat) -> None:
    await in_english(chat)
    (ask,) = messages(await chat.text(UNPLACED))
    assert (ask.location_label, ask.follow_up, ask.choose_label) == (
        "📍 Send location",
        "Or choose:",
        "Choose",
    )
