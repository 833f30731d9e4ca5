"""The frame model: a message that names a problem only to thank, remember or send an errand
routes nowhere; one that still asks, or turns to a problem after its thanks, is a complaint."""

from __future__ import annotations

import pytest

from routing import matcher
from routing.frames import (
    TOPIC,
    FrameModel,
    asks_how_to,
    asks_whether,
    asks_why,
    frame_of,
    informs,
    says_it_matters,
    still_wrong,
)
from routing.matcher import Router


def test_the_problem_named_is_masked_so_the_frame_is_what_is_said_around_it() -> None:
    words = ["terima", "kasih", "lampu", "jalan", "sudah", "nyala", "|", "rt", "3"]
    assert frame_of(words, {2, 3}) == ["terima", "kasih", TOPIC, "sudah", "nyala", "|", "rt", "#"]


def test_a_model_learns_the_frame_whatever_the_topic() -> None:
    chat = [["terima", "kasih", TOPIC, "sudah", w] for w in ("beres", "nyala", "diangkut")]
    asks = [["tolong", TOPIC, w, "segera"] for w in ("beres", "nyala", "diangkut")]
    model = FrameModel.trained([(f, True) for f in chat] + [(f, False) for f in asks] * 2)
    thanks = model.chat_odds(["terima", "kasih", TOPIC, "sudah", "dibersihkan"])
    request = model.chat_odds(["tolong", TOPIC, "dibersihkan", "segera"])
    assert thanks > 0 > request


def test_one_class_alone_teaches_nothing() -> None:
    model = FrameModel.trained([(["tolong", TOPIC], False), (["lapor", TOPIC], False)])
    assert model.chat_odds(["terima", "kasih", TOPIC]) == 0.0 < matcher.FRAME_CHAT_ODDS


@pytest.mark.parametrize(
    ("frame", "turns"),
    [
        (["keren", "tamannya", "|", "cuma", TOPIC, "luber"], True),
        (["terima", "kasih", "|", "tapi", "sekarang", TOPIC, "lagi"], True),
        (["cuma", "mau", "bilang", "makasih", TOPIC, "sudah", "nyala"], False),
        (["terima", "kasih", TOPIC, "sekarang", "sudah", "terang"], False),
        (["tapi", "terima", "kasih"], False),  # no problem after the turn
        (["sudah", "ketemu", "|", "nah", "sekarang", "ada", TOPIC, "besar"], True),  # new now
        (["makasih", "|", "sekarang", "sudah", "ada", TOPIC], False),  # there at last
    ],
)
def test_a_turn_before_a_problem_tells_of_one_still_there(frame: list[str], turns: bool) -> None:
    assert still_wrong(frame) is turns


@pytest.mark.parametrize(
    ("frame", "asks"),
    [
        (["mbah", "tanya", "apa", "bisa", "dapat", "bantuan", TOPIC], True),
        (["bisakah", TOPIC, "dipangkas", "minggu", "ini"], True),
        (["laporan", "saya", "kemarin", "apa", "bisa", "dihapus"], False),  # the report itself
        (["terima", "kasih", TOPIC, "sudah", "bisa", "dipakai"], False),
    ],
)
def test_asking_whether_the_city_can_help_is_asking(frame: list[str], asks: bool) -> None:
    assert asks_whether(frame) is asks


@pytest.mark.parametrize(
    ("frame", "asks"),
    [
        (["terima", "kasih", "|", "mau", "tanya", "kenapa", TOPIC, "naik", "dua", "kali"], True),
        (["kenapa", TOPIC, "kayak", "mantan", "|", "sudah", "tutup"], False),  # a riddle
        (["kenapa", "ya", "|", "terima", "kasih"], False),  # nothing asked about
    ],
)
def test_asking_why_a_problem_is_so_is_asking(frame: list[str], asks: bool) -> None:
    """After a thanks, "why is my tax doubled?" is for the office; a riddle asks nothing."""
    assert asks_why(frame) is asks


@pytest.mark.parametrize(
    ("frame", "tells"),
    [
        (
            ["semoga", "lancar", "|", "mau", "info", "saja", "|", TOPIC, "miring", "mau", "roboh"],
            True,
        ),
        (["info", "|", TOPIC, "hari", "kamis", "jam", "#"], False),  # a notice opens "Info:"
        (["mau", "info", "saja", "|", "terima", "kasih"], False),  # nothing told
    ],
)
def test_wanting_to_let_the_city_know_of_a_problem_reports_it(
    frame: list[str], tells: bool
) -> None:
    assert informs(frame) is tells


@pytest.mark.parametrize(
    ("frame", "matters"),
    [
        (["tidak", "jadi", "lapor", "|", "yang", "lebih", "penting", "ini", "|", TOPIC], True),
        (["yang", "penting", TOPIC, "terbuka"], False),  # "the point is ...": an opinion
    ],
)
def test_a_problem_said_to_matter_more_is_asked_about(frame: list[str], matters: bool) -> None:
    assert says_it_matters(frame) is matters


@pytest.mark.parametrize(
    ("frame", "asks"),
    [
        (["makasih", "|", "saya", "mau", "pasang", TOPIC, "gratis", "|", "bisa", "dimana"], True),
        (["saya", "akan", "didata", "untuk", TOPIC, "|", "tahu", "tanya", "ke", "mana"], False),
    ],
)
def test_wanting_a_service_and_asking_where_asks_for_it(frame: list[str], asks: bool) -> None:
    """After a thanks, "saya mau pasang KB, bisa di mana?" asks the office that gives it."""
    assert asks_how_to(frame) is asks


@pytest.mark.parametrize(
    "text",
    [
        "Kemarin sore petugas damkar datang ke rumah ibu saya di Pakunden, ular sawah di gudang"
        " sudah dibawa pergi. Ibu sampai nangis lega, petugasnya sabar sekali. Semoga sehat"
        " selalu bapak-bapak semua.",
        "Bu, nanti pulang kerja mampir Pasar Setonobetek beli cabai sama bawang ya, harganya"
        " lagi turun katanya.",
    ],
)
def test_a_story_or_an_errand_that_names_a_problem_routes_nowhere(
    router: Router, text: str
) -> None:
    result = router.route(text)
    assert result.opd is None and not result.candidates
    assert "other" in result.small_talk  # the dialog answers it, asks what is wrong
    assert any(
        ev.kind == "frame" and ev.weight >= matcher.FRAME_CHAT_ODDS for ev in result.evidence
    )


@pytest.mark.parametrize(
    "text",
    [
        "Wah dulu jalan depan SD Bujel itu lubangnya segede kolam, sekarang halus banget habis"
        " diaspal bulan lalu. Sayangnya gorong-gorong di ujungnya mampet, air hujan meluber ke"
        " jalan.",
        "Terima kasih sebelumnya, tolong got mampet di Gang Melati Bujel dikeruk, tiap hujan"
        " meluber.",
        "Kemarin sore petugas damkar datang ke rumah ibu saya di Pakunden, ular sawah di gudang"
        " sudah dibawa pergi. Tapi sekarang ada ular lagi di kamar mandi, tolong segera datang.",
        # a grandchild typing grandma's story, which asks whether she can get help
        "Saya cucunya yang ngetik. Nenek tinggal sendiri di Tinalan sejak kakek wafat, atapnya"
        " bocor kalau hujan dan temboknya retak. Nenek tanya apa bisa dapat bantuan bedah rumah."
        " Salam dari nenek untuk bapak ibu.",
    ],
)
def test_a_thanks_that_still_asks_or_still_wrong_is_a_complaint(router: Router, text: str) -> None:
    result = router.route(text)
    assert not result.small_talk
    assert result.opd is not None or result.candidates


def test_a_story_is_greeted_only_when_it_opens_with_a_greeting(router: Router) -> None:
    """ "Kemarin sore petugas datang ...": the answer does not say "Selamat sore" back; a story
    that opens "Selamat pagi pak, ..." is greeted, and a thanks anywhere is thanked."""
    story = (
        "kemarin sore petugas damkar datang ke rumah ibu saya di Pakunden, ular sawah di gudang"
        " sudah dibawa pergi. Ibu sampai nangis lega, petugasnya sabar sekali."
    )
    assert router.route(f"{story} Matur nuwun sanget.").small_talk == ("thanks", "other")
    assert "greeting" in router.route(f"Selamat pagi pak, {story}").small_talk
