"""Commands in groups: `/id` anywhere; in staff chats `/catatan`, `/tiket`, `/alihkan`,
`/gabung`; in the supervisors' and triage chats `/ringkasan` (open tickets by agency); in the
supervisors' chat `/terlambat` (overdue tickets, handlers/overdue.py)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from db.tables import Ticket, TicketStatus
from handlers.context import Context
from handlers.messages import Inbound, Outbound
from handlers.overdue import overdue_text
from handlers.staff import actions, history
from handlers.staff.access import Actor, desk_chats, is_supervisor, refusal, staff_chats
from handlers.staff.actions import Refused
from handlers.staff.lookup import replied_key, ticket_by_ref
from handlers.staffpost import STAFF_LANGUAGE, staff_card
from handlers.texts import shorten, status_label, t
from handlers.tickets import OPEN_STATUSES
from handlers.wording import split_reference

HISTORY_MAX = 30


def answer(inbound: Inbound, text: str) -> Outbound:
    return Outbound(
        channel=inbound.channel,
        chat_id=inbound.chat_id,
        thread_id=inbound.thread_id,
        text=text,
        reply_to_message_id=inbound.message_id,
    )


async def command(
    session: AsyncSession, inbound: Inbound, now: datetime, ctx: Context
) -> list[Outbound]:
    name = inbound.command or ""
    if name == "id":
        return [chat_id(inbound)]
    if inbound.chat_id not in staff_chats(ctx):
        if name in ("bantuan", "help"):
            return [answer(inbound, t(STAFF_LANGUAGE, "help.group"))]
        return []
    run = COMMANDS.get(name)
    if run is None:
        return []  # another bot's command, or an officer's typo: the group is theirs
    try:
        return await run(session, inbound, now, ctx)
    except Refused as refused:
        return [answer(inbound, refused.text())]


def chat_id(inbound: Inbound) -> Outbound:
    """What the catalog needs for this group: its chat id, and the topic's id in a forum."""
    key = "staff.chat_id_topic" if inbound.thread_id is not None else "staff.chat_id"
    return answer(inbound, t(STAFF_LANGUAGE, key, chat=inbound.chat_id, topic=inbound.thread_id))


async def staff_help(
    session: AsyncSession, inbound: Inbound, now: datetime, ctx: Context
) -> list[Outbound]:
    return [answer(inbound, t(STAFF_LANGUAGE, "staff.help"))]


async def ticket_named(session: AsyncSession, inbound: Inbound, ctx: Context) -> tuple[Ticket, str]:
    """The ticket named first in the arguments, or the card this command replies to."""
    ref, rest = split_reference(inbound.args, ctx.ticket_prefix)
    if ref is None:
        key = await replied_key(session, inbound)
        if key is not None and key.startswith("card:"):
            ref, rest = key.removeprefix("card:"), inbound.args.strip()
    if ref is None:
        raise Refused("staff.refused.need_ref")
    ticket = await ticket_by_ref(session, ref)
    if ticket is None:
        raise Refused("staff.refused.unknown_ticket", ref=shorten(ref, 32))
    return ticket, rest


async def note(
    session: AsyncSession, inbound: Inbound, now: datetime, ctx: Context
) -> list[Outbound]:
    """`/catatan [REF] text`: internal, on the card's history."""
    ticket, rest = await ticket_named(session, inbound, ctx)
    out = await actions.do_note(session, ctx, ticket, Actor.of(inbound), rest, now=now)
    return [answer(inbound, t(STAFF_LANGUAGE, "staff.noted")), *out]


async def show_ticket(
    session: AsyncSession, inbound: Inbound, now: datetime, ctx: Context
) -> list[Outbound]:
    """`/tiket REF`: the card's body and the whole history, internal notes included."""
    ticket, _ = await ticket_named(session, inbound, ctx)
    why = refusal(Actor.of(inbound), ticket, ctx)
    if why is not None:
        raise Refused(why, ref=ticket.ref)
    text = await history_text(session, ticket, ctx)
    return [answer(inbound, text)]


async def history_text(session: AsyncSession, ticket: Ticket, ctx: Context) -> str:
    """The card's body and the whole history, internal notes included (for staff)."""
    events = await history.events_of(session, ticket.id or 0)
    past = history.lines(events, STAFF_LANGUAGE, ctx.timezone, staff=True, last=HISTORY_MAX)
    head = t(STAFF_LANGUAGE, "staff.status", status=status_label(STAFF_LANGUAGE, ticket.status))
    lines = [head, staff_card(ticket, ctx), "", t(STAFF_LANGUAGE, "staff.history")]
    return shorten("\n".join([*lines, *(f"· {p}" for p in past)]), 4000)


async def reassign(
    session: AsyncSession, inbound: Inbound, now: datetime, ctx: Context
) -> list[Outbound]:
    """`/alihkan REF KODE [alasan]`."""
    ticket, rest = await ticket_named(session, inbound, ctx)
    code, _, reason = rest.partition(" ")
    if not code:
        raise Refused("staff.refused.need_code")
    out = await actions.do_reassign(
        session, ctx, ticket, Actor.of(inbound), code.upper(), reason, now=now
    )
    return [answer(inbound, t(STAFF_LANGUAGE, "staff.reassigned", agency=code.upper())), *out]


async def merge(
    session: AsyncSession, inbound: Inbound, now: datetime, ctx: Context
) -> list[Outbound]:
    """`/gabung REF` in reply to a card: that card's ticket is merged into REF."""
    key = await replied_key(session, inbound)
    ref, _ = split_reference(inbound.args, ctx.ticket_prefix)
    if key is None or not key.startswith("card:") or ref is None:
        raise Refused("staff.refused.merge_how")
    ticket = await ticket_by_ref(session, key.removeprefix("card:"))
    into = await ticket_by_ref(session, ref)
    if ticket is None or into is None:
        raise Refused("staff.refused.unknown_ticket", ref=shorten(ref, 32))
    out = await actions.do_merge(session, ctx, ticket, into, Actor.of(inbound), now=now)
    return [answer(inbound, t(STAFF_LANGUAGE, "staff.merged", ref=ticket.ref, into=into.ref)), *out]


async def summary(
    session: AsyncSession, inbound: Inbound, now: datetime, ctx: Context
) -> list[Outbound]:
    """`/ringkasan`: open tickets by agency and status (supervisors' and triage chats)."""
    if inbound.chat_id not in desk_chats(ctx):
        raise Refused("staff.refused.supervisors_only")
    result = await session.execute(
        select(Ticket.agency_code, Ticket.status).where(col(Ticket.status).in_(list(OPEN_STATUSES)))
    )
    counts: Counter[tuple[str, str]] = Counter()
    for code, status in result.all():
        counts[(code or "-", str(status))] += 1
    if not counts:
        return [answer(inbound, t(STAFF_LANGUAGE, "staff.summary_empty"))]
    lines = [t(STAFF_LANGUAGE, "staff.summary_title", total=sum(counts.values()))]
    for code in sorted({c for c, _ in counts}):
        agency = ctx.catalog.by_code.get(code)
        label = agency.label if agency else t(STAFF_LANGUAGE, "staff.triage_desk")
        parts = [
            f"{status_label(STAFF_LANGUAGE, s)} {counts[(code, s.value)]}"
            for s in TicketStatus
            if counts[(code, s.value)]
        ]
        lines.append(f"{label}: {', '.join(parts)}")
    return [answer(inbound, "\n".join(lines))]


async def late(
    session: AsyncSession, inbound: Inbound, now: datetime, ctx: Context
) -> list[Outbound]:
    """`/terlambat`: overdue tickets by agency, how late in working time (supervisors' chat)."""
    if not is_supervisor(Actor.of(inbound), ctx):
        raise Refused("staff.refused.supervisors_chat")
    return [answer(inbound, await overdue_text(session, ctx, now))]


COMMANDS = {
    "bantuan": staff_help,
    "help": staff_help,
    "catatan": note,
    "tiket": show_ticket,
    "alihkan": reassign,
    "gabung": merge,
    "ringkasan": summary,
    "terlambat": late,
}
