"""Corrections the city made to routing, kept so the router learns from them."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from db.tables import RoutingExample


async def load_examples(session: AsyncSession) -> list[tuple[str, str]]:
    table = RoutingExample.__table__  # type: ignore[attr-defined]
    rows = await session.execute(sa.select(table.c.text, table.c.agency_code).order_by(table.c.id))
    return [(text, code) for text, code in rows.all()]


async def examples_after(
    session: AsyncSession, after: int, also: Collection[int] = ()
) -> list[tuple[int, str, str]]:
    """(id, text, agency code) of the corrections stored after id `after`, and of the ids in
    `also` (passed over earlier while their transaction had not committed), by id."""
    table = RoutingExample.__table__  # type: ignore[attr-defined]
    newer = table.c.id > after
    where = sa.or_(newer, table.c.id.in_(sorted(also))) if also else newer
    rows = await session.execute(
        sa.select(table.c.id, table.c.text, table.c.agency_code).where(where).order_by(table.c.id)
    )
    return [(example_id, text, code) for example_id, text, code in rows.all()]


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
