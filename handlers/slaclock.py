"""The SLA clock of the agency that holds a ticket: one home for starting, pausing and ending it.

The state machine (handlers/tickets.py) calls `follow_status` on every move and
`note_first_response` when an officer answers without one; nothing else touches these
columns. The clock is stored as "working time before this stretch" plus "running since",
so a pause and a resume are two writes, and every deadline and alert moment is one calendar
addition from there. Each agency's share is its own `sla_share` row: a reassignment ends one
and starts the next, so an agency answers only for the time it held the ticket.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from db.sla import current_share
from db.tables import SlaShare, Ticket, TicketStatus
from handlers.workingtime import WorkingTime, working_time
from routing.catalog import Catalog, EscalationLevel, Sla, SlaPolicy

FIRST_RESPONSE, RESOLUTION = "first_response", "resolution"
HOUR = 3600.0

OPEN = frozenset(
    {
        TicketStatus.ASSIGNED,
        TicketStatus.ACKNOWLEDGED,
        TicketStatus.IN_PROGRESS,
        TicketStatus.WAITING_CITIZEN,
    }
)
# Accepting, starting, asking the resident and resolving are all answers to the resident.
RESPONDED = frozenset(
    {
        TicketStatus.ACKNOWLEDGED,
        TicketStatus.IN_PROGRESS,
        TicketStatus.WAITING_CITIZEN,
        TicketStatus.RESOLVED,
    }
)
# Statuses that end the agency's share (back to triage is the triage desk's time, not its).
ENDS = {
    TicketStatus.CLOSED: "closed",
    TicketStatus.REJECTED: "rejected",
    TicketStatus.REFERRED: "referred",
    TicketStatus.TRIAGE: "triage",
    TicketStatus.NEW: "triage",
}


@dataclass(frozen=True, slots=True)
class Level:
    """A rung of the ladder: `warning` before the target, `breach` at it, then escalations."""

    code: str
    multiple: float
    escalation: EscalationLevel | None = None


def ladder(policy: SlaPolicy) -> tuple[Level, ...]:
    return (
        Level("warning", policy.warning_share),
        Level("breach", 1.0),
        *(Level(step.code, step.multiple, step) for step in policy.escalation),
    )


@dataclass(frozen=True, slots=True)
class Clock:
    """What a ticket's clock is measured against: its agency's calendar, targets and ladder."""

    time: WorkingTime
    targets: Sla
    ladder: tuple[Level, ...]

    def target_seconds(self, target: str) -> float:
        hours = (
            self.targets.first_response_hours
            if target == FIRST_RESPONSE
            else self.targets.resolution_hours
        )
        return hours * HOUR


def clock_of(ticket: Ticket, catalog: Catalog, agency_code: str | None = None) -> Clock | None:
    """The clock for the ticket's clock agency (or `agency_code`); None where none runs."""
    code = agency_code if agency_code is not None else ticket.sla_agency_code
    agency = catalog.by_code.get(code or "")
    if agency is None or agency.kind != "internal":
        return None  # external agencies (PLN, POLRI) never start an SLA clock
    key = (id(catalog), agency.code, ticket.category)
    cached = _CLOCKS.get(key)
    if cached is not None and cached[0] is catalog:
        return cached[1]
    targets = agency.targets(ticket.category)
    if targets is None:
        return None
    clock = Clock(working_time(catalog.calendar_of(agency.code)), targets, ladder(catalog.sla))
    _CLOCKS[key] = (catalog, clock)  # keeping the catalog keeps its id unique
    return clock


# A sweep asks for the clock of every due ticket; a city has a few dozen distinct ones.
_CLOCKS: dict[tuple[int, str, str | None], tuple[Catalog, Clock]] = {}


def worked(ticket: Ticket, clock: Clock, now: datetime) -> timedelta:
    """Working time this share has used up to `now`."""
    done = timedelta(seconds=ticket.sla_worked_seconds)
    if ticket.sla_running_since is None:
        return done
    return done + clock.time.between(ticket.sla_running_since, now)


def watched(ticket: Ticket) -> str | None:
    """The target alerts are about: first response until it came, then resolution."""
    if ticket.sla_running_since is None:
        return None
    return FIRST_RESPONSE if ticket.first_response_at is None else RESOLUTION


def moment(ticket: Ticket, clock: Clock, target: str, multiple: float) -> datetime:
    """When this share reaches `multiple` of `target` if the clock keeps running."""
    if ticket.sla_running_since is None:
        raise ValueError("the clock is not running")
    left = multiple * clock.target_seconds(target) - ticket.sla_worked_seconds
    return clock.time.add(ticket.sla_running_since, timedelta(seconds=max(left, 0.0)))


def refresh(ticket: Ticket, clock: Clock | None) -> None:
    """Store the deadlines and the moment the sweep should look next."""
    target = watched(ticket)
    if clock is None or target is None:
        ticket.first_response_due_at = ticket.resolution_due_at = ticket.sla_next_at = None
        return
    first_due = None if ticket.first_response_at else moment(ticket, clock, FIRST_RESPONSE, 1)
    ticket.first_response_due_at = first_due
    ticket.resolution_due_at = moment(ticket, clock, RESOLUTION, 1)
    ticket.sla_next_at = moment(ticket, clock, target, clock.ladder[0].multiple)


async def start_clock(
    session: AsyncSession, ticket: Ticket, catalog: Catalog, now: datetime
) -> None:
    """The ticket's agency starts its own share now; the previous agency's share ends."""
    await end_share(session, ticket, catalog, now, reason="reassigned")
    ticket.sla_clock += 1
    ticket.sla_agency_code = ticket.agency_code
    ticket.sla_worked_seconds = 0.0
    ticket.first_response_at = None
    clock = clock_of(ticket, catalog)
    ticket.sla_running_since = now if clock is not None else None
    if clock is not None and ticket.id is not None and ticket.sla_agency_code is not None:
        session.add(
            SlaShare(
                ticket_id=ticket.id,
                clock=ticket.sla_clock,
                agency_code=ticket.sla_agency_code,
                started_at=now,
                first_response_target_seconds=clock.target_seconds(FIRST_RESPONSE),
                resolution_target_seconds=clock.target_seconds(RESOLUTION),
            )
        )
    refresh(ticket, clock)


async def note_first_response(
    session: AsyncSession, ticket: Ticket, catalog: Catalog, now: datetime
) -> None:
    """An officer accepted or answered: the first-response target is met (or late) now."""
    clock = clock_of(ticket, catalog)
    if clock is None or ticket.first_response_at is not None:
        return
    ticket.first_response_at = now
    share = await current_share(session, ticket)
    if share is not None and share.first_response_seconds is None:
        share.first_response_seconds = worked(ticket, clock, now).total_seconds()
    refresh(ticket, clock)


def pause(ticket: Ticket, catalog: Catalog, now: datetime) -> None:
    """Stop counting (the ticket waits for the resident, or is resolved)."""
    clock = clock_of(ticket, catalog)
    if clock is not None and ticket.sla_running_since is not None:
        ticket.sla_worked_seconds = worked(ticket, clock, now).total_seconds()
    ticket.sla_running_since = None
    refresh(ticket, clock)


async def resume(session: AsyncSession, ticket: Ticket, catalog: Catalog, now: datetime) -> None:
    """Count again from now (the resident answered, or reopened a resolved ticket)."""
    clock = clock_of(ticket, catalog)
    if clock is None or ticket.sla_running_since is not None:
        return
    share = await current_share(session, ticket)
    if share is None or share.ended_at is not None:
        return
    share.resolution_seconds = share.resolved_at = None  # a reopened ticket is not resolved
    ticket.sla_running_since = now
    refresh(ticket, clock)


async def resolve(session: AsyncSession, ticket: Ticket, catalog: Catalog, now: datetime) -> None:
    await note_first_response(session, ticket, catalog, now)
    pause(ticket, catalog, now)
    share = await current_share(session, ticket)
    if share is not None and share.ended_at is None:
        share.resolution_seconds = ticket.sla_worked_seconds
        share.resolved_at = now
    ticket.sla_next_at = closing_at(ticket, catalog, now)


def closing_at(ticket: Ticket, catalog: Catalog, resolved_at: datetime) -> datetime:
    """When a resolved ticket closes without the resident's answer (handlers/autoclose.py):
    the catalog's working days later, on the agency's calendar. Ya or Belum comes first."""
    days = catalog.sla.auto_close_working_days
    return working_time(catalog.calendar_of(ticket.agency_code)).add_days(resolved_at, days)


async def end_share(
    session: AsyncSession, ticket: Ticket, catalog: Catalog, now: datetime, *, reason: str
) -> None:
    """The agency's share is over (reassigned, closed, rejected...); its record is kept."""
    if ticket.sla_clock == 0:
        return
    pause(ticket, catalog, now)
    share = await current_share(session, ticket)
    if share is not None and share.ended_at is None:
        share.ended_at = now
        share.end_reason = reason


async def reopen_share(session: AsyncSession, ticket: Ticket, catalog: Catalog) -> None:
    """A supervisor overruled the agency's rejection: its share goes on, and its clock runs
    from the rejection as if it had never stopped (rejecting must not buy an agency time).
    Its alerts keep their keys, so a rung already sent is not sent again."""
    share = await current_share(session, ticket)
    clock = clock_of(ticket, catalog)
    if share is None or share.end_reason != "rejected" or share.ended_at is None or not clock:
        return
    ticket.sla_running_since, share.ended_at, share.end_reason = share.ended_at, None, None
    refresh(ticket, clock)


async def follow_status(
    session: AsyncSession,
    ticket: Ticket,
    catalog: Catalog,
    now: datetime,
    *,
    from_status: TicketStatus | None,
) -> None:
    """Bring the clock in line with the status the ticket has just moved to."""
    to = TicketStatus(ticket.status)
    if to in ENDS:
        await end_share(session, ticket, catalog, now, reason=ENDS[to])
        return
    if from_status == TicketStatus.REJECTED and ticket.agency_code == ticket.sla_agency_code:
        await reopen_share(session, ticket, catalog)
    if to in OPEN and (ticket.sla_clock == 0 or ticket.agency_code != ticket.sla_agency_code):
        await start_clock(session, ticket, catalog, now)
    if to in RESPONDED:
        await note_first_response(session, ticket, catalog, now)
    if to in (TicketStatus.WAITING_CITIZEN,):
        pause(ticket, catalog, now)
    elif to == TicketStatus.RESOLVED:
        await resolve(session, ticket, catalog, now)
    elif from_status in (TicketStatus.WAITING_CITIZEN, TicketStatus.RESOLVED):
        await resume(session, ticket, catalog, now)
