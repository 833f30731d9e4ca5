"""Ticket state changes: the one state machine. Each move writes its own event row.

`ALLOWED` says which status may follow which; `change_status` is the only writer of
`ticket.status`, and it brings the SLA clock along (handlers/slaclock.py), so a move can never
leave the clock behind. The staff actions (handlers/staff/actions.py), the resident's
commands and the intake all move tickets through it. Everything is added to the caller's
session: one transaction commits the ticket, its events and the messages about it, or none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from db.tables import Ticket, TicketEvent, TicketStatus
from handlers.slaclock import follow_status
from routing.catalog import Catalog

S = TicketStatus
_WORKING = {S.ACKNOWLEDGED, S.IN_PROGRESS, S.WAITING_CITIZEN, S.RESOLVED}
_LEAVING = {S.ASSIGNED, S.TRIAGE, S.REJECTED, S.REFERRED, S.CLOSED}
# Which status may follow which. ASSIGNED -> ASSIGNED is a reassignment to another agency.
ALLOWED: dict[TicketStatus, frozenset[TicketStatus]] = {
    S.NEW: frozenset({S.TRIAGE, S.ASSIGNED, S.REFERRED, S.REJECTED, S.CLOSED}),
    S.TRIAGE: frozenset({S.ASSIGNED, S.REFERRED, S.REJECTED, S.CLOSED}),
    S.ASSIGNED: frozenset(_WORKING | _LEAVING),
    S.ACKNOWLEDGED: frozenset((_WORKING | _LEAVING) - {S.ACKNOWLEDGED}),
    S.IN_PROGRESS: frozenset((_WORKING | _LEAVING) - {S.ACKNOWLEDGED, S.IN_PROGRESS}),
    # the resident answered: back to where it was
    S.WAITING_CITIZEN: frozenset(_WORKING | _LEAVING) - {S.WAITING_CITIZEN},
    S.RESOLVED: frozenset({S.CLOSED, S.IN_PROGRESS}),  # Ya closes, Belum reopens
    S.CLOSED: frozenset(),
    S.REJECTED: frozenset({S.ASSIGNED}),  # a supervisor overrules the rejection
    S.REFERRED: frozenset(),
}
OPEN_STATUSES = frozenset(
    {S.NEW, S.TRIAGE, S.ASSIGNED, S.ACKNOWLEDGED, S.IN_PROGRESS, S.WAITING_CITIZEN}
)


class NotAllowed(ValueError):
    """A move the state machine does not allow (the ticket has moved on)."""


def may_move(ticket: Ticket, to: TicketStatus) -> bool:
    return to in ALLOWED[TicketStatus(ticket.status)]


@dataclass(frozen=True, slots=True)
class NewTicket:
    """What a resident's finished report holds, before it has a row and a reference."""

    resident_id: int
    channel: str
    chat_id: str
    description: str
    agency_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    address: str | None = None
    kelurahan: str | None = None
    photos: list[dict[str, Any]] = field(default_factory=list)
    routing: dict[str, Any] = field(default_factory=dict)
    language: str = "id"
    privacy: str | None = None  # "anonim" or "rahasia"


def format_ref(prefix: str, ticket_id: int, now: datetime, timezone: str) -> str:
    """`KDR-26-000123`, the year as the city sees it: 01:00 WIB on 1 January is the new year."""
    year = now.astimezone(ZoneInfo(timezone)).strftime("%y")
    return f"{prefix}-{year}-{ticket_id:06d}"


async def create_ticket(
    session: AsyncSession,
    new: NewTicket,
    *,
    prefix: str,
    timezone: str,
    now: datetime,
    actor: str = "resident",
) -> Ticket:
    """Insert the ticket, then number it from its row id: unique under concurrency, gaps allowed."""
    ticket = Ticket(
        resident_id=new.resident_id,
        channel=new.channel,
        chat_id=new.chat_id,
        description=new.description,
        agency_code=new.agency_code,
        latitude=new.latitude,
        longitude=new.longitude,
        address=new.address,
        kelurahan=new.kelurahan,
        photos=list(new.photos),
        routing=dict(new.routing),
        language=new.language,
        privacy=new.privacy,
        status=TicketStatus.NEW,
        created_at=now,
        updated_at=now,
    )
    session.add(ticket)
    await session.flush()
    if ticket.id is None:
        raise RuntimeError("ticket has no id after flush")
    ticket.ref = format_ref(prefix, ticket.id, now, timezone)
    session.add(
        TicketEvent(ticket_id=ticket.id, at=now, actor=actor, to_status=TicketStatus.NEW.value)
    )
    await session.flush()
    return ticket


async def change_status(
    session: AsyncSession,
    ticket: Ticket,
    to: TicketStatus,
    *,
    actor: str,
    now: datetime,
    catalog: Catalog,
    note: str | None = None,
    kind: str | None = None,
    actor_name: str | None = None,
) -> TicketEvent:
    """Move the ticket to `to`, record who did it, when, from what and why; the clock follows."""
    if ticket.id is None:
        raise ValueError("change_status needs a stored ticket")
    before = TicketStatus(ticket.status)
    if not may_move(ticket, to):
        raise NotAllowed(f"{ticket.ref}: {before.value} -> {to.value}")
    event = TicketEvent(
        ticket_id=ticket.id,
        at=now,
        actor=actor,
        from_status=before.value,
        to_status=to.value,
        note=note,
        kind=kind,
        actor_name=actor_name,
    )
    ticket.status = to
    ticket.updated_at = now
    ticket.version += 1
    session.add(event)
    await follow_status(session, ticket, catalog, now, from_status=before)
    await session.flush()
    return event


async def add_event(
    session: AsyncSession,
    ticket: Ticket,
    *,
    kind: str,
    actor: str,
    now: datetime,
    note: str | None = None,
    actor_name: str | None = None,
) -> TicketEvent:
    """Something happened to the ticket without a move (a reply, a note, a rating)."""
    if ticket.id is None:
        raise ValueError("add_event needs a stored ticket")
    event = TicketEvent(
        ticket_id=ticket.id, at=now, actor=actor, note=note, kind=kind, actor_name=actor_name
    )
    ticket.updated_at = now
    session.add(event)
    await session.flush()
    return event
