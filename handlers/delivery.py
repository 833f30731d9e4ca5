"""What became of a message we sent, as the channel reports it (WhatsApp sent/delivered/read)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.tables import OutboxRow
from handlers.messages import Inbound


async def record_delivery(session: AsyncSession, inbound: Inbound, now: datetime) -> None:
    """Note the delivery status on the outbox row that sent the message; nobody is answered.

    A stub for the dashboard's "read / failed" column: statuses may arrive out of order
    (read before delivered), which a later version should not let regress.
    """
    if not inbound.reply_to_message_id or not inbound.status:
        return
    await session.execute(
        sa.update(OutboxRow)
        .where(col(OutboxRow.external_id) == inbound.reply_to_message_id)
        .values(delivery_status=inbound.status[:24])
    )
