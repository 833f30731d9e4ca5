"""APScheduler (3.x, `AsyncIOScheduler`) jobs of `lapor serve`: the SLA sweep and the digest.

The scheduler only says when; every piece of state is in the database (deadlines on the
ticket, claims in `sla_alert`), so a restart loses nothing and a second instance on the same
PostgreSQL sends nothing twice. A job that misfires (the loop was busy, the process was
down) runs once when it can, not once per missed tick.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import Clock
from bot.jobs import run_digest, run_sweep
from db.engine import Sessions
from handlers.context import Context

log = logging.getLogger(__name__)

DIGEST_GRACE_SECONDS = 4 * 3600  # down at 07:00 and back by 11:00: the digest still goes


def make_scheduler(
    sessions: Sessions,
    ctx: Context,
    *,
    clock: Clock,
    sweep_seconds: int,
    on_outbox: Callable[[], None] | None = None,
) -> AsyncIOScheduler:
    """The jobs, not started; `sweep_seconds` 0 leaves the SLA jobs to another instance."""
    zone = ZoneInfo(ctx.timezone)
    wake = on_outbox

    async def sweep() -> None:
        try:
            result = await run_sweep(sessions, ctx, clock(), on_outbox=wake)
        except Exception:
            log.exception("SLA sweep failed; the next one retries")
            return
        if result.alerts:
            log.info("SLA sweep: %d alerts, %d messages", len(result.alerts), result.messages)

    async def digest() -> None:
        try:
            sent = await run_digest(sessions, ctx, clock(), on_outbox=wake)
        except Exception:
            log.exception("daily digest failed")
            return
        log.info("daily digest: %d messages", sent)

    scheduler = AsyncIOScheduler(timezone=zone)
    if sweep_seconds > 0:
        scheduler.add_job(
            sweep,
            IntervalTrigger(seconds=sweep_seconds, timezone=zone),
            id="sla-sweep",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
            next_run_time=datetime.now(zone),  # at start-up too: catch up after a restart
        )
        hour, minute = (int(part) for part in ctx.catalog.sla.digest_time.split(":"))
        scheduler.add_job(
            digest,
            CronTrigger(hour=hour, minute=minute, timezone=zone),
            id="daily-digest",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=DIGEST_GRACE_SECONDS,
        )
    return scheduler
