"""One sender per channel across instances: a PostgreSQL advisory lock, held on a connection
of its own, elects the dispatcher that sends for a channel.

Why one sender and not a shared token bucket: Telegram's limits (30 messages a second for the
bot, 20 a minute per group) hold for the bot, not per process, and one sender keeps them with
the adapter's own rate limiter, with no extra round trip per message; sending was never the
bottleneck (the limits are), so a second sender would add nothing but a budget to share.
The lock is the lease: it lives as long as the holder's connection, so when an instance dies
(even by SIGKILL) PostgreSQL drops the lock and another instance's dispatcher takes over at
its next round. Claims (see `db/queue.py`) still make every send once and in order, whoever
sends. SQLite has one writer process in practice: every dispatcher may send.
"""

from __future__ import annotations

import logging
import time

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

TRY_LOCK = sa.text("SELECT pg_try_advisory_lock(hashtext(current_schema() || ':send:' || :name))")


class SenderElection:
    """`await election.mine(channel)`: True while this process is the one sending for it."""

    def __init__(self, engine: AsyncEngine, *, recheck_seconds: float = 5.0) -> None:
        self._engine = engine
        self._conn: AsyncConnection | None = None
        self._held: set[str] = set()
        self._recheck = recheck_seconds
        self._checked = 0.0
        self.enabled = engine.dialect.name == "postgresql"

    async def mine(self, channels: list[str]) -> list[str]:
        """Those of `channels` this process sends for (trying for the others)."""
        if not self.enabled:
            return channels
        try:
            await self._keep_alive()
            if self._conn is None:
                self._conn = await self._engine.connect()
            for name in channels:
                if name not in self._held:
                    got = (await self._conn.execute(TRY_LOCK, {"name": name})).scalar_one()
                    await self._conn.commit()  # the lock is the session's, not a transaction's
                    if got:
                        log.info("this instance now sends for %s", name)
                        self._held.add(name)
        except Exception:
            await self.close()
            raise
        return [c for c in channels if c in self._held]

    def holding(self, channels: list[str]) -> list[str]:
        """Those of `channels` this process sent for at its last round (what `/healthz` shows),
        without a round trip; on SQLite every one."""
        if not self.enabled:
            return list(channels)
        return [c for c in channels if c in self._held]

    async def _keep_alive(self) -> None:
        """A dropped connection dropped the locks: notice it within `recheck_seconds`."""
        if self._conn is None or time.monotonic() - self._checked < self._recheck:
            return
        self._checked = time.monotonic()
        await self._conn.execute(sa.text("SELECT 1"))
        await self._conn.commit()

    async def close(self) -> None:
        """Give the locks up (on a broken connection: drop it, which does the same)."""
        self._held.clear()
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            await conn.execute(sa.text("SELECT pg_advisory_unlock_all()"))
            await conn.commit()
            await conn.close()  # back to the pool, holding nothing
        except Exception:
            log.debug("the election connection is broken; dropping it", exc_info=True)
            await conn.invalidate()
