"""The morning digest (once per chat per day) and the compliance report by agency."""

from __future__ import annotations

from bot.jobs import run_digest
from db.engine import Sessions
from db.tables import TicketStatus
from handlers.context import Context
from handlers.digest import daily_digest
from handlers.slareport import compliance
from tests.sla.conftest import (
    DAMKAR_CHAT,
    DLHKP_CHAT,
    PUPR_CHAT,
    SUPERVISORS_CHAT,
    at,
    move,
    outbox,
    report,
    sweep,
)


async def busy_monday(sessions: Sessions, ctx: Context) -> None:
    await report(sessions, ctx, "PUPR", at(12, 1, 9))  # first response due Tuesday 09:30
    await report(sessions, ctx, "PUPR", at(9, 1, 9))  # due Monday 09:30: overdue on Tuesday
    waiting = await report(sessions, ctx, "PUPR", at(12, 1, 9))
    await move(sessions, ctx, waiting, TicketStatus.WAITING_CITIZEN, at(12, 1, 10))
    done = await report(sessions, ctx, "DLHKP", at(12, 1, 8))
    await move(sessions, ctx, done, TicketStatus.RESOLVED, at(12, 1, 10))


async def test_each_group_and_the_supervisors_get_the_mornings_numbers_once(
    sessions: Sessions, ctx: Context
) -> None:
    await busy_monday(sessions, ctx)
    assert await run_digest(sessions, ctx, at(13, 1, 7)) == 4
    sent = {s.chat: s.text for s in await outbox(sessions)}
    assert set(sent) == {PUPR_CHAT, DLHKP_CHAT, DAMKAR_CHAT, SUPERVISORS_CHAT}
    assert sent[PUPR_CHAT].splitlines() == [
        "📋 Ringkasan pagi Dinas PUPR, Selasa 13-01-2026",
        "Terbuka: 3",
        "Jatuh tempo hari ini: 1",
        "Terlambat: 1",
        "Diselesaikan kemarin: 0",
    ]
    assert "Diselesaikan kemarin: 1" in sent[DLHKP_CHAT]
    supervisors = sent[SUPERVISORS_CHAT]
    assert supervisors.index("Dinas PUPR:") < supervisors.index("DLHKP:")  # the late go first
    assert "Damkar" not in supervisors  # nothing to say about it
    assert await run_digest(sessions, ctx, at(13, 1, 7, 1)) == 0  # a second firing: nothing
    assert len(await outbox(sessions)) == 4


async def test_on_a_sunday_only_round_the_clock_agencies_get_a_digest(
    sessions: Sessions, ctx: Context
) -> None:
    async with sessions.begin() as session:
        sent = await daily_digest(session, ctx, at(18, 1, 7))
    assert [int(o.chat_id) for o in sent] == [DAMKAR_CHAT]


async def test_the_report_judges_each_agency_by_its_own_share(
    sessions: Sessions, ctx: Context
) -> None:
    on_time = await report(sessions, ctx, "PUPR", at(12, 1, 9))
    await move(sessions, ctx, on_time, TicketStatus.ACKNOWLEDGED, at(12, 1, 11))  # 2 h
    await move(sessions, ctx, on_time, TicketStatus.RESOLVED, at(13, 1, 9))  # 7.5 h in all
    late = await report(sessions, ctx, "PUPR", at(12, 1, 9))
    await sweep(sessions, ctx, at(13, 1, 10))  # its warning and breach
    passed_on = await report(sessions, ctx, "PUPR", at(12, 1, 9))
    await move(sessions, ctx, passed_on, TicketStatus.ASSIGNED, at(12, 1, 10), agency="DLHKP")
    await move(sessions, ctx, passed_on, TicketStatus.RESOLVED, at(12, 1, 11))
    assert late  # still open, breached
    async with sessions() as session:
        rows = {r.code: r for r in await compliance(session, ctx, at(1, 1, 0), at(1, 2, 0))}
    pupr, dlhkp = rows["PUPR"], rows["DLHKP"]
    # PUPR held three tickets: one on time, one breached, one passed on before it was late
    assert (pupr.shares, pupr.judged, pupr.on_time, pupr.breaches) == (3, 2, 1, 1)
    assert pupr.on_time_percent == 50
    assert pupr.median_first_response_hours == 2
    assert pupr.median_resolution_hours == 7.5
    # DLHKP answers only for the hour it had the reassigned one
    assert (dlhkp.shares, dlhkp.on_time, dlhkp.median_resolution_hours) == (1, 1, 1)
