"""Corrections officers make teach the router; they never unsettle what the catalog knows."""

from __future__ import annotations

import pytest

from routing.catalog import Catalog, CatalogError
from routing.matcher import Router

LOCAL_WORD = "pak, tandon kampung di RT 5 ngadat lagi, warga antre"  # no catalog word at all


def test_a_correction_routes_look_alikes(catalog: Catalog) -> None:
    # the catalog alone does not know it (the n-gram model may already guess it)
    assert Router(catalog, learned=False).route(LOCAL_WORD).opd is None
    learned = Router(catalog, examples=[(LOCAL_WORD, "PDAM")])
    result = learned.route("pak tandon kampung RT 5 ngadat lagi warga antre")
    assert result.opd == "PDAM"
    assert any(ev.kind == "example" for ev in result.evidence)


def test_add_example_works_incrementally(catalog: Catalog) -> None:
    router = Router(catalog)
    router.add_example(LOCAL_WORD, "PDAM")
    assert router.route("tandon kampung di RT 5 ngadat lagi, warga antre").opd == "PDAM"


def test_unrelated_texts_are_not_pulled_by_examples(catalog: Catalog) -> None:
    router = Router(catalog, examples=[(LOCAL_WORD, "PDAM")])
    assert router.route("sampah di gang belum diangkut").opd == "DLHKP"
    assert router.route("halo selamat pagi").opd is None


def test_a_weak_example_does_not_overturn_a_clear_catalog_answer(catalog: Catalog) -> None:
    router = Router(catalog, examples=[("lampu jalan depan rumah mati", "PLN")])
    assert router.route("lampu jalan di depan gang mati semua").opd == "PERKIM"


def test_example_for_unknown_agency_is_refused_or_skipped(catalog: Catalog) -> None:
    router = Router(catalog, examples=[("apa saja", "DINAS_LAMA")])
    assert router.skipped_examples == [("apa saja", "DINAS_LAMA")]
    with pytest.raises(CatalogError, match="DINAS_LAMA"):
        router.add_example("apa saja", "DINAS_LAMA")


def test_words_learned_from_corrections_offer_the_agency_as_a_button(catalog: Catalog) -> None:
    router = Router(catalog)
    router.add_example("tandon RT 2 ngadat", "PDAM")
    router.add_example("tandon di musala ngadat juga", "PDAM")
    result = router.route("minta tolong, tandon umum belakang balai RW kosong")
    assert "PDAM" in result.candidates
    assert any(ev.kind == "learned" and ev.phrase == "tandon" for ev in result.evidence)


def test_a_running_router_learns_a_correction_at_once(catalog: Catalog) -> None:
    """The staff workflow calls `learn` after an officer reassigns a ticket: the very next
    look-alike goes where the officer said, with no rebuild."""
    router = Router(catalog)
    before = router.route("sumur bor umum di balai RW tidak keluar airnya")
    router.learn("sumur bor umum di balai RW tidak keluar airnya", "BPBD")
    after = router.route("sumur bor umum dekat balai RW 3 tidak keluar air")
    assert before.opd != "BPBD"
    assert after.opd == "BPBD"
    assert any(ev.kind == "example" for ev in after.evidence)


def test_a_correction_is_found_among_thousands(catalog: Catalog) -> None:
    """The look-alike index, not a scan: thousands of other corrections neither hide a
    correction nor lend their agency to an unrelated message."""
    router = Router(catalog)
    places = ["gang", "RT", "RW", "blok", "perum", "dusun", "lingkungan", "kampung"]
    for n in range(2000):
        router.add_example(
            f"laporan warga {places[n % 8]} {n} nomor {n * 7} soal urusan {n % 13}", "DISKOMINFO"
        )
    router.learn(LOCAL_WORD, "PDAM")
    result = router.route("tandon kampung RT 5 ngadat lagi, warga pada antre")
    assert result.opd == "PDAM"
    assert router.route("sampah di gang belum diangkut").opd == "DLHKP"


def test_one_routers_corrections_do_not_reach_another(catalog: Catalog) -> None:
    taught, other = Router(catalog), Router(catalog)
    taught.learn(LOCAL_WORD, "BPBD")
    taught.learn("tandon kampung RT 5 ngadat, warga antre air", "BPBD")
    assert taught.route(LOCAL_WORD).opd == "BPBD"
    assert other.route(LOCAL_WORD).opd != "BPBD"
