"""Phone numbers, e-mail addresses and identity numbers (NIK, KK) are masked in what officers read;
nothing else is."""

from __future__ import annotations

import pytest

from handlers.privacy import mask_personal


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("NIK 3571011205900001", "NIK •••••••••••••001"),
        ("nik saya 3571 0112 0590 0001.", "nik saya •••• •••• •••• •001."),
        ("KK: 35.71.01.120590.0001", "KK: ••.••.••.••••••.•001"),
        ("no kk 3571-0112-0590-0812 ya", "no kk ••••-••••-••••-•812 ya"),
        # a group of a spaced NIK that starts like a phone number is still part of the NIK
        ("3571 0812 3456 7890", "•••• •••• •••• •890"),
        ("NIK 6271011205900001 hp 081234567890", "NIK •••••••••••••001 hp •••••••••890"),
    ],
)
def test_identity_numbers_are_masked(typed: str, shown: str) -> None:
    assert mask_personal(typed) == shown


@pytest.mark.parametrize(
    "text",
    [
        "nomor 357101120590000",  # 15 digits: not a NIK
        "nomor 35710112059000012",  # 17 digits: not a NIK either
        "titik -7.816895 112.011230",  # a coordinate pair, 16 digits in all
    ],
)
def test_other_long_numbers_are_not_taken_for_identity_numbers(text: str) -> None:
    assert mask_personal(text) == text


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("hubungi saya 0812-3456-7890 ya", "hubungi saya ••••-••••-•890 ya"),
        ("WA +62 812 3456 7890", "WA +•• ••• •••• •890"),
        ("no 08123456789", "no ••••••••789"),
        ("telp (0354) 682955", "telp (••••) •••955"),
        ("6281234567890", "••••••••••890"),
        ("email budi.s@kedirikota.go.id", "email b•••@•••.id"),
        ("kirim ke x@gmail.com.", "kirim ke x•••@•••.com."),
    ],
)
def test_contact_details_are_masked(typed: str, shown: str) -> None:
    assert mask_personal(typed) == shown


@pytest.mark.parametrize(
    "text",
    [
        "KDR-26-000123 belum ditangani",
        "lokasi -7.816500,112.011500",
        "https://maps.google.com/?q=-7.816500,112.011500",
        "biaya Rp 150.000.000",
        "sejak tahun 2026 jam 08.00, rt 02 rw 05",
        "lubang 3 meter, 2 motor jatuh",
    ],
)
def test_references_coordinates_and_amounts_are_kept(text: str) -> None:
    assert mask_personal(text) == text
