"""Supervisors act on SLA alerts: the breach alert's buttons, and `/terlambat`.

Through `dispatch` as in a live chat; the sweep writes its alerts to the outbox and the desk
"sends" them, so a supervisor taps the buttons of the message they really received.
"""

from __future__ import annotations

from datetime import datetime

from db.tables import TicketStatus
from handlers.messages import OutboundKind
from tests.handlers.conftest import DLHKP_CHAT, NOW, PUPR_CHAT, WIB
from tests.handlers.staffdesk import (
    SUPERVISORS_CHAT,
    Desk,
    Officer,
    Resident,
    button_labels,
    desk,
    pupr,
    report,
    resident,
    ticket,
    toasts,
)
from tests.sla.conftest import sweep

__all__ = ["desk", "pupr", "resident"]  # fixtures

BUTTON_DATA_MAX = 64  # Telegram's limit on callback_data, in bytes


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=WIB)


def supervisor(desk: Desk) -> Officer:
    return Officer(desk, SUPERVISORS_CHAT, user_id="9100", name="Sri Rahayu")


async def breached(desk: Desk, resident: Resident) -> tuple[str, str]:
    """A report nobody answers, swept past its first-response target; (ref, alert id)."""
    resident.now = desk.now = NOW  # Monday 09:00; 8 working hours: Tuesday 08:30
    ref = await report(resident)
    desk.now = at(3, 9)
    await sweep(desk.sessions, desk.ctx, desk.now)
    await desk.deliver()
    alert_id, _ = desk.find(SUPERVISORS_CHAT, "Lewat batas SLA")
    return ref, alert_id


async def test_the_breach_alert_carries_history_and_reassign_buttons(
    desk: Desk, resident: Resident
) -> None:
    _, alert_id = await breached(desk, resident)
    alert = desk.screen[(str(SUPERVISORS_CHAT), alert_id)]
    assert button_labels(alert) == ["Riwayat", "Alihkan"]
    assert all(len(b.data.encode()) <= BUTTON_DATA_MAX for row in alert.buttons for b in row)
    _, warning = desk.find(PUPR_CHAT, "Pengingat SLA")
    assert not warning.buttons  # the agency's warning is read, its card has the buttons


async def test_history_from_the_alert_shows_the_whole_ticket(
    desk: Desk, resident: Resident
) -> None:
    ref, alert_id = await breached(desk, resident)
    out = await supervisor(desk).tap(alert_id, "Riwayat")
    (shown,) = [o for o in out if o.kind == OutboundKind.MESSAGE]
    assert ref in shown.text and "Riwayat" in shown.text and "Diteruskan" in shown.text
    assert "5001" not in shown.text and "Rina" not in shown.text  # the resident stays hidden


async def test_reassign_from_the_alert_moves_the_ticket_and_starts_the_new_clock(
    desk: Desk, resident: Resident
) -> None:
    ref, alert_id = await breached(desk, resident)
    boss = supervisor(desk)
    await boss.tap(alert_id, "Alihkan")
    prompt_id, _ = desk.find(SUPERVISORS_CHAT, "ke dinas mana")
    await boss.tap(prompt_id, "DLHKP")
    await boss.reply(prompt_id, "Ini sampah, bukan jalan")
    moved = await ticket(desk, ref)
    assert (moved.agency_code, moved.status) == ("DLHKP", TicketStatus.ASSIGNED)
    assert moved.sla_agency_code == "DLHKP" and moved.sla_running_since == at(3, 9)
    desk.card(DLHKP_CHAT, ref)  # the card appears in the new agency's group


async def test_the_alerts_buttons_work_only_where_the_ticket_may_be_worked(
    desk: Desk, resident: Resident
) -> None:
    _, alert_id = await breached(desk, resident)
    data = next(
        b.data
        for row in desk.screen[(str(SUPERVISORS_CHAT), alert_id)].buttons
        for b in row
        if b.label == "Riwayat"
    )
    stranger = Officer(desk, DLHKP_CHAT, user_id="9300")  # another agency's group
    out = await stranger.tap_data(alert_id, data)
    assert toasts(out) and not [o for o in out if o.kind == OutboundKind.MESSAGE]


async def test_terlambat_lists_overdue_tickets_by_agency_with_how_late(
    desk: Desk, resident: Resident
) -> None:
    resident.now = desk.now = NOW  # Monday 09:00
    pothole = await report(resident)
    resident.now = desk.now = at(2, 10)
    rubbish = await report(resident, "Sampah menumpuk di depan pasar Setono Betek")
    resident.now = desk.now = at(3, 15)
    fresh = await report(resident, "Sampah berserakan di Jalan Dhoho dekat alun-alun")
    desk.now = at(3, 15, 30)
    (shown,) = await supervisor(desk).command("terlambat")
    text = shown.text
    assert "Tiket terlambat: 2" in text
    # PUPR's was due Tuesday 08:30: 7 working hours late at 15:30; DLHKP's (4 hours) was
    # due Monday 14:00: 2 hours on Monday and 8 on Tuesday
    assert f"{pothole} Respons pertama, terlambat 7 jam kerja" in text
    assert f"{rubbish} Respons pertama, terlambat 10 jam kerja" in text
    assert fresh not in text  # due Wednesday
    assert text.index("DLHKP (1)") < text.index(rubbish) < text.index("Dinas PUPR (1)")
    assert text.index("Dinas PUPR (1)") < text.index(pothole)


async def test_terlambat_belongs_to_the_supervisors_chat(
    desk: Desk, resident: Resident, pupr: Officer
) -> None:
    (shown,) = await pupr.command("terlambat")
    assert "hanya tersedia di grup pengawas" in shown.text
    (shown,) = await supervisor(desk).command("terlambat")
    assert "Tidak ada tiket yang terlambat" in shown.text
