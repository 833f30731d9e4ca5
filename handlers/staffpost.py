"""The body of the ticket card officers read (handlers/staff/card.py adds state and buttons).

Officers need what, where, and why it came to them; they never see who reported it. The
resident appears as an internal number, so a group forwarded to the wrong place leaks no name,
phone number or channel user id.
"""

from __future__ import annotations

from db.tables import Ticket, TicketStatus
from handlers.context import Context
from handlers.privacy import mask_personal
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


def staff_card(
    ticket: Ticket, ctx: Context, *, description_max: int = STAFF_DESCRIPTION_MAX
) -> str:
    """Plain text (no markdown): officers read it on phones, and names may contain `*` or `_`."""
    say = STAFF_LANGUAGE
    agency = ctx.catalog.by_code.get(ticket.agency_code or "")
    triage = ticket.status == TicketStatus.TRIAGE or agency is None
    lines = [t(say, "staff.title_triage" if triage else "staff.title", ref=ticket.ref)]
    if agency is not None:
        lines.append(t(say, "staff.agency", agency=agency.label))
        if not triage and not agency.staff.telegram_chat_id:
            lines.append(t(say, "staff.no_group", agency=agency.label))
    lines += ["", shorten(mask_personal(ticket.description), description_max), ""]
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
    if ticket.privacy:
        lines.append(t(say, "staff.reporter_hidden", channel=channel))
    else:
        lines.append(
            t(say, "staff.reporter", channel=channel, resident=resident_tag(ticket.resident_id))
        )
    return "\n".join(lines)
