"""SLA queries: tickets due for a look, alerts claimed exactly once, an agency's share."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from db.tables import SlaAlert, SlaShare, Ticket

ALERTS = SlaAlert.__table__  # type: ignore[attr-defined]


def due_query(now: datetime, *, limit: int) -> SelectOfScalar[Ticket]:
    return (
        select(Ticket)
        .where(col(Ticket.sla_next_at) <= now)
        .order_by(col(Ticket.sla_next_at), col(Ticket.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )


async def due_tickets(session: AsyncSession, now: datetime, *, limit: int) -> Sequence[Ticket]:
    """Tickets whose next SLA moment has come, most overdue first.

    An index range scan on `ix_ticket_sla_next` (partial: running clocks only), so its cost
    grows with the tickets due, not with all tickets. On PostgreSQL the rows are locked and
    rows another instance holds are skipped, so two sweeps share the work instead of
    waiting on each other; the alert's unique key still guarantees one send if they meet.
    """
    return (await session.execute(due_query(now, limit=limit))).scalars().all()


async def claim_alerts(
    session: AsyncSession, alerts: Sequence[dict[str, Any]], *, now: datetime
) -> set[str]:
    """Insert alert rows unless their key exists; the keys this transaction won.

    One INSERT … ON CONFLICT DO NOTHING RETURNING for the batch. A concurrent transaction
    inserting the same key waits for ours and then inserts nothing, so of two sweeps only
    one ever writes the outbox rows for an alert, and a rolled-back sweep claims nothing.
    """
    if not alerts:
        return set()
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(ALERTS).on_conflict_do_nothing(index_elements=["key"]).returning(ALERTS.c.key)
    rows = [{**alert, "claimed_at": now} for alert in alerts]
    return {key for (key,) in (await session.execute(stmt, rows)).all()}


async def current_share(session: AsyncSession, ticket: Ticket) -> SlaShare | None:
    """The share of the agency whose clock runs on the ticket now."""
    stmt = select(SlaShare).where(
        SlaShare.ticket_id == ticket.id, SlaShare.clock == ticket.sla_clock
    )
    return (await session.execute(stmt)).scalar_one_or_none()
