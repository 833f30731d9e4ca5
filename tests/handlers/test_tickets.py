"""Ticket numbers and the event log."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

from db.engine import Sessions
from db.tables import Resident, TicketStatus
from handlers.tickets import NewTicket, change_status, create_ticket, format_ref
from tests.handlers.conftest import NOW, events_of, make_ctx

REF = re.compile(r"^KDR-26-\d{6}$")


def test_reference_uses_the_year_in_the_city_timezone() -> None:
    new_year_in_kediri = datetime(2025, 12, 31, 18, 30, tzinfo=UTC)  # 01:30 WIB
    assert format_ref("KDR", 42, new_year_in_kediri, "Asia/Jakarta") == "KDR-26-000042"
    assert format_ref("KDR", 1_234_567, NOW, "Asia/Jakarta") == "KDR-26-1234567"


async def make_resident(sessions: Sessions) -> int:
    async with sessions.begin() as session:
        resident = Resident(created_at=NOW)
        session.add(resident)
    assert resident.id is not None
    return resident.id


async def file_one(sessions: Sessions, resident_id: int, n: int) -> str:
    async with sessions.begin() as session:
        new = NewTicket(resident_id, "telegram", "5001", f"laporan nomor {n}")
        ticket = await create_ticket(session, new, prefix="KDR", timezone="Asia/Jakarta", now=NOW)
        assert ticket.ref is not None
        return ticket.ref


async def test_concurrent_tickets_get_unique_references(sessions: Sessions) -> None:
    """20 reports at once, each in its own transaction (SQLite's writers take turns)."""
    resident_id = await make_resident(sessions)
    refs = await asyncio.gather(*(file_one(sessions, resident_id, n) for n in range(20)))
    assert len(set(refs)) == 20
    assert all(REF.match(ref) for ref in refs)


async def test_every_status_change_is_an_event(sessions: Sessions) -> None:
    resident_id = await make_resident(sessions)
    async with sessions.begin() as session:
        new = NewTicket(resident_id, "telegram", "5001", "lampu jalan mati")
        ticket = await create_ticket(session, new, prefix="KDR", timezone="Asia/Jakarta", now=NOW)
        catalog = make_ctx().catalog
        await change_status(
            session, ticket, TicketStatus.TRIAGE, actor="system", now=NOW, catalog=catalog
        )
        await change_status(
            session,
            ticket,
            TicketStatus.ASSIGNED,
            actor="telegram:9001",
            now=NOW,
            catalog=catalog,
            note="PERKIM",
        )
    events = await events_of(sessions, ticket.id)
    assert [(e.actor, e.from_status, e.to_status, e.note) for e in events] == [
        ("resident", None, "new", None),
        ("system", "new", "triage", None),
        ("telegram:9001", "triage", "assigned", "PERKIM"),
    ]
