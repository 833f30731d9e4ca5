"""Where each private conversation stands, one row per (channel, chat)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from db.residents import insert_ignoring_conflict
from db.tables import Dialog


async def find_dialog(session: AsyncSession, channel: str, chat_id: str) -> Dialog | None:
    result = await session.execute(
        select(Dialog).where(Dialog.channel == channel, Dialog.chat_id == chat_id)
    )
    return result.scalar_one_or_none()


async def get_or_create_dialog(
    session: AsyncSession, *, channel: str, chat_id: str, resident_id: int | None, now: datetime
) -> Dialog:
    """The chat's dialog row, created idle on first contact."""
    dialog = await find_dialog(session, channel, chat_id)
    if dialog is None:
        await insert_ignoring_conflict(
            session,
            Dialog,
            {
                "channel": channel,
                "chat_id": chat_id,
                "resident_id": resident_id,
                "state": "idle",
                "data": {},
                "nonce": "",
                "updated_at": now,
            },
        )
        dialog = await find_dialog(session, channel, chat_id)
        if dialog is None:
            raise RuntimeError("dialog vanished right after its insert")
    return dialog
