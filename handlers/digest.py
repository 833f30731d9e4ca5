"""The morning digest: each agency group and the supervisors learn where things stand at 07:00.

Each chat's digest of a day is claimed by its own key ("digest:2026-01-12:-100111") in the
same transaction as its outbox row, like an SLA alert, so a job that fires twice, or in two
instances, still sends one digest per chat per day.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from db.sla import AgencyCounts, claim_alerts, digest_counts
from handlers.context import Context
from handlers.messages import Outbound
from handlers.sla import STAFF_LANGUAGE
from handlers.slaclock import OPEN
from handlers.texts import t
from handlers.workingtime import working_time
from routing.catalog import ChatRef


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)


async def daily_digest(session: AsyncSession, ctx: Context, now: datetime) -> list[Outbound]:
    """Today's digest for every chat that has not had it yet; nothing for a chat twice."""
    zone = ZoneInfo(ctx.timezone)
    today = now.astimezone(zone).date()
    counts = await digest_counts(
        session,
        now=now,
        today_ends=day_bounds(today, zone)[1],
        yesterday=day_bounds(today - timedelta(days=1), zone),
        open_statuses=[s.value for s in OPEN],
    )
    drafts = [*agency_digests(ctx, today, counts), supervisors_digest(ctx, today, counts)]
    drafts = [(key, out) for key, out in drafts if out is not None]
    rows = [
        {"key": key, "ticket_id": None, "agency_code": None, "target": None, "clock": None,
         "level": "digest", "due_at": None}
        for key, _ in drafts
    ]  # fmt: skip
    won = await claim_alerts(session, rows, now=now)
    return [out for key, out in drafts if key in won and out is not None]


def message(chat: ChatRef, day: date, text: str) -> tuple[str, Outbound | None]:
    key = f"digest:{day.isoformat()}:{chat.telegram_chat_id}"
    if chat.telegram_chat_id is None:
        return key, None
    out = Outbound(
        channel="telegram",
        chat_id=str(chat.telegram_chat_id),
        thread_id=chat.telegram_thread_id,
        text=text,
        purpose="digest",
        key=key,
    )
    return key, out


def agency_digests(
    ctx: Context, day: date, counts: dict[str, AgencyCounts]
) -> list[tuple[str, Outbound | None]]:
    """One per agency group; an agency without a group has its line in the supervisors' only."""
    found = []
    for agency in ctx.catalog.agencies:
        if agency.kind != "internal" or agency.staff.telegram_chat_id is None:
            continue
        if not works_on(ctx, agency.code, day):
            continue
        text = "\n".join(
            [
                t(STAFF_LANGUAGE, "digest.agency_title", agency=agency.label, date=date_text(day)),
                numbers(counts.get(agency.code, AgencyCounts())),
            ]
        )
        found.append(
            message(
                ChatRef(
                    telegram_chat_id=agency.staff.telegram_chat_id,
                    telegram_thread_id=agency.staff.telegram_thread_id,
                ),
                day,
                text,
            )
        )
    return found


def works_on(ctx: Context, agency_code: str | None, day: date) -> bool:
    """Offices get no digest on their weekends and holidays; round-the-clock ones every day."""
    time_ = working_time(ctx.catalog.calendar_of(agency_code))
    return time_.round_the_clock or bool(time_.spans(day))


def supervisors_digest(
    ctx: Context, day: date, counts: dict[str, AgencyCounts]
) -> tuple[str, Outbound | None]:
    say = STAFF_LANGUAGE
    if not works_on(ctx, None, day):
        return f"digest:{day.isoformat()}:supervisors", None
    lines = [t(say, "digest.supervisors_title", date=date_text(day))]
    busy = [(a, counts[a.code]) for a in ctx.catalog.agencies if a.code in counts]
    busy.sort(key=lambda pair: (-pair[1].overdue, -pair[1].open, pair[0].code))
    for agency, agency_counts in busy:
        lines += ["", f"{agency.label}:", numbers(agency_counts)]
    if not busy:
        lines.append(t(say, "digest.nothing"))
    return message(ctx.catalog.supervisors, day, "\n".join(lines))


def numbers(counts: AgencyCounts) -> str:
    return t(
        STAFF_LANGUAGE,
        "digest.numbers",
        open=counts.open,
        due=counts.due_today,
        overdue=counts.overdue,
        resolved=counts.resolved_yesterday,
    )


def date_text(day: date) -> str:
    return f"{t(STAFF_LANGUAGE, f'sla.day.{day.weekday()}')} {day.strftime('%d-%m-%Y')}"
