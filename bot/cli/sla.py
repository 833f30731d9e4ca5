"""`lapor sla sweep [--at ISO_DATETIME]`, `lapor sla digest [--at]`, `lapor sla report`.

`sweep --at` runs the very sweep `lapor serve` runs, as if at that moment: an operator can
see what a quiet weekend will send on Monday before it does. What it decides is written to
the outbox like any sweep's (and claimed, so `lapor serve` will not send it again).
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.clock import system_clock
from bot.config import Settings
from bot.jobs import run_digest, run_sweep
from bot.services import open_services
from handlers.slareport import AgencyCompliance, compliance
from handlers.texts import format_moment

REPORT_DAYS = 30


def moment(text: str, timezone: str) -> datetime:
    """An ISO date-time; one without a zone is the city's (what people mean)."""
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=ZoneInfo(timezone))


def run(settings: Settings, args: argparse.Namespace) -> int:
    try:
        if args.sla_command == "report":
            start = date.fromisoformat(args.start) if args.start else None
            end = date.fromisoformat(args.end) if args.end else None
            return asyncio.run(_report(settings, start, end))
        now = moment(args.at, settings.timezone) if args.at else system_clock()
    except ValueError as exc:
        print(f"{exc}; write dates as 2026-03-02 and moments as 2026-03-02T09:00")
        return 2
    if args.sla_command == "sweep":
        return asyncio.run(_sweep(settings, now))
    return asyncio.run(_digest(settings, now))


async def _sweep(settings: Settings, now: datetime) -> int:
    async with open_services(settings) as services:
        result = await run_sweep(services.sessions, services.ctx, now)
    when = format_moment(now, settings.timezone, "en")
    print(f"SLA sweep as at {when}: {result.tickets} tickets looked at, "
          f"{len(result.alerts)} alerts, {result.messages} messages to the outbox")  # fmt: skip
    for alert in result.alerts:
        ticket = alert.ticket
        print(f"  {ticket.ref} {ticket.sla_agency_code} {alert.target} {alert.level.code} "
              f"(reached {format_moment(alert.due_at, settings.timezone, 'en')})")  # fmt: skip
    for ref in result.closed:
        print(f"  {ref} closed: resolved, no answer from the resident")
    if result.messages:
        print("The messages wait in the outbox; `lapor serve` sends them.")
    return 0


async def _digest(settings: Settings, now: datetime) -> int:
    async with open_services(settings) as services:
        sent = await run_digest(services.sessions, services.ctx, now)
    print(f"Digest: {sent} messages to the outbox (a chat's digest goes once a day)")
    return 0


async def _report(settings: Settings, start: date | None, end: date | None) -> int:
    zone = ZoneInfo(settings.timezone)
    last = end or datetime.now(zone).date()
    first = start or last - timedelta(days=REPORT_DAYS - 1)
    if first > last:
        print(f"--from {first} is after --to {last}")
        return 2
    since = datetime.combine(first, time(0), tzinfo=zone)
    until = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone)
    async with open_services(settings) as services, services.sessions() as session:
        rows = await compliance(session, services.ctx, since, until)
    print(f"SLA compliance {first} to {last} (agency shares started in the period; working hours)")
    print(report_table(rows))
    return 0


def report_table(rows: list[AgencyCompliance]) -> str:
    header = ("agency", "tickets", "judged", "on time", "median 1st resp h", "median resol. h",
              "breaches")  # fmt: skip
    lines = [header]
    for row in rows:
        lines.append((
            row.label, str(row.shares), str(row.judged), _percent(row.on_time_percent),
            _hours(row.median_first_response_hours), _hours(row.median_resolution_hours),
            str(row.breaches),
        ))  # fmt: skip
    if not rows:
        return "  no tickets with an SLA clock in this period"
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join(
        "  " + "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                         for i, (cell, w) in enumerate(zip(line, widths, strict=True)))
        for line in lines
    )  # fmt: skip


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}%"


def _hours(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"
