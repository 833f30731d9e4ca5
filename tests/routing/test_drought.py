"""Drought water aid is disaster aid (BPBD); piped water stays with PDAM (labels.md)."""

from __future__ import annotations

import pytest

from routing.matcher import Router


@pytest.mark.parametrize(
    "text",
    [
        "tolong droping air bersih ke RT 04, sudah sebulan tidak hujan",
        "warga butuh kiriman air bersih, sumur kami kering karena kemarau",
        "kapan ada tangki air lagi? kemarau begini kami tidak bisa mandi",
        "kampung kami kekeringan, tolong dibantu air",
        "sumur penduduk mengering semua, kemarau sudah tiga bulan",
        "sumur omahku garing mergo ketigo, njaluk bantuan banyu",
    ],
)
def test_drought_water_aid_goes_to_bpbd(router: Router, text: str) -> None:
    assert router.route(text).opd == "BPBD"


@pytest.mark.parametrize(
    "text",
    [
        "air pdam di rumah mati dari subuh",
        "kran di dapur kering sejak kemarin, pipa pdam katanya diperbaiki",
        "tagihan air bulan ini naik dua kali lipat padahal pemakaian sama",
        "air leding keruh dan bau kaporit",
        "pipa air bocor di pinggir jalan, airnya muncrat",
    ],
)
def test_piped_water_stays_with_pdam(router: Router, text: str) -> None:
    assert router.route(text).opd == "PDAM"
