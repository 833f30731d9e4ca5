"""The customer-service window: when a channel only lets us write first with an approved template.

WhatsApp accepts free-form messages for 24 hours after the resident's last message; after that
only approved templates go through (a free-form send fails with 131047). The decision is made
here, where the resident's `Identity.last_inbound_at` is at hand, and travels on the `Outbound`
(`template`); the adapter only renders what it is told.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from db.tables import Identity
from handlers.messages import Outbound

SERVICE_WINDOW = timedelta(hours=24)
# A message decided now may leave the outbox a little later (queue, retries): treat the window
# as closed this much early, so a message decided at 23:59 is not refused at 24:01.
SAFETY_MARGIN = timedelta(minutes=15)
WINDOW_CHANNELS = frozenset({"whatsapp"})  # channels that have such a window
TEMPLATED_PURPOSES = frozenset({"status_update"})  # what may reach a resident outside it


def within_service_window(
    last_inbound_at: datetime | None, now: datetime, *, margin: timedelta = SAFETY_MARGIN
) -> bool:
    """True while free-form messages are still allowed: the resident wrote less than 24 h ago."""
    if last_inbound_at is None:
        return False
    return now - last_inbound_at < SERVICE_WINDOW - margin


async def last_inbound_at(session: AsyncSession, channel: str, chat_id: str) -> datetime | None:
    """When the person behind this chat last wrote to us, by any of their ids on the channel.

    The window is the person's: a resident who now writes from a username (BSUID) has opened
    it for the phone number their old tickets are addressed to as well.
    """
    residents = select(Identity.resident_id).where(
        Identity.channel == channel, Identity.chat_id == chat_id
    )
    result = await session.execute(
        select(Identity.last_inbound_at).where(
            Identity.channel == channel,
            col(Identity.resident_id).in_(residents),
            col(Identity.last_inbound_at).is_not(None),
        )
    )
    times = [t for t in result.scalars().all() if t is not None]
    return max(times) if times else None


async def fit_window(session: AsyncSession, out: Outbound, now: datetime) -> Outbound:
    """A status update to a resident silent for 24 h goes as the approved template.

    Other messages are returned unchanged: they answer something the resident just wrote, so
    the window is open, or they are not for a channel with a window at all.
    """
    if (
        out.channel not in WINDOW_CHANNELS
        or out.purpose not in TEMPLATED_PURPOSES
        or out.template is not None
    ):
        return out
    if within_service_window(await last_inbound_at(session, out.channel, out.chat_id), now):
        return out
    return dataclasses.replace(out, template=out.purpose)
