"""Openers, greetings and thanks are answered in kind, and never become a report."""

from __future__ import annotations

from datetime import datetime

import pytest

from db.engine import Sessions
from tests.handlers.conftest import WIB, Chat, all_tickets, labels, messages, snapshot, text_of

ASK = "ingin dilaporkan"  # the question about the problem, in both of its forms

# Written fresh, as residents open a chat: salam, greetings (Javanese too), openers, tests.
SALAMS = [
    "Assalamualaikum, pak mau lapor",
    "assalamualaikum wr wb",
    "Asslmkm min",
    "Assalamu'alaikum, selamat pagi bu",
    "samlekom",
]
GREETINGS = [
    "permisi min",
    "halo",
    "Halo kak, selamat siang",
    "selamat malam admin",
    "sugeng enjing",
    "Sugeng sonten pak",
    "kulonuwun",
    "punten",
    "hai",
    "good morning",
    "👋",
]
OPENERS = [
    "ada masalah",
    "mau lapor",
    "Saya mau lapor pak",
    "mau komplain min",
    "ada keluhan nih",
    "selamat pagi, saya mau tanya",
    "izin menyampaikan",
    "badhe lapor",
    "arep lapor",
    "mohon bantuan",
]
TESTS = ["tes", "p", "test test", "cek cek"]
THANKS = [
    "terima kasih",
    "makasih min",
    "Terima kasih banyak pak 🙏",
    "matur nuwun",
    "Maturnuwun sanget",
    "suwun",
    "ok siap",
    "thanks",
    "👍🙏",
    "oke makasih",
    "tq",
]


@pytest.mark.parametrize("text", SALAMS)
async def test_a_salam_is_answered_with_its_answer(
    chat: Chat, sessions: Sessions, text: str
) -> None:
    out = await chat.text(text)
    (answer,) = messages(out)
    assert answer.text.startswith("Wa'alaikumsalam"), text
    assert ASK in answer.text
    assert (await snapshot(sessions, chat)).state == "idle"


@pytest.mark.parametrize("text", GREETINGS)
async def test_a_greeting_gets_the_time_of_day_and_the_question(
    chat: Chat, sessions: Sessions, text: str
) -> None:
    chat.now = datetime(2026, 3, 2, 19, 30, tzinfo=WIB)
    out = await chat.text(text)
    (answer,) = messages(out)
    assert answer.text.startswith("Selamat malam"), text
    assert ASK in answer.text and "selamat datang" not in answer.text
    assert (await snapshot(sessions, chat)).state == "idle"


@pytest.mark.parametrize(
    ("hour", "said"), [(7, "Selamat pagi"), (12, "Selamat siang"), (16, "Selamat sore")]
)
async def test_the_greeting_follows_the_clock_in_kediri(chat: Chat, hour: int, said: str) -> None:
    chat.now = datetime(2026, 3, 2, hour, 5, tzinfo=WIB)
    out = await chat.text("halo min")
    assert text_of(out).startswith(said)


@pytest.mark.parametrize("text", OPENERS)
async def test_an_opener_is_asked_what_the_problem_is(
    chat: Chat, sessions: Sessions, text: str
) -> None:
    out = await chat.text(text)
    assert "masalah apa yang ingin dilaporkan" in text_of(out), text
    assert "selamat datang" not in text_of(out)
    assert (await snapshot(sessions, chat)).state == "idle"


@pytest.mark.parametrize("text", TESTS)
async def test_a_test_message_hears_that_lapor_is_up(chat: Chat, text: str) -> None:
    out = await chat.text(text)
    assert "siap menerima laporan" in text_of(out), text


async def test_after_the_opener_the_problem_starts_the_report(
    chat: Chat, sessions: Sessions
) -> None:
    await chat.text("Assalamualaikum, pak mau lapor")
    out = await chat.text("Aspal jalan rusak parah, banyak yang berlubang")
    assert messages(out)[-1].request_location
    assert (await snapshot(sessions, chat)).data["description"].startswith("Aspal jalan rusak")


@pytest.mark.parametrize("text", THANKS)
async def test_thanks_after_a_report_is_answered_kindly_and_starts_nothing(
    chat: Chat, sessions: Sessions, text: str
) -> None:
    await chat.report("Aspal jalan rusak parah, banyak yang berlubang")
    out = await chat.tap("Kirim")
    ref = messages(out)[0].ticket_ref
    out = await chat.text(text)
    (answer,) = messages(out)
    assert answer.text.startswith("Sama-sama"), text
    assert ref and ref in answer.text and ASK not in answer.text
    assert (await snapshot(sessions, chat)).state == "idle"
    assert len(await all_tickets(sessions)) == 1


async def test_thanks_at_the_location_question_is_not_the_location(
    chat: Chat, sessions: Sessions
) -> None:
    await chat.text("Aspal jalan rusak parah, banyak yang berlubang")
    for text in ("terima kasih", "ok siap", "Assalamualaikum"):
        out = await chat.text(text)
        (answer,) = messages(out)
        assert "Lokasi:" not in answer.text and labels(answer) == ["Lewati"]
        assert answer.request_location and "tulis alamatnya" in answer.text
        data = (await snapshot(sessions, chat)).data
        assert data["address"] is None and not data["location_done"]
    assert text_of(out).startswith("Wa'alaikumsalam")


async def test_courtesy_at_later_steps_keeps_the_step(chat: Chat, sessions: Sessions) -> None:
    await chat.text("Aspal jalan rusak parah, banyak yang berlubang")
    await chat.tap("Lewati")
    out = await chat.text("makasih min")
    assert "Sama-sama" in text_of(out) and labels(chat.menu) == ["Lewati"]
    await chat.tap("Lewati")
    out = await chat.text("selamat pagi")
    assert labels(messages(out)[-1]) == ["Kirim", "Ubah", "Batal"]
    assert (await snapshot(sessions, chat)).state == "confirm"


async def test_thanks_with_no_report_invites_one(chat: Chat) -> None:
    out = await chat.text("makasih")
    assert "Sama-sama" in text_of(out) and "ceritakan saja di sini" in text_of(out)


async def test_a_question_about_lapor_is_answered(chat: Chat, sessions: Sessions) -> None:
    out = await chat.text("jam berapa kantor buka hari sabtu?")
    assert "24 jam" in text_of(out) and ASK in text_of(out)
    assert (await snapshot(sessions, chat)).state == "idle"


async def test_a_question_about_ones_report_is_told_where_to_see_it(
    chat: Chat, sessions: Sessions
) -> None:
    """ "Laporan saya kemarin gimana?" opens no new report: the answer says how to look."""
    out = await chat.text("laporan saya kemarin soal lampu jalan gimana ya min?")
    assert "/status" in text_of(out)
    assert (await snapshot(sessions, chat)).state == "idle"


async def test_spam_gets_one_plain_line(chat: Chat, sessions: Sessions) -> None:
    out = await chat.text("Slot gacor maxwin hari ini, daftar di bit.ly/xxxx")
    assert "hanya menerima laporan" in text_of(out)
    assert (await snapshot(sessions, chat)).state == "idle"


async def test_courtesy_around_a_complaint_is_still_a_report(
    chat: Chat, sessions: Sessions
) -> None:
    await chat.text("Assalamualaikum pak, lampu jalan di gang 3 mati sejak kemarin, terima kasih")
    assert (await snapshot(sessions, chat)).data["description"].startswith("Assalamualaikum")


async def test_english_courtesy_is_answered_in_english(chat: Chat) -> None:
    chat.language = "en"
    chat.now = datetime(2026, 3, 2, 8, 0, tzinfo=WIB)
    out = await chat.text("good morning")
    assert text_of(out).startswith("Good morning") and "What problem" in text_of(out)
    out = await chat.text("Assalamualaikum")
    assert text_of(out).startswith("Wa'alaikumsalam") and "peace" in text_of(out)


async def test_asking_whether_lapor_costs_is_told_it_is_free(chat: Chat) -> None:
    out = await chat.text("lapor di sini bayar nggak? pulsa saya tinggal sedikit")
    assert "gratis" in text_of(out) and "tidak ditampilkan" in text_of(out)
