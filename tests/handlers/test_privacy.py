"""Phone numbers and e-mail addresses are masked in what officers read; nothing else is."""

from __future__ import annotations

import pytest

from handlers.privacy import mask_contacts


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
    assert mask_contacts(typed) == shown


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
    assert mask_contacts(text) == text
