"""The periodic jobs' loops: a handler decides a batch, its outbox rows commit with it.

`lapor serve` runs them from the scheduler (bot/scheduler.py), `lapor sla sweep` once from
the command line; both call these, so a sweep is the same code wherever it starts. Learning
the routing corrections other instances stored writes nothing: it reads and teaches.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.queue.inbox import outbox_row, outbox_values
from db.engine import Sessions
from db.queue import insert_outbox_rows
from handlers.autoclose import close_batch
from handlers.context import Context
from handlers.corrections import learn_stored
from handlers.digest import daily_digest
from handlers.messages import Outbound
from handlers.sla import SWEEP_BATCH, Alert, sweep_batch


@dataclass
class SweepResult:
    tickets: int = 0  # looked at (a ticket is looked at again when its next rung comes)
    alerts: list[Alert] = field(default_factory=list)  # claimed by this sweep
    outbounds: list[Outbound] = field(default_factory=list)  # written to the outbox
    closed: list[str] = field(default_factory=list)  # resolved tickets auto-closed

    @property
    def messages(self) -> int:
        return len(self.outbounds)


async def run_sweep(
    sessions: Sessions,
    ctx: Context,
    now: datetime,
    *,
    limit: int = SWEEP_BATCH,
    on_outbox: Callable[[], None] | None = None,
) -> SweepResult:
    """Sweep batch by batch, each committed with its messages, until a batch comes back short.

    A crash between batches leaves the committed ones done and the rest due: the next sweep
    takes them, and nothing is sent twice (each alert's key was claimed with its messages).
    """
    result = SweepResult()
    while True:
        async with sessions.begin() as session:
            batch = await sweep_batch(session, ctx, now, limit=limit)
            await insert_outbox_rows(session, [outbox_values(out, now) for out in batch.outbounds])
        result.tickets += batch.tickets
        result.alerts += batch.alerts
        result.outbounds += batch.outbounds
        if batch.outbounds and on_outbox is not None:
            on_outbox()
        if batch.tickets < limit:
            break
    while True:  # then the resolved tickets whose resident never answered
        async with sessions.begin() as session:
            closing = await close_batch(session, ctx, now, limit=limit)
            await insert_outbox_rows(
                session, [outbox_values(out, now) for out in closing.outbounds]
            )
        result.closed += closing.closed
        result.outbounds += closing.outbounds
        if closing.outbounds and on_outbox is not None:
            on_outbox()
        if closing.tickets < limit:
            return result


async def run_digest(
    sessions: Sessions, ctx: Context, now: datetime, *, on_outbox: Callable[[], None] | None = None
) -> int:
    """Today's digests that were not sent yet; how many messages it wrote."""
    async with sessions.begin() as session:
        outbounds = await daily_digest(session, ctx, now)
        for out in outbounds:
            session.add(outbox_row(out, now))
    if outbounds and on_outbox is not None:
        on_outbox()
    return len(outbounds)


async def run_learning(sessions: Sessions, ctx: Context, now: datetime) -> int:
    """The routing corrections stored since this instance's router last learned; how many."""
    async with sessions() as session:
        return await learn_stored(session, ctx, now)
