"""`/terlambat`: the supervisors' list of overdue tickets, by agency, how late in working time.

The same deadlines the sweep alerts on (stored on the ticket), so the list and the breach
alerts never disagree; each agency is judged on its own calendar.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db.sla import overdue_tickets
from db.tables import Ticket
from handlers.context import Context
from handlers.sla import STAFF_LANGUAGE, format_duration
from handlers.slaclock import FIRST_RESPONSE, clock_of
from handlers.texts import t

SHOWN = 40  # lines: a Telegram message stays readable, the counts still say how many


def late_line(ticket: Ticket, ctx: Context, now: datetime) -> str | None:
    clock = clock_of(ticket, ctx.catalog)
    deadline = ticket.first_response_due_at or ticket.resolution_due_at
    if clock is None or deadline is None:
        return None
    target = FIRST_RESPONSE if ticket.first_response_due_at else "resolution"
    say = STAFF_LANGUAGE
    late = format_duration(clock.time.between(deadline, now), say, clock)
    return t(
        say, "sla.overdue.line", ref=ticket.ref, target=t(say, f"sla.target.{target}"), late=late
    )


async def overdue_text(session: AsyncSession, ctx: Context, now: datetime) -> str:
    """Agencies with the most overdue tickets first; in each, the most overdue first."""
    say = STAFF_LANGUAGE
    tickets, counts = await overdue_tickets(session, now, limit=SHOWN)
    total = sum(counts.values())
    if not total:
        return t(say, "sla.overdue.none")
    lines_by: dict[str, list[str]] = {code: [] for code in counts}
    for ticket in tickets:
        line = late_line(ticket, ctx, now)
        if line is not None:
            lines_by.setdefault(ticket.sla_agency_code or "", []).append(line)
    text = [t(say, "sla.overdue.title", total=total)]
    for code in sorted(counts, key=lambda c: (-counts[c], c)):
        agency = ctx.catalog.by_code.get(code)
        label = agency.label if agency is not None else code
        text += ["", t(say, "sla.overdue.agency", agency=label, count=counts[code])]
        text += lines_by.get(code, [])
    shown = len(tickets)
    if total > shown:
        text += ["", t(say, "sla.overdue.more", count=total - shown)]
    return "\n".join(text)
