"""A ticket's events as people read them: the card's last lines, `/status` and `/tiket`.

Moves and the messages that reached the resident are public; internal notes are for staff.
"""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, func, select

from db.tables import TicketEvent, TicketFollower
from handlers.texts import shorten, status_label, t

PUBLIC_KINDS = frozenset({"reply", "question", "answer", "resolution", "reason"})
NOTE_SHOWN = 80


async def events_of(session: AsyncSession, ticket_id: int) -> list[TicketEvent]:
    result = await session.execute(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(col(TicketEvent.id))
    )
    return list(result.scalars().all())


async def follower_count(session: AsyncSession, ticket_id: int) -> int:
    result = await session.execute(
        select(func.count())
        .select_from(TicketFollower)
        .where(TicketFollower.ticket_id == ticket_id)
    )
    return int(result.scalar_one())


def is_public(event: TicketEvent) -> bool:
    return event.to_status is not None or event.kind in PUBLIC_KINDS


def who(event: TicketEvent, lang: str) -> str:
    if event.actor_name:
        return event.actor_name
    if event.actor == "resident":
        return t(lang, "history.by_resident")
    if event.actor == "system":
        return t(lang, "history.by_system")
    return t(lang, "history.by_officer")


def line(event: TicketEvent, lang: str, timezone: str, *, staff: bool) -> str:
    """`02-03 09:05 Diterima (Budi)`; a note follows, shortened."""
    at = event.at.astimezone(ZoneInfo(timezone)).strftime("%d-%m %H:%M")
    if event.to_status is not None:
        what = status_label(lang, event.to_status)
    else:
        what = t(lang, f"history.{event.kind or 'note'}")
    by = f" ({who(event, lang)})" if staff else ""
    text = f"{at} {what}{by}"
    note = event.note if (staff or event.kind in PUBLIC_KINDS) else None
    if note:
        text += f": {shorten(note, NOTE_SHOWN)}"
    return text


def lines(
    events: Sequence[TicketEvent], lang: str, timezone: str, *, staff: bool, last: int
) -> list[str]:
    shown = [e for e in events if staff or is_public(e)]
    return [line(e, lang, timezone, staff=staff) for e in shown[-last:]]
