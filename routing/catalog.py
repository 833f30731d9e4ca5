"""The catalog: agencies, their vocabulary, SLA targets and staff chats, read from YAML."""

from __future__ import annotations

import itertools
import re
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Final, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import yaml
from holidays.constants import PUBLIC
from holidays.registry import COUNTRIES
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from routing.normalize import normalize

# The names `holidays.country_holidays` knows a country by ("ID", "IDN", "Indonesia"), read from
# its registry without importing every country's calendar.
_COUNTRY_NAMES: Final = frozenset(name for names in COUNTRIES.values() for name in names)
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CatalogError(ValueError):
    """The catalog cannot be used; the message names the place and says what is wrong."""


MAX_SLA_HOURS = 24 * 365  # a target longer than a year of working hours is a typo


class Sla(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # working hours until an officer accepts or answers
    first_response_hours: float = Field(gt=0, le=MAX_SLA_HOURS)
    resolution_hours: float = Field(gt=0, le=MAX_SLA_HOURS)  # working hours until resolved

    @model_validator(mode="after")
    def _order(self) -> Sla:
        if self.resolution_hours < self.first_response_hours:
            raise ValueError("resolution_hours is shorter than first_response_hours")
        return self


class StaffChat(BaseModel):
    """An agency's officers' group, and how Lapor works in it (handlers/staff/)."""

    model_config = ConfigDict(extra="forbid")
    telegram_chat_id: int | None = None
    telegram_thread_id: int | None = None
    # Telegram user ids allowed to act on this agency's tickets; empty: anyone in its group.
    officers: list[int] = Field(default_factory=list)
    topic_per_ticket: bool = False  # the group is a forum: each ticket gets its own topic
    sign_as_officer: bool = False  # replies reach residents signed with the officer's name too


class Reason(BaseModel):
    """A preset reason officers pick with one tap (rejecting a report)."""

    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,15}$")
    text: str = Field(min_length=1)
    text_en: str | None = None

    def text_in(self, lang: str) -> str:
        return (self.text_en if lang == "en" else None) or self.text


class StaffPolicy(BaseModel):
    """How the staff workflow behaves city-wide: reasons to pick, what counts as the same report."""

    model_config = ConfigDict(extra="forbid")
    reject_reasons: list[Reason] = Field(default_factory=list)
    similar_days: int = Field(default=14, ge=0, le=365)  # 0: never offer to follow
    similar_distance_m: float = Field(default=150, gt=0, le=10_000)
    similar_score: float = Field(default=70, gt=0, le=100)  # rapidfuzz token_set_ratio


DEFAULT_WEIGHT = 1.0
DEFAULT_CONTEXT_WEIGHT = 0.4


class Keyword(BaseModel):
    """A phrase that points to an agency; `weight` settles phrases two agencies share."""

    model_config = ConfigDict(extra="forbid")
    phrase: str = Field(min_length=1)
    weight: float | None = Field(default=None, gt=0, le=10)


def _keywords(entries: list[str | Keyword]) -> list[Keyword]:
    return [k if isinstance(k, Keyword) else Keyword(phrase=k) for k in entries]


class Category(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1)
    name: str
    keywords: list[str | Keyword] = Field(default_factory=list)
    sla: Sla | None = None


class Agency(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=r"^[A-Z0-9_]{2,32}$")
    name: str = Field(min_length=1)
    short_name: str | None = None
    short_name_en: str | None = None  # what English-speaking residents read
    kind: Literal["internal", "external"]
    keywords: list[str | Keyword] = Field(default_factory=list)
    context: list[str | Keyword] = Field(default_factory=list)  # phrases that only tip a balance
    categories: list[Category] = Field(default_factory=list)
    sla: Sla | None = None
    staff: StaffChat = Field(default_factory=StaffChat)
    referral: str | None = None  # what an external agency's resident should do instead
    referral_en: str | None = None
    calendar: str | None = None  # a name under `calendars`; none: the catalog's `calendar`
    # Chats of this agency's own rungs of the escalation ladder (its head's), by level code.
    escalation_chats: dict[str, StaffChat] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _kind_fields(self) -> Agency:
        if not self.keywords and not any(c.keywords for c in self.categories):
            raise ValueError("no keywords: nothing would ever be routed here")
        if self.kind == "internal" and self.sla is None:
            raise ValueError("an internal agency needs an sla")
        if self.kind == "external" and not self.referral:
            raise ValueError("an external agency needs a referral text")
        return self

    @property
    def label(self) -> str:
        return self.short_name or self.code

    def label_in(self, lang: str) -> str:
        """The name a resident reads in their language; Indonesian where no English is given."""
        return (self.short_name_en if lang == "en" else None) or self.label

    def referral_in(self, lang: str) -> str:
        return (self.referral_en if lang == "en" else None) or self.referral or ""

    def keyword_list(self) -> list[Keyword]:
        """The agency's own phrases and its categories', as `Keyword`s."""
        found = _keywords(self.keywords)
        for category in self.categories:
            found.extend(_keywords(category.keywords))
        return found

    def context_list(self) -> list[Keyword]:
        """Phrases that only add to an agency another phrase already points to."""
        return _keywords(self.context)

    def targets(self, category: str | None = None) -> Sla | None:
        """The category's own targets where the catalog gives them, else the agency's."""
        for entry in self.categories:
            if entry.code == category and entry.sla is not None:
                return entry.sla
        return self.sla


class ChatRef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    telegram_chat_id: int | None = None
    telegram_thread_id: int | None = None


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
_RANGE = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")

# Working ranges of one day as minutes after local midnight, e.g. ((450, 720), (780, 960)).
DayRanges = tuple[tuple[int, int], ...]
Week = tuple[DayRanges, ...]  # Monday first, seven entries


def _minutes(text: str, hour: str, minute: str) -> int:
    h, m = int(hour), int(minute)
    if m > 59 or h > 24 or (h == 24 and m):
        raise ValueError(f"{text!r}: not a time of day")
    return h * 60 + m


def parse_ranges(entries: list[str]) -> DayRanges:
    """`["07:30-12:00", "13:00-16:00"]` -> ((450, 720), (780, 960)); refuses overlaps."""
    ranges = []
    for text in entries:
        found = _RANGE.match(str(text).strip())
        if found is None:
            raise ValueError(f"{text!r}: write a range as HH:MM-HH:MM, e.g. 07:30-12:00")
        start = _minutes(text, found.group(1), found.group(2))
        end = _minutes(text, found.group(3), found.group(4))
        if end <= start:
            raise ValueError(f"{text!r}: ends before it starts (a night shift: split it at 24:00)")
        ranges.append((start, end))
    ranges.sort()
    for (_, end), (start, _) in itertools.pairwise(ranges):
        if start < end:
            raise ValueError(f"ranges {entries} overlap")
    return tuple(ranges)


def _day_names(key: str) -> list[int]:
    """`"mon"` -> [0]; `"mon-thu"` -> [0, 1, 2, 3]."""
    first, _, last = key.strip().lower().partition("-")
    try:
        start, end = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
    except ValueError:
        raise ValueError(
            f"{key!r}: name days as {', '.join(WEEKDAYS)} or a span like mon-thu"
        ) from None
    if end < start:
        raise ValueError(f"{key!r}: a span runs forward, mon-thu, not thu-mon")
    return list(range(start, end + 1))


def parse_week(hours: dict[str, list[str]]) -> Week:
    """Hours per weekday from keys like `mon-thu` and `fri`; a day not named is closed."""
    week: list[DayRanges | None] = [None] * 7
    for key, entries in hours.items():
        ranges = parse_ranges(list(entries))
        for day in _day_names(key):
            if week[day] is not None:
                raise ValueError(f"{WEEKDAYS[day]} is given twice (in {key!r})")
            week[day] = ranges
    return tuple(day or () for day in week)


class HoursPeriod(BaseModel):
    """Dates with other office hours than usual, both days included (Ramadan hours)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    name: str = Field(min_length=1)
    first_day: date = Field(alias="from")
    last_day: date = Field(alias="to")
    hours: dict[str, list[str]]

    @model_validator(mode="after")
    def _valid(self) -> HoursPeriod:
        if self.last_day < self.first_day:
            raise ValueError(f"period {self.name!r} ends before it starts")
        parse_week(self.hours)
        return self

    @cached_property
    def week(self) -> Week:
        return parse_week(self.hours)


class Calendar(BaseModel):
    """When an agency's SLA clock runs; see handlers/workingtime.py for the arithmetic.

    `hours` (ranges per weekday, so lunch and Friday prayers are breaks) replaces the older
    `workdays` + `office_hours` pair when given. `periods` override it on their dates.
    Public holidays come from the `holidays` package (`holiday_categories`; "government" adds
    the package's cuti bersama); `extra_holidays` lists days off it does not know.
    `round_the_clock` agencies (fire brigade, disaster relief) count every hour of every day.
    """

    model_config = ConfigDict(extra="forbid")
    timezone: str = "Asia/Jakarta"
    workdays: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4])  # Monday = 0
    office_hours: tuple[str, str] = ("07:30", "16:00")
    holidays_country: str = "ID"
    extra_holidays: list[date] = Field(default_factory=list)  # ISO dates (cuti bersama)
    hours: dict[str, list[str]] | None = None
    periods: list[HoursPeriod] = Field(default_factory=list)
    holiday_categories: list[str] = Field(default_factory=lambda: ["public"])
    round_the_clock: bool = False

    @model_validator(mode="after")
    def _valid(self) -> Calendar:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {self.timezone!r}") from None
        if any(day not in range(7) for day in self.workdays):
            raise ValueError("workdays are 0 (Monday) to 6 (Sunday)")
        if not self.round_the_clock and not any(self.week):
            raise ValueError("no working hours on any day: the SLA clock would never run")
        if self.holidays_country not in _COUNTRY_NAMES:
            raise ValueError(f"holidays: unknown country {self.holidays_country!r}")
        if set(self.holiday_categories) != {PUBLIC}:  # every country has its public holidays
            try:  # importing a country's calendar takes a tenth of a second: only when asked
                holidays.country_holidays(self.holidays_country, categories=self.holiday_categories)
            except NotImplementedError as exc:
                raise ValueError(f"holidays: {exc}") from None
        return self

    @cached_property
    def week(self) -> Week:
        """The usual hours, Monday first."""
        if self.hours is not None:
            return parse_week(self.hours)
        ranges = parse_ranges(["-".join(self.office_hours)])
        return tuple(ranges if day in self.workdays else () for day in range(7))


RESERVED_LEVELS = frozenset({"warning", "breach"})


class EscalationLevel(BaseModel):
    """A rung above the breach alert: at `multiple` times a target, to its own chat."""

    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,31}$")
    name: str = Field(min_length=1)
    multiple: float = Field(gt=1, le=100)
    chat: ChatRef = Field(default_factory=ChatRef)  # an agency's `escalation_chats` go first


class SlaPolicy(BaseModel):
    """How targets are watched: a warning before, a breach at 100%, then the ladder."""

    model_config = ConfigDict(extra="forbid")
    warning_share: float = Field(default=0.75, gt=0, lt=1)  # of a target, to the agency group
    escalation: list[EscalationLevel] = Field(default_factory=list)
    digest_time: str = Field(default="07:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    auto_close_working_days: int = Field(default=10, ge=1, le=365)  # resolved, no answer

    @model_validator(mode="after")
    def _ladder(self) -> SlaPolicy:
        codes = [level.code for level in self.escalation]
        for code in codes:
            if code in RESERVED_LEVELS or codes.count(code) > 1:
                raise ValueError(f"escalation level {code!r} is reserved or given twice")
        multiples = [level.multiple for level in self.escalation]
        if multiples != sorted(set(multiples)):
            raise ValueError("escalation levels go up: each multiple larger than the one before")
        return self


class Catalog(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agencies: list[Agency] = Field(min_length=1)
    triage: ChatRef = Field(default_factory=ChatRef)
    supervisors: ChatRef = Field(default_factory=ChatRef)
    calendar: Calendar = Field(default_factory=Calendar)
    # Other calendars agencies may name; a key not given is taken from `calendar`.
    calendars: dict[str, dict[str, object]] = Field(default_factory=dict)
    sla: SlaPolicy = Field(default_factory=SlaPolicy)
    staff: StaffPolicy = Field(default_factory=StaffPolicy)

    @model_validator(mode="after")
    def _calendars_named(self) -> Catalog:
        levels = {level.code for level in self.sla.escalation}
        for agency in self.agencies:
            if agency.calendar is not None and agency.calendar not in self.named_calendars:
                raise ValueError(f"agency {agency.code}: no calendar named {agency.calendar!r}")
            for code in set(agency.escalation_chats) - levels:
                raise ValueError(f"agency {agency.code}: no escalation level {code!r}")
        return self

    @cached_property
    def named_calendars(self) -> dict[str, Calendar]:
        """Each of `calendars`: its own keys over the catalog's `calendar`."""
        base = self.calendar.model_dump(exclude_unset=True)
        found = {}
        for name, own in self.calendars.items():
            try:
                found[name] = Calendar.model_validate({**base, **own})
            except ValidationError as exc:
                problems = (
                    f"{'.'.join(str(p) for p in e['loc']) or name}: "
                    + e["msg"].removeprefix("Value error, ")
                    for e in exc.errors()
                )
                raise ValueError(f"calendars.{name}: {'; '.join(problems)}") from None
        return found

    def calendar_of(self, agency_code: str | None) -> Calendar:
        """The agency's calendar; the same object each time (working-time caches key on it)."""
        agency = self.by_code.get(agency_code or "")
        if agency is None or agency.calendar is None:
            return self.calendar
        return self.named_calendars[agency.calendar]

    def escalation_chat(self, level: EscalationLevel, agency_code: str | None) -> ChatRef:
        agency = self.by_code.get(agency_code or "")
        own = agency.escalation_chats.get(level.code) if agency is not None else None
        if own is not None and own.telegram_chat_id is not None:
            return ChatRef(
                telegram_chat_id=own.telegram_chat_id, telegram_thread_id=own.telegram_thread_id
            )
        return level.chat

    @model_validator(mode="after")
    def _unique_codes(self) -> Catalog:
        seen: set[str] = set()
        for agency in self.agencies:
            if agency.code in seen:
                raise ValueError(f"agency code {agency.code} appears twice")
            seen.add(agency.code)
            categories = [c.code for c in agency.categories]
            for code in {c for c in categories if categories.count(c) > 1}:
                raise ValueError(f"agency {agency.code}: category {code} appears twice")
        return self

    @model_validator(mode="after")
    def _shared_phrases_weighted(self) -> Catalog:
        for phrase, claims in shared_phrases(self).items():
            unweighted = [code for code, kw in claims if kw.weight is None]
            if unweighted:
                codes = " and ".join(sorted({code for code, _ in claims}))
                raise ValueError(
                    f"phrase {phrase!r} is claimed by {codes}; give it a weight in "
                    f"{', '.join(sorted(set(unweighted)))} to say how strongly each claims it"
                )
        return self

    @cached_property
    def by_code(self) -> dict[str, Agency]:
        return {a.code: a for a in self.agencies}

    def agency(self, code: str) -> Agency:
        try:
            return self.by_code[code]
        except KeyError:
            codes = ", ".join(a.code for a in self.agencies)
            raise CatalogError(f"unknown agency code {code!r}; the catalog has {codes}") from None


def phrase_key(phrase: str) -> str:
    """The form two phrases must share to be the same phrase ("Lampu  Jalan" = "lampu jalan")."""
    return normalize(phrase)


def shared_phrases(catalog: Catalog) -> dict[str, list[tuple[str, Keyword]]]:
    """Keyword phrases (normalised) that more than one agency claims, with every claim."""
    claims: dict[str, list[tuple[str, Keyword]]] = {}
    for agency in catalog.agencies:
        for kw in agency.keyword_list():
            claims.setdefault(phrase_key(kw.phrase), []).append((agency.code, kw))
    return {phrase: found for phrase, found in claims.items() if len({c for c, _ in found}) > 1}


def unreached_warning(catalog: Catalog) -> str | None:
    """The agencies whose new tickets reach no officer: no group of theirs, no triage group."""
    if catalog.triage.telegram_chat_id:
        return None
    codes = [
        a.code for a in catalog.agencies if a.kind == "internal" and not a.staff.telegram_chat_id
    ]
    if not codes:
        return None
    which = f"agency {codes[0]}" if len(codes) == 1 else f"agencies {', '.join(codes)}"
    return (
        f"new tickets for {which} reach no officer: neither staff.telegram_chat_id nor "
        "triage.telegram_chat_id is set"
    )


def catalog_warnings(catalog: Catalog) -> list[str]:
    """What `lapor check-config` should point out although the catalog works."""
    warnings: list[str] = []
    if unreached := unreached_warning(catalog):
        warnings.append(unreached)
    if catalog.triage.telegram_chat_id is None:
        warnings.append("triage: no telegram_chat_id; unsure reports have no group to wait in")
    if catalog.supervisors.telegram_chat_id is None:
        warnings.append("supervisors: no telegram_chat_id; SLA breach alerts go nowhere")
    for level in catalog.sla.escalation:
        chats = [catalog.escalation_chat(level, a.code) for a in catalog.agencies]
        if any(chat.telegram_chat_id is None for chat in chats):
            warnings.append(
                f"sla.escalation {level.code}: no telegram_chat_id for some agencies; "
                "their alerts at this level go nowhere"
            )
    for agency in catalog.agencies:
        where = f"agency {agency.code}"
        chat = agency.staff.telegram_chat_id
        if agency.kind == "internal" and chat is None and catalog.triage.telegram_chat_id:
            warnings.append(
                f"{where}: no staff.telegram_chat_id; its tickets wait in the triage chat"
            )
        if chat is not None and chat > 0:
            warnings.append(
                f"{where}: staff.telegram_chat_id {chat} is positive, a person rather than a "
                "group (Telegram groups have negative ids)"
            )
        if agency.kind == "external" and agency.sla is not None:
            warnings.append(f"{where}: external agencies start no SLA clock; its sla is ignored")
        seen: set[str] = set()
        for kw in agency.keyword_list() + agency.context_list():
            key = phrase_key(kw.phrase)
            if not key:
                warnings.append(f"{where}: phrase {kw.phrase!r} has no words and never matches")
            elif key in seen:
                warnings.append(f"{where}: phrase {kw.phrase!r} is listed twice")
            seen.add(key)
    return warnings


def parse_catalog(text: str, *, source: str = "<catalog>") -> Catalog:
    try:
        raw = yaml.load(text, Loader=_Loader)  # noqa: S506  (a SafeLoader, in C when available)
    except yaml.YAMLError as exc:
        raise CatalogError(f"{source}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise CatalogError(f"{source}: expected a mapping with 'agencies' at the top")
    try:
        return Catalog.model_validate(raw)
    except ValidationError as exc:
        raise CatalogError(f"{source}: {_explain(exc, raw)}") from None


def load_catalog(path: Path | str) -> Catalog:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogError(f"cannot read the catalog {path}: {exc.strerror}") from None
    return parse_catalog(text, source=str(path))


def _explain(exc: ValidationError, raw: dict[str, object]) -> str:
    """Name the place as a person would find it: the agency's code, not a list index."""
    problems = []
    for err in exc.errors():
        loc = list(err["loc"])
        where = []
        if len(loc) >= 2 and loc[0] == "agencies" and isinstance(loc[1], int):
            agencies = raw.get("agencies")
            code = None
            if isinstance(agencies, list) and loc[1] < len(agencies):
                item = agencies[loc[1]]
                code = item.get("code") if isinstance(item, dict) else None
            where.append(f"agency {code or '#' + str(loc[1] + 1)}")
            loc = loc[2:]
        where.extend(str(part) for part in loc)
        message = err["msg"].removeprefix("Value error, ")
        problems.append(f"{'.'.join(where) or 'catalog'}: {message}")
    return "; ".join(problems)
