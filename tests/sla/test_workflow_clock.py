"""The SLA clock follows the staff workflow: officers' taps and replies, the resident's answers.

Everything goes through `dispatch` and the staff actions, as in a live group; time is set on
the desk (`desk.now`), never slept. Office hours are the default 07:30-16:00, Monday-Friday.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from db.engine import Sessions
from db.tables import TicketStatus
from handlers.workingtime import working_time
from tests.handlers.conftest import DLHKP_CHAT, NOW, PUPR_CHAT, WIB
from tests.handlers.staffdesk import (
    STAFF_YAML,
    SUPERVISORS_CHAT,
    Desk,
    Officer,
    Resident,
    desk,
    pupr,
    report,
    resident,
    staff_ctx,
    ticket,
)
from tests.sla.conftest import shares, sweep

__all__ = ["desk", "pupr", "resident"]  # fixtures

HOUR = timedelta(hours=1)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=WIB)  # 2 March 2026 is a Monday


async def reported(desk: Desk, resident: Resident) -> str:
    resident.now = desk.now = NOW  # Monday 09:00
    return await report(resident)


async def test_accepting_is_the_first_response(
    desk: Desk, resident: Resident, pupr: Officer
) -> None:
    ref = await reported(desk, resident)
    assert (await ticket(desk, ref)).first_response_due_at == at(3, 8, 30)  # 8 h: Tue 08:30
    desk.now = at(2, 10, 30)
    await pupr.tap(desk.card(PUPR_CHAT, ref)[0], "Terima")
    stored = await ticket(desk, ref)
    assert stored.first_response_at == at(2, 10, 30) and stored.first_response_due_at is None
    (share,) = await shares(desk.sessions, stored.id or 0)
    assert share.first_response_seconds == 1.5 * 3600
    assert not await sweep(desk.sessions, desk.ctx, at(3, 9))  # no first-response warning


async def test_an_officers_answer_is_the_first_response(
    desk: Desk, resident: Resident, pupr: Officer
) -> None:
    ref = await reported(desk, resident)
    desk.now = at(2, 9, 45)
    await pupr.reply(desk.card(PUPR_CHAT, ref)[0], "Kami cek besok pagi")
    stored = await ticket(desk, ref)
    assert stored.status == TicketStatus.ASSIGNED  # an answer is not an acceptance
    assert stored.first_response_at == at(2, 9, 45)
    desk.now = at(2, 11)
    await pupr.reply(desk.card(PUPR_CHAT, ref)[0], "Sudah kami jadwalkan")
    assert (await ticket(desk, ref)).first_response_at == at(2, 9, 45)  # the first one counts


async def test_waiting_for_the_resident_pauses_and_their_answer_resumes(
    desk: Desk, resident: Resident, pupr: Officer
) -> None:
    ref = await reported(desk, resident)
    card_id = desk.card(PUPR_CHAT, ref)[0]
    desk.now = at(2, 10)
    await pupr.tap(card_id, "Terima")
    before = (await ticket(desk, ref)).resolution_due_at
    await pupr.tap(card_id, "Minta info")
    prompt_id = desk.find(PUPR_CHAT, "Pertanyaan untuk pelapor")[0]
    await pupr.reply(prompt_id, "Sisi utara atau selatan?")
    waiting = await ticket(desk, ref)
    assert waiting.status == TicketStatus.WAITING_CITIZEN and waiting.sla_running_since is None
    assert waiting.sla_worked_seconds == 3600  # Monday 09:00-10:00
    assert not await sweep(desk.sessions, desk.ctx, at(30, 9))  # weeks later: nothing, paused

    resident.now = at(4, 10)  # two working days later (Wednesday)
    await resident.text("Sisi selatan, depan warung")
    answered = await ticket(desk, ref)
    assert answered.status == TicketStatus.ACKNOWLEDGED
    assert answered.sla_running_since == at(4, 10)
    office = working_time(desk.ctx.catalog.calendar_of("PUPR"))
    assert before == office.add(at(2, 9), 120 * HOUR)
    # the two days it waited are not the agency's: 119 of its 120 hours are left from now
    assert answered.resolution_due_at == office.add(at(4, 10), 119 * HOUR)


async def test_a_reassignment_starts_the_new_agencys_share_then(
    desk: Desk, resident: Resident, pupr: Officer
) -> None:
    ref = await reported(desk, resident)
    card_id = desk.card(PUPR_CHAT, ref)[0]
    desk.now = at(2, 11)
    await pupr.tap(card_id, "Alihkan")
    prompt_id = desk.find(PUPR_CHAT, "ke dinas mana")[0]
    await pupr.tap(prompt_id, "DLHKP")
    await pupr.reply(prompt_id, "Urusan kebersihan")
    moved = await ticket(desk, ref)
    assert moved.sla_agency_code == "DLHKP" and moved.sla_running_since == at(2, 11)
    assert moved.first_response_due_at == at(2, 15)  # DLHKP's own 4 hours, from 11:00
    old, new = await shares(desk.sessions, moved.id or 0)
    assert (old.agency_code, old.end_reason, old.ended_at) == ("PUPR", "reassigned", at(2, 11))
    assert (new.agency_code, new.started_at) == ("DLHKP", at(2, 11))
    warnings = await sweep(desk.sessions, desk.ctx, at(2, 14))
    assert [int(w.chat_id) for w in warnings] == [DLHKP_CHAT]  # DLHKP warned, PUPR not


async def test_a_supervisors_overrule_of_a_rejection_does_not_restart_the_clock(
    desk: Desk, resident: Resident, pupr: Officer
) -> None:
    ref = await reported(desk, resident)
    card_id = desk.card(PUPR_CHAT, ref)[0]
    desk.now = at(2, 15)
    await pupr.tap(card_id, "Tolak")
    prompt_id = desk.find(PUPR_CHAT, "pilih alasan")[0]
    await pupr.tap(prompt_id, "Laporan ganda")
    rejected = await ticket(desk, ref)
    assert rejected.status == TicketStatus.REJECTED and rejected.sla_next_at is None

    desk.now = at(3, 9)
    supervisor = Officer(desk, SUPERVISORS_CHAT, user_id="9100", name="Sri")
    await supervisor.command("alihkan", f"{ref} PUPR bukan laporan ganda")
    back = await ticket(desk, ref)
    assert back.status == TicketStatus.ASSIGNED and back.agency_code == "PUPR"
    (share,) = await shares(desk.sessions, back.id or 0)  # the same share, not a new one
    assert share.ended_at is None and back.sla_clock == 1
    # the clock ran on through the rejection: the first response was due Tuesday 08:30
    assert back.first_response_due_at == at(3, 8, 30)
    late = await sweep(desk.sessions, desk.ctx, at(3, 9, 1))
    assert sorted(int(o.chat_id) for o in late) == sorted([PUPR_CHAT, SUPERVISORS_CHAT])
    assert not await sweep(desk.sessions, desk.ctx, at(3, 9, 2))


# --- deadlines as officers and residents read them -----------------------------------------


async def test_a_friday_afternoon_report_shows_monday_on_the_card_and_wednesday_in_status(
    desk: Desk, resident: Resident
) -> None:
    resident.now = desk.now = at(6, 15, 30)  # Friday 15:30, half an hour before closing
    ref = await report(resident, "Sampah menumpuk di depan pasar Setono Betek, sudah bau")
    _, card = desk.card(DLHKP_CHAT, ref)
    # 4 working hours: 30 minutes on Friday, 3.5 on Monday morning
    assert "Batas respons: Senin 09-03-2026 pukul 11:00 WIB" in card.text
    # 24 working hours: Friday 0.5, Monday 8.5, Tuesday 8.5, then 6.5 on Wednesday
    assert "Batas selesai: Rabu 11-03-2026 pukul 14:00 WIB" in card.text
    resident.now = at(7, 10)  # asked on Saturday: the same moments
    (shown,) = await resident.command("status", ref)
    assert "Target selesai: Rabu 11-03-2026 pukul 14:00 WIB" in shown.text
    await resident.command("bahasa", "en")
    (shown,) = await resident.command("status", ref)
    assert "Target resolution: Wednesday 11-03-2026 at 14:00 WIB" in shown.text


async def test_a_deadline_skips_the_holiday_the_cuti_bersama_and_the_weekend(
    sessions: Sessions,
) -> None:
    ctx = staff_ctx(STAFF_YAML + "calendar:\n  extra_holidays: [2026-03-20, 2026-03-23]\n")
    desk = Desk(sessions, ctx)
    resident = Resident(sessions, ctx, desk=desk)
    resident.now = desk.now = at(18, 15)  # Wednesday 15:00; Thursday is Nyepi
    ref = await report(resident)
    _, card = desk.card(PUPR_CHAT, ref)
    # 8 working hours: 1 on Wednesday; Nyepi, cuti bersama, the weekend (Idul Fitri) and
    # Monday's cuti bersama are not counted; 7 on Tuesday
    assert "Batas respons: Selasa 24-03-2026 pukul 14:30 WIB" in card.text


async def test_while_waiting_for_the_resident_the_card_and_status_say_the_clock_stopped(
    desk: Desk, resident: Resident, pupr: Officer
) -> None:
    ref = await reported(desk, resident)
    card_id = desk.card(PUPR_CHAT, ref)[0]
    await pupr.tap(card_id, "Minta info")
    await pupr.reply(desk.find(PUPR_CHAT, "Pertanyaan untuk pelapor")[0], "Di sisi mana?")
    _, card = desk.card(PUPR_CHAT, ref)
    assert "Batas waktu berhenti: menunggu jawaban pelapor" in card.text
    assert "Batas selesai" not in card.text
    (shown,) = await resident.command("status", ref)
    assert "berhenti sementara sampai Anda menjawab" in shown.text
