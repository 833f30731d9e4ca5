"""Who may act on a ticket: its agency's group (and only its officers, where the catalog lists
them), the triage group and the supervisors' chat. Everyone else is refused politely."""

from __future__ import annotations

from dataclasses import dataclass

from db.tables import Ticket
from handlers.context import Context
from handlers.messages import Inbound
from handlers.staff.where import holder, supervisors_chat, triage_chat


@dataclass(frozen=True, slots=True)
class Actor:
    """An officer acting from a chat; `first_name` is what the card's history shows."""

    channel: str
    user_id: str
    chat_id: str
    first_name: str = ""
    is_group: bool = True

    @property
    def key(self) -> str:
        """What the event row keeps: the channel's id, never a name."""
        return f"{self.channel}:{self.user_id}"

    @classmethod
    def of(cls, inbound: Inbound) -> Actor:
        first = (inbound.user_name or "").split(" ")[0][:32]
        return cls(inbound.channel, inbound.user_id, inbound.chat_id, first, inbound.is_group)


def desk_chats(ctx: Context) -> set[str]:
    """Chats that may act on any ticket: triage and the supervisors."""
    return {c.chat_id for c in (triage_chat(ctx), supervisors_chat(ctx)) if c is not None}


def is_supervisor(actor: Actor, ctx: Context) -> bool:
    """Acting from the supervisors' chat (overrules a rejection, reads `/terlambat`)."""
    chat = supervisors_chat(ctx)
    return actor.is_group and chat is not None and actor.chat_id == chat.chat_id


def staff_chats(ctx: Context) -> set[str]:
    """Every chat Lapor treats as a staff chat."""
    agencies = {
        str(a.staff.telegram_chat_id) for a in ctx.catalog.agencies if a.staff.telegram_chat_id
    }
    return agencies | desk_chats(ctx)


def refusal(actor: Actor, ticket: Ticket, ctx: Context) -> str | None:
    """Why `actor` may not act on `ticket` (a catalogue key), or None when they may."""
    if not actor.is_group:
        return "staff.refused.private"
    if actor.chat_id in desk_chats(ctx):
        return None
    chat = holder(ticket, ctx)
    if chat is None or chat.chat_id != actor.chat_id:
        return "staff.refused.chat"
    agency = ctx.catalog.by_code.get(ticket.agency_code or "")
    officers = agency.staff.officers if agency is not None else []
    if officers and actor.user_id not in {str(o) for o in officers}:
        return "staff.refused.officer"
    return None
