"""Ticket state changes. Each writes its own event row, like Zulip's `do_*` actions.

They only add rows to the caller's session: the caller's one transaction commits the ticket,
its events and the messages about it together, or none of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from db.tables import Ticket, TicketEvent, TicketStatus


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
    note: str | None = None,
) -> TicketEvent:
    """Move the ticket to `to` and record who did it, when, from what, and why."""
    if ticket.id is None:
        raise ValueError("change_status needs a stored ticket")
    event = TicketEvent(
        ticket_id=ticket.id,
        at=now,
        actor=actor,
        from_status=TicketStatus(ticket.status).value,
        to_status=to.value,
        note=note,
    )
    ticket.status = to
    ticket.updated_at = now
    session.add(event)
    await session.flush()
    return event
