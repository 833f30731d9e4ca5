"""Telling the resident (and everyone following the ticket) what happened, in their language.

Each message goes to the chat the person reported or followed on, as a status update: on
WhatsApp, outside the 24-hour window, it becomes the approved template (handlers/window.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from db.tables import Resident, Ticket, TicketFollower
from handlers.messages import Button, Outbound, OutboundKind, sendable_on
from handlers.texts import status_label, t
from handlers.window import fit_window

PURPOSE = "status_update"
PHOTO_CHANNEL = "telegram"  # where officers work: their pictures come from there


async def language_of(session: AsyncSession, resident_id: int) -> str:
    resident = await session.get(Resident, resident_id)
    return resident.language if resident is not None else "id"


async def tell(
    session: AsyncSession,
    ticket: Ticket,
    key: str,
    now: datetime,
    *,
    followers: bool = True,
    resident: bool = True,
    buttons: tuple[tuple[Button, ...], ...] = (),
    photo: str | None = None,
    **params: Any,
) -> list[Outbound]:
    """The text `key` to the resident, and to each follower (who get no buttons to answer).

    A parameter may be a function of the language (`agency.label_in`), read for each person.
    """
    out = []
    if resident:
        out.append(
            await to_person(
                session, ticket, ticket.resident_id, ticket.channel, ticket.chat_id, key, now,
                buttons=buttons, **params,
            )
        )  # fmt: skip
    if followers:
        result = await session.execute(
            select(TicketFollower).where(TicketFollower.ticket_id == ticket.id)
        )
        for follower in result.scalars().all():
            out.append(
                await to_person(
                    session, ticket, follower.resident_id, follower.channel, follower.chat_id,
                    key, now, **params,
                )
            )  # fmt: skip
    if photo:  # an officer's picture: kept by Lapor it reaches every channel, else Telegram's
        out += [
            photo_to(o, photo) for o in list(out) if sendable_on(photo, o.channel, PHOTO_CHANNEL)
        ]
    return out


async def to_person(
    session: AsyncSession,
    ticket: Ticket,
    resident_id: int,
    channel: str,
    chat_id: str,
    key: str,
    now: datetime,
    *,
    buttons: tuple[tuple[Button, ...], ...] = (),
    **params: Any,
) -> Outbound:
    lang = await language_of(session, resident_id)
    params = {k: v(lang) if callable(v) else v for k, v in params.items()}  # agency.label_in
    ref = ticket.ref or ""
    status = status_label(lang, ticket.status)
    out = Outbound(
        channel=channel,
        chat_id=chat_id,
        text=t(lang, key, ref=ref, status=status, **params),
        buttons=buttons,
        follow_up=t(lang, "follow_up") if buttons else "",
        choose_label=t(lang, "button.choose") if buttons else "",
        ticket_ref=ref,
        purpose=PURPOSE,
        params={"ref": ref, "status": status},
    )
    return await fit_window(session, out, now)


def photo_to(message: Outbound, photo: str) -> Outbound:
    return Outbound(
        channel=message.channel,
        chat_id=message.chat_id,
        kind=OutboundKind.PHOTO,
        media=photo,
        ticket_ref=message.ticket_ref,
    )
