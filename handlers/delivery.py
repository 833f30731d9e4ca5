"""What became of a message we sent, as the channel reports it (WhatsApp sent, read, failed...).

A status names the message by the id the channel gave it when we sent it, which the outbox
keeps on the row (`OutboxRow.external_id`). Nobody is answered: a status is bookkeeping for the
dashboard, and a `failed` one decides whether the message is tried again or given up.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from db.queue import resend_values
from db.tables import OutboxRow
from handlers.messages import Inbound

# Statuses arrive out of order (read before delivered, delivered skipped): only move forward.
PROGRESS = {"sent": 1, "delivered": 2, "read": 3, "played": 4}
FAILED = "failed"
MAX_REQUEUES = 3  # a message the channel keeps failing asynchronously is given up after this
REQUEUE_DELAY = timedelta(seconds=30)  # asynchronous failures are rate limits or outages


async def record_delivery(session: AsyncSession, inbound: Inbound, now: datetime) -> None:
    """Note the status on the outbox row that sent the message; an unknown message: nothing."""
    if not inbound.reply_to_message_id or not inbound.status:
        return
    result = await session.execute(
        select(OutboxRow).where(
            col(OutboxRow.external_id) == inbound.reply_to_message_id,
            OutboxRow.channel == inbound.channel,
        )
    )
    row = result.scalars().first()
    if row is None:
        return
    if row.delivery_mode is None and row.channel == "whatsapp":
        row.delivery_mode = "template" if row.payload.get("template") else "session"
    status = inbound.status[:24]
    if status == FAILED:
        again = failed(row, inbound, now)
        if again is not None:
            session.add(again)
    elif PROGRESS.get(status, 0) > PROGRESS.get(row.delivery_status or "", 0):
        if row.delivery_status != FAILED:  # a failure is final for this send
            row.delivery_status = status


def failed(row: OutboxRow, inbound: Inbound, now: datetime) -> OutboxRow | None:
    """Send again later when the channel says it may work (the new row to add); else a dead
    letter operators list."""
    row.delivery_status = FAILED
    row.last_error = (inbound.error_detail or f"failed, code {inbound.error_code}")[:2000]
    if inbound.error_retryable and row.attempts < MAX_REQUEUES:
        # sent again as a new row, at the end of the chat's queue: never ahead of messages
        # decided since, and this row keeps the record of the send that failed
        again = OutboxRow(**resend_values(row, now=now, attempts=row.attempts + 1))
        again.next_attempt_at = now + REQUEUE_DELAY
        return again
    row.failed_at = now
    return None
