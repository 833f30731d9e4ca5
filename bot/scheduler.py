"""APScheduler (3.x, `AsyncIOScheduler`) jobs of `lapor serve`: the SLA sweep, the digest, and
learning the routing corrections other instances made.

The scheduler only says when; every piece of state is in the database (deadlines on the
ticket, claims in `sla_alert`), so a restart loses nothing and a second instance on the same
PostgreSQL sends nothing twice. A job that misfires (the loop was busy, the process was
down) runs once when it can, not once per missed tick.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import Clock
from bot.jobs import run_digest, run_learning, run_sweep
from db.engine import Sessions
from handlers.context import Context

log = logging.getLogger(__name__)

DIGEST_GRACE_SECONDS = 4 * 3600  # down at 07:00 and back by 11:00: the digest still goes


class JobTasks:
    """The job runs in flight, so that stopping waits for them.

    APScheduler's asyncio executor starts each run as a task and forgets it; a run still
    holding a database connection when the engine is disposed would then be cancelled by the
    event loop's close, too late to give the connection back, and hang there. Stopping the
    scheduler therefore cancels and awaits its runs before anything below it closes.
    """

    def __init__(self) -> None:
        self._running: set[asyncio.Task[object]] = set()

    def tracked(
        self, job: Callable[[], Coroutine[Any, Any, None]]
    ) -> Callable[[], Coroutine[Any, Any, None]]:
        async def run() -> None:
            task = asyncio.current_task()
            if task is not None:
                self._running.add(task)
            try:
                await job()
            finally:
                if task is not None:
                    self._running.discard(task)

        return run

    async def cancel_all(self) -> None:
        tasks = list(self._running)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


@contextlib.asynccontextmanager
async def running_scheduler(
    sessions: Sessions,
    ctx: Context,
    *,
    clock: Clock,
    sweep_seconds: int,
    learn_seconds: int = 0,
    on_outbox: Callable[[], None] | None = None,
) -> AsyncIterator[AsyncIOScheduler]:
    """The jobs, started; on the way out the scheduler stops and its runs in flight end."""
    runs = JobTasks()
    scheduler = make_scheduler(
        sessions,
        ctx,
        clock=clock,
        sweep_seconds=sweep_seconds,
        learn_seconds=learn_seconds,
        on_outbox=on_outbox,
        runs=runs,
    )
    scheduler.start()
    try:
        yield scheduler
    finally:
        scheduler.shutdown(wait=False)
        await runs.cancel_all()


def make_scheduler(
    sessions: Sessions,
    ctx: Context,
    *,
    clock: Clock,
    sweep_seconds: int,
    learn_seconds: int = 0,
    on_outbox: Callable[[], None] | None = None,
    runs: JobTasks | None = None,
) -> AsyncIOScheduler:
    """The jobs, not started; `sweep_seconds` 0 leaves the SLA jobs to another instance,
    `learn_seconds` 0 leaves the other instances' routing corrections to the next start."""
    zone = ZoneInfo(ctx.timezone)
    wake = on_outbox
    runs = runs or JobTasks()

    async def sweep() -> None:
        try:
            result = await run_sweep(sessions, ctx, clock(), on_outbox=wake)
        except Exception:
            log.exception("SLA sweep failed; the next one retries")
            return
        if result.alerts or result.closed:
            log.info(
                "SLA sweep: %d alerts, %d auto-closed, %d messages",
                len(result.alerts), len(result.closed), result.messages,
            )  # fmt: skip

    async def digest() -> None:
        try:
            sent = await run_digest(sessions, ctx, clock(), on_outbox=wake)
        except Exception:
            log.exception("daily digest failed")
            return
        log.info("daily digest: %d messages", sent)

    async def learn() -> None:
        try:
            taught = await run_learning(sessions, ctx, clock())
        except Exception:
            log.exception("learning the stored routing corrections failed; the next run retries")
            return
        if taught:
            log.info("routing: learned %d correction(s) stored by other instances", taught)

    scheduler = AsyncIOScheduler(timezone=zone)

    def every(
        seconds: int, job: Callable[[], Coroutine[Any, Any, None]], name: str, **extra: Any
    ) -> None:
        """One run at a time; runs missed while one was slow are one run, never a pile-up."""
        scheduler.add_job(
            runs.tracked(job),
            IntervalTrigger(seconds=seconds, timezone=zone),
            id=name,
            name=name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
            **extra,
        )

    if learn_seconds > 0:
        every(learn_seconds, learn, "routing-learn")
    if sweep_seconds > 0:
        # at start-up too: catch up after a restart
        every(sweep_seconds, sweep, "sla-sweep", next_run_time=datetime.now(zone))
        hour, minute = (int(part) for part in ctx.catalog.sla.digest_time.split(":"))
        scheduler.add_job(
            runs.tracked(digest),
            CronTrigger(hour=hour, minute=minute, timezone=zone),
            id="daily-digest",
            name="daily-digest",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=DIGEST_GRACE_SECONDS,
        )
    return scheduler
