"""SLA sweep benchmark: one sweep over a city's worth of tickets, beside a bare count.

Builds 1,000,000 tickets of which 100,000 are open with a running clock, then times sweeps
at moments when 10, 100 and 1,000 of them reach their warning, and a sweep when none does,
beside `SELECT count(*)` of the open tickets on the same database in the same run (the ratio
is the figure: these machines are noisy). On SQLite (temp file) and PostgreSQL.

    .venv/bin/python bench/sla.py [--tickets 1000000] [--open 100000] [--due 10,100,1000]
        [--backends sqlite,postgres] [--postgres-url postgresql+asyncpg://postgres@127.0.0.1/test]

Aim: a sweep under 500 ms, its cost growing with the tickets due, not with all tickets.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.jobs import run_sweep  # noqa: E402
from db.engine import make_engine, make_sessions  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from handlers.slaclock import OPEN  # noqa: E402
from handlers.workingtime import working_time  # noqa: E402
from tests.sla.conftest import make_ctx  # noqa: E402

WIB = ZoneInfo("Asia/Jakarta")
DAY = datetime(2026, 1, 21, tzinfo=WIB)  # a Wednesday with no holiday near
CHUNK = 20_000
COLUMNS = (
    "ref", "resident_id", "channel", "chat_id", "agency_code", "status", "description",
    "photos", "routing", "language", "created_at", "updated_at", "sla_clock", "sla_agency_code",
    "sla_running_since", "sla_worked_seconds", "first_response_due_at", "resolution_due_at",
    "sla_next_at",
)  # fmt: skip
OPEN_STATUSES = [s.value for s in OPEN]


def plan(tickets: int, open_: int, due: list[int]) -> Iterator[tuple[Any, ...]]:
    """Rows: the due groups first (group k starts 08:00 + 10k min, warns at 15:00 + 10k min),
    then the other open tickets (started 14:00, warn tomorrow), then closed ones."""
    ctx = make_ctx()
    time_ = working_time(ctx.catalog.calendar_of("PUPR"))
    sla = ctx.catalog.agency("PUPR").targets()
    assert sla is not None
    first, resolution = sla.first_response_hours, sla.resolution_hours
    warn = ctx.catalog.sla.warning_share

    def open_row(n: int, started: datetime) -> tuple[Any, ...]:
        first_due = time_.add(started, timedelta(hours=first))
        resolved_due = time_.add(started, timedelta(hours=resolution))
        next_at = time_.add(started, timedelta(hours=first * warn))
        return row(n, "assigned", started, 1, started, first_due, resolved_due, next_at)

    n = 0
    for k, size in enumerate(due):
        started = DAY.replace(hour=8) + timedelta(minutes=10 * k)
        for _ in range(size):
            yield open_row(n, started)
            n += 1
    rest = DAY.replace(hour=14)
    for _ in range(open_ - sum(due)):
        yield open_row(n, rest + timedelta(seconds=n % 3600))
        n += 1
    while n < tickets:
        yield row(n, "closed", DAY - timedelta(days=1 + n % 300), 1, None, None, None, None)
        n += 1


def row(
    n: int,
    status: str,
    created: datetime,
    clock: int,
    running: datetime | None,
    first_due: datetime | None,
    resolved_due: datetime | None,
    next_at: datetime | None,
) -> tuple[Any, ...]:
    return (
        f"KDR-26-{n + 1:07d}", 1, "telegram", str(700000 + n % 5000), "PUPR", status,
        "Jalan berlubang di depan SDN 2 Banjaran", "[]", "{}", "id", created, created, clock,
        "PUPR", running, 0.0, first_due, resolved_due, next_at,
    )  # fmt: skip


def sqlite_value(value: Any) -> Any:
    """As SQLAlchemy stores a TZDateTime in SQLite: naive UTC text."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


async def build(url: str, schema: str | None, rows: Iterator[tuple[Any, ...]]) -> float:
    began = time.perf_counter()
    await upgrade(url, schema=schema)
    engine = make_engine(url, schema=schema)
    try:
        async with engine.begin() as conn:
            sqlite = engine.dialect.name == "sqlite"
            await conn.execute(
                sa.text("INSERT INTO resident (id, language, created_at) VALUES (1, 'id', :at)"),
                {"at": sqlite_value(DAY) if sqlite else DAY},
            )
            raw = await conn.get_raw_connection()
            while chunk := [r for _, r in zip(range(CHUNK), rows, strict=False)]:
                if sqlite:
                    marks = ", ".join("?" for _ in COLUMNS)
                    await conn.exec_driver_sql(
                        f"INSERT INTO ticket ({', '.join(COLUMNS)}) VALUES ({marks})",  # noqa: S608
                        [tuple(sqlite_value(v) for v in r) for r in chunk],
                    )
                else:
                    driver: Any = raw.driver_connection
                    await driver.copy_records_to_table(
                        "ticket", records=chunk, columns=COLUMNS, schema_name=schema
                    )
        async with engine.begin() as conn:
            await conn.execute(sa.text("ANALYZE"))
    finally:
        await engine.dispose()
    return time.perf_counter() - began


async def best_ms(action: Callable[[], Awaitable[Any]], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        await action()
        times.append((time.perf_counter() - began) * 1000)
    return min(times)


async def measure(url: str, schema: str | None, due: list[int]) -> dict[str, Any]:
    engine = make_engine(url, schema=schema)
    sessions = make_sessions(engine)
    ctx = make_ctx()
    figures: dict[str, Any] = {}
    try:

        async def count_open() -> int:
            async with sessions() as session:
                stmt = sa.text("SELECT count(*) FROM ticket WHERE status IN :statuses")
                stmt = stmt.bindparams(sa.bindparam("statuses", expanding=True))
                return int((await session.execute(stmt, {"statuses": OPEN_STATUSES})).scalar_one())

        figures["open"] = await count_open()
        figures["count_ms"] = await best_ms(count_open)
        figures["sweeps"] = []
        for k, size in enumerate(due):  # the first group (one ticket) warms caches, untimed
            now = DAY.replace(hour=15) + timedelta(minutes=10 * k)
            began, cpu = time.perf_counter(), time.process_time()
            result = await run_sweep(sessions, ctx, now)
            ms = (time.perf_counter() - began) * 1000
            cpu_ms = (time.process_time() - cpu) * 1000  # this process's threads (aiosqlite's too)
            assert result.tickets == size and len(result.alerts) == size, (size, result.tickets)
            if k:
                figures["sweeps"].append((size, ms, cpu_ms))
        quiet = DAY.replace(hour=15) + timedelta(minutes=10 * len(due) + 1)
        figures["empty_ms"] = await best_ms(lambda: run_sweep(sessions, ctx, quiet))
    finally:
        await engine.dispose()
    return figures


def report(backend: str, built_s: float, figures: dict[str, Any]) -> None:
    count = figures["count_ms"]
    print(f"{backend}: built in {built_s:.0f} s; {figures['open']} open tickets")
    print(f"  SELECT count(*) of open tickets: {count:.1f} ms (baseline)")
    for size, ms, cpu_ms in figures["sweeps"]:
        print(f"  sweep, {size:>5} due: {ms:8.1f} ms  = {ms / count:6.2f} x count "
              f"({ms / size:.2f} ms per due ticket; {cpu_ms:.0f} ms CPU)")  # fmt: skip
    empty = figures["empty_ms"]
    print(f"  sweep,     0 due: {empty:8.1f} ms  = {empty / count:6.2f} x count")


async def run_backend(backend: str, args: argparse.Namespace, due: list[int]) -> None:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
            built = await build(url, None, plan(args.tickets, args.open, due))
            report(backend, built, await measure(url, None, due))
        return
    schema = f"bench_sla_{uuid.uuid4().hex[:8]}"
    admin = make_engine(args.postgres_url)
    async with admin.begin() as conn:
        await conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        built = await build(args.postgres_url, schema, plan(args.tickets, args.open, due))
        report(backend, built, await measure(args.postgres_url, schema, due))
    finally:
        async with admin.begin() as conn:
            await conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--due", default="10,100,1000", help="tickets due at each timed sweep")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument(
        "--postgres-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/test"
    )
    args = parser.parse_args()
    due = [1, *(int(n) for n in args.due.split(",") if n)]
    if sum(due) > args.open or args.open > args.tickets:
        parser.error("need sum(--due) <= --open <= --tickets")
    print(f"{args.tickets} tickets, {args.open} open; sweeps with {due[1:]} due, then none")
    for backend in args.backends.split(","):
        await run_backend(backend, args, due)


if __name__ == "__main__":
    asyncio.run(main())
