"""Residents and their channel identities: find the person behind a message, or meet them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, select

from db.tables import Identity, Resident


async def insert_ignoring_conflict(
    session: AsyncSession, table: type[SQLModel], values: dict[str, Any]
) -> None:
    """INSERT … ON CONFLICT DO NOTHING: two first messages racing must not fail either one.

    A savepoint would do the same on PostgreSQL, but SQLite's driver handles savepoints poorly;
    both dialects speak ON CONFLICT.
    """
    target: Any = table.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    stmt: Any
    if dialect == "postgresql":
        stmt = postgresql.insert(target).values(**values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        stmt = sqlite.insert(target).values(**values).on_conflict_do_nothing()
    else:  # pragma: no cover - Lapor supports SQLite and PostgreSQL only
        raise NotImplementedError(dialect)
    await session.execute(stmt)


async def find_identity(session: AsyncSession, channel: str, external_id: str) -> Identity | None:
    result = await session.execute(
        select(Identity).where(Identity.channel == channel, Identity.external_id == external_id)
    )
    return result.scalar_one_or_none()


async def get_or_create_identity(
    session: AsyncSession,
    *,
    channel: str,
    external_id: str,
    chat_id: str,
    language: str,
    now: datetime,
) -> tuple[Resident, Identity, bool]:
    """The resident and identity behind (channel, external_id); `True` when met just now."""
    identity = await find_identity(session, channel, external_id)
    created = False
    if identity is None:
        resident = Resident(language=language, created_at=now)
        session.add(resident)
        await session.flush()
        await insert_ignoring_conflict(
            session,
            Identity,
            {
                "resident_id": resident.id,
                "channel": channel,
                "external_id": external_id,
                "chat_id": chat_id,
            },
        )
        identity = await find_identity(session, channel, external_id)
        if identity is None:  # we inserted it, or whoever won the race did
            raise RuntimeError("identity vanished right after its insert")
        if identity.resident_id != resident.id:  # lost the race: drop our unused resident
            await session.delete(resident)
        else:
            created = True
    found = await session.get(Resident, identity.resident_id)
    if found is None:
        raise RuntimeError(f"identity {identity.id} points to no resident")
    return found, identity, created
