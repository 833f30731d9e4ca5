"""The resident's side of a ticket an officer works: answers to questions, Ya/Belum, ratings.

Buttons sent to a resident about a ticket carry its version instead of the dialog's nonce
(`tk:<version>:<what>:<ref>`): they stay valid while the resident writes a new report, and
turn stale as soon as the ticket moves on.
"""

from __future__ import annotations

from sqlmodel import col, select

from db.tables import Ticket, TicketEvent, TicketStatus
from handlers.messages import Button, InboundKind, Outbound, OutboundKind
from handlers.own_reports import stash
from handlers.privacy import mask_personal
from handlers.staff.actions import Step, resident_actor, staff_message
from handlers.staff.card import to_card
from handlers.staff.where import holder
from handlers.staffpost import STAFF_LANGUAGE
from handlers.texts import shorten, t
from handlers.tickets import add_event
from handlers.turn import Turn

TAP = "tk"
COMMENT = "comment"  # dialog state: the next text is the rating's comment
COMMENT_MAX = 1000
S = TicketStatus


def tap(ticket: Ticket, what: str) -> str:
    return f"{TAP}:{ticket.version}:{what}:{ticket.ref}"


async def own_ticket(turn: Turn, ref: str) -> Ticket | None:
    result = await turn.session.execute(
        select(Ticket).where(Ticket.ref == ref, Ticket.resident_id == turn.resident_id)
    )
    return result.scalar_one_or_none()


def step_of(turn: Turn, ticket: Ticket) -> Step:
    return Step(
        turn.session,
        turn.ctx,
        ticket,
        resident_actor(ticket),
        turn.now,
        before=holder(ticket, turn.ctx),
    )


# --- answers to an officer's question -----------------------------------------------------


async def waiting_ticket(turn: Turn) -> Ticket | None:
    """The resident's newest ticket waiting for their answer, on any of their channels."""
    if turn.inbound.kind not in (InboundKind.TEXT, InboundKind.PHOTO):
        return None
    result = await turn.session.execute(
        select(Ticket)
        .where(Ticket.resident_id == turn.resident_id, Ticket.status == S.WAITING_CITIZEN)
        .order_by(col(Ticket.updated_at).desc())
        .limit(1)
    )
    return result.scalar_one_or_none()


async def previous_status(turn: Turn, ticket: Ticket) -> TicketStatus:
    result = await turn.session.execute(
        select(TicketEvent.from_status)
        .where(TicketEvent.ticket_id == ticket.id, TicketEvent.to_status == S.WAITING_CITIZEN.value)
        .order_by(col(TicketEvent.id).desc())
        .limit(1)
    )
    found = result.scalar_one_or_none()
    return TicketStatus(found) if found else S.ACKNOWLEDGED


async def answer(turn: Turn, ticket: Ticket) -> list[Outbound]:
    """The resident's answer goes under the card; the ticket goes back to where it was."""
    inbound = turn.inbound
    text = shorten((inbound.text or "").strip(), 3000)
    step = step_of(turn, ticket)
    await add_event(
        turn.session, ticket, kind="answer", actor="resident", now=turn.now, note=text or None
    )
    await step.move(await previous_status(turn, ticket))
    chat = holder(ticket, turn.ctx)
    if chat is not None:
        line = t(STAFF_LANGUAGE, "staff.answer", ref=ticket.ref, text=mask_personal(text) or "-")
        step.out.append(to_card(ticket, chat, line, purpose="staff_resident_update"))
        for media in inbound.media:
            step.out.append(
                to_card(
                    ticket,
                    chat,
                    t(STAFF_LANGUAGE, "staff.answer_photo", ref=ticket.ref),
                    kind=OutboundKind.PHOTO,
                    media=media.file_id,
                )
            )
    await step.card()
    return [turn.say("answer.sent", ref=ticket.ref, ticket_ref=ticket.ref), *step.out]


# --- Ya / Belum, rating -------------------------------------------------------------------


async def on_tap(turn: Turn, version: str, arg: str) -> list[Outbound]:
    what, _, ref = arg.partition(":")
    ticket = await own_ticket(turn, ref)
    if ticket is None or version != str(ticket.version):
        return stale(turn)
    if what == "ya" and ticket.status == S.RESOLVED:
        return turn.answer_tap() + await confirm_fixed(turn, ticket)
    if what == "no" and ticket.status == S.RESOLVED:
        return turn.answer_tap() + await reopen(turn, ticket)
    if (
        what.startswith("r")
        and what[1:].isdigit()
        and ticket.status == S.CLOSED
        and ticket.rating is None
    ):
        return turn.answer_tap() + await rate(turn, ticket, int(what[1:]))
    if what == "skip":
        turn.reset()
        return [*turn.answer_tap(), turn.say("rating.thanks")]
    return stale(turn)


def stale(turn: Turn) -> list[Outbound]:
    text = t(turn.lang, "stale")
    return [turn.toast(text)] if turn.inbound.callback_id else [turn.write(text)]


async def confirm_fixed(turn: Turn, ticket: Ticket) -> list[Outbound]:
    """Ya: closed, and a 1-5 rating asked."""
    step = step_of(turn, ticket)
    await step.move(S.CLOSED, note="confirmed by the resident")
    await step.card()
    stars = tuple(Button(str(n), tap(ticket, f"r{n}")) for n in range(1, 6))
    return [
        turn.say("rating.ask", ref=ticket.ref, buttons=(stars,), ticket_ref=ticket.ref),
        *step.out,
    ]


async def reopen(turn: Turn, ticket: Ticket) -> list[Outbound]:
    """Belum: back to the same agency; the group sees it, and the resident's words follow."""
    step = step_of(turn, ticket)
    await step.move(S.IN_PROGRESS, note="not fixed, says the resident", kind="reopened")
    step.out += await staff_message(turn.ctx, ticket, "staff.reopened")
    await step.card(reopened=True)
    stash(turn, ticket.ref or "")
    turn.new_menu()
    done = ((turn.button("button.done", "done"),),)
    return [
        turn.say("confirm.reopened", ref=ticket.ref, buttons=done, ticket_ref=ticket.ref),
        *step.out,
    ]


async def rate(turn: Turn, ticket: Ticket, stars: int) -> list[Outbound]:
    if stars not in range(1, 6):
        return stale(turn)
    ticket.rating = stars
    step = step_of(turn, ticket)
    await add_event(
        turn.session, ticket, kind="rating", actor="resident", now=turn.now, note=str(stars)
    )
    await step.card()
    turn.dialog.state, turn.dialog.data = COMMENT, {"ref": ticket.ref}
    turn.dialog.updated_at = turn.now
    skip = ((Button(t(turn.lang, "button.skip"), tap(ticket, "skip")),),)
    return [turn.say("rating.comment", ref=ticket.ref, buttons=skip), *step.out]


async def comment(turn: Turn) -> list[Outbound]:
    """The words after the rating: kept on the ticket and shown on the card."""
    ref = str(turn.dialog.data.get("ref", ""))
    turn.reset()
    ticket = await own_ticket(turn, ref)
    text = shorten((turn.inbound.text or "").strip(), COMMENT_MAX)
    if ticket is None or not text:
        return [turn.say("rating.thanks")]
    ticket.rating_comment = text
    step = step_of(turn, ticket)
    await add_event(turn.session, ticket, kind="comment", actor="resident", now=turn.now, note=text)
    await step.card()
    return [turn.say("rating.thanks"), *step.out]
