"""Commands as residents type them, on every channel and at every step of a report."""

from __future__ import annotations

import pytest

from db.engine import Sessions
from handlers.wording import TypedCommand, find_reference, typed_command
from tests.handlers.conftest import Chat, all_tickets, labels, messages, snapshot, text_of

UNPLACED = "Jalan berlubang besar, aspal rusak sejak musim hujan"
PLACED = "Sampah numpuk di depan SDN 2 Bandar Lor, baunya sampai ke kelas"
CHANNELS = ("telegram", "whatsapp", "console")

# Written as residents write them: case, courtesy words, Javanese, English, punctuation.
CANCEL_WORDS = [
    "batal",
    "Batal",
    "BATAL!",
    "batal aja min",
    "gak jadi",
    "ga jadi kak",
    "tidak jadi",
    "batalkan",
    "ora sido",
    "mboten sios",
    "cancel",
    "/batal",
]
HELP_WORDS = ["bantuan", "Bantuan dong", "help", "cara lapor", "tolong bantuan min", "/help"]
LIST_WORDS = ["laporanku", "Laporan saya", "laporan ku", "my reports", "riwayat laporan"]
MENU_WORDS = ["menu", "Menu", "mulai", "/start", "menu utama"]


async def at_step(chat: Chat, step: str) -> None:
    """Bring the chat to one step of a report."""
    await chat.text(PLACED if step == "place" else UNPLACED)
    if step in {"photo", "confirm"}:
        await chat.tap("Lewati")
    if step == "confirm":
        await chat.tap("Lewati")


@pytest.mark.parametrize("word", CANCEL_WORDS)
async def test_cancel_typed_as_a_word_cancels_at_the_location_step(
    chat: Chat, sessions: Sessions, word: str
) -> None:
    await chat.text(UNPLACED)
    out = await chat.text(word)
    assert "dibatalkan" in text_of(out), word
    assert (await snapshot(sessions, chat)).state == "idle"
    assert "Lokasi" not in text_of(out)


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("step", ["place", "location", "photo", "confirm"])
async def test_batal_works_at_every_step_on_every_channel(
    chat: Chat, sessions: Sessions, channel: str, step: str
) -> None:
    chat.channel = channel
    await at_step(chat, step)
    out = await chat.text("batal")
    assert "dibatalkan" in text_of(out)
    assert (await snapshot(sessions, chat)).state == "idle"
    assert await all_tickets(sessions) == []


@pytest.mark.parametrize("word", HELP_WORDS)
async def test_help_typed_as_a_word_shows_help_and_keeps_the_draft(
    chat: Chat, sessions: Sessions, word: str
) -> None:
    await chat.text(UNPLACED)
    out = await chat.text(word)
    assert "Cara melapor" in text_of(out), word
    assert (await snapshot(sessions, chat)).data["description"] == UNPLACED


@pytest.mark.parametrize("word", LIST_WORDS)
async def test_my_reports_typed_as_words(chat: Chat, word: str) -> None:
    await chat.report(UNPLACED)
    out = await chat.tap("Kirim")
    ref = messages(out)[0].ticket_ref
    out = await chat.text(word)
    assert ref and ref in text_of(out), word
    assert "Diteruskan" in text_of(out)


@pytest.mark.parametrize("typed", ["status {ref}", "cek status {low}", "Status {short}", "{low}"])
async def test_status_typed_finds_the_report_however_the_number_is_written(
    chat: Chat, typed: str
) -> None:
    await chat.report(UNPLACED)
    out = await chat.tap("Kirim")
    ref = messages(out)[0].ticket_ref
    assert ref is not None
    number = int(ref.rsplit("-", 1)[1])
    short = f"{ref[:7]}{number}"  # KDR-26-1
    out = await chat.text(typed.format(ref=ref, low=ref.lower(), short=short.lower()))
    assert ref in text_of(out) and "Diteruskan" in text_of(out)


async def test_slash_status_with_a_short_number_finds_the_padded_reference(chat: Chat) -> None:
    await chat.report(UNPLACED)
    out = await chat.tap("Kirim")
    ref = messages(out)[0].ticket_ref
    assert ref is not None
    short = f"{ref[:7].lower()}{int(ref.rsplit('-', 1)[1])}"
    out = await chat.command("status", short)
    assert ref in text_of(out)


@pytest.mark.parametrize("word", MENU_WORDS)
async def test_menu_in_the_middle_of_a_report_asks_continue_or_start_over(
    chat: Chat, sessions: Sessions, word: str
) -> None:
    await chat.text(UNPLACED)
    await chat.tap("Lewati")
    out = await chat.text(word) if not word.startswith("/") else await chat.command("start")
    (ask,) = messages(out)
    assert labels(ask) == ["Lanjutkan", "Mulai baru"] and UNPLACED in ask.text
    out = await chat.tap("Mulai baru")
    assert "laporan tadi kami buang" in text_of(out)
    assert (await snapshot(sessions, chat)).state == "idle"
    out = await chat.text("Sampah di TPS belum diangkut seminggu, bau sekali")
    assert messages(out)[-1].request_location  # a new report began


async def test_continue_shows_the_open_question_again(chat: Chat) -> None:
    await chat.text(UNPLACED)
    await chat.tap("Lewati")
    await chat.text("menu")
    out = await chat.tap("Lanjutkan")
    assert "foto" in messages(out)[-1].text and labels(chat.menu) == ["Lewati"]


async def test_menu_when_idle_is_the_welcome(chat: Chat) -> None:
    out = await chat.text("menu")
    assert "selamat datang" in text_of(out)


async def test_batal_with_nothing_open_says_so(chat: Chat, sessions: Sessions) -> None:
    for out in (await chat.command("batal"), await chat.text("batal")):
        assert "Tidak ada laporan yang sedang dibuat" in text_of(out)
    assert (await snapshot(sessions, chat)).state == "idle"


async def test_language_typed_as_a_word(chat: Chat) -> None:
    out = await chat.text("english please")
    assert "English" in text_of(out)
    out = await chat.text("bahasa indonesia")
    assert "Bahasa Indonesia" in text_of(out)


@pytest.mark.parametrize(
    "report",
    [
        "status jalan di depan rumah rusak parah",
        "menu makan siang di kantin dinas basi",
        "batal kirim? tidak, jalan di Jl. Dhoho rusak",
        "lampu jalan batal dipasang padahal sudah dijanjikan",
        "bantuan sosial tidak sampai ke warga RT 3",
    ],
)
async def test_reports_that_begin_with_a_command_word_stay_reports(
    chat: Chat, sessions: Sessions, report: str
) -> None:
    await chat.text(report)
    assert (await snapshot(sessions, chat)).data.get("description") == report


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("batal", TypedCommand("batal")),
        ("status KDR-26-000123", TypedCommand("status", "KDR-26-000123")),
        ("cek status kdr 26 123", TypedCommand("status", "KDR-26-000123")),
        ("#kdr26000123", TypedCommand("status", "KDR-26-000123")),
        ("tarik laporan KDR-26-7", TypedCommand("tarik", "KDR-26-000007")),
        ("batal KDR-26-7", TypedCommand("tarik", "KDR-26-000007")),
        (
            "tambah KDR-26-7 lubangnya makin lebar",
            TypedCommand("tambah", "KDR-26-000007 lubangnya makin lebar"),
        ),
        ("/laporanku@LaporKediriBot", TypedCommand("laporanku")),
        ("/myreports", TypedCommand("laporanku")),
        ("bahasa en", TypedCommand("bahasa", "en")),
        ("Jl. Dhoho 12 3", None),
        ("status jalan rusak", None),
        ("ABC-26-000123", None),
    ],
)
def test_typed_commands(text: str, expected: TypedCommand | None) -> None:
    assert typed_command(text, "KDR") == expected


def test_another_prefix_is_not_a_reference() -> None:
    assert find_reference("rt 03 rw 05", "KDR") is None
    assert find_reference("TES-26-12", "TES") == "TES-26-000012"
