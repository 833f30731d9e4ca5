"""The SLA sweep: as time passes, each rung of the ladder reaches its chat once, never early."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.queue.inbox import outbox_row
from db.engine import Sessions, make_engine, make_sessions
from db.sla import due_query
from db.tables import TicketStatus
from handlers.context import Context
from handlers.messages import Outbound
from handlers.sla import sweep_batch
from tests.conftest import Database
from tests.sla.conftest import (
    CATALOG_YAML,
    DAMKAR_CHAT,
    DLHKP_CHAT,
    HEADS_CHAT,
    PUPR_CHAT,
    PUPR_HEAD_CHAT,
    SEKDA_CHAT,
    SUPERVISORS_CHAT,
    TRIAGE_CHAT,
    alerts,
    at,
    make_ctx,
    move,
    outbox,
    report,
    shares,
    sweep,
    ticket_of,
)

SECOND = timedelta(seconds=1)


async def first_seen(
    sessions: Sessions, ctx: Context, moments: list[datetime], start: datetime, end: datetime
) -> list[tuple[datetime, int, str]]:
    """Sweep hourly from `start` to `end` and a second before and at each of `moments`;
    (when, chat, first line) of every message, at the sweep that first sent it."""
    times = {start + timedelta(hours=h) for h in range(int((end - start).total_seconds()) // 3600)}
    times |= {m - SECOND for m in moments} | set(moments)
    seen = []
    for now in sorted(times):
        for out in await sweep(sessions, ctx, now):
            seen.append((now, int(out.chat_id), out.text.splitlines()[0]))
    return seen


async def test_an_unanswered_report_warns_breaches_and_escalates_each_once_never_early(
    sessions: Sessions, ctx: Context
) -> None:
    ticket_id = await report(sessions, ctx, "PUPR", at(12, 1, 9))  # Monday; 8 working hours
    warning, breach, head, sekda = at(12, 1, 16), at(13, 1, 9, 30), at(13, 1, 14, 30), at(14, 1, 10)
    seen = await first_seen(
        sessions, ctx, [warning, breach, head, sekda], at(12, 1, 9), at(16, 1, 9)
    )
    ref = (await ticket_of(sessions, ticket_id)).ref
    assert seen == [
        (warning, PUPR_CHAT, f"⏰ Pengingat SLA {ref}"),
        (breach, SUPERVISORS_CHAT, f"🚨 Lewat batas SLA {ref}"),
        (head, PUPR_HEAD_CHAT, f"🚨 Eskalasi ke Kepala Dinas: {ref}"),
        (sekda, SEKDA_CHAT, f"🚨 Eskalasi ke Sekretaris Daerah: {ref}"),
    ]  # fmt: skip


async def test_alert_texts_name_the_ticket_agency_deadline_and_how_late(
    sessions: Sessions, ctx: Context
) -> None:
    await report(sessions, ctx, "PUPR", at(12, 1, 9))
    warning = (await sweep(sessions, ctx, at(12, 1, 16)))[0]
    assert warning.thread_id == 7  # the agency's topic
    assert "jatuh tempo Selasa 13-01-2026 pukul 09:30 WIB, tinggal 2 jam kerja" in warning.text
    breach = (await sweep(sessions, ctx, at(13, 1, 11)))[0]
    assert "Dinas: Dinas PUPR" in breach.text
    assert "batasnya Selasa 13-01-2026 pukul 09:30 WIB, sekarang terlambat 1,5 jam kerja" in (
        breach.text
    )
    assert "Jalan berlubang di depan SDN 2 Banjaran" in breach.text


async def test_a_sweep_a_minute_after_the_report_sends_nothing(
    sessions: Sessions, ctx: Context
) -> None:
    await report(sessions, ctx, "PUPR", at(12, 1, 9))
    assert await sweep(sessions, ctx, at(12, 1, 9, 1)) == []
    assert await alerts(sessions) == []


async def test_a_sweep_a_month_later_sends_one_alert_per_level_then_nothing(
    sessions: Sessions, ctx: Context
) -> None:
    ticket_id = await report(sessions, ctx, "PUPR", at(12, 1, 9))
    sent = await sweep(sessions, ctx, at(12, 2, 9))
    assert [int(o.chat_id) for o in sent] == [
        PUPR_CHAT,
        SUPERVISORS_CHAT,
        PUPR_HEAD_CHAT,
        SEKDA_CHAT,
    ]
    assert "sudah lewat batas" in sent[0].text  # the warning came late and says so
    assert await sweep(sessions, ctx, at(12, 2, 9)) == []
    assert await sweep(sessions, ctx, at(12, 3, 9)) == []
    levels = [level for _, _, level in await alerts(sessions)]
    assert levels == ["warning", "breach", "kepala_dinas", "sekda"]
    assert (await ticket_of(sessions, ticket_id)).sla_next_at is None  # the ladder is done


async def sweep_once(
    sessions: Sessions, ctx: Context, now: datetime, *, limit: int, crash: bool = False
) -> list[Outbound]:
    async with sessions.begin() as session:
        batch = await sweep_batch(session, ctx, now, limit=limit)
        for out in batch.outbounds:
            session.add(outbox_row(out, now))
        if crash:
            raise RuntimeError("killed after writing its outbox rows, before the commit")
    return batch.outbounds


async def test_a_crash_mid_sweep_repeats_nothing_and_loses_nothing(
    sessions: Sessions, ctx: Context
) -> None:
    for _ in range(5):
        await report(sessions, ctx, "PUPR", at(12, 1, 9))
    now = at(12, 1, 16)
    assert len(await sweep_once(sessions, ctx, now, limit=2)) == 2  # a first batch commits
    with pytest.raises(RuntimeError):  # the process dies before the second batch commits
        await sweep_once(sessions, ctx, now, limit=2, crash=True)
    restarted = make_sessions(sessions.engine)
    assert len(await sweep(restarted, ctx, now)) == 3
    assert await sweep(restarted, ctx, now) == []
    assert len(await outbox(sessions)) == len(await alerts(sessions)) == 5


async def test_two_sweeps_at_once_send_every_alert_once(
    database: Database, engine: AsyncEngine, sessions: Sessions, ctx: Context
) -> None:
    """PostgreSQL: two engines, as two instances would have; SQLite is one process."""
    for _ in range(40):
        await report(sessions, ctx, "PUPR", at(12, 1, 9))
    other_engine = make_engine(database.url, schema=database.schema)
    other = make_sessions(other_engine) if database.backend == "postgres" else sessions
    try:
        now = at(13, 1, 10)  # warning and breach for every ticket
        first, second = await asyncio.gather(
            sweep(sessions, ctx, now, limit=3), sweep(other, ctx, now, limit=3)
        )
    finally:
        await other_engine.dispose()
    assert len(first) + len(second) == 80
    assert len(await outbox(sessions)) == len(set(await alerts(sessions))) == 80


async def test_an_accepted_ticket_is_watched_for_resolution_instead(
    sessions: Sessions, ctx: Context
) -> None:
    ticket_id = await report(sessions, ctx, "PUPR", at(12, 1, 9))
    assert len(await sweep(sessions, ctx, at(12, 1, 16))) == 1  # the warning
    ticket = await move(sessions, ctx, ticket_id, TicketStatus.ACKNOWLEDGED, at(12, 1, 16, 30))
    assert ticket.first_response_due_at is None
    # 40 working hours from Monday 09:00; Friday 16 January is a public holiday
    assert ticket.resolution_due_at == at(20, 1, 11, 30)
    assert await sweep(sessions, ctx, at(13, 1, 12)) == []  # no first-response breach now
    assert await sweep(sessions, ctx, at(19, 1, 9) - SECOND) == []
    warning = await sweep(sessions, ctx, at(19, 1, 9))  # 75% of 40 hours
    assert [int(o.chat_id) for o in warning] == [PUPR_CHAT]
    assert warning[0].text.splitlines()[1] == (
        "Penyelesaian jatuh tempo Selasa 20-01-2026 pukul 11:30 WIB, tinggal 10 jam kerja."
    )
    (share,) = await shares(sessions, ticket_id)
    assert share.first_response_seconds == 6 * 3600  # 09:00-16:00 less lunch; 16:30 is after


async def test_waiting_for_the_resident_pauses_the_clock_and_their_answer_resumes_it(
    sessions: Sessions, ctx: Context
) -> None:
    ticket_id = await report(sessions, ctx, "DLHKP", at(12, 1, 9))  # 4 h and 24 h
    await move(sessions, ctx, ticket_id, TicketStatus.IN_PROGRESS, at(12, 1, 10))
    paused = await move(sessions, ctx, ticket_id, TicketStatus.WAITING_CITIZEN, at(12, 1, 11))
    assert paused.resolution_due_at is None and paused.sla_next_at is None
    assert await sweep(sessions, ctx, at(19, 1, 9)) == []  # a week of waiting costs nothing
    resumed = await move(sessions, ctx, ticket_id, TicketStatus.IN_PROGRESS, at(20, 1, 9))
    assert resumed.resolution_due_at == at(23, 1, 8, 30)  # 22 hours left from Tuesday 09:00
    assert await sweep(sessions, ctx, at(22, 1, 10) - SECOND) == []
    sent = await sweep(sessions, ctx, at(22, 1, 10))  # 18 of 24 hours
    assert [int(o.chat_id) for o in sent] == [DLHKP_CHAT]


async def test_a_reassignment_starts_the_new_agencys_own_clock(
    sessions: Sessions, ctx: Context
) -> None:
    ticket_id = await report(sessions, ctx, "PUPR", at(12, 1, 9))
    assert [int(o.chat_id) for o in await sweep(sessions, ctx, at(12, 1, 16))] == [PUPR_CHAT]
    moved = await move(
        sessions, ctx, ticket_id, TicketStatus.ASSIGNED, at(13, 1, 8), agency="DLHKP"
    )
    assert moved.first_response_due_at == at(13, 1, 12)  # DLHKP's 4 hours from 08:00
    assert await sweep(sessions, ctx, at(13, 1, 9, 30)) == []  # PUPR's breach never comes
    assert [int(o.chat_id) for o in await sweep(sessions, ctx, at(13, 1, 11))] == [DLHKP_CHAT]
    pupr, dlhkp = await shares(sessions, ticket_id)
    assert (pupr.agency_code, pupr.end_reason, pupr.first_response_seconds) == (
        "PUPR",
        "reassigned",
        None,
    )
    assert (dlhkp.agency_code, dlhkp.ended_at, dlhkp.started_at) == ("DLHKP", None, at(13, 1, 8))


async def test_a_round_the_clock_agency_is_alerted_on_a_saturday_night(
    sessions: Sessions, ctx: Context
) -> None:
    await report(sessions, ctx, "DAMKAR", at(10, 1, 23), description="Kebakaran gudang")
    moments = [at(10, 1, 23, 11, 15), at(10, 1, 23, 15), at(10, 1, 23, 22, 30), at(10, 1, 23, 30)]
    seen = await first_seen(sessions, ctx, moments, at(10, 1, 23), at(11, 1, 2))
    assert [(when, chat) for when, chat, _ in seen] == list(
        zip(moments, [DAMKAR_CHAT, SUPERVISORS_CHAT, HEADS_CHAT, SEKDA_CHAT], strict=True)
    )


async def test_deadlines_are_stored_in_working_time_across_the_weekend(
    sessions: Sessions, ctx: Context
) -> None:
    ticket = await ticket_of(sessions, await report(sessions, ctx, "PUPR", at(9, 1, 15, 30)))
    assert ticket.first_response_due_at == at(12, 1, 15, 30)  # Friday 15:30 + 8 h: Monday
    assert ticket.resolution_due_at is not None and ticket.sla_next_at is not None


async def test_a_category_with_its_own_targets_uses_them(sessions: Sessions, ctx: Context) -> None:
    fallen = await report(sessions, ctx, "DLHKP", at(12, 1, 9), category="pohon_tumbang")
    rubbish = await report(sessions, ctx, "DLHKP", at(12, 1, 9), category=None)
    assert (await ticket_of(sessions, fallen)).first_response_due_at == at(12, 1, 10)
    assert (await ticket_of(sessions, rubbish)).first_response_due_at == at(12, 1, 14)


async def test_a_referred_report_starts_no_clock(sessions: Sessions, ctx: Context) -> None:
    ticket = await ticket_of(sessions, await report(sessions, ctx, "PLN", at(12, 1, 9)))
    assert ticket.sla_next_at is None and ticket.first_response_due_at is None
    assert await shares(sessions, ticket.id or 0) == []
    assert await sweep(sessions, ctx, at(12, 3, 9)) == []


async def test_a_warning_for_an_agency_without_a_group_goes_to_triage(
    sessions: Sessions, ctx: Context
) -> None:
    await report(sessions, ctx, "PERKIM", at(12, 1, 9))
    assert [int(o.chat_id) for o in await sweep(sessions, ctx, at(12, 1, 16))] == [TRIAGE_CHAT]


async def test_an_alert_with_no_chat_is_recorded_once_and_not_retried(sessions: Sessions) -> None:
    ctx = make_ctx_without_supervisors()
    await report(sessions, ctx, "PUPR", at(12, 1, 9))
    sent = await sweep(sessions, ctx, at(13, 1, 10))
    assert [int(o.chat_id) for o in sent] == [PUPR_CHAT]  # the breach has nowhere to go
    assert [level for _, _, level in await alerts(sessions)] == ["warning", "breach"]
    assert await sweep(sessions, ctx, at(13, 1, 10)) == []


def make_ctx_without_supervisors() -> Context:
    yaml_text = CATALOG_YAML.replace(
        f"supervisors: {{telegram_chat_id: {SUPERVISORS_CHAT}}}",
        "supervisors: {telegram_chat_id: null}",
    )
    assert yaml_text != CATALOG_YAML
    return make_ctx(yaml_text)


async def test_the_sweep_reads_the_deadline_index_not_the_ticket_table(
    database: Database, engine: AsyncEngine
) -> None:
    if database.backend != "sqlite":
        pytest.skip("the plan is read from SQLite's EXPLAIN QUERY PLAN; bench/sla.py measures both")
    async with engine.connect() as conn:
        compiled = due_query(at(12, 1, 9), limit=10).compile(dialect=conn.dialect)
        params = tuple(
            "2026-01-12 02:00:00" if isinstance(v, datetime) else v
            for v in (compiled.params[name] for name in compiled.positiontup or ())
        )
        plan = (await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", params)).all()
    details = " ".join(str(row[-1]) for row in plan)
    assert "SEARCH ticket USING INDEX ix_ticket_sla_next (sla_next_at<?)" in details, details
