"""Queries of the inbox and outbox tables: the durable queues between channels and handlers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.tables import InboxRow, OutboxRow

INBOX = InboxRow.__table__  # type: ignore[attr-defined]
OUTBOX = OutboxRow.__table__  # type: ignore[attr-defined]


async def insert_inbox_rows(
    session: AsyncSession, items: Sequence[dict[str, Any]], *, now: datetime
) -> list[bool]:
    """Store a batch of updates, each unless its channel id is stored already; True where new.

    One statement per batch (SQLAlchemy's insertmanyvalues, with RETURNING telling which rows
    were new) rather than one round trip per update: under a burst this is most of the cost.
    """
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(INBOX)
        .on_conflict_do_nothing(index_elements=["channel", "external_id"])
        .returning(INBOX.c.channel, INBOX.c.external_id)
    )
    rows = [{**item, "received_at": now, "attempts": 0} for item in items]
    inserted = {(c, e) for c, e in (await session.execute(stmt, rows)).all()}
    results = []
    for item in items:  # the same id twice in one batch: only the first is new
        key = (item["channel"], item["external_id"])
        results.append(key in inserted)
        inserted.discard(key)
    return results


async def insert_outbox_rows(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Many outbox rows in one executemany (a sweep's alerts): no ORM objects, no RETURNING."""
    if rows:
        await session.execute(sa.insert(OUTBOX), list(rows))


async def pending_inbox(session: AsyncSession, *, limit: int, max_attempts: int) -> Sequence[Any]:
    """Oldest first: (id, channel, chat_key) of updates not yet processed."""
    stmt = (
        sa.select(INBOX.c.id, INBOX.c.channel, INBOX.c.chat_key)
        .where(INBOX.c.done_at.is_(None), INBOX.c.attempts < max_attempts)
        .order_by(INBOX.c.id)
        .limit(limit)
    )
    return (await session.execute(stmt)).all()


async def claim_inbox_row(session: AsyncSession, row_id: int, now: datetime) -> bool:
    """Mark done inside the caller's transaction; False if another worker already did."""
    stmt = (
        sa.update(INBOX)
        .where(INBOX.c.id == row_id, INBOX.c.done_at.is_(None))
        .values(done_at=now)
        .returning(INBOX.c.id)
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None


async def record_inbox_failure(session: AsyncSession, row_id: int, error: str) -> None:
    """Count a failed attempt; past the worker's limit the row stays, with its error."""
    values: dict[str, Any] = {"attempts": INBOX.c.attempts + 1, "error": error[:2000]}
    await session.execute(sa.update(INBOX).where(INBOX.c.id == row_id).values(**values))


async def pending_outbox(
    session: AsyncSession, *, channels: Sequence[str], limit: int
) -> Sequence[OutboxRow]:
    """Unsent rows, due or not: a chat's later message must wait behind an earlier one."""
    stmt = (
        sa.select(OutboxRow)
        .where(
            OUTBOX.c.sent_at.is_(None),
            OUTBOX.c.failed_at.is_(None),
            OUTBOX.c.channel.in_(list(channels)),
        )
        .order_by(OUTBOX.c.id)
        .limit(limit)
    )
    return (await session.execute(stmt)).scalars().all()


async def mark_sent(
    session: AsyncSession, row_id: int, *, external_id: str | None, now: datetime
) -> None:
    await session.execute(
        sa.update(OUTBOX)
        .where(OUTBOX.c.id == row_id)
        .values(sent_at=now, external_id=external_id, last_error=None)
    )


async def mark_retry(
    session: AsyncSession, row_id: int, *, error: str, at: datetime, count_attempt: bool
) -> None:
    values: dict[str, Any] = {"next_attempt_at": at, "last_error": error[:2000]}
    if count_attempt:
        values["attempts"] = OUTBOX.c.attempts + 1
    await session.execute(sa.update(OUTBOX).where(OUTBOX.c.id == row_id).values(**values))


async def mark_failed(session: AsyncSession, row_id: int, *, error: str, now: datetime) -> None:
    """Dead letter: kept with its error where operators (and the dashboard) can list it."""
    await session.execute(
        sa.update(OUTBOX)
        .where(OUTBOX.c.id == row_id)
        .values(failed_at=now, last_error=error[:2000], attempts=OUTBOX.c.attempts + 1)
    )


async def failed_outbox(session: AsyncSession, *, limit: int = 100) -> Sequence[OutboxRow]:
    stmt = (
        sa.select(OutboxRow)
        .where(OUTBOX.c.failed_at.is_not(None))
        .order_by(OUTBOX.c.id.desc())
        .limit(limit)
    )
    return (await session.execute(stmt)).scalars().all()


async def inbox_payload(session: AsyncSession, row_id: int) -> dict[str, Any]:
    payload: dict[str, Any] = (
        await session.execute(sa.select(INBOX.c.payload).where(INBOX.c.id == row_id))
    ).scalar_one()
    return payload


async def stuck_inbox(
    session: AsyncSession, *, max_attempts: int, limit: int = 100
) -> Sequence[InboxRow]:
    """Updates the worker gave up on: kept, with their error, until someone looks."""
    stmt = (
        sa.select(InboxRow)
        .where(INBOX.c.done_at.is_(None), INBOX.c.attempts >= max_attempts)
        .order_by(INBOX.c.id.desc())
        .limit(limit)
    )
    return (await session.execute(stmt)).scalars().all()


async def sent_message_id(
    session: AsyncSession, *, channel: str, chat_id: str, key: str
) -> str | None:
    """The channel's id of the newest message sent under `key` in this chat, if any."""
    stmt = (
        sa.select(OUTBOX.c.external_id)
        .where(
            OUTBOX.c.channel == channel,
            OUTBOX.c.chat_id == chat_id,
            OUTBOX.c.key == key,
            OUTBOX.c.sent_at.is_not(None),
            OUTBOX.c.external_id.is_not(None),
        )
        .order_by(OUTBOX.c.id.desc())
        .limit(1)
    )
    found: str | None = (await session.execute(stmt)).scalar_one_or_none()
    return found


async def key_of_message(
    session: AsyncSession, *, channel: str, chat_id: str, message_id: str
) -> str | None:
    """Which keyed message of ours this is (an officer replied to it, or tapped its button)."""
    stmt = (
        sa.select(OUTBOX.c.key)
        .where(
            OUTBOX.c.channel == channel,
            OUTBOX.c.chat_id == chat_id,
            OUTBOX.c.external_id == message_id,
            OUTBOX.c.key.is_not(None),
        )
        .order_by(OUTBOX.c.id.desc())
        .limit(1)
    )
    found: str | None = (await session.execute(stmt)).scalar_one_or_none()
    return found


async def drop_pending_edits(session: AsyncSession, *, channel: str, chat_id: str, key: str) -> int:
    """Forget the edits of one message that are still waiting: a newer edit replaces them.

    A card edited five times while its group's 20-a-minute budget is spent would otherwise
    cost five sends to show what the last one shows. Only unsent edits go; the message itself
    (a MESSAGE row under the same key) stays.
    """
    result = await session.execute(
        sa.delete(OUTBOX).where(
            OUTBOX.c.channel == channel,
            OUTBOX.c.chat_id == chat_id,
            OUTBOX.c.key == key,
            OUTBOX.c.sent_at.is_(None),
            OUTBOX.c.failed_at.is_(None),
            OUTBOX.c.payload["kind"].as_string() == "edit",
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
