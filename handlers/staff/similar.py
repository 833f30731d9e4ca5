"""Reports that look like one already open: the resident may follow it instead of a new one.

Same agency, a similar text (rapidfuzz), near by (or at the same typed place), recent. One
ticket with twenty followers is worked once and tells all twenty; twenty tickets are twenty
cards in a group that soon stops reading them.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from rapidfuzz import fuzz
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from db.tables import Ticket
from handlers.draft import Draft
from handlers.tickets import OPEN_STATUSES
from routing.catalog import StaffPolicy
from routing.normalize import normalize

CANDIDATES = 200
EARTH_M = 6_371_000.0


def metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine): plenty for a few hundred metres in one city."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_M * math.asin(math.sqrt(a))


def same_place(draft: Draft, kelurahan: str | None, ticket: Ticket, policy: StaffPolicy) -> bool:
    if None not in (draft.latitude, draft.longitude, ticket.latitude, ticket.longitude):
        distance = metres(draft.latitude, draft.longitude, ticket.latitude, ticket.longitude)  # type: ignore[arg-type]
        return distance <= policy.similar_distance_m
    if draft.address and ticket.address:
        return fuzz.token_set_ratio(normalize(draft.address), normalize(ticket.address)) >= 90
    return bool(kelurahan) and kelurahan == ticket.kelurahan


async def similar_ticket(
    session: AsyncSession,
    draft: Draft,
    *,
    agency_code: str | None,
    kelurahan: str | None,
    resident_id: int,
    policy: StaffPolicy,
    now: datetime,
) -> Ticket | None:
    """The open ticket most like this draft, or None."""
    if agency_code is None or policy.similar_days == 0 or not draft.description:
        return None
    result = await session.execute(
        select(Ticket)
        .where(
            Ticket.agency_code == agency_code,
            col(Ticket.status).in_(list(OPEN_STATUSES)),
            col(Ticket.created_at) >= now - timedelta(days=policy.similar_days),
            Ticket.resident_id != resident_id,
        )
        .order_by(col(Ticket.id).desc())
        .limit(CANDIDATES)
    )
    text = normalize(draft.description)
    best: tuple[float, Ticket] | None = None
    for ticket in result.scalars().all():
        if not same_place(draft, kelurahan, ticket, policy):
            continue
        score = fuzz.token_set_ratio(text, normalize(ticket.description))
        if score >= policy.similar_score and (best is None or score > best[0]):
            best = (score, ticket)
    return best[1] if best else None
