"""SLA queries: tickets due for a look, alerts claimed exactly once, an agency's share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import load_only
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from db.tables import SlaAlert, SlaShare, Ticket, TicketStatus

ALERTS = SlaAlert.__table__  # type: ignore[attr-defined]
TICKETS = Ticket.__table__  # type: ignore[attr-defined]
SHARES = SlaShare.__table__  # type: ignore[attr-defined]


# What a sweep reads of a due ticket: the clock, and what an alert says and links to. Not the
# resident's photos, routing or address (JSON decoded for nothing, a thousand times a sweep).
SWEPT = tuple(
    getattr(Ticket, name)
    for name in (
        "id", "ref", "agency_code", "category", "status", "description", "version", "sla_clock",
        "sla_agency_code", "sla_running_since", "sla_worked_seconds", "first_response_at",
        "first_response_due_at", "resolution_due_at", "sla_next_at",
    )
)  # fmt: skip


def due_query(now: datetime, *, limit: int) -> SelectOfScalar[Ticket]:
    return (
        select(Ticket)
        .options(load_only(*SWEPT, raiseload=True))
        .where(col(Ticket.sla_next_at) <= now, col(Ticket.status) != TicketStatus.RESOLVED)
        .order_by(col(Ticket.sla_next_at), col(Ticket.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )


async def closing_tickets(session: AsyncSession, now: datetime, *, limit: int) -> Sequence[Ticket]:
    """Resolved tickets whose closing moment (`sla_next_at`) has come: the same index as the
    sweep's, locked and skipped like it; whole rows, since their cards are rendered again."""
    stmt = (
        select(Ticket)
        .where(col(Ticket.sla_next_at) <= now, col(Ticket.status) == TicketStatus.RESOLVED)
        .order_by(col(Ticket.sla_next_at), col(Ticket.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (await session.execute(stmt)).scalars().all()


def _overdue(now: datetime) -> sa.ColumnElement[bool]:
    """The watched target's deadline has passed on a running clock (first response until it
    came, then resolution: `refresh` clears the first-response deadline once it is met)."""
    deadline = sa.func.coalesce(TICKETS.c.first_response_due_at, TICKETS.c.resolution_due_at)
    return sa.and_(TICKETS.c.sla_running_since.is_not(None), deadline < now)


async def overdue_tickets(
    session: AsyncSession, now: datetime, *, limit: int
) -> tuple[Sequence[Ticket], dict[str, int]]:
    """The most overdue tickets (up to `limit`) and how many are overdue in each agency."""
    deadline = sa.func.coalesce(TICKETS.c.first_response_due_at, TICKETS.c.resolution_due_at)
    stmt = (
        select(Ticket)
        .options(load_only(*SWEPT, raiseload=True))
        .where(_overdue(now))
        .order_by(deadline, col(Ticket.id))
        .limit(limit)
    )
    tickets = (await session.execute(stmt)).scalars().all()
    counts = await session.execute(
        sa.select(TICKETS.c.sla_agency_code, sa.func.count())
        .where(_overdue(now))
        .group_by(TICKETS.c.sla_agency_code)
    )
    return tickets, {str(code): int(n) for code, n in counts}


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


async def set_next_looks(
    session: AsyncSession, looks: Sequence[tuple[int, datetime | None]]
) -> None:
    """When the sweep should look at each ticket next: one executemany for a batch."""
    if looks:
        stmt = (
            sa.update(TICKETS)
            .where(TICKETS.c.id == sa.bindparam("ticket_id"))
            .values(sla_next_at=sa.bindparam("next_at"))
        )
        await session.execute(stmt, [{"ticket_id": i, "next_at": at} for i, at in looks])


async def current_share(session: AsyncSession, ticket: Ticket) -> SlaShare | None:
    """The share of the agency whose clock runs on the ticket now."""
    stmt = select(SlaShare).where(
        SlaShare.ticket_id == ticket.id, SlaShare.clock == ticket.sla_clock
    )
    return (await session.execute(stmt)).scalar_one_or_none()


@dataclass(frozen=True, slots=True)
class AgencyCounts:
    """One agency's line of the morning digest."""

    open: int = 0
    due_today: int = 0
    overdue: int = 0
    resolved_yesterday: int = 0


async def digest_counts(
    session: AsyncSession,
    *,
    now: datetime,
    today_ends: datetime,
    yesterday: tuple[datetime, datetime],
    open_statuses: Sequence[str],
) -> dict[str, AgencyCounts]:
    """Open, due later today, overdue (by the next deadline) and resolved yesterday, by agency.

    Two grouped queries a day: the open tickets (by the status index) and yesterday's
    resolutions (by `sla_share.resolved_at`), never the whole ticket history.
    """
    tickets, shares = TICKETS.c, SHARES.c
    deadline = sa.func.coalesce(tickets.first_response_due_at, tickets.resolution_due_at)
    overdue = sa.func.sum(sa.case((deadline < now, 1), else_=0))
    due = sa.func.sum(sa.case((sa.and_(deadline >= now, deadline < today_ends), 1), else_=0))
    open_rows = await session.execute(
        sa.select(tickets.agency_code, sa.func.count(), due, overdue)
        .where(tickets.status.in_(list(open_statuses)), tickets.agency_code.is_not(None))
        .group_by(tickets.agency_code)
    )
    found = {
        str(code): AgencyCounts(int(n), int(d or 0), int(o or 0)) for code, n, d, o in open_rows
    }
    resolved_rows = await session.execute(
        sa.select(shares.agency_code, sa.func.count())
        .where(shares.resolved_at >= yesterday[0], shares.resolved_at < yesterday[1])
        .group_by(shares.agency_code)
    )
    for code, n in resolved_rows:
        before = found.get(code, AgencyCounts())
        found[code] = AgencyCounts(before.open, before.due_today, before.overdue, int(n))
    return found


async def shares_started(
    session: AsyncSession, start: datetime, end: datetime
) -> tuple[Sequence[SlaShare], set[tuple[int, int]]]:
    """Agency shares that started in [start, end), and which of them had a breach alert."""
    shares = (
        (
            await session.execute(
                select(SlaShare).where(
                    col(SlaShare.started_at) >= start, col(SlaShare.started_at) < end
                )
            )
        )
        .scalars()
        .all()
    )
    alerts, share_cols = ALERTS.c, SHARES.c
    breached = await session.execute(
        sa.select(alerts.ticket_id, alerts.clock)
        .join(
            SHARES,
            sa.and_(share_cols.ticket_id == alerts.ticket_id, share_cols.clock == alerts.clock),
        )
        .where(
            alerts.level == "breach", share_cols.started_at >= start, share_cols.started_at < end
        )
    )
    return shares, {(int(t), int(c)) for t, c in breached}


async def breaches_claimed(session: AsyncSession, start: datetime, end: datetime) -> dict[str, int]:
    """Breach alerts sent in [start, end), by agency."""
    alerts = ALERTS.c
    rows = await session.execute(
        sa.select(alerts.agency_code, sa.func.count())
        .where(alerts.level == "breach", alerts.claimed_at >= start, alerts.claimed_at < end)
        .group_by(alerts.agency_code)
    )
    return {str(code): int(n) for code, n in rows}
