"""`lapor migrate` builds exactly the schema the code expects, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from db.engine import make_engine
from db.migrate import current_revision, head_revision, upgrade
from tests.conftest import Database


async def test_migrations_match_the_tables(database: Database) -> None:
    await upgrade(database.url, schema=database.schema)
    assert await current_revision(database.url, schema=database.schema) == head_revision()
    engine = make_engine(database.url, schema=database.schema)
    try:
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), SQLModel.metadata)
            )
    finally:
        await engine.dispose()
    assert diff == []


async def test_migrating_twice_changes_nothing(database: Database) -> None:
    await upgrade(database.url, schema=database.schema)
    await upgrade(database.url, schema=database.schema)
    assert await current_revision(database.url, schema=database.schema) == head_revision()
