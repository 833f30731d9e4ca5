"""A small catalog with an SLA ladder, tickets moved as the state machine will move them, and a
sweep that writes its alerts to the outbox the way the service does, batch by batch.

Time is passed in (`now=`): nothing sleeps, a test jumps a month ahead in one line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot.jobs import run_sweep
from db.engine import Sessions
from db.tables import OutboxRow, Resident, SlaAlert, SlaShare, Ticket, TicketStatus
from handlers.context import Context
from handlers.messages import Outbound
from handlers.sla import SWEEP_BATCH
from handlers.tickets import NewTicket, change_status, create_ticket
from routing.catalog import parse_catalog
from routing.matcher import Router, RouteResult

WIB = ZoneInfo("Asia/Jakarta")
PUPR_CHAT, DLHKP_CHAT, DAMKAR_CHAT = -100111, -100222, -100333
PUPR_HEAD_CHAT, HEADS_CHAT, SEKDA_CHAT = -100555, -100777, -100888
SUPERVISORS_CHAT, TRIAGE_CHAT = -100900, -100999

CATALOG_YAML = f"""
agencies:
- code: PUPR
  name: Dinas Pekerjaan Umum dan Penataan Ruang
  short_name: Dinas PUPR
  kind: internal
  sla: {{first_response_hours: 8, resolution_hours: 40}}
  staff: {{telegram_chat_id: {PUPR_CHAT}, telegram_thread_id: 7}}
  escalation_chats: {{kepala_dinas: {{telegram_chat_id: {PUPR_HEAD_CHAT}}}}}
  keywords: [jalan berlubang]
- code: DLHKP
  name: Dinas Lingkungan Hidup, Kebersihan dan Pertamanan
  short_name: DLHKP
  kind: internal
  sla: {{first_response_hours: 4, resolution_hours: 24}}
  staff: {{telegram_chat_id: {DLHKP_CHAT}}}
  categories:
  - code: pohon_tumbang
    name: Pohon tumbang
    keywords: [pohon tumbang]
    sla: {{first_response_hours: 1, resolution_hours: 6}}
  keywords: [sampah]
- code: DAMKAR
  name: Pemadam Kebakaran dan Penyelamatan
  short_name: Damkar
  kind: internal
  calendar: siaga
  sla: {{first_response_hours: 0.25, resolution_hours: 2}}
  staff: {{telegram_chat_id: {DAMKAR_CHAT}}}
  keywords: [kebakaran]
- code: PERKIM
  name: Dinas Perumahan dan Kawasan Permukiman
  kind: internal
  sla: {{first_response_hours: 8, resolution_hours: 72}}
  keywords: [lampu jalan]
- code: PLN
  name: PT PLN
  kind: external
  referral: Hubungi PLN 123.
  keywords: [listrik padam]
triage: {{telegram_chat_id: {TRIAGE_CHAT}}}
supervisors: {{telegram_chat_id: {SUPERVISORS_CHAT}}}
calendar:
  hours:
    mon-thu: [07:30-12:00, 13:00-16:00]
    fri: [07:30-11:30, 13:00-16:30]
  extra_holidays: [2026-03-18, 2026-03-20, 2026-03-23, 2026-03-24]
calendars:
  siaga: {{round_the_clock: true}}
sla:
  warning_share: 0.75
  escalation:
  - {{code: kepala_dinas, name: Kepala Dinas, multiple: 1.5,
     chat: {{telegram_chat_id: {HEADS_CHAT}}}}}
  - {{code: sekda, name: Sekretaris Daerah, multiple: 2, chat: {{telegram_chat_id: {SEKDA_CHAT}}}}}
"""


class NoRouter(Router):
    """The SLA never routes; tickets here are given their agency."""

    def __init__(self) -> None:
        pass

    def route(self, text: str) -> RouteResult:
        return RouteResult(None, 0.0, (), ())


def make_ctx(yaml_text: str = CATALOG_YAML) -> Context:
    return Context(catalog=parse_catalog(yaml_text, source="sla test catalog"), router=NoRouter())


@pytest.fixture
def ctx() -> Context:
    return make_ctx()


def at(day: int, month: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=WIB)


async def report(
    sessions: Sessions,
    ctx: Context,
    agency: str,
    now: datetime,
    *,
    category: str | None = None,
    description: str = "Jalan berlubang di depan SDN 2 Banjaran",
) -> int:
    """A resident's report routed to `agency`: the clock starts as the ticket is assigned."""
    async with sessions.begin() as session:
        ticket = await create_ticket(
            session,
            NewTicket(resident_id=await resident(session), channel="telegram", chat_id="5001",
                      description=description, agency_code=agency),
            prefix="KDR",
            timezone="Asia/Jakarta",
            now=now,
        )  # fmt: skip
        ticket.category = category
        external = ctx.catalog.agency(agency).kind == "external"
        status = TicketStatus.REFERRED if external else TicketStatus.ASSIGNED
        await move_ticket(session, ctx, ticket, status, now)
        assert ticket.id is not None
        return ticket.id


async def resident(session: AsyncSession) -> int:
    person = Resident(language="id")
    session.add(person)
    await session.flush()
    assert person.id is not None
    return person.id


async def move_ticket(
    session: AsyncSession, ctx: Context, ticket: Ticket, to: TicketStatus, now: datetime
) -> None:
    """The state machine's move: the status, its event, then the clock."""
    await change_status(session, ticket, to, actor="test", now=now, catalog=ctx.catalog)


async def move(
    sessions: Sessions,
    ctx: Context,
    ticket_id: int,
    to: TicketStatus,
    now: datetime,
    *,
    agency: str | None = None,
) -> Ticket:
    async with sessions.begin() as session:
        ticket = await session.get(Ticket, ticket_id)
        assert ticket is not None
        if agency is not None:
            ticket.agency_code = agency
        await move_ticket(session, ctx, ticket, to, now)
        return ticket


async def sweep(
    sessions: Sessions, ctx: Context, now: datetime, *, limit: int = SWEEP_BATCH
) -> list[Outbound]:
    """The service's sweep (batches committed with their outbox rows); what it wrote."""
    return (await run_sweep(sessions, ctx, now, limit=limit)).outbounds


@dataclass(frozen=True)
class Sent:
    chat: int
    text: str


async def outbox(sessions: Sessions) -> list[Sent]:
    async with sessions() as session:
        rows = (await session.execute(select(OutboxRow).order_by(col(OutboxRow.id)))).scalars()
        return [Sent(int(row.chat_id), str(row.payload["text"])) for row in rows]


async def alerts(sessions: Sessions) -> list[tuple[int | None, str | None, str]]:
    async with sessions() as session:
        rows = (await session.execute(select(SlaAlert).order_by(col(SlaAlert.id)))).scalars()
        return [(row.ticket_id, row.target, row.level) for row in rows]


async def ticket_of(sessions: Sessions, ticket_id: int) -> Ticket:
    async with sessions() as session:
        ticket = await session.get(Ticket, ticket_id)
        assert ticket is not None
        return ticket


async def shares(sessions: Sessions, ticket_id: int) -> Sequence[SlaShare]:
    async with sessions() as session:
        stmt = select(SlaShare).where(SlaShare.ticket_id == ticket_id).order_by(col(SlaShare.clock))
        return (await session.execute(stmt)).scalars().all()
