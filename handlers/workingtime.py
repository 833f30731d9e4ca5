"""Working time on an agency's calendar: the arithmetic behind every SLA deadline.

Like FixMyStreet's `WorkingDays.pm`, a small object fed a calendar and a holiday list that
adds and measures time counting only the hours an office works: "8 working hours after
Friday 15:30" lands on Monday, across holidays and cuti bersama, around lunch and Friday
prayers, with Ramadan hours on their dates. Round-the-clock agencies count every hour.

Days are worked out in the calendar's own zone and cached, so a sweep over many tickets
costs a few comparisons per ticket, not a calendar walk.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

from routing.catalog import Calendar, DayRanges

ZERO = timedelta(0)
# A calendar whose next working minute is further than this is broken, not merely closed.
MAX_DAYS_CLOSED = 3 * 366

Span = tuple[datetime, datetime]


class WorkingTime:
    """Add and measure working time on one calendar; all datetimes timezone-aware."""

    def __init__(self, calendar: Calendar) -> None:
        self.calendar = calendar
        self.zone = ZoneInfo(calendar.timezone)
        self.round_the_clock = calendar.round_the_clock
        self._holidays = holidays.country_holidays(
            calendar.holidays_country, categories=tuple(calendar.holiday_categories)
        )
        self._extra = frozenset(calendar.extra_holidays)
        self._days: dict[date, tuple[Span, ...]] = {}

    def is_holiday(self, day: date) -> bool:
        return day in self._extra or day in self._holidays

    def ranges(self, day: date) -> DayRanges:
        """The day's working ranges in minutes after midnight: a period's, else the week's."""
        if self.is_holiday(day):
            return ()
        for period in self.calendar.periods:
            if period.first_day <= day <= period.last_day:
                return period.week[day.weekday()]
        return self.calendar.week[day.weekday()]

    def spans(self, day: date) -> tuple[Span, ...]:
        """The day's working spans as aware datetimes in the calendar's zone."""
        found = self._days.get(day)
        if found is None:
            midnight = datetime.combine(day, time(0), tzinfo=self.zone)
            found = tuple(
                (self._at(midnight, start), self._at(midnight, end))
                for start, end in self.ranges(day)
            )
            self._days[day] = found
        return found

    def _at(self, midnight: datetime, minutes: int) -> datetime:
        """Wall-clock minutes after midnight; 24:00 is the next midnight."""
        wall = midnight.replace(tzinfo=None) + timedelta(minutes=minutes)
        return wall.replace(tzinfo=self.zone)

    def is_working(self, at: datetime) -> bool:
        if self.round_the_clock:
            return True
        return any(start <= at < end for start, end in self.spans(self._local_day(at)))

    def add(self, start: datetime, work: timedelta) -> datetime:
        """The moment `work` of working time after `start` (a deadline); at once if none."""
        _aware(start)
        if work <= ZERO:
            return start
        if self.round_the_clock:
            return start + work
        day = self._local_day(start)
        for _ in range(MAX_DAYS_CLOSED):
            for span_start, span_end in self.spans(day):
                if span_end <= start:
                    continue
                begin = max(span_start, start)
                available = span_end - begin
                if work <= available:
                    return begin + work
                work -= available
            day += timedelta(days=1)
        raise ValueError(f"no working time within {MAX_DAYS_CLOSED} days of {start.isoformat()}")

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Working time from `start` to `end` (nothing when `end` is not later)."""
        _aware(start)
        _aware(end)
        if end <= start:
            return ZERO
        if self.round_the_clock:
            return end - start
        total = ZERO
        day, last = self._local_day(start), self._local_day(end)
        while day <= last:
            for span_start, span_end in self.spans(day):
                overlap = min(span_end, end) - max(span_start, start)
                if overlap > ZERO:
                    total += overlap
            day += timedelta(days=1)
        return total

    def next_working(self, at: datetime) -> datetime:
        """`at` if the office works then, else the moment it next opens."""
        _aware(at)
        if self.round_the_clock:
            return at
        day = self._local_day(at)
        for _ in range(MAX_DAYS_CLOSED):
            for span_start, span_end in self.spans(day):
                if span_end > at:
                    return max(span_start, at)
            day += timedelta(days=1)
        raise ValueError(f"no working time within {MAX_DAYS_CLOSED} days of {at.isoformat()}")

    def add_days(self, start: datetime, days: int) -> datetime:
        """The same wall-clock time `days` working days later (a day with any hours counts)."""
        _aware(start)
        local = start.astimezone(self.zone)
        day, left, closed = local.date(), days, 0
        while left > 0:
            day += timedelta(days=1)
            if self.round_the_clock or self.spans(day):
                left, closed = left - 1, 0
            elif (closed := closed + 1) > MAX_DAYS_CLOSED:
                raise ValueError(f"no working day within {MAX_DAYS_CLOSED} days of {day}")
        return datetime.combine(day, local.time(), tzinfo=self.zone)

    def _local_day(self, at: datetime) -> date:
        return at.astimezone(self.zone).date()


def _aware(at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("working time needs timezone-aware datetimes")


_CACHE: dict[int, tuple[Calendar, WorkingTime]] = {}


def working_time(calendar: Calendar) -> WorkingTime:
    """One `WorkingTime` per calendar object, so its holiday list and day cache are shared."""
    found = _CACHE.get(id(calendar))
    if found is not None and found[0] is calendar:
        return found[1]
    made = WorkingTime(calendar)
    _CACHE[id(calendar)] = (calendar, made)  # keeping the calendar keeps its id unique
    return made
