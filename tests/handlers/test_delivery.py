"""Delivery reports land on the outbox row of the message they are about."""

from __future__ import annotations

from db.engine import Sessions
from db.tables import OutboxRow
from handlers.context import Context
from handlers.dispatch import dispatch
from handlers.messages import Inbound, InboundKind
from tests.handlers.conftest import NOW


async def test_delivery_status_is_recorded_and_answers_nothing(
    sessions: Sessions, ctx: Context
) -> None:
    async with sessions.begin() as session:
        row = OutboxRow(channel="whatsapp", chat_id="62812", external_id="wamid.ABC")
        session.add(row)
    inbound = Inbound(
        channel="whatsapp",
        chat_id="62812",
        user_id="62812",
        kind=InboundKind.DELIVERY,
        reply_to_message_id="wamid.ABC",
        status="read",
    )
    async with sessions.begin() as session:
        assert await dispatch(session, inbound, now=NOW, ctx=ctx) == []
    async with sessions() as session:
        stored = await session.get(OutboxRow, row.id)
        assert stored is not None and stored.delivery_status == "read"
