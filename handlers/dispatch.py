"""The one door into the handlers: the inbox worker calls `dispatch` for every parsed update.

It runs inside the worker's transaction and only adds rows to the session; the worker commits
them with the outbox rows for the returned messages. Bad input is answered, never raised:
an exception here means a bug or a database failure, and the worker retries the update.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db.dialogs import get_or_create_dialog
from db.residents import find_identity, get_or_create_identity
from handlers.commands import TAPS, run_command
from handlers.context import Context
from handlers.delivery import record_delivery
from handlers.intake import handle
from handlers.messages import Inbound, InboundKind, Outbound, OutboundKind
from handlers.own_reports import ADD, add_by_reply, adding_step, replied_ticket
from handlers.staff import citizen
from handlers.staff.group import group_update, is_staff_tap
from handlers.staffpost import STAFF_LANGUAGE
from handlers.texts import t
from handlers.turn import IDLE, Turn, parse_button
from handlers.wording import typed_command


async def dispatch(
    session: AsyncSession, inbound: Inbound, *, now: datetime, ctx: Context
) -> list[Outbound]:
    """Everything Lapor does about one inbound update; the messages to send in answer."""
    kind = inbound.kind
    if kind == InboundKind.DELIVERY:
        await record_delivery(session, inbound, now)
        return []
    if kind == InboundKind.IGNORED:
        return []
    if inbound.is_group:
        return await group_update(session, inbound, now=now, ctx=ctx)
    if kind == InboundKind.BUTTON and is_staff_tap(inbound.button):
        return [private_staff_tap(inbound)]  # a card's button forwarded into a private chat
    if kind == InboundKind.BLOCKED:
        await mark_blocked(session, inbound, now)
        return []
    turn = await open_turn(session, inbound, now, ctx)
    out = expire_draft(turn)
    if kind == InboundKind.BUTTON:
        return out + await on_button(turn)
    turn.dialog.updated_at = now
    read_typed_command(turn)
    if turn.inbound.kind == InboundKind.COMMAND:
        return out + await run_command(turn)
    return out + await converse(turn)


def read_typed_command(turn: Turn) -> None:
    """A text that is a command ("batal", "status KDR-26-000123") is that command, everywhere."""
    inbound = turn.inbound
    if inbound.kind != InboundKind.TEXT or not inbound.text:
        return
    typed = typed_command(inbound.text, turn.ctx.ticket_prefix)
    if typed is not None:
        turn.inbound = dataclasses.replace(
            inbound, kind=InboundKind.COMMAND, command=typed.name, args=typed.args
        )


async def converse(turn: Turn) -> list[Outbound]:
    """Details for a sent report (while adding, or in reply to its receipt), else the intake."""
    if turn.dialog.state == ADD:
        return await adding_step(turn)
    if turn.dialog.state == citizen.COMMENT:
        return await citizen.comment(turn)
    if turn.dialog.state == IDLE and (waiting := await citizen.waiting_ticket(turn)) is not None:
        return await citizen.answer(turn, waiting)
    replied = await replied_ticket(turn)
    if replied is not None:
        return await add_by_reply(turn, replied)
    return await handle(turn)


def private_staff_tap(inbound: Inbound) -> Outbound:
    return Outbound(
        channel=inbound.channel,
        chat_id=inbound.chat_id,
        kind=OutboundKind.CALLBACK_ANSWER,
        callback_id=inbound.callback_id,
        text=t(STAFF_LANGUAGE, "staff.refused.private"),
    )


def language_of(inbound: Inbound) -> str:
    """The catalogue language for what the channel says the person's app speaks."""
    return "en" if (inbound.language or "").lower().startswith("en") else "id"


async def mark_blocked(session: AsyncSession, inbound: Inbound, now: datetime) -> None:
    """The resident blocked Lapor: the outbox should stop writing to them until they return."""
    identity = await find_identity(session, inbound.channel, inbound.user_id)
    if identity is not None:
        identity.blocked_at = now


async def open_turn(session: AsyncSession, inbound: Inbound, now: datetime, ctx: Context) -> Turn:
    """Meet the resident (first contact picks the language) and load their dialog."""
    first_language = language_of(inbound)
    resident, identity, _ = await get_or_create_identity(
        session,
        channel=inbound.channel,
        external_id=inbound.user_id,
        chat_id=inbound.chat_id,
        language=first_language,
        now=now,
        aliases=inbound.aliases,
    )
    identity.chat_id = inbound.chat_id
    identity.last_inbound_at = now
    identity.blocked_at = None  # writing to us again means they unblocked
    dialog = await get_or_create_dialog(
        session, channel=inbound.channel, chat_id=inbound.chat_id, resident_id=resident.id, now=now
    )
    return Turn(session, inbound, now, ctx, resident, identity, dialog)


def expire_draft(turn: Turn) -> list[Outbound]:
    """A draft left longer than `dialog_idle` is dropped, and the resident told, before all else."""
    dialog = turn.dialog
    if dialog.state == IDLE or turn.now - dialog.updated_at <= turn.ctx.dialog_idle:
        return []
    if dialog.state == citizen.COMMENT:  # a rating's comment never came: nothing was lost
        turn.reset()
        return []
    had_draft = dialog.state != ADD or dialog.data.get("stash_state", IDLE) != IDLE
    turn.reset()
    return [turn.say("draft.expired", remove_keyboard=True)] if had_draft else []


async def on_button(turn: Turn) -> list[Outbound]:
    """A tap counts only if it carries the current menu's nonce; an old menu changes nothing."""
    parsed = parse_button(turn.inbound.button)
    if parsed is not None and parsed[0] == citizen.TAP:  # about a ticket, not the dialog
        return await citizen.on_tap(turn, parsed[1], parsed[2])
    if parsed is None or not turn.dialog.nonce or parsed[1] != turn.dialog.nonce:
        return stale_tap(turn)
    turn.action, _, turn.arg = parsed
    turn.dialog.updated_at = turn.now
    out = turn.answer_tap()
    if turn.action in TAPS:
        return out + await TAPS[turn.action](turn)
    return out + await handle(turn)


def stale_tap(turn: Turn) -> list[Outbound]:
    text = t(turn.lang, "stale")
    if turn.inbound.callback_id is None:  # WhatsApp: a button reply is a message: answer one
        return [turn.write(text)]
    return [turn.toast(text)]
