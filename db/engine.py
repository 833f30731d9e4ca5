"""The async engine and session factory; SQLite gets the pragmas that make it a fine default."""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import json
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def display_url(url: str) -> str:
    """The URL with its password hidden: what start-up lines and errors may show."""
    return make_url(url).render_as_string(hide_password=True)


def ensure_sqlite_dir(url: str) -> None:
    """`make run` on a fresh clone has no `data/` yet; SQLite will not create the folder."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


class JSONText(str):
    """JSON already serialised (a webhook body as received): a JSON column stores it as it is."""

    __slots__ = ()


def serialize_json(value: Any) -> str:
    """Every JSON column's serialiser (the engine's): `JSONText` as it is, the rest dumped."""
    return value if isinstance(value, JSONText) else json.dumps(value)


def _sqlite_pragmas(synchronous: str) -> Any:
    """WAL lets readers run beside the one writer. `synchronous=FULL` syncs the WAL at every
    commit, so an acknowledged update survives a power cut (NORMAL survives a process crash
    only); the inbox's group commit spreads that fsync over a burst. busy_timeout makes a
    second writer wait instead of failing at once."""

    def pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return pragmas


def make_engine(
    url: str, *, schema: str | None = None, echo: bool = False, synchronous: str = "FULL"
) -> AsyncEngine:
    """`schema` (PostgreSQL only) lets one server hold several cities, or one test each."""
    ensure_sqlite_dir(url)
    if is_sqlite(url):
        if synchronous not in ("FULL", "NORMAL"):
            raise ValueError(f"synchronous must be FULL or NORMAL, not {synchronous!r}")
        engine = create_async_engine(
            url, echo=echo, connect_args={"timeout": 30}, json_serializer=serialize_json
        )
        sa.event.listen(engine.sync_engine, "connect", _sqlite_pragmas(synchronous))
        return engine
    connect_args: dict[str, Any] = {}
    if schema:
        connect_args["server_settings"] = {"search_path": schema}
    return create_async_engine(
        url,
        echo=echo,
        pool_size=10,
        max_overflow=10,
        pool_pre_ping=True,
        connect_args=connect_args,
        json_serializer=serialize_json,
    )


class PriorityLock:
    """An asyncio lock whose waiters go in order of priority (lower first), then of arrival."""

    def __init__(self) -> None:
        self._locked = False
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    async def acquire(self, priority: int) -> None:
        if not self._locked and not self._waiters:
            self._locked = True
            return
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (priority, next(self._order), future))
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release()  # handed the lock just as we were cancelled: pass it on
            raise

    def release(self) -> None:
        while self._waiters:
            _, _, future = heapq.heappop(self._waiters)
            if not future.done():
                future.set_result(None)  # the lock passes straight to this waiter
                return
        self._locked = False


class Sessions:
    """Session factory: `sessions()` to read, `sessions.begin()` for one write transaction.

    On SQLite, write transactions of this process take turns on a lock. SQLite has one writer
    anyway; letting them collide instead makes the losers sleep in SQLite's busy handler (tens
    of milliseconds each). `begin(urgent=True)` (the inbox: a webhook is waiting for its 200)
    goes before queued background work.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._maker = async_sessionmaker(engine, expire_on_commit=False)
        self._write_lock = PriorityLock() if engine.dialect.name == "sqlite" else None

    def __call__(self) -> AsyncSession:
        return self._maker()

    @contextlib.asynccontextmanager
    async def begin(self, *, urgent: bool = False) -> AsyncIterator[AsyncSession]:
        if self._write_lock is None:
            async with self._maker.begin() as session:
                yield session
            return
        await self._write_lock.acquire(0 if urgent else 1)
        try:
            async with self._maker.begin() as session:
                yield session
        finally:
            self._write_lock.release()

    @contextlib.asynccontextmanager
    async def connection(self, *, urgent: bool = False) -> AsyncIterator[AsyncConnection]:
        """One write transaction on a bare connection, no ORM session: the inbox's hot path,
        where the session's bookkeeping was a good part of each acknowledgement's cost."""
        if self._write_lock is None:
            async with self.engine.begin() as conn:
                yield conn
            return
        await self._write_lock.acquire(0 if urgent else 1)
        try:
            async with self.engine.begin() as conn:
                yield conn
        finally:
            self._write_lock.release()


def make_sessions(engine: AsyncEngine) -> Sessions:
    return Sessions(engine)


def is_outage(exc: BaseException) -> bool:
    """The database is unreachable or refused the connection: nobody's input is at fault."""
    if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(
        exc,
        (
            sa.exc.OperationalError,
            sa.exc.InterfaceError,
            sa.exc.TimeoutError,
            ConnectionError,
            sqlite3.OperationalError,  # the inbox's direct SQLite path raises the driver's own
        ),
    )
