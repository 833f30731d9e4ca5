"""Which staff chat shows a ticket: its agency's group, else the triage group, else none.

One place decides it, so a card is always edited where it was posted and a move between
chats (triage to an agency, a reassignment, a referral) is seen as one.
"""

from __future__ import annotations

from dataclasses import dataclass

from db.tables import Ticket, TicketStatus
from handlers.context import Context
from routing.catalog import Agency

STAFF_CHANNEL = "telegram"


@dataclass(frozen=True, slots=True)
class StaffChat:
    chat_id: str
    thread_id: int | None = None
    topics: bool = False  # a forum where each ticket gets its own topic


def agency_chat(agency: Agency | None) -> StaffChat | None:
    if agency is None or agency.kind != "internal" or not agency.staff.telegram_chat_id:
        return None
    staff = agency.staff
    return StaffChat(str(staff.telegram_chat_id), staff.telegram_thread_id, staff.topic_per_ticket)


def triage_chat(ctx: Context) -> StaffChat | None:
    triage = ctx.catalog.triage
    if not triage.telegram_chat_id:
        return None
    return StaffChat(str(triage.telegram_chat_id), triage.telegram_thread_id)


def supervisors_chat(ctx: Context) -> StaffChat | None:
    chat = ctx.catalog.supervisors
    if not chat.telegram_chat_id:
        return None
    return StaffChat(str(chat.telegram_chat_id), chat.telegram_thread_id)


def holder(ticket: Ticket, ctx: Context) -> StaffChat | None:
    """The chat whose card shows the ticket now; None for a ticket no officer of ours holds."""
    agency = ctx.catalog.by_code.get(ticket.agency_code or "")
    if ticket.status in (TicketStatus.NEW, TicketStatus.TRIAGE) or agency is None:
        return triage_chat(ctx)
    if agency.kind == "external":
        return None  # referred: an outside agency works it
    return agency_chat(agency) or triage_chat(ctx)
