"""Finding the ticket an officer means: by the message they replied to, or by its reference."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from db.queue import key_of_message
from db.tables import Ticket
from handlers.messages import Inbound
from handlers.staff.card import card_key


async def replied_key(session: AsyncSession, inbound: Inbound) -> str | None:
    """The key of the bot message this replies to; in a ticket's topic, that ticket's card."""
    if inbound.reply_to_message_id is not None:
        return await key_of_message(
            session,
            channel=inbound.channel,
            chat_id=inbound.chat_id,
            message_id=inbound.reply_to_message_id,
        )
    if inbound.thread_id is not None:
        topic = await key_of_message(
            session,
            channel=inbound.channel,
            chat_id=inbound.chat_id,
            message_id=str(inbound.thread_id),
        )
        if topic is not None and topic.startswith("topic:"):
            return card_key(topic.removeprefix("topic:"))
    return None


async def ticket_by_ref(session: AsyncSession, ref: str) -> Ticket | None:
    result = await session.execute(select(Ticket).where(Ticket.ref == ref))
    return result.scalar_one_or_none()
