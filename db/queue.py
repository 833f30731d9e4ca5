"""Queries of the inbox and outbox tables: the durable queues between channels and handlers."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from db.tables import Identity, InboxRow, OutboxRow

INBOX = InboxRow.__table__  # type: ignore[attr-defined]
OUTBOX = OutboxRow.__table__  # type: ignore[attr-defined]
IDENTITY = Identity.__table__  # type: ignore[attr-defined]
NOT_LISTED = ("requeued",)  # dead letters sent again: history, no longer a failure to list


async def insert_inbox_rows(
    conn: AsyncConnection, items: Sequence[dict[str, Any]], *, now: datetime
) -> list[bool]:
    """Store a batch of updates, each unless its channel id is stored already; True where new.

    One statement per batch, with RETURNING telling which rows were new, rather than one round
    trip per update: under a burst this is most of the cost.
    """
    if conn.dialect.name == "sqlite":
        inserted = await _insert_inbox_sqlite(conn, items, now)
    else:
        rows = [{**item, "received_at": now, "attempts": 0} for item in items]
        stmt = (
            pg_insert(INBOX)
            .on_conflict_do_nothing(index_elements=["channel", "external_id"])
            .returning(INBOX.c.channel, INBOX.c.external_id)
        )
        inserted = {(c, e) for c, e in (await conn.execute(stmt, rows)).all()}
    results = []
    for item in items:  # the same id twice in one batch: only the first is new
        key = (item["channel"], item["external_id"])
        results.append(key in inserted)
        inserted.discard(key)
    return results


_INBOX_PER_ROW: Final = ("channel", "external_id", "chat_key", "payload")
_INBOX_COLUMNS: Final = (*_INBOX_PER_ROW, "received_at", "attempts")


async def _insert_inbox_sqlite(
    conn: AsyncConnection, items: Sequence[dict[str, Any]], now: datetime
) -> set[tuple[str, str]]:
    """SQLite: the statement goes straight to the driver, in one hop to its thread, inside the
    caller's transaction. Compiling and executing it through SQLAlchemy cost more CPU than the
    insert itself (with an fsync per commit, every acknowledgement waits on this path); each
    value still goes through its column's own bind processor, so the row is the one the ORM
    would store."""
    *binders, bind_time = _bind_processors(conn.dialect)
    shared = (now if bind_time is None else bind_time(now), 0)  # received_at, attempts
    params: list[Any] = []
    for item in items:
        for name, binder in zip(_INBOX_PER_ROW, binders, strict=True):
            params.append(item[name] if binder is None else binder(item[name]))
        params.extend(shared)
    values = ", ".join([f"({', '.join('?' * len(_INBOX_COLUMNS))})"] * len(items))
    # names are this module's constants; every value is bound
    sql = (
        f"INSERT INTO {INBOX.name} ({', '.join(_INBOX_COLUMNS)}) VALUES {values} "  # noqa: S608
        "ON CONFLICT (channel, external_id) DO NOTHING RETURNING channel, external_id"
    )
    raw = await conn.get_raw_connection()
    found = await raw.driver_connection.execute_fetchall(sql, params)  # type: ignore[union-attr]
    return {(channel, external_id) for channel, external_id in found}


@functools.cache
def _bind_processors(dialect: sa.Dialect) -> tuple[Callable[[Any], Any] | None, ...]:
    """The bind processors of the per-row columns, then of `received_at`."""
    return tuple(
        INBOX.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        for name in (*_INBOX_PER_ROW, "received_at")
    )


async def insert_outbox_rows(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Many outbox rows in one executemany (a sweep's alerts): no ORM objects, no RETURNING."""
    if rows:
        await session.execute(sa.insert(OUTBOX), list(rows))


def _lease_free(table: sa.Table, now: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(table.c.lease_until.is_(None), table.c.lease_until <= now)


def _for_update(session: AsyncSession, stmt: sa.Select[Any]) -> sa.Select[Any]:
    """PostgreSQL: rows another instance is claiming right now are skipped, not waited for.
    SQLite has one writer at a time, so the claim's UPDATE ... WHERE is already atomic."""
    if session.bind.dialect.name == "postgresql":
        return stmt.with_for_update(skip_locked=True)
    return stmt


async def claim_inbox_heads(
    session: AsyncSession,
    *,
    channels: Sequence[str],
    owner: str,
    now: datetime,
    lease: timedelta,
    max_attempts: int,
    limit: int,
    chat_key: str | None = None,
) -> list[tuple[int, str, str]]:
    """Claim the oldest pending update of each chat that is due and not claimed by anyone.

    Only a chat's head row can be claimed, so a chat's updates are processed in order however
    many workers (processes) there are; a claim lasts `lease`, after which another may take it.
    Parked rows (attempts used up) hold their chat until `lapor failures --retry`.
    """
    pending = sa.and_(INBOX.c.done_at.is_(None), INBOX.c.channel.in_(list(channels)))
    if chat_key is not None:
        pending = sa.and_(pending, INBOX.c.chat_key == chat_key)
    heads = sa.select(sa.func.min(INBOX.c.id)).where(pending).group_by(INBOX.c.chat_key)
    ready = sa.and_(
        INBOX.c.done_at.is_(None),
        INBOX.c.attempts < max_attempts,
        sa.or_(INBOX.c.next_attempt_at.is_(None), INBOX.c.next_attempt_at <= now),
        _lease_free(INBOX, now),
    )
    candidates = _for_update(
        session,
        sa.select(INBOX.c.id).where(INBOX.c.id.in_(heads), ready).order_by(INBOX.c.id).limit(limit),
    )
    stmt = (
        sa.update(INBOX)
        .where(INBOX.c.id.in_(candidates.scalar_subquery()), ready)
        .values(claimed_by=owner, lease_until=now + lease)
        .returning(INBOX.c.id, INBOX.c.channel, INBOX.c.chat_key)
    )
    rows = (await session.execute(stmt)).all()
    return sorted((int(r[0]), str(r[1]), str(r[2])) for r in rows)


async def finish_inbox_row(
    session: AsyncSession, row_id: int, *, owner: str, now: datetime, error: str | None = None
) -> bool:
    """Mark done inside the caller's transaction; False if our claim was lost (the lease ran out
    and another worker took the row), so the caller rolls back what it decided."""
    values: dict[str, Any] = {"done_at": now, "claimed_by": None, "lease_until": None}
    if error is not None:
        values["error"] = error[:2000]
    stmt = (
        sa.update(INBOX)
        .where(INBOX.c.id == row_id, INBOX.c.done_at.is_(None), INBOX.c.claimed_by == owner)
        .values(**values)
        .returning(INBOX.c.id)
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None


async def record_inbox_failure(
    session: AsyncSession,
    row_id: int,
    *,
    owner: str,
    error: str,
    at: datetime,
    count_attempt: bool = True,
) -> None:
    """A failed attempt: retried at `at`; past the worker's limit the row stays, parked."""
    values: dict[str, Any] = {
        "error": error[:2000],
        "next_attempt_at": at,
        "claimed_by": None,
        "lease_until": None,
    }
    if count_attempt:
        values["attempts"] = INBOX.c.attempts + 1
    await session.execute(
        sa.update(INBOX).where(INBOX.c.id == row_id, INBOX.c.claimed_by == owner).values(**values)
    )


async def retry_inbox(
    session: AsyncSession, *, max_attempts: int, ids: Sequence[int] | None = None
) -> int:
    """Put parked updates back (all, or those `ids`): the worker takes them up at once."""
    where = sa.and_(INBOX.c.done_at.is_(None), INBOX.c.attempts >= max_attempts)
    if ids is not None:
        where = sa.and_(where, INBOX.c.id.in_(list(ids)))
    stmt = (
        sa.update(INBOX)
        .where(where)
        .values(attempts=0, next_attempt_at=None, claimed_by=None, lease_until=None)
    )
    return int((await session.execute(stmt)).rowcount)  # type: ignore[attr-defined]


async def claim_outbox_heads(
    session: AsyncSession,
    *,
    channels: Sequence[str],
    owner: str,
    now: datetime,
    lease: timedelta,
    limit: int,
    chat: tuple[str, str] | None = None,
) -> list[OutboxRow]:
    """Claim the oldest unsent message of each chat that is due and not claimed by anyone.

    A chat's later message waits behind its earlier one (only heads are claimed), so messages
    go out in order across instances; one chat held back (a rate-limited group, a backoff)
    holds back no other chat. `chat` limits the claim to one (channel, chat_id).
    """
    pending = sa.and_(
        OUTBOX.c.sent_at.is_(None),
        OUTBOX.c.failed_at.is_(None),
        OUTBOX.c.channel.in_(list(channels)),
    )
    if chat is not None:
        pending = sa.and_(pending, OUTBOX.c.channel == chat[0], OUTBOX.c.chat_id == chat[1])
    heads = (
        sa.select(sa.func.min(OUTBOX.c.id))
        .where(pending)
        .group_by(OUTBOX.c.channel, OUTBOX.c.chat_id)
    )
    ready = sa.and_(
        OUTBOX.c.sent_at.is_(None),
        OUTBOX.c.failed_at.is_(None),
        OUTBOX.c.next_attempt_at <= now,
        _lease_free(OUTBOX, now),
    )
    candidates = _for_update(
        session,
        sa.select(OUTBOX.c.id)
        .where(OUTBOX.c.id.in_(heads), ready)
        .order_by(OUTBOX.c.id)
        .limit(limit),
    )
    stmt = (
        sa.update(OUTBOX)
        .where(OUTBOX.c.id.in_(candidates.scalar_subquery()), ready)
        .values(claimed_by=owner, lease_until=now + lease)
        .returning(OUTBOX.c.id)
    )
    ids = [int(i) for i in (await session.execute(stmt)).scalars()]
    if not ids:
        return []
    found = await session.execute(
        sa.select(OutboxRow).where(OUTBOX.c.id.in_(ids)).order_by(OUTBOX.c.id)
    )
    return list(found.scalars().all())


async def mark_sent(
    session: AsyncSession, row_id: int, *, external_id: str | None, now: datetime
) -> bool:
    """Once, whoever sent it: False if it was marked sent already (a lost lease's double)."""
    stmt = (
        sa.update(OUTBOX)
        .where(OUTBOX.c.id == row_id, OUTBOX.c.sent_at.is_(None))
        .values(
            sent_at=now,
            external_id=external_id,
            last_error=None,
            claimed_by=None,
            lease_until=None,
        )
        .returning(OUTBOX.c.id)
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None


async def mark_retry(
    session: AsyncSession, row_id: int, *, error: str, at: datetime, count_attempt: bool
) -> None:
    values: dict[str, Any] = {
        "next_attempt_at": at,
        "last_error": error[:2000],
        "claimed_by": None,
        "lease_until": None,
    }
    if count_attempt:
        values["attempts"] = OUTBOX.c.attempts + 1
    await session.execute(
        sa.update(OUTBOX).where(OUTBOX.c.id == row_id, OUTBOX.c.sent_at.is_(None)).values(**values)
    )


async def mark_failed(session: AsyncSession, row_id: int, *, error: str, now: datetime) -> None:
    """Dead letter: kept with its error where operators (and the dashboard) can list it."""
    await session.execute(
        sa.update(OUTBOX)
        .where(OUTBOX.c.id == row_id, OUTBOX.c.sent_at.is_(None))
        .values(
            failed_at=now,
            last_error=error[:2000],
            attempts=OUTBOX.c.attempts + 1,
            claimed_by=None,
            lease_until=None,
        )
    )


async def release_outbox(session: AsyncSession, row_id: int, *, owner: str) -> None:
    """Give a claim back untouched (the channel was not asked): another round takes it."""
    await session.execute(
        sa.update(OUTBOX)
        .where(OUTBOX.c.id == row_id, OUTBOX.c.claimed_by == owner)
        .values(claimed_by=None, lease_until=None)
    )


async def failed_outbox(session: AsyncSession, *, limit: int = 100) -> Sequence[OutboxRow]:
    stmt = (
        sa.select(OutboxRow)
        .where(OUTBOX.c.failed_at.is_not(None), _listed())
        .order_by(OUTBOX.c.id.desc())
        .limit(limit)
    )
    return (await session.execute(stmt)).scalars().all()


def _listed() -> sa.ColumnElement[bool]:
    return sa.or_(OUTBOX.c.delivery_status.is_(None), OUTBOX.c.delivery_status.not_in(NOT_LISTED))


async def requeue_outbox(
    session: AsyncSession, *, now: datetime, ids: Sequence[int] | None = None
) -> int:
    """Dead letters (all, or those `ids`) go out again, each as a new row at the end of its
    chat's queue (never ahead of what was decided since); the dead letter is kept as history,
    marked requeued so it is listed no more."""
    where = sa.and_(OUTBOX.c.failed_at.is_not(None), _listed())
    if ids is not None:
        where = sa.and_(where, OUTBOX.c.id.in_(list(ids)))
    dead = (
        (await session.execute(sa.select(OutboxRow).where(where).order_by(OUTBOX.c.id)))
        .scalars()
        .all()
    )
    for row in dead:
        await session.execute(sa.insert(OUTBOX).values(**resend_values(row, now=now)))
        await session.execute(
            sa.update(OUTBOX).where(OUTBOX.c.id == row.id).values(delivery_status="requeued")
        )
    return len(dead)


def resend_values(row: OutboxRow, *, now: datetime, attempts: int = 0) -> dict[str, Any]:
    """A new outbox row carrying `row`'s message again (a requeue), at the end of its chat."""
    return {
        "channel": row.channel,
        "chat_id": row.chat_id,
        "payload": row.payload,
        "ticket_ref": row.ticket_ref,
        "key": row.key,
        "delivery_mode": row.delivery_mode,
        "created_at": now,
        "next_attempt_at": now,
        "attempts": attempts,
    }


async def oldest_pending(
    session: AsyncSession, *, channels: Sequence[str], max_attempts: int
) -> dict[str, datetime | None]:
    """When the oldest update still to process and message still to send arrived, among the
    channels this process runs (health)."""
    inbox = sa.select(sa.func.min(INBOX.c.received_at)).where(
        INBOX.c.done_at.is_(None),
        INBOX.c.attempts < max_attempts,
        INBOX.c.channel.in_(list(channels)),
    )
    outbox = sa.select(sa.func.min(OUTBOX.c.created_at)).where(
        OUTBOX.c.sent_at.is_(None),
        OUTBOX.c.failed_at.is_(None),
        OUTBOX.c.channel.in_(list(channels)),
    )
    return {
        "inbox": (await session.execute(inbox)).scalar_one_or_none(),
        "outbox": (await session.execute(outbox)).scalar_one_or_none(),
    }


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


async def inbox_attempts(session: AsyncSession, row_id: int) -> int:
    found = (
        await session.execute(sa.select(INBOX.c.attempts).where(INBOX.c.id == row_id))
    ).scalar_one_or_none()
    return int(found or 0)


async def blocked_chats(session: AsyncSession, chats: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of these chats belong to a resident who blocked the bot (and has not written since)."""
    if not chats:
        return set()
    stmt = sa.select(IDENTITY.c.channel, IDENTITY.c.chat_id).where(
        IDENTITY.c.blocked_at.is_not(None),
        sa.tuple_(IDENTITY.c.channel, IDENTITY.c.chat_id).in_(sorted(chats)),
    )
    return {(str(c), str(i)) for c, i in (await session.execute(stmt)).all()}


async def block_chat(session: AsyncSession, channel: str, chat_id: str, *, now: datetime) -> None:
    """The channel said this person blocked the bot; their next message to us clears it."""
    await session.execute(
        sa.update(IDENTITY)
        .where(IDENTITY.c.channel == channel, IDENTITY.c.chat_id == chat_id)
        .values(blocked_at=now)
    )


async def blocked_residents(session: AsyncSession) -> int:
    stmt = (
        sa.select(sa.func.count()).select_from(IDENTITY).where(IDENTITY.c.blocked_at.is_not(None))
    )
    return int((await session.execute(stmt)).scalar_one())


async def record_parts(
    session: AsyncSession, row_id: int, *, done: int, external_id: str | None
) -> None:
    """A multi-part message is partly delivered: a retry starts after part `done`."""
    await session.execute(
        sa.update(OUTBOX)
        .where(OUTBOX.c.id == row_id, OUTBOX.c.sent_at.is_(None))
        .values(parts_sent=done, external_id=external_id)
    )


async def renew_claims(
    session: AsyncSession, *, owner: str, now: datetime, lease: timedelta
) -> None:
    """The heartbeat of a live process: its claims stay its own while it works on them (a slow
    send, a long download), so the lease can be short and a dead process's claims return soon."""
    until = now + lease
    await session.execute(
        sa.update(INBOX)
        .where(INBOX.c.claimed_by == owner, INBOX.c.done_at.is_(None))
        .values(lease_until=until)
    )
    await session.execute(
        sa.update(OUTBOX)
        .where(OUTBOX.c.claimed_by == owner, OUTBOX.c.sent_at.is_(None))
        .values(lease_until=until)
    )
