"""One sender per channel across instances: the advisory lock elects one, and passes to another
when the holder's connection dies (a SIGKILLed instance), with no wait for a timeout."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.queue.election import SenderElection
from db.engine import make_engine
from tests.conftest import Database


async def test_one_instance_sends_for_a_channel_and_another_takes_over(
    engine: AsyncEngine, database: Database
) -> None:
    if database.backend != "postgres":
        assert await SenderElection(engine).mine(["telegram"]) == ["telegram"]  # one process
        return
    other_engine = make_engine(database.url, schema=database.schema)  # another instance
    first, second = SenderElection(engine), SenderElection(other_engine, recheck_seconds=0)
    try:
        assert await first.mine(["telegram", "whatsapp"]) == ["telegram", "whatsapp"]
        assert await second.mine(["telegram", "whatsapp"]) == []
        assert first._conn is not None
        async with other_engine.connect() as admin:  # the first instance dies: its session ends
            pid = (await first._conn.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one()
            # with a timeout it waits for the backend to be gone (and its locks with it)
            ended = sa.text("SELECT pg_terminate_backend(:pid, 10000)")
            assert (await admin.execute(ended, {"pid": pid})).scalar_one()
        assert await second.mine(["telegram"]) == ["telegram"]
        with pytest.raises(sa.exc.DBAPIError):
            first._checked = 0.0
            first._recheck = 0.0
            await first.mine(["telegram"])  # it notices it lost the lock
        assert await first.mine(["telegram"]) == []
    finally:
        await first.close()
        await second.close()
        await other_engine.dispose()


async def test_another_database_schema_is_another_election(
    engine: AsyncEngine, database: Database
) -> None:
    """Two cities (or two tests) on one server do not elect each other's senders."""
    if database.backend != "postgres":
        pytest.skip("advisory locks are PostgreSQL's")
    other = make_engine(database.url)  # the default schema
    try:
        mine, theirs = SenderElection(engine), SenderElection(other)
        assert await mine.mine(["telegram"]) == ["telegram"]
        assert await theirs.mine(["telegram"]) == ["telegram"]
        await mine.close()
        await theirs.close()
    finally:
        await other.dispose()
