"""The place is read from what the resident wrote: offered for a tap, typed pins taken as pins."""

from __future__ import annotations

import pytest

from db.engine import Sessions
from handlers.places import coordinates_in, kelurahan_in, kota_kediri, place_in
from tests.handlers.conftest import Chat, all_tickets, labels, messages, snapshot, text_of

ALUN_ALUN = (-7.8166, 112.0118)


@pytest.mark.parametrize(
    ("description", "place"),
    [
        ("Sampah numpuk di depan SDN 2 Bandar Lor, baunya sampai kelas", "depan SDN 2 Bandar Lor"),
        ("got mampet gang 3 Mojoroto kalau hujan banjir", "gang 3 Mojoroto"),
        ("Jl. Dhoho no. 12 ada pohon tumbang menutup jalan", "Jl. Dhoho no. 12"),
        ("lampu pju mati di pertigaan Semampir sejak kemarin", "pertigaan Semampir"),
        (
            "aspal jalan rusak di Jalan Hayam Wuruk dekat lampu merah",
            "Jalan Hayam Wuruk dekat lampu merah",
        ),
    ],
)
async def test_a_place_in_the_description_is_offered_and_kept(
    chat: Chat, sessions: Sessions, description: str, place: str
) -> None:
    out = await chat.text(description)
    (offer,) = messages(out)
    assert offer.text == f"Lokasinya di {place}?" and labels(offer) == ["Ya", "Ubah"]
    await chat.tap("Ya")
    assert labels(chat.menu) == ["Lewati"]  # the photo question
    out = await chat.tap("Lewati")
    assert place in messages(out)[-1].text
    await chat.tap("Kirim")
    (ticket,) = await all_tickets(sessions)
    assert ticket.address == place


async def test_change_asks_for_the_location_instead(chat: Chat, sessions: Sessions) -> None:
    await chat.text("Sampah numpuk di depan SDN 2 Bandar Lor, baunya sampai kelas")
    out = await chat.tap("Ubah")
    assert messages(out)[-1].request_location
    await chat.text("Jl. Mayjen Sungkono gang 2, rumah pagar hijau")
    await chat.tap("Lewati")
    await chat.tap("Kirim")
    (ticket,) = await all_tickets(sessions)
    assert ticket.address == "Jl. Mayjen Sungkono gang 2, rumah pagar hijau"


async def test_a_pin_shared_at_the_offer_is_taken(chat: Chat, sessions: Sessions) -> None:
    await chat.text("got mampet gang 3 Mojoroto kalau hujan banjir")
    out = await chat.location(*ALUN_ALUN)
    assert "Lokasi dicatat" in text_of(out) and labels(chat.menu) == ["Lewati"]


async def test_a_vague_place_is_not_offered(chat: Chat) -> None:
    for vague in ("got mampet depan rumah saya", "Sampah menumpuk di sini tidak diangkut"):
        await chat.command("batal")
        out = await chat.text(vague)
        assert messages(out)[-1].request_location, vague


@pytest.mark.parametrize(
    "typed",
    [
        "-7.8166, 112.0118",
        "-7.8166,112.0118",
        "7.8166, 112.0118",  # the minus forgotten
        "-7,8166 112,0118",  # decimal commas
        "7°48'59.8\"S 112°00'42.5\"E",
        "https://maps.google.com/?q=-7.816600,112.011800",
        "https://www.google.com/maps/place/Alun-Alun+Kediri/@-7.8160,112.0110,17z/data=!3m1!4b1!4m6!3m5!8m2!3d-7.8166!4d112.0118",
        "https://www.google.com/maps/search/?api=1&query=-7.8166%2C112.0118",
        "https://www.openstreetmap.org/?mlat=-7.8166&mlon=112.0118#map=18/-7.8166/112.0118",
    ],
)
async def test_typed_coordinates_are_read_as_a_pin(
    chat: Chat, sessions: Sessions, typed: str
) -> None:
    await chat.text("Aspal rusak, jalan berlubang sepanjang 20 meter")
    out = await chat.text(typed)
    assert "Lokasi dicatat" in text_of(out) and "luar Kota Kediri" not in text_of(out)
    data = (await snapshot(sessions, chat)).data
    assert (round(data["latitude"], 3), round(data["longitude"], 3)) == (-7.817, 112.012)
    assert data["address"] is None


async def test_coordinates_in_the_description_are_the_pin(chat: Chat, sessions: Sessions) -> None:
    out = await chat.text("lampu jalan mati total di -7.8166, 112.0118 gelap sekali")
    assert "Lokasi dicatat" in text_of(out) and labels(chat.menu) == ["Lewati"]
    data = (await snapshot(sessions, chat)).data
    assert (data["latitude"], data["longitude"]) == ALUN_ALUN


async def test_a_pasted_map_link_first_starts_a_report_with_its_pin(
    chat: Chat, sessions: Sessions
) -> None:
    out = await chat.text("https://maps.google.com/?q=-7.8166,112.0118")
    assert "Lokasi dicatat" in text_of(out) and "Ceritakan masalahnya" in text_of(out)


async def test_a_short_map_link_gets_an_honest_answer(chat: Chat, sessions: Sessions) -> None:
    await chat.text("Aspal rusak, jalan berlubang sepanjang 20 meter")
    out = await chat.text("https://maps.app.goo.gl/Xy7aBc9dEf")
    assert "belum bisa kami buka" in text_of(out)
    assert (await snapshot(sessions, chat)).data["address"] is None


@pytest.mark.parametrize(
    "outside",
    [(-7.2575, 112.7521), (-6.2088, 106.8456), (0.0, 0.0)],  # Surabaya, Jakarta, null island
)
async def test_a_pin_outside_kota_kediri_is_answered_honestly(
    chat: Chat, sessions: Sessions, outside: tuple[float, float]
) -> None:
    await chat.text("Aspal rusak, jalan berlubang sepanjang 20 meter")
    out = await chat.location(*outside)
    assert "di luar Kota Kediri" in text_of(out) and "tetap boleh dikirim" in text_of(out)
    await chat.tap("Lewati")
    await chat.tap("Kirim")
    (ticket,) = await all_tickets(sessions)
    assert (ticket.latitude, ticket.longitude) == outside and ticket.kelurahan is None


async def test_typed_coordinates_outside_are_answered_too(chat: Chat) -> None:
    await chat.text("Aspal rusak, jalan berlubang sepanjang 20 meter")
    out = await chat.text("-7.2575, 112.7521")
    assert "di luar Kota Kediri" in text_of(out)


async def test_the_kelurahan_named_is_stored_on_the_ticket(chat: Chat, sessions: Sessions) -> None:
    await chat.text("Sampah numpuk di depan SDN 2 Bandar Lor, baunya sampai kelas")
    await chat.tap("Ya")
    await chat.tap("Lewati")
    await chat.tap("Kirim")
    await chat.text("aspal rusak, jalan berlubang di kel. Setono Pande")
    await chat.location(*ALUN_ALUN)  # a pin in town: the kelurahan comes from the words
    await chat.tap("Lewati")
    await chat.tap("Kirim")
    first, second = await all_tickets(sessions)
    assert (first.kelurahan, second.kelurahan) == ("Bandar Lor", "Setonopande")
    assert second.address is None


async def test_summary_names_the_kelurahan_when_the_address_does_not(chat: Chat) -> None:
    await chat.text("jalan berlubang dan aspal rusak di wilayah Tosaren")
    out = await chat.tap("Ubah")
    out = await chat.text("depan masjid besar, dekat rel")
    out = await chat.tap("Lewati")
    assert "depan masjid besar, dekat rel (Kel. Tosaren)" in messages(out)[-1].text


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("banjir di Bandarlor", "Bandar Lor"),
        ("lampu mati di setono gedong", "Setonogedong"),
        ("sampah di kampungdalem", "Kampung Dalem"),
        ("jalan rusak di Ringin Anom", "Ringinanom"),
        ("got mampet kel. Pojok", "Pojok"),
        ("jalan di desa Bawang rusak", "Bawang"),
        ("pondok pesantren Lirboyo kebanjiran", "Lirboyo"),
    ],
)
def test_kelurahan_names_as_residents_spell_them(text: str, name: str) -> None:
    found = kelurahan_in(text)
    assert found is not None and found.name == name


@pytest.mark.parametrize(
    "text",
    [
        "sampah di pojok jalan belum diangkut",  # a corner, not Kelurahan Pojok
        "harga bawang naik, pasar sepi",
        "kemasan plastik dibuang ke sungai",
        "santri pondok pesantren butuh air bersih",
    ],
)
def test_everyday_words_are_not_kelurahan(text: str) -> None:
    assert kelurahan_in(text) is None


def test_the_shipped_gazetteer_has_the_46_kelurahan_of_kota_kediri() -> None:
    gazetteer = kota_kediri()
    assert len(gazetteer.kelurahan) == 46
    assert {k.kecamatan for k in gazetteer.kelurahan} == {"Kota", "Mojoroto", "Pesantren"}
    assert gazetteer.bounds.contains(*ALUN_ALUN)


@pytest.mark.parametrize(
    "text", ["Rp 12.500, 13.000", "0812.3456.7890", "jam 07.30 sampai 10.45", "RT 03 RW 05"]
)
def test_numbers_that_are_not_coordinates(text: str) -> None:
    assert coordinates_in(text, kota_kediri().bounds) is None


def test_no_place_in_a_plain_complaint() -> None:
    assert place_in("air PDAM tidak mengalir sejak kemarin sore") is None
