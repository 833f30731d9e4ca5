"""One function per thing an officer (or the resident, on their ticket) does, like Zulip's `do_*`.

Every door calls these: a button on the card, a reply to it, a command, later the dashboard.
Each checks who may act, moves the ticket through the one state machine (handlers/tickets.py,
which writes the event row and brings the SLA clock along), and returns the outbox rows it
causes: the card edited in place (or moved), the resident and the followers told. The caller
adds them to the same transaction, so nothing leaves before the decision is committed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from db.tables import Ticket, TicketEvent, TicketFollower, TicketStatus
from handlers.context import Context
from handlers.corrections import learn_correction
from handlers.messages import Button, Outbound
from handlers.slaclock import note_first_response
from handlers.staff.access import Actor, is_supervisor, refusal
from handlers.staff.card import card_updates, to_card
from handlers.staff.notify import language_of, tell
from handlers.staff.where import StaffChat, holder
from handlers.staffpost import STAFF_LANGUAGE
from handlers.texts import shorten, t
from handlers.tickets import add_event, change_status, may_move

S = TicketStatus
NOTE_MAX = 3000
RATINGS = range(1, 6)


class Refused(Exception):
    """The action is not done; `key` names the polite answer in the catalogue."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def text(self) -> str:
        return t(STAFF_LANGUAGE, self.key, **self.params)


@dataclass(slots=True)
class Step:
    """One action under way: who, on what, from which chat's card."""

    session: AsyncSession
    ctx: Context
    ticket: Ticket
    actor: Actor
    now: datetime
    before: StaffChat | None = None
    out: list[Outbound] = field(default_factory=list)

    @property
    def ref(self) -> str:
        return self.ticket.ref or ""

    async def move(
        self, to: TicketStatus, *, note: str | None = None, kind: str | None = None
    ) -> TicketEvent:
        if not may_move(self.ticket, to):
            raise Refused("staff.refused.moved", ref=self.ref)
        return await change_status(
            self.session,
            self.ticket,
            to,
            actor=self.actor.key,
            actor_name=self.actor.first_name or None,
            now=self.now,
            catalog=self.ctx.catalog,
            note=note,
            kind=kind,
        )

    async def card(self, *, reopened: bool = False) -> None:
        self.out += await card_updates(
            self.session, self.ticket, self.ctx, self.before, reopened=reopened
        )

    async def tell(self, key: str, **params: Any) -> None:
        self.out += await tell(self.session, self.ticket, key, self.now, **params)

    def agency_label(self, lang: str = "id") -> str:
        agency = self.ctx.catalog.by_code.get(self.ticket.agency_code or "")
        return agency.label_in(lang) if agency is not None else t(lang, "ticket.triage_agency")

    def agency_in(self) -> Callable[[str], str]:
        """The agency's name, in whatever language the reader has."""
        return self.agency_label


def open_step(
    session: AsyncSession,
    ctx: Context,
    ticket: Ticket,
    actor: Actor,
    now: datetime,
    *,
    overrule: bool = False,
) -> Step:
    """Check the actor may act here; note where the card is before anything changes."""
    if ticket.status in (S.CLOSED, S.REJECTED, S.REFERRED) and actor.is_group and not overrule:
        raise Refused("staff.refused.closed", ref=ticket.ref)
    why = refusal(actor, ticket, ctx)
    if why is not None:
        raise Refused(why, ref=ticket.ref)
    return Step(session, ctx, ticket, actor, now, before=holder(ticket, ctx))


async def do_accept(
    session: AsyncSession, ctx: Context, ticket: Ticket, actor: Actor, *, now: datetime
) -> list[Outbound]:
    """Terima: the agency owns it; counts as the first response."""
    step = open_step(session, ctx, ticket, actor, now)
    await step.move(S.ACKNOWLEDGED)
    await step.card()
    await step.tell("resident.accepted", agency=step.agency_in())
    return step.out


async def do_start(
    session: AsyncSession, ctx: Context, ticket: Ticket, actor: Actor, *, now: datetime
) -> list[Outbound]:
    """Proses: work has begun."""
    step = open_step(session, ctx, ticket, actor, now)
    await step.move(S.IN_PROGRESS)
    await step.card()
    await step.tell("resident.in_progress", agency=step.agency_in())
    return step.out


async def do_ask_info(
    session: AsyncSession,
    ctx: Context,
    ticket: Ticket,
    actor: Actor,
    question: str,
    *,
    now: datetime,
) -> list[Outbound]:
    """Minta info: the question goes to the resident; their next message comes back here."""
    step = open_step(session, ctx, ticket, actor, now)
    question = shorten(question.strip(), NOTE_MAX)
    await step.move(S.WAITING_CITIZEN, note=question, kind="question")
    await step.card()
    await step.tell(
        "resident.question", agency=step.agency_in(), question=question, followers=False
    )
    return step.out


async def do_resolve(
    session: AsyncSession,
    ctx: Context,
    ticket: Ticket,
    actor: Actor,
    note: str,
    *,
    now: datetime,
    photo: str | None = None,
) -> list[Outbound]:
    """Selesai: the closing note (and photo) to the resident, who is asked whether it is fixed."""
    step = open_step(session, ctx, ticket, actor, now)
    note = shorten(note.strip(), NOTE_MAX)
    await step.move(S.RESOLVED, note=note or None, kind="resolution")
    await step.card()
    lang = await language_of(session, ticket.resident_id)
    version = str(ticket.version)
    confirm = (
        (
            Button(t(lang, "button.fixed_yes"), f"tk:{version}:ya:{step.ref}"),
            Button(t(lang, "button.fixed_no"), f"tk:{version}:no:{step.ref}"),
        ),
    )
    step.out += await tell(
        session, ticket, "resident.resolved", now, followers=False, photo=photo,
        agency=step.agency_in(), note=note or "-", buttons=confirm,
    )  # fmt: skip
    step.out += await tell(
        session, ticket, "resident.resolved_follower", now, resident=False,
        agency=step.agency_in(), note=note or "-",
    )  # fmt: skip
    return step.out


async def do_reassign(
    session: AsyncSession,
    ctx: Context,
    ticket: Ticket,
    actor: Actor,
    code: str,
    reason: str,
    *,
    now: datetime,
    source: str = "reassign",
) -> list[Outbound]:
    """Alihkan: the card leaves this group and appears in the new agency's; the router learns.

    From the supervisors' chat it also overrules a rejection, to the same agency or another
    (the SLA clock runs on from the rejection: rejecting never buys an agency time).
    """
    overrule = ticket.status == S.REJECTED and is_supervisor(actor, ctx)
    step = open_step(session, ctx, ticket, actor, now, overrule=overrule)
    agency = ctx.catalog.by_code.get(code)
    if agency is None or agency.kind != "internal":
        raise Refused("staff.refused.agency", code=shorten(code, 32))
    if agency.code == ticket.agency_code and ticket.status not in (S.NEW, S.TRIAGE, S.REJECTED):
        raise Refused("staff.refused.same_agency", agency=agency.label)
    ticket.agency_code = agency.code
    reason = shorten(reason.strip(), NOTE_MAX)
    await step.move(
        S.ASSIGNED,
        note=f"{agency.code}: {reason}" if reason else agency.code,
        kind="overrule" if overrule else "reassign",
    )
    await learn_correction(session, ctx, ticket.description, agency.code, source=source, now=now)
    await step.card()
    await step.tell("resident.reassigned", agency=agency.label_in)
    return step.out


async def do_assign(
    session: AsyncSession, ctx: Context, ticket: Ticket, actor: Actor, code: str, *, now: datetime
) -> list[Outbound]:
    """A triage tap: the ticket goes to that agency, and the router learns the pick."""
    return await do_reassign(session, ctx, ticket, actor, code, "", now=now, source="triage")


async def do_reject(
    session: AsyncSession, ctx: Context, ticket: Ticket, actor: Actor, reason: str, *, now: datetime
) -> list[Outbound]:
    """Tolak: a reason is required; the resident receives it and how to object."""
    reason = shorten(reason.strip(), NOTE_MAX)
    if not reason:
        raise Refused("staff.refused.no_reason")
    step = open_step(session, ctx, ticket, actor, now)
    await step.move(S.REJECTED, note=reason, kind="reason")
    await step.card()
    await step.tell("resident.rejected", agency=step.agency_in(), reason=reason)
    return step.out


async def do_refer(
    session: AsyncSession, ctx: Context, ticket: Ticket, actor: Actor, code: str, *, now: datetime
) -> list[Outbound]:
    """Rujuk: an outside agency (PLN, POLRI) handles it; the resident gets the catalog's text."""
    agency = ctx.catalog.by_code.get(code)
    if agency is None or agency.kind != "external":
        raise Refused("staff.refused.agency", code=shorten(code, 32))
    step = open_step(session, ctx, ticket, actor, now)
    ticket.agency_code = agency.code
    await step.move(S.REFERRED, note=agency.code, kind="referral")
    await step.card()
    await step.tell("resident.referred", agency=agency.label_in, referral=agency.referral_in)
    return step.out


async def do_reply(
    session: AsyncSession,
    ctx: Context,
    ticket: Ticket,
    actor: Actor,
    text: str,
    *,
    now: datetime,
    photo: str | None = None,
) -> list[Outbound]:
    """An officer's answer on the card: to the resident, signed by the agency; a first response."""
    step = open_step(session, ctx, ticket, actor, now)
    text = shorten(text.strip(), NOTE_MAX)
    await add_event(
        session,
        ticket,
        kind="reply",
        actor=actor.key,
        actor_name=actor.first_name or None,
        now=now,
        note=text or None,
    )
    await note_first_response(session, ticket, ctx.catalog, now)
    await step.card()
    await step.tell("resident.reply", signature=signature(step), text=text, photo=photo)
    return step.out


def signature(step: Step) -> str:
    agency = step.ctx.catalog.by_code.get(step.ticket.agency_code or "")
    label = step.agency_label()
    if agency is not None and agency.staff.sign_as_officer and step.actor.first_name:
        return f"{step.actor.first_name}, {label}"
    return label


async def do_note(
    session: AsyncSession, ctx: Context, ticket: Ticket, actor: Actor, text: str, *, now: datetime
) -> list[Outbound]:
    """`#internal` or `/catatan`: kept on the card's history, never sent to the resident."""
    step = open_step(session, ctx, ticket, actor, now)
    text = shorten(text.strip(), NOTE_MAX)
    if not text:
        raise Refused("staff.refused.empty_note")
    await add_event(
        session,
        ticket,
        kind="note",
        actor=actor.key,
        actor_name=actor.first_name or None,
        now=now,
        note=text,
    )
    await step.card()
    return step.out


async def do_merge(
    session: AsyncSession,
    ctx: Context,
    ticket: Ticket,
    into: Ticket,
    actor: Actor,
    *,
    now: datetime,
) -> list[Outbound]:
    """`/gabung REF`: the same problem twice. Followers and photos move; the merged one closes."""
    if into.id == ticket.id:
        raise Refused("staff.refused.merge_self", ref=ticket.ref)
    if into.status not in (
        S.ASSIGNED,
        S.ACKNOWLEDGED,
        S.IN_PROGRESS,
        S.WAITING_CITIZEN,
        S.TRIAGE,
        S.NEW,
    ):
        raise Refused("staff.refused.closed", ref=into.ref)
    step = open_step(session, ctx, ticket, actor, now)
    target = open_step(session, ctx, into, actor, now)
    await follow(session, into, ticket.resident_id, ticket.channel, ticket.chat_id, now)
    result = await session.execute(
        select(TicketFollower).where(TicketFollower.ticket_id == ticket.id)
    )
    for follower in result.scalars().all():
        await session.delete(follower)
        await follow(session, into, follower.resident_id, follower.channel, follower.chat_id, now)
    into.photos = [*into.photos, *ticket.photos]
    ticket.merged_into_id = into.id
    await step.move(S.CLOSED, note=into.ref, kind="merged")
    await add_event(
        session,
        into,
        kind="note",
        actor=actor.key,
        actor_name=actor.first_name or None,
        now=now,
        note=t(STAFF_LANGUAGE, "staff.merged_from", ref=ticket.ref),
    )
    await step.card()
    await target.card()
    step.out += target.out
    step.out += await tell(session, ticket, "resident.merged", now, followers=False, into=into.ref)
    return step.out


async def follow(
    session: AsyncSession,
    ticket: Ticket,
    resident_id: int,
    channel: str,
    chat_id: str,
    now: datetime,
) -> bool:
    """`resident_id` follows `ticket` (once); False if they reported it or already follow it."""
    if ticket.resident_id == resident_id or ticket.id is None:
        return False
    found = await session.execute(
        select(TicketFollower).where(
            TicketFollower.ticket_id == ticket.id, TicketFollower.resident_id == resident_id
        )
    )
    if found.scalar_one_or_none() is not None:
        return False
    session.add(
        TicketFollower(
            ticket_id=ticket.id,
            resident_id=resident_id,
            channel=channel,
            chat_id=chat_id,
            created_at=now,
        )
    )
    await session.flush()
    return True


def resident_actor(ticket: Ticket) -> Actor:
    return Actor(ticket.channel, "resident", ticket.chat_id, is_group=False)


async def staff_message(ctx: Context, ticket: Ticket, key: str, **params: object) -> list[Outbound]:
    """A line in the ticket's staff chat, under its card."""
    chat = holder(ticket, ctx)
    if chat is None:
        return []
    return [to_card(ticket, chat, t(STAFF_LANGUAGE, key, ref=ticket.ref, **params))]
