"""The catalog: agencies, their vocabulary, SLA targets and staff chats, read from YAML."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from routing.normalize import normalize

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
    model_config = ConfigDict(extra="forbid")
    telegram_chat_id: int | None = None
    telegram_thread_id: int | None = None


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


class ChatRef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    telegram_chat_id: int | None = None
    telegram_thread_id: int | None = None


class Calendar(BaseModel):
    model_config = ConfigDict(extra="forbid")
    timezone: str = "Asia/Jakarta"
    workdays: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4])  # Monday = 0
    office_hours: tuple[str, str] = ("07:30", "16:00")
    holidays_country: str = "ID"
    extra_holidays: list[str] = Field(default_factory=list)  # ISO dates (cuti bersama)


class Catalog(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agencies: list[Agency] = Field(min_length=1)
    triage: ChatRef = Field(default_factory=ChatRef)
    supervisors: ChatRef = Field(default_factory=ChatRef)
    calendar: Calendar = Field(default_factory=Calendar)

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
