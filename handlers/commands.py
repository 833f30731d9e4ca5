"""Resident commands: /start, /bantuan, /status, /laporanku, /batal, /bahasa, /tambah, /tarik.

Commands work at any step and leave a draft as it was (except /batal, whose job is ending it),
so a resident can check an old report in the middle of writing a new one. Typed as words
("batal", "cek status kdr-26-12") they are the same commands (handlers/wording.py).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from db.tables import Ticket, TicketStatus
from db.tickets import followed_ticket, recent_tickets, resident_ticket
from handlers.intake import STATES, Step, advance, cancel_report, resume
from handlers.messages import Outbound
from handlers.own_reports import (
    ADD,
    ask_withdraw,
    confirm_withdraw,
    finish_adding,
    keep_report,
    start_adding,
    unstash,
)
from handlers.staff import history
from handlers.staff.card import card_updates
from handlers.staff.where import holder
from handlers.texts import LANGUAGES, format_moment, shorten, status_label, t
from handlers.tickets import OPEN_STATUSES, add_event
from handlers.turn import IDLE, Turn
from handlers.wording import canonical, find_reference

RECENT_TICKETS = 5
LIST_DESCRIPTION_MAX = 80
DETAIL_DESCRIPTION_MAX = 300
HISTORY_SHOWN = 20
OPEN_DRAFT_SHOWN = 120
LANGUAGE_WORDS = {"id": "id", "indonesia": "id", "indonesian": "id", "en": "en", "english": "en"}


async def start(turn: Turn) -> list[Outbound]:
    """Greet; with a report half written, ask whether to go on with it or start over."""
    unstash(turn)
    if turn.dialog.state == IDLE or turn.dialog.state not in STATES:
        return [turn.say("start")]
    turn.new_menu()
    buttons = ((turn.button("button.resume", "resume"), turn.button("button.restart", "restart")),)
    description = shorten(turn.draft.description, OPEN_DRAFT_SHOWN) or "…"
    return [turn.say("start.open_draft", description=description, buttons=buttons)]


async def continue_draft(turn: Turn) -> list[Outbound]:
    """Lanjutkan: the open question again (or the first one, for a draft with no text yet)."""
    if turn.dialog.state == IDLE:
        return [turn.say("start")]
    return [advance(turn, turn.draft)]


async def restart(turn: Turn) -> list[Outbound]:
    """Mulai baru: the draft is dropped; the next message starts a new report."""
    turn.reset()
    return [turn.say("restarted", remove_keyboard=True)]


async def show_help(turn: Turn) -> list[Outbound]:
    return [turn.say("help")]


async def cancel(turn: Turn) -> list[Outbound]:
    """Batal: ends the draft, or the adding of details; a reference withdraws that report."""
    if find_reference(turn.inbound.args, turn.ctx.ticket_prefix):
        return await ask_withdraw(turn)
    if turn.dialog.state == ADD:
        return await finish_adding(turn)
    return await cancel_report(turn)


async def unknown(turn: Turn) -> list[Outbound]:
    return [turn.say("command.unknown")]


async def status(turn: Turn) -> list[Outbound]:
    """One of the resident's own tickets; anyone else's looks exactly like an unknown number."""
    args = turn.inbound.args.strip()
    ref = find_reference(args, turn.ctx.ticket_prefix) or args.split(" ")[0].upper()
    if not ref:
        latest = await recent_tickets(turn.session, turn.resident_id, 1)
        if not latest:
            return [turn.say("ticket.none")]
        return [await ticket_detail(turn, latest[0])]
    ticket = await resident_ticket(turn.session, turn.resident_id, ref[:32])
    if ticket is None:
        ticket = await followed_ticket(turn.session, turn.resident_id, ref[:32])
    if ticket is None:
        return [turn.say("ticket.not_found", ref=shorten(ref, 32))]
    return [await ticket_detail(turn, ticket)]


async def ticket_detail(turn: Turn, ticket: Ticket) -> Outbound:
    """The ticket and its whole public history: moves and what officers told the resident."""
    created = ticket.created_at.astimezone(ZoneInfo(turn.ctx.timezone))
    text = t(
        turn.lang,
        "ticket.detail",
        ref=ticket.ref,
        status=status_label(turn.lang, ticket.status),
        agency=agency_label(turn, ticket),
        created=created.strftime("%d-%m-%Y %H:%M %Z"),
        description=shorten(ticket.description, DETAIL_DESCRIPTION_MAX),
    )
    if ticket.status == TicketStatus.WAITING_CITIZEN and ticket.sla_clock:
        text += "\n" + t(turn.lang, "ticket.due_paused")
    elif ticket.resolution_due_at is not None and ticket.status in OPEN_STATUSES:
        due = format_moment(ticket.resolution_due_at, turn.ctx.timezone, turn.lang)
        text += "\n" + t(turn.lang, "ticket.due", at=due)
    if ticket.id is not None:
        events = await history.events_of(turn.session, ticket.id)
        past = history.lines(events, turn.lang, turn.ctx.timezone, staff=False, last=HISTORY_SHOWN)
        if past:
            text += "\n\n" + t(turn.lang, "ticket.history") + "\n" + "\n".join(past)
    return turn.write(shorten(text, 4000), ticket_ref=ticket.ref)


def agency_label(turn: Turn, ticket: Ticket) -> str:
    agency = turn.ctx.catalog.by_code.get(ticket.agency_code or "")
    if agency is None or ticket.status == TicketStatus.TRIAGE:
        return t(turn.lang, "ticket.triage_agency")
    return agency.label_in(turn.lang)


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


async def privacy(turn: Turn) -> list[Outbound]:
    """`anonim` / `rahasia`: on the report being written, or on one already sent (`anonim REF`).

    Anonim hides who reported even in the ticket's record officers see; rahasia also keeps
    the report out of anything published (as SP4N-LAPOR! offers).
    """
    kind = canonical(turn.inbound.command or "")
    ref = find_reference(turn.inbound.args, turn.ctx.ticket_prefix)
    if ref is not None:
        ticket = await resident_ticket(turn.session, turn.resident_id, ref)
        if ticket is None:
            return [turn.say("ticket.not_found", ref=ref)]
        before = holder(ticket, turn.ctx)
        ticket.privacy = kind
        await add_event(
            turn.session, ticket, kind="privacy", actor="resident", now=turn.now, note=kind
        )
        card = await card_updates(turn.session, ticket, turn.ctx, before)
        return [turn.say(f"privacy.{kind}.ticket", ref=ref, ticket_ref=ref), *card]
    if turn.dialog.state in STATES and turn.dialog.state != IDLE:
        draft = turn.draft
        draft.privacy = kind
        turn.save(turn.dialog.state, draft)
        return [turn.say(f"privacy.{kind}.draft"), *resume(turn)]
    return [turn.say("privacy.hint")]


COMMANDS: dict[str, Step] = {
    "anonim": privacy,
    "rahasia": privacy,
    "start": start,
    "bantuan": show_help,
    "status": status,
    "laporanku": my_tickets,
    "batal": cancel,
    "bahasa": language,
    "tambah": start_adding,
    "tarik": ask_withdraw,
}
# Buttons that mean the same at any step, so they are not in the intake state table.
TAPS: dict[str, Step] = {
    "lang": chose_language,
    "resume": continue_draft,
    "restart": restart,
    "withdraw": confirm_withdraw,
    "keep": keep_report,
    "done": finish_adding,
}


async def run_command(turn: Turn) -> list[Outbound]:
    command = COMMANDS.get(canonical(turn.inbound.command or ""), unknown)
    return await command(turn)
