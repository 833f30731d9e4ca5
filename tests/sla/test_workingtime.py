"""Working time: deadlines land where an office worker would expect them.

The calendar here is written out in the test (not the shipped one) so that a change of the
city's hours does not move these dates; 2026's Indonesian holidays come from the package.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from handlers.workingtime import WorkingTime
from routing.catalog import Calendar, CatalogError, load_catalog, parse_catalog
from tests.routing.paths import SHIPPED_CATALOG

WIB = ZoneInfo("Asia/Jakarta")
OFFICE = Calendar.model_validate(
    {
        "hours": {
            "mon-thu": ["07:30-12:00", "13:00-16:00"],
            "fri": ["07:30-11:30", "13:00-16:30"],  # Friday prayers
        },
        "periods": [
            {
                "name": "Ramadan 1447 H",
                "from": "2026-02-19",
                "to": "2026-03-19",
                "hours": {"mon-thu": ["08:00-12:00", "12:30-15:00"], "fri": ["08:00-11:30"]},
            }
        ],
        "extra_holidays": ["2026-03-18", "2026-03-20", "2026-03-23", "2026-03-24"],
    }
)


def at(day: int, month: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=WIB)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


@pytest.fixture
def office() -> WorkingTime:
    return WorkingTime(OFFICE)


def test_eight_working_hours_after_friday_afternoon_land_on_monday(office: WorkingTime) -> None:
    # Friday 15:30-16:30, then Monday 07:30-12:00 and 13:00-15:30
    assert office.add(at(9, 1, 15, 30), hours(8)) == at(12, 1, 15, 30)


def test_a_report_on_saturday_starts_counting_on_monday_morning(office: WorkingTime) -> None:
    assert office.next_working(at(10, 1, 10)) == at(12, 1, 7, 30)
    assert office.add(at(10, 1, 10), hours(1)) == at(12, 1, 8, 30)
    assert office.between(at(9, 1, 16), at(12, 1, 8)) == hours(1)  # 30 min Friday, 30 Monday


def test_a_public_holiday_is_not_counted(office: WorkingTime) -> None:
    assert office.is_holiday(at(16, 1, 0).date())  # Isra' Mi'raj, a Friday
    assert office.add(at(15, 1, 15), hours(2)) == at(19, 1, 8, 30)
    assert office.between(at(15, 1, 8), at(19, 1, 8)) == hours(7.5)


def test_a_deadline_crosses_a_holiday_and_the_cuti_bersama_around_it(office: WorkingTime) -> None:
    # Tuesday 17 March (Ramadan hours, until 15:00); then Wednesday 18 cuti bersama,
    # Thursday 19 Nyepi, Friday 20 cuti, the weekend of Idul Fitri, Monday 23 and Tuesday 24
    # cuti: the second hour is worked on Wednesday 25 March.
    assert office.add(at(17, 3, 14), hours(2)) == at(25, 3, 8, 30)
    without_cuti = WorkingTime(OFFICE.model_copy(update={"extra_holidays": []}))
    assert without_cuti.add(at(17, 3, 14), hours(2)) == at(18, 3, 9)


def test_the_lunch_break_is_not_counted(office: WorkingTime) -> None:
    assert office.add(at(12, 1, 11), hours(2)) == at(12, 1, 14)
    assert office.between(at(12, 1, 11), at(12, 1, 14)) == hours(2)
    assert not office.is_working(at(12, 1, 12, 30))


def test_friday_prayers_are_a_longer_break(office: WorkingTime) -> None:
    assert office.add(at(9, 1, 11), hours(1)) == at(9, 1, 13, 30)
    assert office.add(at(12, 1, 11), hours(1)) == at(12, 1, 12)  # a Monday, for comparison


def test_ramadan_hours_apply_on_their_dates_only(office: WorkingTime) -> None:
    assert office.add(at(2, 3, 14), hours(2)) == at(3, 3, 9)  # closes at 15:00, opens at 08:00
    assert office.add(at(13, 4, 14), hours(2)) == at(13, 4, 16)  # April: usual hours
    assert office.between(at(2, 3, 0), at(3, 3, 0)) == hours(6.5)


def test_a_round_the_clock_agency_counts_nights_weekends_and_holidays() -> None:
    siaga = WorkingTime(OFFICE.model_copy(update={"round_the_clock": True}))
    assert siaga.add(at(10, 1, 23), timedelta(minutes=15)) == at(10, 1, 23, 15)
    assert siaga.add(at(15, 1, 23), hours(2)) == at(16, 1, 1)  # into a public holiday
    assert siaga.between(at(9, 1, 16), at(12, 1, 8)) == hours(64)


def test_the_deadline_is_the_same_moment_whatever_zone_it_is_given_in(office: WorkingTime) -> None:
    start = datetime(2026, 1, 9, 8, 30, tzinfo=UTC)  # Friday 15:30 WIB
    assert office.add(start, hours(8)) == at(12, 1, 15, 30)


def test_adding_then_measuring_gives_back_the_same_working_time(office: WorkingTime) -> None:
    """Every start over five weeks (holidays, Ramadan, breaks), every target Lapor uses."""
    start = at(9, 3, 0)
    while start < at(13, 4, 0):
        for target in (0.25, 2, 4, 8, 24, 120):
            due = office.add(start, hours(target))
            assert office.between(start, due) == hours(target), (start, target)
            assert office.is_working(due - timedelta(seconds=1))
        start += timedelta(minutes=97)


def test_working_days_skip_weekends_and_holidays(office: WorkingTime) -> None:
    # from Friday 9 January: 12-15 (the 16th is a holiday), 19-23, then Monday 26
    assert office.add_days(at(9, 1, 10), 10) == at(26, 1, 10)


def test_naive_datetimes_are_refused(office: WorkingTime) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        office.add(datetime(2026, 1, 9, 15, 30), hours(1))  # noqa: DTZ001


def test_the_older_workdays_and_office_hours_still_work() -> None:
    legacy = WorkingTime(Calendar(workdays=[0, 1, 2, 3, 4, 5], office_hours=("08:00", "14:00")))
    assert legacy.add(at(9, 1, 13), hours(2)) == at(10, 1, 9)  # Saturdays work here


CATALOG = """
agencies:
- code: PUPR
  name: Dinas PUPR
  kind: internal
  calendar: {calendar}
  sla: {{first_response_hours: 8, resolution_hours: 120}}
  keywords: [jalan rusak]
calendar:
  hours: {hours}
calendars:
  siaga: {{round_the_clock: true}}
"""


def catalog_error(calendar: str = "null", hours: str = "{mon-fri: [07:30-16:00]}") -> str:
    with pytest.raises(CatalogError) as caught:
        parse_catalog(CATALOG.format(calendar=calendar, hours=hours))
    return str(caught.value)


def test_an_agency_takes_its_named_calendar_and_others_the_default() -> None:
    catalog = parse_catalog(CATALOG.format(calendar="siaga", hours="{mon-fri: [07:30-16:00]}"))
    assert catalog.calendar_of("PUPR").round_the_clock
    assert catalog.calendar_of("PUPR").week == catalog.calendar.week  # inherited keys
    assert catalog.calendar_of(None) is catalog.calendar


@pytest.mark.parametrize(
    ("calendar", "hours", "message"),
    [
        ("nowhere", "{mon-fri: [07:30-16:00]}", "no calendar named 'nowhere'"),
        ("null", "{mon-fri: [07:30-12:00, 11:00-16:00]}", "overlap"),
        ("null", "{monday: [07:30-16:00]}", "name days as mon"),
        ("null", "{fri-mon: [07:30-16:00]}", "runs forward"),
        ("null", "{mon: [16:00-07:30]}", "ends before it starts"),
        ("null", "{mon: [7.30-16]}", "HH:MM-HH:MM"),
        ("null", "{}", "no working hours on any day"),
    ],
)
def test_a_broken_calendar_is_refused_with_its_reason(
    calendar: str, hours: str, message: str
) -> None:
    assert message in catalog_error(calendar, hours)


def test_shipped_catalog_counts_round_the_clock_for_fire_and_disaster_only() -> None:
    catalog = load_catalog(SHIPPED_CATALOG)
    siaga = {a.code for a in catalog.agencies if catalog.calendar_of(a.code).round_the_clock}
    assert siaga == {"DAMKAR", "BPBD"}
    office = WorkingTime(catalog.calendar_of("PUPR"))
    assert office.is_holiday(at(20, 3, 0).date())  # cuti bersama Idul Fitri
    assert office.add(at(9, 1, 15, 30), hours(8)) == at(12, 1, 15, 30)
