"""Both catalogues say the same things, with the same blanks to fill."""

from __future__ import annotations

from string import Formatter

from db.tables import TicketStatus
from handlers.texts import LANGUAGES, catalogue, shorten, status_label, t


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name}


def test_catalogues_have_the_same_keys_and_placeholders() -> None:
    indonesian, english = catalogue("id"), catalogue("en")
    assert set(indonesian) == set(english)
    for key, text in indonesian.items():
        assert placeholders(text) == placeholders(english[key]), key


def test_every_status_has_a_label_in_every_language() -> None:
    for lang in LANGUAGES:
        for status in TicketStatus:
            assert status_label(lang, status) and status_label(lang, status) != status.value
    assert status_label("id", TicketStatus.WAITING_CITIZEN) == "Menunggu info pelapor"
    assert status_label("id", TicketStatus.REFERRED) == "Dirujuk ke instansi lain"


def test_unknown_language_falls_back_to_indonesian() -> None:
    assert t("jv", "button.send") == "Kirim"


def test_shorten_marks_the_cut() -> None:
    assert shorten("abcdef", 10) == "abcdef"
    assert shorten("abcdefghijkl", 5) == "abcd…"
