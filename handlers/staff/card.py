"""The ticket card: one message per ticket per staff chat, posted once and edited in place.

It is rendered whole from the ticket and its last events every time (never patched), so the
group always reads the current state. Buttons carry the ticket's id and version: a tap on a
card whose ticket has moved on since is stale and changes nothing.
"""

from __future__ import annotations

import dataclasses

from sqlalchemy.ext.asyncio import AsyncSession

from db.queue import drop_pending_edits
from db.tables import Ticket, TicketStatus
from handlers.context import Context
from handlers.messages import Button, Outbound, OutboundKind
from handlers.privacy import mask_personal
from handlers.staff import history
from handlers.staff.buttons import tap_data
from handlers.staff.where import STAFF_CHANNEL, StaffChat, holder
from handlers.staffpost import STAFF_DESCRIPTION_MAX, STAFF_LANGUAGE, staff_card
from handlers.texts import format_moment, shorten, status_label, t, text_length

CARD_MAX = 1000  # with buttons: what every channel shows whole under one message
HISTORY_SHOWN = 5
TOPIC_NAME_MAX = 60
PER_ROW = 3
S = TicketStatus
WORKING = (S.ASSIGNED, S.ACKNOWLEDGED, S.IN_PROGRESS, S.WAITING_CITIZEN)


def card_key(ref: str) -> str:
    return f"card:{ref}"


def topic_key(ref: str) -> str:
    return f"topic:{ref}"


def button(label_key: str, action: str, ticket: Ticket, arg: str = "") -> Button:
    return Button(t(STAFF_LANGUAGE, label_key), tap_data(action, ticket, arg))


def rows(buttons: list[Button], per_row: int = PER_ROW) -> tuple[tuple[Button, ...], ...]:
    return tuple(tuple(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row))


def card_buttons(ticket: Ticket, ctx: Context) -> tuple[tuple[Button, ...], ...]:
    """What officers can do next from this status (triage: pick the agency)."""
    status = TicketStatus(ticket.status)
    if status in (S.NEW, S.TRIAGE):
        return triage_buttons(ticket, ctx)
    if status not in WORKING:
        return ()
    first = []
    if status == S.ASSIGNED:
        first.append(button("staff.button.accept", "acc", ticket))
    if status in (S.ASSIGNED, S.ACKNOWLEDGED):
        first.append(button("staff.button.start", "pro", ticket))
    if status != S.WAITING_CITIZEN:
        first.append(button("staff.button.ask", "ask", ticket))
    first.append(button("staff.button.resolve", "res", ticket))
    second = [
        button("staff.button.reassign", "mv", ticket),
        button("staff.button.reject", "rej", ticket),
        button("staff.button.refer", "ref", ticket),
    ]
    return (*rows(first, 2), tuple(second))


def triage_buttons(ticket: Ticket, ctx: Context) -> tuple[tuple[Button, ...], ...]:
    """Candidates first, then every other internal agency; then Tolak and Rujuk."""
    candidates = [c for c in ticket.routing.get("candidates", []) if c in ctx.catalog.by_code]
    internal = [a.code for a in ctx.catalog.agencies if a.kind == "internal"]
    codes = [*dict.fromkeys([*candidates, *internal])]
    codes = [c for c in codes if ctx.catalog.by_code[c].kind == "internal"]
    picks = [Button(ctx.catalog.by_code[c].code, tap_data("asg", ticket, c)) for c in codes]
    last = (
        button("staff.button.reject", "rej", ticket),
        button("staff.button.refer", "ref", ticket),
    )
    return (*rows(picks, 4), last)


def deadline_lines(ticket: Ticket, ctx: Context) -> list[str]:
    """The stored deadlines in the city's time, with the day (working time already counted:
    a Friday-afternoon report shows its Monday deadline); a paused clock says so."""
    if ticket.status == S.WAITING_CITIZEN and ticket.sla_clock:
        return [t(STAFF_LANGUAGE, "staff.due_paused")]
    found = []
    for key, due in (
        ("staff.due_response", ticket.first_response_due_at),
        ("staff.due_resolution", ticket.resolution_due_at),
    ):
        if due is not None and ticket.status in WORKING:
            found.append(
                t(STAFF_LANGUAGE, key, at=format_moment(due, ctx.timezone, STAFF_LANGUAGE))
            )
    return found


async def card_text(
    session: AsyncSession, ticket: Ticket, ctx: Context, *, moved_to: str = ""
) -> str:
    """The whole card; the description gives way so that it fits with its buttons."""
    if ticket.id is None:
        raise ValueError("a card needs a stored ticket")
    say = STAFF_LANGUAGE
    head = [t(say, "staff.status", status=status_label(say, ticket.status))]
    if moved_to:
        head.insert(0, t(say, "staff.moved", where=moved_to))
    followers = await history.follower_count(session, ticket.id)
    tail = deadline_lines(ticket, ctx)
    if followers:
        tail.append(t(say, "staff.followers", count=followers))
    if ticket.privacy:
        tail.append(t(say, f"staff.privacy.{ticket.privacy}"))
    if ticket.rating is not None:
        comment = (
            f" - {shorten(mask_personal(ticket.rating_comment), 120)}"
            if ticket.rating_comment
            else ""
        )
        tail.append(t(say, "staff.rating", rating=ticket.rating, comment=comment))
    events = await history.events_of(session, ticket.id)
    past = history.lines(events, say, ctx.timezone, staff=True, last=HISTORY_SHOWN)
    if past:
        tail += [t(say, "staff.history"), *(f"· {p}" for p in past)]
    text = "\n".join([*head, staff_card(ticket, ctx), "", *tail])
    over = text_length(text) - CARD_MAX
    if over > 0:  # the description gives way: the one part of any length
        room = max(min(len(ticket.description), STAFF_DESCRIPTION_MAX) - over - 1, 40)
        text = "\n".join([*head, staff_card(ticket, ctx, description_max=room), "", *tail])
    return shorten(text, CARD_MAX)


def topic_name(ticket: Ticket) -> str:
    return shorten(f"{ticket.ref} {mask_personal(ticket.description)}", TOPIC_NAME_MAX)


async def first_post(
    session: AsyncSession, ticket: Ticket, ctx: Context, chat: StaffChat
) -> list[Outbound]:
    """The card in a chat where the ticket arrives, with its photos and map pin beside it."""
    ref = ticket.ref or ""
    out: list[Outbound] = []
    thread_key = None
    if chat.topics:
        thread_key = topic_key(ref)
        out.append(
            Outbound(
                channel=STAFF_CHANNEL,
                chat_id=chat.chat_id,
                kind=OutboundKind.OPEN_TOPIC,
                text=topic_name(ticket),
                key=thread_key,
                ticket_ref=ref,
            )
        )
    thread = None if chat.topics else chat.thread_id
    card = Outbound(
        channel=STAFF_CHANNEL,
        chat_id=chat.chat_id,
        ticket_ref=ref,
        text=await card_text(session, ticket, ctx),
        buttons=card_buttons(ticket, ctx),
        thread_id=thread,
        thread_key=thread_key,
        key=card_key(ref),
        purpose="staff_card",
    )
    out.append(card)
    beside = dataclasses.replace(
        card, text="", buttons=(), key=None, purpose=None, reply_key=card_key(ref)
    )
    for photo in ticket.photos:
        caption = t(STAFF_LANGUAGE, "staff.photo_caption", ref=ref)
        media = str(photo.get("file_id", ""))
        missing = t(STAFF_LANGUAGE, "staff.photo_missing")
        out.append(
            dataclasses.replace(
                beside, kind=OutboundKind.PHOTO, media=media, text=caption, photo_missing=missing
            )
        )
    if ticket.latitude is not None and ticket.longitude is not None:
        out.append(
            dataclasses.replace(
                beside,
                kind=OutboundKind.LOCATION,
                latitude=ticket.latitude,
                longitude=ticket.longitude,
                text=ticket.address or "",
            )
        )
    return out


async def arrival_posts(session: AsyncSession, ticket: Ticket, ctx: Context) -> list[Outbound]:
    """A new ticket's card where it lands (its agency, or triage); nothing if no chat is set."""
    chat = holder(ticket, ctx)
    return [] if chat is None else await first_post(session, ticket, ctx, chat)


async def edit_card(
    session: AsyncSession, ticket: Ticket, ctx: Context, chat: StaffChat, *, moved_to: str = ""
) -> Outbound:
    """The card edited in place (a channel without edits sends it anew); edits of it still
    waiting in the outbox are dropped, since this one shows all they would."""
    ref = ticket.ref or ""
    await drop_pending_edits(
        session, channel=STAFF_CHANNEL, chat_id=chat.chat_id, key=card_key(ref)
    )
    return Outbound(
        channel=STAFF_CHANNEL,
        chat_id=chat.chat_id,
        kind=OutboundKind.EDIT,
        text=await card_text(session, ticket, ctx, moved_to=moved_to),
        buttons=() if moved_to else card_buttons(ticket, ctx),
        thread_id=None if chat.topics else chat.thread_id,
        thread_key=topic_key(ref) if chat.topics else None,
        key=card_key(ref),
        edit_key=card_key(ref),
        ticket_ref=ref,
        purpose="staff_card",
    )


async def card_updates(
    session: AsyncSession,
    ticket: Ticket,
    ctx: Context,
    before: StaffChat | None,
    *,
    reopened: bool = False,
) -> list[Outbound]:
    """After a change: the card edited where it is, or left behind and posted where it went."""
    after = holder(ticket, ctx)
    out: list[Outbound] = []
    if before is not None and after is not None and before.chat_id == after.chat_id:
        out.append(await edit_card(session, ticket, ctx, after))
    else:
        if before is not None:
            where = moved_label(ticket, ctx)
            out.append(await edit_card(session, ticket, ctx, before, moved_to=where))
        if after is not None:
            out += await first_post(session, ticket, ctx, after)
    moved = before is not None and (after is None or after.chat_id != before.chat_id)
    if moved and before is not None and before.topics:  # the old group's topic is done
        out.append(topic_call(ticket, before, OutboundKind.CLOSE_TOPIC))
    chat = after or before
    if chat is not None and chat.topics and not (moved and chat is before):
        out += topic_moves(ticket, chat, reopened=reopened)
    return out


def moved_label(ticket: Ticket, ctx: Context) -> str:
    agency = ctx.catalog.by_code.get(ticket.agency_code or "")
    return agency.label if agency is not None else t(STAFF_LANGUAGE, "staff.triage_desk")


def topic_moves(ticket: Ticket, chat: StaffChat, *, reopened: bool) -> list[Outbound]:
    """A ticket's topic closes with the ticket, and opens again when the resident says Belum."""
    if ticket.status in (S.CLOSED, S.REJECTED, S.REFERRED):
        kind = OutboundKind.CLOSE_TOPIC
    elif reopened:
        kind = OutboundKind.REOPEN_TOPIC
    else:
        return []
    return [topic_call(ticket, chat, kind)]


def topic_call(ticket: Ticket, chat: StaffChat, kind: OutboundKind) -> Outbound:
    ref = ticket.ref or ""
    return Outbound(
        channel=STAFF_CHANNEL,
        chat_id=chat.chat_id,
        kind=kind,
        thread_key=topic_key(ref),
        ticket_ref=ref,
    )


def to_card(ticket: Ticket, chat: StaffChat, text: str, **fields: object) -> Outbound:
    """A message about the ticket in a staff chat, as an answer to its card (in its topic)."""
    ref = ticket.ref or ""
    if fields.get("kind") is OutboundKind.PHOTO:
        fields.setdefault("photo_missing", t(STAFF_LANGUAGE, "staff.photo_missing"))
    return Outbound(
        channel=STAFF_CHANNEL,
        chat_id=chat.chat_id,
        text=text,
        thread_id=None if chat.topics else chat.thread_id,
        thread_key=topic_key(ref) if chat.topics else None,
        reply_key=card_key(ref),
        ticket_ref=ref,
        **fields,  # type: ignore[arg-type]
    )
