"""Auto-close: a resolved ticket the resident never confirmed closes after N working days.

SP4N-LAPOR! closes a resolved report after ten working days without the reporter's answer;
the catalog says how many (`sla.auto_close_working_days`). The moment is stored on the ticket
when it is resolved (`sla_next_at`, handlers/slaclock.py), so the sweep finds the tickets due
by the same index as its alerts; each closing is claimed by its key in `sla_alert` with its
messages, so two sweeps or a crash close a ticket and tell its resident once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db.sla import claim_alerts, closing_tickets, set_next_looks
from db.tables import Ticket, TicketStatus
from handlers.context import Context
from handlers.messages import Outbound
from handlers.staff.access import Actor
from handlers.staff.actions import Step
from handlers.staff.where import holder
from handlers.tickets import change_status

AUTO_CLOSE = "auto_close"
SYSTEM = Actor("system", "auto_close", "", is_group=False)


@dataclass
class CloseBatch:
    tickets: int = 0  # due for closing
    closed: list[str] = field(default_factory=list)  # refs this batch closed
    outbounds: list[Outbound] = field(default_factory=list)


def claim_row(ticket: Ticket) -> dict[str, object]:
    """The closing's claim: one per resolution (a reopened, resolved again ticket has a new
    version, so a new claim)."""
    return {
        "key": f"close:{ticket.id}:{ticket.version}",
        "ticket_id": ticket.id,
        "agency_code": ticket.agency_code,
        "target": "resolution",
        "clock": ticket.sla_clock,
        "level": AUTO_CLOSE,
        "due_at": ticket.sla_next_at,
    }


async def close_batch(
    session: AsyncSession, ctx: Context, now: datetime, *, limit: int
) -> CloseBatch:
    """One batch of resolved tickets whose closing moment has come, in the caller's
    transaction; run until `tickets < limit`."""
    batch = CloseBatch()
    tickets = await closing_tickets(session, now, limit=limit)
    batch.tickets = len(tickets)
    rows = [claim_row(ticket) for ticket in tickets]
    won = await claim_alerts(session, rows, now=now)
    for ticket, row in zip(tickets, rows, strict=True):
        if row["key"] in won:
            batch.outbounds += await do_auto_close(session, ctx, ticket, now=now)
            batch.closed.append(ticket.ref or "")
        elif ticket.id is not None:  # closed once already: never look again
            await set_next_looks(session, [(ticket.id, None)])
    return batch


async def do_auto_close(
    session: AsyncSession, ctx: Context, ticket: Ticket, *, now: datetime
) -> list[Outbound]:
    """Closed by the system; the card says so, the resident (and followers) are told why."""
    step = Step(session, ctx, ticket, SYSTEM, now, before=holder(ticket, ctx))
    days = ctx.catalog.sla.auto_close_working_days
    await change_status(
        session, ticket, TicketStatus.CLOSED, actor="system", now=now, catalog=ctx.catalog,
        kind="auto_closed", note=f"{days} working days without the resident's answer",
    )  # fmt: skip
    await step.card()
    await step.tell("resident.auto_closed", agency=step.agency_in(), days=days)
    return step.out
