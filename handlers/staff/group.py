"""What happens in a staff group: taps on cards, replies to them and to prompts, commands.

Officers act with one tap or a reply. A tap on a card carries the ticket's id and version;
a prompt (Minta info, Selesai, Alihkan, Tolak) is a message under the card whose key says
what a reply to it means, so the bot needs no per-officer state and works in Telegram's
privacy mode (where a bot sees only commands and replies to itself). Anything else an officer
writes in the group is not for Lapor and is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db.tables import Ticket
from handlers.context import Context
from handlers.messages import Button, Inbound, InboundKind, Outbound, OutboundKind
from handlers.staff import actions, supervise
from handlers.staff.access import Actor, staff_chats
from handlers.staff.actions import Refused
from handlers.staff.buttons import tap_data
from handlers.staff.card import button, card_key, rows, topic_key
from handlers.staff.lookup import replied_key, ticket_by_ref
from handlers.staffpost import STAFF_LANGUAGE
from handlers.texts import shorten, t

INTERNAL = "#internal"
LABEL_MAX = 20
PROMPT = "prompt"
HELP = frozenset({"bantuan", "help"})
VERSIONLESS = frozenset({"hist"})  # reading the history is never stale


@dataclass(frozen=True, slots=True)
class Tap:
    action: str
    ticket_id: int
    version: int
    arg: str


def parse_tap(data: str | None) -> Tap | None:
    """`st:<action>:<ticket id>:<version>[:<arg>]`, or None for data Lapor never made."""
    parts = (data or "").split(":", 4)
    if len(parts) < 4 or parts[0] != "st" or not parts[2].isdigit() or not parts[3].isdigit():
        return None
    return Tap(parts[1], int(parts[2]), int(parts[3]), parts[4] if len(parts) == 5 else "")


def is_staff_tap(data: str | None) -> bool:
    return (data or "").startswith("st:")


def say(inbound: Inbound, text: str, **fields: object) -> Outbound:
    return Outbound(
        channel=inbound.channel,
        chat_id=inbound.chat_id,
        thread_id=inbound.thread_id,
        text=text,
        reply_to_message_id=inbound.message_id,
        **fields,  # type: ignore[arg-type]
    )


def toast(inbound: Inbound, text: str) -> Outbound:
    return Outbound(
        channel=inbound.channel,
        chat_id=inbound.chat_id,
        kind=OutboundKind.CALLBACK_ANSWER,
        callback_id=inbound.callback_id,
        text=text,
    )


async def group_update(
    session: AsyncSession, inbound: Inbound, *, now: datetime, ctx: Context
) -> list[Outbound]:
    """Everything a staff group can send Lapor; other groups get only /id and help."""
    if inbound.kind == InboundKind.BUTTON:
        return await on_tap(session, inbound, now, ctx)
    if inbound.kind == InboundKind.COMMAND:
        return await supervise.command(session, inbound, now, ctx)
    if inbound.chat_id not in staff_chats(ctx):
        return []
    if inbound.kind in (InboundKind.TEXT, InboundKind.PHOTO):
        return await on_reply(session, inbound, now, ctx)
    return []


# --- taps ---------------------------------------------------------------------------------


async def on_tap(
    session: AsyncSession, inbound: Inbound, now: datetime, ctx: Context
) -> list[Outbound]:
    tap = parse_tap(inbound.button)
    ticket = await session.get(Ticket, tap.ticket_id) if tap else None
    if tap is None or ticket is None:
        return [toast(inbound, t(STAFF_LANGUAGE, "staff.stale"))]
    actor = Actor.of(inbound)
    try:
        actions.open_step(session, ctx, ticket, actor, now)  # who may, before what
        if tap.version != ticket.version and tap.action not in VERSIONLESS:
            return [toast(inbound, t(STAFF_LANGUAGE, "staff.stale"))]
        return await TAPS.get(tap.action, stale)(session, inbound, ctx, ticket, actor, tap, now)
    except Refused as refused:
        return [toast(inbound, refused.text())]


async def stale(
    session: AsyncSession,
    inbound: Inbound,
    ctx: Context,
    ticket: Ticket,
    actor: Actor,
    tap: Tap,
    now: datetime,
) -> list[Outbound]:
    return [toast(inbound, t(STAFF_LANGUAGE, "staff.stale"))]


def done(inbound: Inbound, key: str = "staff.done", **params: object) -> Outbound:
    return toast(inbound, t(STAFF_LANGUAGE, key, **params))


async def tap_accept(
    session: AsyncSession,
    inbound: Inbound,
    ctx: Context,
    ticket: Ticket,
    actor: Actor,
    tap: Tap,
    now: datetime,
) -> list[Outbound]:
    return [done(inbound), *await actions.do_accept(session, ctx, ticket, actor, now=now)]


async def tap_start(
    session: AsyncSession,
    inbound: Inbound,
    ctx: Context,
    ticket: Ticket,
    actor: Actor,
    tap: Tap,
    now: datetime,
) -> list[Outbound]:
    return [done(inbound), *await actions.do_start(session, ctx, ticket, actor, now=now)]


def prompt(
    inbound: Inbound,
    ticket: Ticket,
    what: str,
    text_key: str,
    *,
    arg: str = "",
    buttons: tuple[tuple[Button, ...], ...] = (),
) -> Outbound:
    """A question under the card; its key says what a reply to it means."""
    ref = ticket.ref or ""
    key = f"{PROMPT}:{what}:{ref}:{ticket.version}" + (f":{arg}" if arg else "")
    return Outbound(
        channel=inbound.channel,
        chat_id=inbound.chat_id,
        thread_id=inbound.thread_id,
        text=t(STAFF_LANGUAGE, text_key, ref=ref),
        buttons=buttons,
        reply_key=card_key(ref),
        key=key,
        ticket_ref=ref,
    )


def cancel_row(ticket: Ticket) -> tuple[Button, ...]:
    return (button("staff.button.cancel", "x", ticket),)


async def tap_ask(
    session: AsyncSession,
    inbound: Inbound,
    ctx: Context,
    ticket: Ticket,
    actor: Actor,
    tap: Tap,
    now: datetime,
) -> list[Outbound]:
    return [
        done(inbound, "staff.toast.reply_below"),
        prompt(inbound, ticket, "ask", "staff.prompt.ask"),
    ]


async def tap_resolve(
    session: AsyncSession,
    inbound: Inbound,
    ctx: Context,
    ticket: Ticket,
    actor: Actor,
    tap: Tap,
    now: datetime,
) -> list[Outbound]:
    return [
        done(inbound, "staff.toast.reply_below"),
        prompt(inbound, ticket, "res", "staff.prompt.resolve"),
    ]


async def tap_reassign(
    session: AsyncSession,
    inbound: Inbound,
    ctx: Context,
    ticket: Ticket,
    actor: Actor,
    tap: Tap,
    now: datetime,
) -> list[Outbound]:
    picks = [
        Button(a.code, tap_data("mvto", ticket, a.code))
        for a in ctx.catalog.agencies
        if a.kind == "internal" and a.code != ticket.agency_code
    ]
    buttons = (*rows(picks, 4), cancel_row(ticket))
    return [done(inbound), prompt(inbound, ticket, "mv", "staff.prompt.reassign", buttons=buttons)]


async def tap_reassign_to(
    session: AsyncSession,
    inbound: Inbound,
    ctx: Context,
    ticket: Ticket,
    actor: Actor,
    tap: Tap,
    now: datetime,
) -> list[Outbound]:
    """An agency picked: the prompt now asks for the reason (a reply to it)."""
    agency = ctx.catalog.by_code.get(tap.arg)
    if agency is None or agency.kind != "internal":
        raise Refused("staff.refused.agency", code=shorten(tap.arg, 32))
    ref = ticket.ref or ""
    return [
        done(inbound, "staff.toast.reply_below"),
        Outbound(
            channel=inbound.channel,
            chat_id=inbound.chat_id,
            kind=OutboundKind.EDIT,
            target_message_id=inbound.reply_to_message_id,
            text=t(STAFF_LANGUAGE, "staff.prompt.reassign_reason", ref=ref, agency=agency.label),
            key=f"{PROMPT}:mvr:{ref}:{ticket.version}:{agency.code}",
            ticket_ref=ref,
        ),
    ]


async def tap_reject(
    session: AsyncSession,
    inbound: Inbound,
    ctx: Context,
    ticket: Ticket,
    actor: Actor,
    tap: Tap,
    now: datetime,
) -> list[Outbound]:
    reasons = ctx.catalog.staff.reject_reasons
    presets = [Button(shorten(r.text, LABEL_MAX), tap_data("rjw", ticket, r.code)) for r in reasons]
    buttons = (*rows(presets, 1), cancel_row(ticket))
    asked = prompt(inbound, ticket, "rej", "staff.prompt.reject", buttons=buttons)
    if any(len(r.text) > LABEL_MAX for r in reasons):  # the whole reasons, above their buttons
        asked = replace(asked, text="\n".join([asked.text, *(f"• {r.text}" for r in reasons)]))
    return [done(inbound), asked]


async def tap_reject_with(
    session: AsyncSession,
    inbound: Inbound,
    ctx: Context,
    ticket: Ticket,
    actor: Actor,
    tap: Tap,
    now: datetime,
) -> list[Outbound]:
    reason = next((r for r in ctx.catalog.staff.reject_reasons if r.code == tap.arg), None)
    if reason is None:
        return await stale(session, inbound, ctx, ticket, actor, tap, now)
    out = await actions.do_reject(session, ctx, ticket, actor, reason.text, now=now)
    return [
        done(inbound),
        close_prompt(inbound, ticket, "staff.prompt.closed_reject", reason=reason.text),
        *out,
    ]


async def tap_refer(
    session: AsyncSession,
    inbound: Inbound,
    ctx: Context,
    ticket: Ticket,
    actor: Actor,
    tap: Tap,
    now: datetime,
) -> list[Outbound]:
    picks = [
        Button(a.label, tap_data("rfto", ticket, a.code))
        for a in ctx.catalog.agencies
        if a.kind == "external"
    ]
    buttons = (*rows(picks, 2), cancel_row(ticket))
    return [done(inbound), prompt(inbound, ticket, "ref", "staff.prompt.refer", buttons=buttons)]


async def tap_refer_to(
    session: AsyncSession,
    inbound: Inbound,
    ctx: Context,
    ticket: Ticket,
    actor: Actor,
    tap: Tap,
    now: datetime,
) -> list[Outbound]:
    out = await actions.do_refer(session, ctx, ticket, actor, tap.arg, now=now)
    agency = ctx.catalog.by_code[tap.arg]
    return [
        done(inbound),
        close_prompt(inbound, ticket, "staff.prompt.closed_refer", agency=agency.label),
        *out,
    ]


async def tap_assign(
    session: AsyncSession,
    inbound: Inbound,
    ctx: Context,
    ticket: Ticket,
    actor: Actor,
    tap: Tap,
    now: datetime,
) -> list[Outbound]:
    return [done(inbound), *await actions.do_assign(session, ctx, ticket, actor, tap.arg, now=now)]


async def tap_cancel(
    session: AsyncSession,
    inbound: Inbound,
    ctx: Context,
    ticket: Ticket,
    actor: Actor,
    tap: Tap,
    now: datetime,
) -> list[Outbound]:
    return [done(inbound), close_prompt(inbound, ticket, "staff.prompt.cancelled")]


def close_prompt(inbound: Inbound, ticket: Ticket, key: str, **params: object) -> Outbound:
    """The prompt's buttons are gone once used: the line says what was decided."""
    return Outbound(
        channel=inbound.channel,
        chat_id=inbound.chat_id,
        kind=OutboundKind.EDIT,
        target_message_id=inbound.reply_to_message_id,
        text=t(STAFF_LANGUAGE, key, ref=ticket.ref, **params),
        ticket_ref=ticket.ref,
    )


async def tap_history(
    session: AsyncSession,
    inbound: Inbound,
    ctx: Context,
    ticket: Ticket,
    actor: Actor,
    tap: Tap,
    now: datetime,
) -> list[Outbound]:
    """Riwayat (on an SLA alert): the whole history, here."""
    text = await supervise.history_text(session, ticket, ctx)
    return [done(inbound), say(inbound, text)]


TAPS = {
    "hist": tap_history,
    "acc": tap_accept,
    "pro": tap_start,
    "ask": tap_ask,
    "res": tap_resolve,
    "mv": tap_reassign,
    "mvto": tap_reassign_to,
    "rej": tap_reject,
    "rjw": tap_reject_with,
    "ref": tap_refer,
    "rfto": tap_refer_to,
    "asg": tap_assign,
    "x": tap_cancel,
}


# --- replies ------------------------------------------------------------------------------


async def on_reply(
    session: AsyncSession, inbound: Inbound, now: datetime, ctx: Context
) -> list[Outbound]:
    """A reply to a card reaches the resident; to a prompt, it completes the prompt's action."""
    key = await replied_key(session, inbound)
    if key is None:
        return []  # a reply to any other message is the officers' own conversation
    parts = key.split(":")
    if parts[0] == "card":
        return await reply_to_card(session, inbound, now, ctx, parts[1])
    if parts[0] == PROMPT and len(parts) >= 4:
        return await reply_to_prompt(session, inbound, now, ctx, parts)
    return []


def photo_of(inbound: Inbound) -> str | None:
    return inbound.media[0].file_id if inbound.media else None


async def reply_to_card(
    session: AsyncSession, inbound: Inbound, now: datetime, ctx: Context, ref: str
) -> list[Outbound]:
    ticket = await ticket_by_ref(session, ref)
    if ticket is None:
        return []
    text = (inbound.text or "").strip()
    actor = Actor.of(inbound)
    try:
        if text.lower().startswith(INTERNAL):
            out = await actions.do_note(session, ctx, ticket, actor, text[len(INTERNAL) :], now=now)
            return [say(inbound, t(STAFF_LANGUAGE, "staff.noted")), *out]
        if not text and not inbound.media:
            return []
        out = await actions.do_reply(
            session, ctx, ticket, actor, text, now=now, photo=photo_of(inbound)
        )
        return [say(inbound, t(STAFF_LANGUAGE, "staff.sent_to_resident")), *out]
    except Refused as refused:
        return [say(inbound, refused.text())]


async def reply_to_prompt(
    session: AsyncSession, inbound: Inbound, now: datetime, ctx: Context, parts: list[str]
) -> list[Outbound]:
    what, ref, version = parts[1], parts[2], parts[3]
    ticket = await ticket_by_ref(session, ref)
    if ticket is None:
        return []
    text = (inbound.text or "").strip()
    actor = Actor.of(inbound)
    try:
        actions.open_step(session, ctx, ticket, actor, now)
        if version != str(ticket.version):
            return [say(inbound, t(STAFF_LANGUAGE, "staff.stale_prompt", ref=ref))]
        if what == "ask":
            if not text:
                return [say(inbound, t(STAFF_LANGUAGE, "staff.prompt.need_text"))]
            out = await actions.do_ask_info(session, ctx, ticket, actor, text, now=now)
            return [say(inbound, t(STAFF_LANGUAGE, "staff.asked")), *out]
        if what == "res":
            out = await actions.do_resolve(
                session, ctx, ticket, actor, text, now=now, photo=photo_of(inbound)
            )
            return [say(inbound, t(STAFF_LANGUAGE, "staff.resolved")), *out]
        if what in ("mvr", "rej") and not text:
            return [say(inbound, t(STAFF_LANGUAGE, "staff.prompt.need_reason"))]
        if what == "mvr" and len(parts) == 5:
            out = await actions.do_reassign(session, ctx, ticket, actor, parts[4], text, now=now)
            return [say(inbound, t(STAFF_LANGUAGE, "staff.reassigned", agency=parts[4])), *out]
        if what == "rej":
            out = await actions.do_reject(session, ctx, ticket, actor, text, now=now)
            return [say(inbound, t(STAFF_LANGUAGE, "staff.rejected")), *out]
    except Refused as refused:
        return [say(inbound, refused.text())]
    return []


__all__ = ["group_update", "is_staff_tap", "topic_key"]
