"""Residents' spelling reaches the catalog's words."""

from __future__ import annotations

import pytest

from routing.matcher import Router
from routing.normalize import BOUNDARY, AffixStripper, fold, normalize, split


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("JALAN RUSAAAK!!!", "jalan rusak!!!"),
        ("Lampu mati 😡😡", "lampu mati"),
        ("Café Dhoho", "cafe dhoho"),
        ("it's not", "its not"),
        ("ｐｊｕ", "pju"),  # full-width letters from some phone keyboards
    ],
)
def test_fold_lowercases_and_strips_noise(written: str, folded: str) -> None:
    assert fold(written).strip() == folded


def test_reduplication_collapses_to_the_word() -> None:
    assert split("anak2 lempar2 bolong-bolong") == ["anak", "lempar", "bolong"]


@pytest.mark.parametrize(
    ("written", "words"),
    [
        ("duite wis tak transfer", ["duite", "wis", "aku", "transfer"]),  # Javanese "I"
        ("Tak turu sik", ["aku", "turu", "sik"]),
        ("sampah tak diangkut, takut bau", ["sampah", "tak", "diangkut", BOUNDARY, "takut", "bau"]),
        ("panas siang bolong", ["panas", "siang"]),  # broad daylight, no hole
        ("siang\nbolong", ["siang"]),  # read the long way, the same
    ],
)
def test_idioms_are_read_as_meant(written: str, words: list[str]) -> None:
    """ "Tak" before a Javanese verb is "I", elsewhere Indonesian "not"; an idiom spans the
    white space between its words, a newline too."""
    assert split(written) == words


def test_clause_breaks_are_kept_but_abbreviations_are_not_breaks() -> None:
    assert split("Jl. Dhoho rusak, tolong") == ["jl", "dhoho", "rusak", BOUNDARY, "tolong"]


def test_a_long_dictated_message_breaks_where_the_resident_said_titik_or_koma() -> None:
    """Voice typing writes the punctuation said aloud; a typed message keeps "titik" a word
    ("titik lampu"), and so does a short one."""
    dictated = split(
        "pak ada lubang besar di jalan depan masjid titik tolong diperbaiki koma lampu jalan"
        " juga mati"
    )
    assert dictated.count(BOUNDARY) == 2
    assert dictated[dictated.index(BOUNDARY) - 1] == "masjid"
    assert BOUNDARY not in split("tiga titik lampu jalan mati")
    typed = split("ada tiga titik lampu jalan mati di gang mawar, sudah seminggu gelap semua pak")
    assert "titik" in typed


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("yg gk bs lwt jln", "yang tidak bs lwt jalan"),
        ("udh bgt tp blm", "sudah banget tapi belum"),
        ("banyu mati wis rong dina", "air mati sudah rong hari"),
        ("nyuwun tulung dalan bolong", "mohon tolong jalan lubang"),
        ("omah tangga kebak uwuh", "rumah tetangga penuh sampah"),
    ],
)
def test_slang_and_javanese_become_indonesian(written: str, normal: str) -> None:
    assert normalize(written) == normal


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("selokannya", "selokan"),
        ("dipangkas", "pangkas"),
        ("menambal", "tambal"),
        ("nyapu", "sapu"),
        ("pembayaran", "bayar"),
    ],
)
def test_affix_stripper_proposes_the_stem(word: str, stem: str) -> None:
    assert stem in list(AffixStripper().candidates(word))


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("selokannya mampet", ["selokan", "mampet"]),  # suffix to a catalog word
        ("dalane ajur", ["jalan", "hancur"]),  # Javanese -e, then the lexicon
        ("lampune mati", ["lampu", "mati"]),
        ("smapah numpuk", ["sampah", "numpuk"]),  # transposed letters
        ("kebakaaran", ["kebakaran"]),  # doubled letter
        ("sampahh numpukk", ["sampah", "numpuk"]),  # held last letter
        ("lmpu mtii", ["lampu", "mati"]),  # held last letter on a vowel-dropped word
        ("pohonn tumbangg", ["pohon", "tumbang"]),
        # voice recognition: acronyms spelled out, words cut apart or run together
        ("te pe es penuh", ["tps", "penuh"]),
        ("pe dam mati", ["pdam", "mati"]),
        ("sam pah numpuk", ["sampah", "numpuk"]),
        ("lampujalan mati", ["lampu", "jalan", "mati"]),
        ("es teh basi", ["es", "teh", "basi"]),  # a letter name that spells nothing stays
    ],
)
def test_analyzer_reaches_catalog_words(router: Router, written: str, expected: list[str]) -> None:
    assert router.analyzer.analyze(written) == expected


@pytest.mark.parametrize(
    "word",
    [
        "lebar", "makin", "malah", "money", "mohon", "tahan", "keberatan", "kejadian", "free",
        "pak", "rt", "rw",
    ],
)  # fmt: skip
def test_real_words_are_not_corrected_into_catalog_words(router: Router, word: str) -> None:
    """'lebar' is not a typo of 'lebah' (bees), 'mohon' not of 'pohon', 'money' not 'monkey',
    'pak' (sir) not a vowel-less 'pakai'."""
    assert router.analyzer.analyze(word) == [word]


def test_place_names_are_left_alone(router: Router) -> None:
    """Tamanan is a kelurahan, not a park; Banjaran is not a flood."""
    assert router.analyzer.analyze("terminal tamanan banjaran") == [
        "terminal",
        "tamanan",
        "banjaran",
    ]
