"""Resident commands: /start, /bantuan, /status, /laporanku, /batal, /bahasa.

Commands work at any step and leave a draft as it was (except /batal, whose job is ending it),
so a resident can check an old report in the middle of writing a new one.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from db.tables import Ticket, TicketStatus
from db.tickets import recent_tickets, resident_ticket
from handlers.intake import Step, cancel_report, resume
from handlers.messages import Outbound
from handlers.texts import LANGUAGES, shorten, status_label, t
from handlers.turn import Turn

RECENT_TICKETS = 5
LIST_DESCRIPTION_MAX = 80
DETAIL_DESCRIPTION_MAX = 300
LANGUAGE_WORDS = {"id": "id", "indonesia": "id", "indonesian": "id", "en": "en", "english": "en"}


async def start(turn: Turn) -> list[Outbound]:
    """Greet (a deep-link payload changes nothing yet) and show an open draft's question again."""
    return [turn.say("start"), *resume(turn)]


async def show_help(turn: Turn) -> list[Outbound]:
    return [turn.say("help")]


async def cancel(turn: Turn) -> list[Outbound]:
    return await cancel_report(turn)


async def unknown(turn: Turn) -> list[Outbound]:
    return [turn.say("command.unknown")]


async def status(turn: Turn) -> list[Outbound]:
    """One of the resident's own tickets; anyone else's looks exactly like an unknown number."""
    ref = turn.inbound.args.strip().split(" ")[0].upper() if turn.inbound.args.strip() else ""
    if not ref:
        latest = await recent_tickets(turn.session, turn.resident_id, 1)
        if not latest:
            return [turn.say("ticket.none")]
        return [ticket_detail(turn, latest[0])]
    ticket = await resident_ticket(turn.session, turn.resident_id, ref[:32])
    if ticket is None:
        return [turn.say("ticket.not_found", ref=shorten(ref, 32))]
    return [ticket_detail(turn, ticket)]


def ticket_detail(turn: Turn, ticket: Ticket) -> Outbound:
    created = ticket.created_at.astimezone(ZoneInfo(turn.ctx.timezone))
    return turn.say(
        "ticket.detail",
        ref=ticket.ref,
        status=status_label(turn.lang, ticket.status),
        agency=agency_label(turn, ticket),
        created=created.strftime("%d-%m-%Y %H:%M %Z"),
        description=shorten(ticket.description, DETAIL_DESCRIPTION_MAX),
        ticket_ref=ticket.ref,
    )


def agency_label(turn: Turn, ticket: Ticket) -> str:
    agency = turn.ctx.catalog.by_code.get(ticket.agency_code or "")
    if agency is None or ticket.status == TicketStatus.TRIAGE:
        return t(turn.lang, "ticket.triage_agency")
    return agency.label


async def my_tickets(turn: Turn) -> list[Outbound]:
    tickets = await recent_tickets(turn.session, turn.resident_id, RECENT_TICKETS)
    if not tickets:
        return [turn.say("ticket.none")]
    lines = [t(turn.lang, "ticket.list_header")]
    for ticket in tickets:
        line = t(
            turn.lang,
            "ticket.list_line",
            ref=ticket.ref,
            status=status_label(turn.lang, ticket.status),
            description=shorten(ticket.description, LIST_DESCRIPTION_MAX),
        )
        lines += ["", line]
    lines += ["", t(turn.lang, "ticket.list_footer")]
    return [turn.write("\n".join(lines))]


async def language(turn: Turn) -> list[Outbound]:
    """`/bahasa en` switches at once; plain `/bahasa` offers both languages as buttons."""
    chosen = LANGUAGE_WORDS.get(turn.inbound.args.strip().lower())
    if chosen is not None:
        return set_language(turn, chosen)
    turn.new_menu()
    buttons = (
        (turn.button("button.lang_id", "lang", "id"), turn.button("button.lang_en", "lang", "en")),
    )
    return [turn.say("language.ask", buttons=buttons)]


async def chose_language(turn: Turn) -> list[Outbound]:
    """A tap on a language button; valid at any step, so it is not in the intake state table."""
    if turn.arg not in LANGUAGES:
        return []
    return set_language(turn, turn.arg)


def set_language(turn: Turn, lang: str) -> list[Outbound]:
    turn.resident.language = lang
    return [turn.say("language.set"), *resume(turn)]


COMMANDS: dict[str, Step] = {
    "start": start,
    "bantuan": show_help,
    "help": show_help,
    "status": status,
    "laporanku": my_tickets,
    "batal": cancel,
    "cancel": cancel,
    "bahasa": language,
    "language": language,
}


async def run_command(turn: Turn) -> list[Outbound]:
    command = COMMANDS.get((turn.inbound.command or "").lower(), unknown)
    return await command(turn)
