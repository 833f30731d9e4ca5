"""A broken catalog is refused at load with a message that names the place."""

from __future__ import annotations

from pathlib import Path

import pytest

from routing.catalog import Catalog, CatalogError, catalog_warnings, load_catalog

LABELS_CODES = {
    "PUPR", "PERKIM", "DLHKP", "DISHUB", "PDAM", "SATPOLPP", "DAMKAR", "BPBD", "DINKES",
    "DISPENDUKCAPIL", "DINSOS", "DISDIK", "DISKOMINFO", "DISNAKER", "BAPENDA", "DPMPTSP",
    "DISPERDAGIN", "DP3AP2KB", "PLN", "POLRI",
}  # fmt: skip

GOOD_AGENCY = """
- code: PUPR
  name: Dinas PUPR
  kind: internal
  sla: {first_response_hours: 8, resolution_hours: 120}
  keywords: [jalan rusak]
"""


def write(tmp_path: Path, agencies: str) -> Path:
    path = tmp_path / "catalog.yaml"
    path.write_text("agencies:\n" + agencies, encoding="utf-8")
    return path


def load_error(tmp_path: Path, agencies: str) -> str:
    with pytest.raises(CatalogError) as caught:
        load_catalog(write(tmp_path, agencies))
    return str(caught.value)


def test_shipped_catalog_has_exactly_the_labelled_codes(catalog: Catalog) -> None:
    assert {a.code for a in catalog.agencies} == LABELS_CODES


def test_shipped_catalog_has_no_warnings_but_missing_chat_ids(catalog: Catalog) -> None:
    assert all("telegram_chat_id" in w for w in catalog_warnings(catalog))


def test_shipped_referrals_give_the_real_hotlines(catalog: Catalog) -> None:
    pln, polri = catalog.agency("PLN"), catalog.agency("POLRI")
    assert pln.referral is not None and "123" in pln.referral and "PLN Mobile" in pln.referral
    assert polri.referral is not None and "110" in polri.referral


def test_a_good_small_catalog_loads(tmp_path: Path) -> None:
    catalog = load_catalog(write(tmp_path, GOOD_AGENCY))
    assert catalog.agency("PUPR").label == "PUPR"


def test_duplicate_code_is_refused(tmp_path: Path) -> None:
    message = load_error(tmp_path, GOOD_AGENCY + GOOD_AGENCY)
    assert "PUPR appears twice" in message


def test_malformed_code_is_refused_naming_it(tmp_path: Path) -> None:
    message = load_error(tmp_path, GOOD_AGENCY.replace("code: PUPR", "code: dinas pu"))
    assert "agency dinas pu" in message and "code" in message


def test_unknown_code_lookup_names_the_code(tmp_path: Path) -> None:
    catalog = load_catalog(write(tmp_path, GOOD_AGENCY))
    with pytest.raises(CatalogError, match="'DISHUB'"):
        catalog.agency("DISHUB")


def test_agency_without_keywords_is_refused(tmp_path: Path) -> None:
    message = load_error(tmp_path, GOOD_AGENCY.replace("keywords: [jalan rusak]", "keywords: []"))
    assert "agency PUPR" in message and "no keywords" in message


def test_phrase_claimed_by_two_agencies_needs_weights(tmp_path: Path) -> None:
    second = GOOD_AGENCY.replace("code: PUPR", "code: PERKIM")
    second = second.replace("jalan rusak", "Jalan  Rusak")
    message = load_error(tmp_path, GOOD_AGENCY + second)
    assert "'jalan rusak'" in message and "PERKIM and PUPR" in message


def test_shared_phrase_with_weights_loads(tmp_path: Path) -> None:
    first = GOOD_AGENCY.replace("[jalan rusak]", "[{phrase: lampu mati, weight: 0.8}]")
    second = first.replace("code: PUPR", "code: PERKIM").replace("0.8", "0.6")
    catalog = load_catalog(write(tmp_path, first + second))
    assert len(catalog.agencies) == 2


@pytest.mark.parametrize(
    ("sla", "complaint"),
    [
        ("{first_response_hours: 0, resolution_hours: 120}", "first_response_hours"),
        ("{first_response_hours: -2, resolution_hours: 120}", "first_response_hours"),
        ("{first_response_hours: 8, resolution_hours: 4}", "shorter than first_response"),
        ("{first_response_hours: 8, resolution_hours: 100000}", "resolution_hours"),
        ("{first_response_hours: soon, resolution_hours: 120}", "first_response_hours"),
    ],
)
def test_bad_sla_is_refused_naming_the_agency(tmp_path: Path, sla: str, complaint: str) -> None:
    bad = GOOD_AGENCY.replace("{first_response_hours: 8, resolution_hours: 120}", sla)
    message = load_error(tmp_path, bad)
    assert "agency PUPR" in message and complaint in message


def test_internal_agency_without_sla_is_refused(tmp_path: Path) -> None:
    bad = GOOD_AGENCY.replace("  sla: {first_response_hours: 8, resolution_hours: 120}\n", "")
    assert "needs an sla" in load_error(tmp_path, bad)


def test_external_agency_without_referral_is_refused(tmp_path: Path) -> None:
    bad = GOOD_AGENCY.replace("kind: internal", "kind: external").replace(
        "  sla: {first_response_hours: 8, resolution_hours: 120}\n", ""
    )
    assert "referral" in load_error(tmp_path, bad)


def test_not_yaml_and_missing_file_are_catalog_errors(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("agencies: [", encoding="utf-8")
    with pytest.raises(CatalogError, match="not valid YAML"):
        load_catalog(path)
    with pytest.raises(CatalogError, match="cannot read"):
        load_catalog(tmp_path / "missing.yaml")


def test_warnings_name_what_check_config_should_show(tmp_path: Path) -> None:
    text = GOOD_AGENCY.replace("[jalan rusak]", "[jalan rusak, Jalan Rusak]")
    text += "  staff: {telegram_chat_id: 12345}\n"
    warnings = catalog_warnings(load_catalog(write(tmp_path, text)))
    assert any("triage" in w for w in warnings)
    assert any("supervisors" in w for w in warnings)
    assert any("PUPR" in w and "positive" in w for w in warnings)
    assert any("PUPR" in w and "listed twice" in w for w in warnings)


def test_internal_agency_without_staff_chat_is_a_warning(tmp_path: Path) -> None:
    warnings = catalog_warnings(load_catalog(write(tmp_path, GOOD_AGENCY)))
    assert any("agency PUPR" in w and "staff.telegram_chat_id" in w for w in warnings)


@pytest.mark.parametrize(
    ("calendar", "complaint"),
    [
        ("holidays_country: XX", "unknown country 'XX'"),
        ("holiday_categories: [nonsense]", "nonsense"),
    ],
)
def test_a_calendar_the_holidays_library_cannot_give_is_refused(
    tmp_path: Path, calendar: str, complaint: str
) -> None:
    """Checked at load, as the admin deploys, not when the first deadline is counted."""
    message = load_error(tmp_path, GOOD_AGENCY + f"calendar:\n  {calendar}\n")
    assert "holidays" in message and complaint in message
