"""Shared fixtures: every database test runs on a real SQLite file and on a real PostgreSQL.

PostgreSQL tests get a schema of their own, so parallel runs never see each other's rows.
They skip only when no server answers, and then say so loudly; with LAPOR_REQUIRE_POSTGRES=1
(CI) a missing server fails the run instead.
"""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

import db.tables  # noqa: F401  (registers the tables)
from db.engine import Sessions, make_engine, make_sessions

POSTGRES_URL = os.environ.get(
    "LAPOR_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
FIXTURES = Path(__file__).resolve().parent / "fixtures"  # copied from the project's shared set
_pg_available: bool | None = None


@dataclass(frozen=True)
class Database:
    """Where a test's database lives: what `DATABASE_URL` and `DATABASE_SCHEMA` should say."""

    url: str
    schema: str | None
    backend: str


async def _postgres_answers() -> bool:
    global _pg_available
    if _pg_available is None:
        engine = make_engine(POSTGRES_URL)
        try:
            async with engine.connect() as conn:
                await conn.execute(sa.text("SELECT 1"))
            _pg_available = True
        except (TimeoutError, OSError, sa.exc.SQLAlchemyError):
            _pg_available = False
        finally:
            await engine.dispose()
    return _pg_available


@pytest.fixture(params=["sqlite", "postgres"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """An empty database with no tables yet (migrations or `create_all` make them)."""
    if request.param == "sqlite":
        yield Database(f"sqlite+aiosqlite:///{tmp_path / 'lapor.db'}", None, "sqlite")
        return
    if not await _postgres_answers():
        message = f"PostgreSQL at {POSTGRES_URL} does not answer: PostgreSQL tests SKIPPED"
        if os.environ.get("LAPOR_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        warnings.warn(message, stacklevel=1)
        pytest.skip(message)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    async with admin.begin() as conn:
        await conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield Database(POSTGRES_URL, schema, "postgres")
    finally:
        async with admin.begin() as conn:
            await conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


@pytest.fixture
async def engine(database: Database) -> AsyncIterator[AsyncEngine]:
    """An engine on a database whose tables exist."""
    eng = make_engine(database.url, schema=database.schema)
    async with eng.begin() as conn:
        await conn.run_sync(SQLModel.metadata.create_all)
    yield eng
    await eng.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> Sessions:
    return make_sessions(engine)
