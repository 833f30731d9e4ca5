"""Corrections the city made to routing, kept so the router learns from them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from db.tables import RoutingExample


async def load_examples(session: AsyncSession) -> list[tuple[str, str]]:
    table = RoutingExample.__table__  # type: ignore[attr-defined]
    rows = await session.execute(sa.select(table.c.text, table.c.agency_code).order_by(table.c.id))
    return [(text, code) for text, code in rows.all()]


async def add_example(
    session: AsyncSession, text: str, agency_code: str, *, source: str, now: datetime
) -> RoutingExample:
    example = RoutingExample(text=text, agency_code=agency_code, source=source, created_at=now)
    session.add(example)
    await session.flush()
    return example


async def all_examples(session: AsyncSession) -> list[RoutingExample]:
    rows = await session.execute(sa.select(RoutingExample).order_by(RoutingExample.id))  # type: ignore[arg-type]
    return list(rows.scalars().all())
