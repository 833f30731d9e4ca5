"""The card a new ticket posts into the officers' Telegram group.

Officers need what, where, and why it came to them; they never see who reported it. The
resident appears as an internal number, so a group forwarded to the wrong place leaks no name,
phone number or channel user id.
"""

from __future__ import annotations

from db.tables import Ticket, TicketStatus
from handlers.context import Context
from handlers.messages import Outbound
from handlers.texts import shorten, t

STAFF_LANGUAGE = "id"
STAFF_DESCRIPTION_MAX = 700
CHANNELS = ("telegram", "whatsapp", "webchat", "console")  # with a name in the catalogue


def resident_tag(resident_id: int) -> str:
    return f"{resident_id:06d}"


def maps_link(latitude: float, longitude: float) -> str:
    return f"https://maps.google.com/?q={latitude:.6f},{longitude:.6f}"


def location_text(ticket: Ticket) -> str | None:
    parts = []
    if ticket.latitude is not None and ticket.longitude is not None:
        parts.append(maps_link(ticket.latitude, ticket.longitude))
    if ticket.address:
        parts.append(ticket.address)
    return " - ".join(parts) or None


def routing_line(ticket: Ticket) -> str:
    routing = ticket.routing
    if routing.get("picked"):
        return t(STAFF_LANGUAGE, "staff.routing_picked")
    matched = [str(m) for m in routing.get("matched", [])]
    if not matched:
        return t(STAFF_LANGUAGE, "staff.routing_none")
    confidence = round(float(routing.get("confidence", 0.0)) * 100)
    phrases = ", ".join(f'"{m}"' for m in matched[:5])
    return t(STAFF_LANGUAGE, "staff.routing", matched=phrases, confidence=confidence)


def staff_card(ticket: Ticket, ctx: Context) -> str:
    """Plain text (no markdown): officers read it on phones, and names may contain `*` or `_`."""
    say = STAFF_LANGUAGE
    agency = ctx.catalog.by_code.get(ticket.agency_code or "")
    triage = ticket.status == TicketStatus.TRIAGE or agency is None
    lines = [t(say, "staff.title_triage" if triage else "staff.title", ref=ticket.ref)]
    if agency is not None:
        lines.append(t(say, "staff.agency", agency=agency.label))
        if not triage and not agency.staff.telegram_chat_id:
            lines.append(t(say, "staff.no_group", agency=agency.label))
    lines += ["", shorten(ticket.description, STAFF_DESCRIPTION_MAX), ""]
    place = location_text(ticket)
    lines.append(t(say, "staff.location", location=place) if place else t(say, "staff.no_location"))
    lines.append(t(say, "staff.photos", count=len(ticket.photos)))
    lines.append(routing_line(ticket))
    candidates = [
        ctx.catalog.by_code[c].label
        for c in ticket.routing.get("candidates", [])[:3]
        if c in ctx.catalog.by_code
    ]
    if triage and candidates:
        lines.append(t(say, "staff.candidates", candidates=", ".join(candidates)))
    channel = t(say, f"channel.{ticket.channel}") if ticket.channel in CHANNELS else ticket.channel
    lines.append(
        t(say, "staff.reporter", channel=channel, resident=resident_tag(ticket.resident_id))
    )
    return "\n".join(lines)


def staff_chat(ticket: Ticket, ctx: Context) -> tuple[int, int | None] | None:
    """Where officers see the ticket: the agency's group, else triage, else nowhere yet."""
    if ticket.status == TicketStatus.REFERRED:
        return None
    agency = ctx.catalog.by_code.get(ticket.agency_code or "")
    if ticket.status == TicketStatus.ASSIGNED and agency and agency.staff.telegram_chat_id:
        return agency.staff.telegram_chat_id, agency.staff.telegram_thread_id
    triage = ctx.catalog.triage
    if triage.telegram_chat_id:
        return triage.telegram_chat_id, triage.telegram_thread_id
    return None


def staff_posts(ticket: Ticket, ctx: Context) -> list[Outbound]:
    """The staff card for a new ticket, or nothing when no group is configured for it."""
    target = staff_chat(ticket, ctx)
    if target is None:
        return []
    chat_id, thread_id = target
    return [
        Outbound(
            channel="telegram",
            chat_id=str(chat_id),
            thread_id=thread_id,
            text=staff_card(ticket, ctx),
            ticket_ref=ticket.ref,
            purpose="staff_new_ticket",
        )
    ]
