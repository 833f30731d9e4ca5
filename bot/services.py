"""The running parts of one Lapor process, built once and shared by the web app, CLI and tests."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.channels.base import Channel
from bot.clock import Clock, system_clock
from bot.config import Settings
from bot.queue.election import SenderElection
from bot.queue.gate import IngestGate
from bot.queue.health import Health
from bot.queue.inbox import InboxWorker, InboxWriter
from bot.queue.lanes import instance_id
from bot.queue.outbox import OutboxDispatcher
from db.engine import Sessions, make_engine, make_sessions
from handlers.context import Context
from handlers.corrections import trained_router
from handlers.dispatch import dispatch
from routing.catalog import load_catalog

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    sessions: Sessions
    ctx: Context
    writer: InboxWriter
    worker: InboxWorker
    dispatcher: OutboxDispatcher
    health: Health
    channels: dict[str, Channel] = field(default_factory=dict)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    # set when a background loop ended on its own: `lapor serve` then exits 1 for systemd
    fatal: asyncio.Event = field(default_factory=asyncio.Event)

    def add_channel(self, channel: Channel) -> None:
        self.channels[channel.name] = channel

    def start_background(self) -> None:
        self.start_loop(self.worker.name, self.worker.run())
        self.start_loop(self.dispatcher.name, self.dispatcher.run())

    def start_loop(self, name: str, loop: Coroutine[Any, Any, None]) -> None:
        """A loop that must run as long as the process: `/healthz` watches it, and should it
        ever end (it only ends on a bug outside its own error handling) the process ends."""
        task = asyncio.create_task(loop, name=name)
        self.health.watch(name, task)
        self.tasks.append(task)
        task.add_done_callback(self._loop_ended)

    def _loop_ended(self, task: asyncio.Task[None]) -> None:
        if task.cancelled():
            return
        error = task.exception()
        log.critical("background loop %s ended (%r): stopping the process", task.get_name(), error)
        self.fatal.set()

    async def stop_background(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)  # a dead loop was logged
        self.tasks.clear()
        if self.dispatcher.election is not None:
            await self.dispatcher.election.close()


@contextlib.asynccontextmanager
async def open_services(
    settings: Settings, *, clock: Clock = system_clock
) -> AsyncIterator[Services]:
    """Engine, catalog, router (with the city's learned examples), inbox and outbox, wired."""
    engine = make_engine(
        settings.database_url,
        schema=settings.database_schema,
        synchronous=settings.sqlite_synchronous,
    )
    try:
        sessions = make_sessions(engine)
        catalog = load_catalog(settings.catalog_path)
        async with sessions() as session:
            router, learned = await trained_router(session, catalog, clock())
        ctx = Context(
            catalog=catalog,
            router=router,
            learned=learned,
            ticket_prefix=settings.ticket_prefix,
            timezone=settings.timezone,
            dialog_idle=timedelta(minutes=settings.dialog_idle_minutes),
            max_text_chars=settings.max_text_chars,
        )
        channels: dict[str, Channel] = {}
        gate, health, owner = IngestGate(), Health(), instance_id()
        lease = timedelta(seconds=settings.queue_lease_seconds)
        dispatcher = OutboxDispatcher(
            sessions,
            channels,
            clock=clock,
            gate=gate,
            health=health,
            owner=owner,
            max_attempts=settings.outbox_max_attempts,
            lease=lease,
            election=SenderElection(engine),
        )
        worker = InboxWorker(
            sessions,
            channels,
            ctx,
            dispatch,
            clock=clock,
            gate=gate,
            health=health,
            owner=owner,
            lease=lease,
            on_outbox=dispatcher.wake,
        )
        writer = InboxWriter(sessions, clock=clock, gate=gate, on_stored=worker.wake)
        services = Services(
            settings, engine, sessions, ctx, writer, worker, dispatcher, health, channels
        )
        try:
            yield services
        finally:
            await services.stop_background()
    finally:
        await engine.dispose()
