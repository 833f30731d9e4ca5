"""What a resident may do to a report already sent: add to it, or withdraw it.

Residents remember the photo or the house number after pressing Kirim, and some find the
problem fixed the next morning. Both reach the officers at once, in the ticket's staff chat,
and leave an event row on the ticket. Adding works by `tambah REF` (then any messages until
Selesai) or by replying to Lapor's confirmation of that report; withdrawing asks once more
and is refused once an officer has acted, because then the work has started.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from db.queue import key_of_message
from db.tables import Ticket, TicketEvent, TicketStatus
from db.tickets import recent_tickets, resident_ticket
from handlers.intake import resume
from handlers.messages import InboundKind, Outbound, OutboundKind
from handlers.privacy import mask_personal
from handlers.staff.card import card_updates, to_card
from handlers.staff.where import StaffChat, holder
from handlers.staffpost import STAFF_LANGUAGE, maps_link
from handlers.texts import shorten, status_label, t
from handlers.tickets import change_status
from handlers.turn import IDLE, Turn
from handlers.wording import split_reference

ADD = "add"  # dialog state: messages are additions to `data["ref"]` until Selesai
RECEIPT_KEY = "receipt:"  # Outbound.key of a report's confirmation: a reply to it adds
RESIDENT = "resident"
SYSTEM_ACTORS = frozenset({RESIDENT, "system"})
OPEN_TO_ADDITIONS = frozenset(
    {
        TicketStatus.NEW,
        TicketStatus.TRIAGE,
        TicketStatus.ASSIGNED,
        TicketStatus.ACKNOWLEDGED,
        TicketStatus.IN_PROGRESS,
        TicketStatus.WAITING_CITIZEN,
        TicketStatus.RESOLVED,
    }
)
WITHDRAWABLE = frozenset({TicketStatus.NEW, TicketStatus.TRIAGE, TicketStatus.ASSIGNED})
ADDITION_TYPES = frozenset({InboundKind.TEXT, InboundKind.PHOTO, InboundKind.LOCATION})
DESCRIPTION_SHOWN = 120
STAFF_ADDITION_MAX = 3000


def receipt_key(ref: str) -> str:
    return f"{RECEIPT_KEY}{ref}"


async def find_own_ticket(turn: Turn, args: str) -> tuple[str | None, Ticket | None, str]:
    """(reference typed, the resident's ticket with it or None, the words after it)."""
    ref, rest = split_reference(args, turn.ctx.ticket_prefix)
    if ref is None:
        return None, None, rest
    return ref, await resident_ticket(turn.session, turn.resident_id, ref), rest


async def example_ref(turn: Turn) -> str:
    """The resident's latest reference, to show in a hint; else what one looks like."""
    latest = await recent_tickets(turn.session, turn.resident_id, 1)
    if latest and latest[0].ref:
        return latest[0].ref
    return f"{turn.ctx.ticket_prefix}-{turn.now:%y}-000123"


# --- adding -------------------------------------------------------------------------------


async def start_adding(turn: Turn) -> list[Outbound]:
    """`tambah REF [words]`: the words are added at once; alone, the next messages are."""
    ref, ticket, rest = await find_own_ticket(turn, turn.inbound.args)
    if ref is None:
        return [turn.say("add.need_ref", example=await example_ref(turn))]
    if ticket is None:
        return [turn.say("ticket.not_found", ref=shorten(ref, 32))]
    if ticket.status not in OPEN_TO_ADDITIONS:
        status = status_label(turn.lang, ticket.status).lower()
        return [turn.say("add.closed", ref=ref, status=status)]
    if rest:
        staff = await add_to_ticket(turn, ticket, text=rest)
        return [turn.say("add.noted", ref=ref, ticket_ref=ref), *staff]
    stash(turn, ref)
    turn.new_menu()
    done = ((turn.button("button.done", "done"),),)
    return [turn.say("add.ask", ref=ref, buttons=done, ticket_ref=ref)]


def stash(turn: Turn, ref: str) -> None:
    """Enter ADD, keeping an open draft aside (a second `tambah` keeps the first stash)."""
    dialog = turn.dialog
    if dialog.state == ADD:
        kept_state, kept = dialog.data.get("stash_state", IDLE), dialog.data.get("stash", {})
    else:
        kept_state, kept = dialog.state, dialog.data
    dialog.state = ADD
    dialog.data = {"ref": ref, "stash_state": kept_state, "stash": kept}
    dialog.updated_at = turn.now


def unstash(turn: Turn) -> str | None:
    """Leave ADD and bring back the draft kept aside; the reference that was being added to."""
    dialog = turn.dialog
    if dialog.state != ADD:
        return None
    ref = str(dialog.data.get("ref", ""))
    kept: dict[str, Any] = dict(dialog.data.get("stash") or {})
    dialog.state = str(dialog.data.get("stash_state") or IDLE)
    dialog.data = kept
    dialog.updated_at = turn.now
    return ref


async def adding_step(turn: Turn) -> list[Outbound]:
    """In ADD: a text, photo or location goes to the ticket; anything else gets a hint."""
    ticket = await resident_ticket(turn.session, turn.resident_id, str(turn.dialog.data["ref"]))
    if ticket is None or ticket.status not in OPEN_TO_ADDITIONS:
        unstash(turn)
        return resume(turn)
    if turn.inbound.kind not in ADDITION_TYPES or not addition_present(turn):
        return [turn.say("nudge.add", buttons=((turn.button("button.done", "done"),),))]
    staff = await add_to_ticket(turn, ticket)
    turn.new_menu()
    done = ((turn.button("button.done", "done"),),)
    ref = ticket.ref or ""
    return [turn.say("add.done", ref=ref, buttons=done, ticket_ref=ref), *staff]


async def finish_adding(turn: Turn) -> list[Outbound]:
    """Selesai (or `batal` while adding): back to whatever the resident was doing."""
    ref = unstash(turn)
    if ref is None:
        return resume(turn)
    return [turn.say("add.finished", ref=ref), *resume(turn)]


async def replied_ticket(turn: Turn) -> Ticket | None:
    """The report whose confirmation this message replies to, if it is one of Lapor's."""
    inbound = turn.inbound
    if inbound.reply_to_message_id is None or inbound.kind not in ADDITION_TYPES:
        return None
    key = await key_of_message(
        turn.session,
        channel=inbound.channel,
        chat_id=inbound.chat_id,
        message_id=inbound.reply_to_message_id,
    )
    if key is None or not key.startswith(RECEIPT_KEY):
        return None
    return await resident_ticket(turn.session, turn.resident_id, key.removeprefix(RECEIPT_KEY))


async def add_by_reply(turn: Turn, ticket: Ticket) -> list[Outbound]:
    ref = ticket.ref or ""
    if ticket.status not in OPEN_TO_ADDITIONS:
        status = status_label(turn.lang, ticket.status).lower()
        return [turn.say("add.closed", ref=ref, status=status)]
    if not addition_present(turn):
        return []
    staff = await add_to_ticket(turn, ticket)
    return [turn.say("add.noted", ref=ref, ticket_ref=ref), *staff]


def addition_present(turn: Turn) -> bool:
    inbound = turn.inbound
    return bool((inbound.text or "").strip() or inbound.media or inbound.location)


async def add_to_ticket(turn: Turn, ticket: Ticket, *, text: str | None = None) -> list[Outbound]:
    """Keep what the resident sent on the ticket, with an event row; tell the officers."""
    inbound = turn.inbound
    words = (text if text is not None else inbound.text or "").strip()
    notes: list[str] = []
    staff: list[Outbound] = []
    target = holder(ticket, turn.ctx)
    ref = ticket.ref or ""
    if inbound.media and text is None:
        ticket.photos = [
            *ticket.photos,
            *({"file_id": m.file_id, "mime_type": m.mime_type} for m in inbound.media),
        ]
        notes.append(f"resident added {len(inbound.media)} photo(s)")
        caption = t(STAFF_LANGUAGE, "staff.addition_photo", ref=ref)
        if words:
            caption = shorten(f"{caption}:\n{mask_personal(words)}", 1024)
        staff += [
            to_staff(target, ticket, caption, kind=OutboundKind.PHOTO, media=m.file_id)
            for m in inbound.media
        ]
        words = ""
    if inbound.location is not None and text is None:
        where = add_location(ticket, inbound.location.latitude, inbound.location.longitude)
        where = where or (inbound.location.address or "")
        notes.append(f"resident added a location: {where}")
        line = t(STAFF_LANGUAGE, "staff.addition_location", ref=ref, location=where)
        staff.append(to_staff(target, ticket, line))
    if words:
        notes.append(f"resident added: {words}")
        header = t(STAFF_LANGUAGE, "staff.addition", ref=ref)
        staff.append(
            to_staff(
                target, ticket, f"{header}\n{shorten(mask_personal(words), STAFF_ADDITION_MAX)}"
            )
        )
    ticket.updated_at = turn.now
    if ticket.id is None:
        raise RuntimeError("adding to a ticket that has not been stored")
    for note in notes:
        turn.session.add(TicketEvent(ticket_id=ticket.id, at=turn.now, actor=RESIDENT, note=note))
    return [o for o in staff if o.chat_id]


def add_location(ticket: Ticket, latitude: float | None, longitude: float | None) -> str:
    """A pin fills in a ticket sent without one; either way the officers get it in words."""
    if latitude is None or longitude is None:
        return ""
    if ticket.latitude is None:
        ticket.latitude, ticket.longitude = latitude, longitude
    return maps_link(latitude, longitude)


def to_staff(
    target: StaffChat | None,
    ticket: Ticket,
    text: str,
    *,
    kind: OutboundKind = OutboundKind.MESSAGE,
    media: str | None = None,
) -> Outbound:
    """A message about the ticket in its staff chat, as an answer to its card when there is one."""
    chat = target or StaffChat("")
    return to_card(ticket, chat, text, kind=kind, media=media, purpose="staff_resident_update")


# --- withdrawing --------------------------------------------------------------------------


async def ask_withdraw(turn: Turn) -> list[Outbound]:
    """`tarik REF`: one more question, since a withdrawn report is not worked on."""
    ref, ticket, _ = await find_own_ticket(turn, turn.inbound.args)
    if ref is None:
        return [turn.say("withdraw.need_ref", example=await example_ref(turn))]
    if ticket is None:
        return [turn.say("ticket.not_found", ref=shorten(ref, 32))]
    refusal = await withdraw_refusal(turn, ticket)
    if refusal is not None:
        return [refusal]
    turn.new_menu()
    buttons = (
        (turn.button("button.withdraw", "withdraw", ref), turn.button("button.keep", "keep", ref)),
    )
    description = shorten(ticket.description, DESCRIPTION_SHOWN)
    return [turn.say("withdraw.ask", ref=ref, description=description, buttons=buttons)]


async def withdraw_refusal(turn: Turn, ticket: Ticket) -> Outbound | None:
    """Why this ticket can no longer be withdrawn, or None if it can."""
    ref = ticket.ref or ""
    if ticket.status in WITHDRAWABLE and not await officer_acted(turn, ticket):
        return None
    if ticket.status not in OPEN_TO_ADDITIONS:
        status = status_label(turn.lang, ticket.status).lower()
        return turn.say("add.closed", ref=ref, status=status)
    return turn.say("withdraw.too_late", ref=ref, status=status_label(turn.lang, ticket.status))


async def officer_acted(turn: Turn, ticket: Ticket) -> bool:
    """Any event by someone other than the resident or Lapor itself: an officer has begun."""
    result = await turn.session.execute(
        select(TicketEvent.actor).where(
            TicketEvent.ticket_id == ticket.id, col(TicketEvent.actor).not_in(SYSTEM_ACTORS)
        )
    )
    return result.first() is not None


async def confirm_withdraw(turn: Turn) -> list[Outbound]:
    """Ya, tarik: closed by the resident; the officers are told not to start on it."""
    ticket = await resident_ticket(turn.session, turn.resident_id, turn.arg)
    if ticket is None:
        return resume(turn)
    refusal = await withdraw_refusal(turn, ticket)
    if refusal is not None:
        return [refusal, *resume(turn)]
    target = holder(ticket, turn.ctx)
    ref = ticket.ref or ""
    await change_status(
        turn.session,
        ticket,
        TicketStatus.CLOSED,
        actor=RESIDENT,
        now=turn.now,
        catalog=turn.ctx.catalog,
        note="withdrawn by the resident",
    )
    staff = to_staff(target, ticket, t(STAFF_LANGUAGE, "staff.withdrawn", ref=ref))
    out = [turn.say("withdraw.done", ref=ref, ticket_ref=ref)]
    if staff.chat_id:
        out.append(staff)
    out += await card_updates(turn.session, ticket, turn.ctx, target)
    return out + resume(turn)


async def keep_report(turn: Turn) -> list[Outbound]:
    return [turn.say("withdraw.kept", ref=turn.arg), *resume(turn)]
