"""Ticket queries a resident's commands need; always scoped to that resident."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from db.tables import Ticket, TicketFollower


async def resident_ticket(session: AsyncSession, resident_id: int, ref: str) -> Ticket | None:
    """The ticket `ref` if this resident reported it: others' tickets stay invisible."""
    result = await session.execute(
        select(Ticket).where(Ticket.ref == ref, Ticket.resident_id == resident_id)
    )
    return result.scalar_one_or_none()


async def recent_tickets(session: AsyncSession, resident_id: int, limit: int) -> Sequence[Ticket]:
    """The resident's newest tickets first."""
    result = await session.execute(
        select(Ticket)
        .where(Ticket.resident_id == resident_id, col(Ticket.ref).is_not(None))
        .order_by(col(Ticket.id).desc())
        .limit(limit)
    )
    return result.scalars().all()


async def followed_ticket(session: AsyncSession, resident_id: int, ref: str) -> Ticket | None:
    """The ticket `ref` if this resident follows it (they reported the same problem)."""
    result = await session.execute(
        select(Ticket)
        .join(TicketFollower, col(TicketFollower.ticket_id) == col(Ticket.id))
        .where(Ticket.ref == ref, TicketFollower.resident_id == resident_id)
    )
    return result.scalar_one_or_none()
