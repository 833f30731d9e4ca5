"""Auto-close: a resolved ticket nobody confirms closes after ten working days, once.

Through the staff actions and the service's sweep, with the clock set by the test; the
default office calendar (Monday-Friday) and the catalog's default of ten working days.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from db.tables import TicketStatus
from tests.handlers.conftest import NOW, PUPR_CHAT, WIB
from tests.handlers.staffdesk import (
    Desk,
    Officer,
    Resident,
    desk,
    pupr,
    report,
    resident,
    ticket,
    to_chat,
)
from tests.sla.conftest import alerts, sweep

__all__ = ["desk", "pupr", "resident"]  # fixtures

MINUTE = timedelta(minutes=1)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=WIB)


async def resolved(desk: Desk, resident: Resident, pupr: Officer) -> str:
    """Reported Monday 2 March 09:00, resolved at 10:00 the same day; the resident is asked."""
    resident.now = desk.now = NOW
    ref = await report(resident)
    desk.now = at(2, 10)
    await pupr.tap(desk.card(PUPR_CHAT, ref)[0], "Selesai")
    out = await pupr.reply(desk.find(PUPR_CHAT, "Menutup")[0], "Sudah ditambal")
    resident.menu = to_chat(out, resident.user_id)[0]
    return ref


async def test_a_resolved_ticket_nobody_confirms_closes_after_ten_working_days_once(
    desk: Desk, resident: Resident, pupr: Officer
) -> None:
    ref = await resolved(desk, resident, pupr)
    closing = at(16, 10)  # ten working days after Monday 2 March 10:00: two weekends skipped
    assert await sweep(desk.sessions, desk.ctx, at(14, 10)) == []  # twelve calendar days
    assert await sweep(desk.sessions, desk.ctx, closing - MINUTE) == []
    assert (await ticket(desk, ref)).status == TicketStatus.RESOLVED
    out = await sweep(desk.sessions, desk.ctx, closing)
    assert (await ticket(desk, ref)).status == TicketStatus.CLOSED
    (told,) = to_chat(out, resident.user_id)
    assert f"Laporan {ref} kami tutup" in told.text and "10 hari kerja" in told.text
    await desk.deliver()
    assert "Status: Ditutup" in desk.card(PUPR_CHAT, ref)[1].text  # the card edited in place
    assert await sweep(desk.sessions, desk.ctx, closing) == []  # a second sweep: nothing
    assert await sweep(desk.sessions, desk.ctx, closing + timedelta(days=30)) == []
    assert [level for _, _, level in await alerts(desk.sessions)] == ["auto_close"]
    out = await resident.tap("Ya, sudah")  # the old question: stale now
    assert (await ticket(desk, ref)).status == TicketStatus.CLOSED


async def test_the_resident_is_told_in_their_language(
    desk: Desk, resident: Resident, pupr: Officer
) -> None:
    ref = await resolved(desk, resident, pupr)
    resident.now = at(3, 8)
    await resident.command("bahasa", "en")
    out = await sweep(desk.sessions, desk.ctx, at(16, 10))
    (told,) = to_chat(out, resident.user_id)
    assert f"We have closed report {ref}" in told.text and "10 working days" in told.text


async def test_a_confirmed_ticket_is_not_closed_again(
    desk: Desk, resident: Resident, pupr: Officer
) -> None:
    ref = await resolved(desk, resident, pupr)
    resident.now = at(3, 9)
    await resident.tap("Ya, sudah")
    assert (await ticket(desk, ref)).status == TicketStatus.CLOSED
    assert await sweep(desk.sessions, desk.ctx, at(30, 10)) == []


async def test_not_fixed_reopens_and_the_next_resolution_counts_afresh(
    desk: Desk, resident: Resident, pupr: Officer
) -> None:
    ref = await resolved(desk, resident, pupr)
    resident.now = at(3, 9)
    await resident.tap("Belum")
    assert await sweep(desk.sessions, desk.ctx, at(16, 10)) == []  # open again: not closed
    assert (await ticket(desk, ref)).status == TicketStatus.IN_PROGRESS
    desk.now = at(16, 11)
    await pupr.tap(desk.card(PUPR_CHAT, ref)[0], "Selesai")
    await pupr.reply(desk.find(PUPR_CHAT, "Menutup")[0], "Sudah ditambal ulang")
    # Nyepi (Thursday 19 March) is no working day: the tenth is Tuesday 31 March
    assert await sweep(desk.sessions, desk.ctx, at(30, 11)) == []
    out = await sweep(desk.sessions, desk.ctx, at(31, 11))
    assert to_chat(out, resident.user_id)
    assert (await ticket(desk, ref)).status == TicketStatus.CLOSED
