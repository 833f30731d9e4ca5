"""Residents and their channel identities: find the person behind a message, or meet them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col, select

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
    aliases: Sequence[str] = (),
) -> tuple[Resident, Identity, bool]:
    """The resident and identity behind (channel, external_id); `True` when met just now.

    `aliases` are other ids the same person has on this channel (a WhatsApp BSUID next to the
    phone number): a person already known by one of them is the same resident, and every alias
    is recorded, so whichever id a later message carries finds this resident.
    """
    identity = await find_identity(session, channel, external_id)
    if identity is None and aliases:
        known = await find_any_identity(session, channel, aliases)
        if known is not None:
            identity = await add_identity(session, known.resident_id, channel, external_id, chat_id)
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
    for alias in aliases:
        if alias and alias != external_id:
            # An alias already taken by another resident stays theirs: merging two residents
            # (and their tickets) is an operator's decision, not something a message triggers.
            await add_identity(session, identity.resident_id, channel, alias, chat_id)
    return found, identity, created


async def find_any_identity(
    session: AsyncSession, channel: str, external_ids: Sequence[str]
) -> Identity | None:
    """The first stored identity among `external_ids`, in their order."""
    result = await session.execute(
        select(Identity).where(
            Identity.channel == channel, col(Identity.external_id).in_(list(external_ids))
        )
    )
    by_id = {identity.external_id: identity for identity in result.scalars().all()}
    return next((by_id[x] for x in external_ids if x in by_id), None)


async def add_identity(
    session: AsyncSession, resident_id: int, channel: str, external_id: str, chat_id: str
) -> Identity:
    """Record one more id for a resident; an id already stored is left as it is and returned."""
    await insert_ignoring_conflict(
        session,
        Identity,
        {
            "resident_id": resident_id,
            "channel": channel,
            "external_id": external_id,
            "chat_id": chat_id,
        },
    )
    identity = await find_identity(session, channel, external_id)
    if identity is None:
        raise RuntimeError("identity vanished right after its insert")
    return identity
