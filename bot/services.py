"""The running parts of one Lapor process, built once and shared by the web app, CLI and tests."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.channels.base import Channel
from bot.clock import Clock, system_clock
from bot.config import Settings
from bot.queue.gate import IngestGate
from bot.queue.inbox import InboxWorker, InboxWriter
from bot.queue.outbox import OutboxDispatcher
from db.engine import Sessions, make_engine, make_sessions
from db.routing_examples import load_examples
from handlers.context import Context
from handlers.dispatch import dispatch
from routing.catalog import load_catalog
from routing.matcher import Router

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
    channels: dict[str, Channel] = field(default_factory=dict)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def add_channel(self, channel: Channel) -> None:
        self.channels[channel.name] = channel

    def start_background(self) -> None:
        self.tasks.append(asyncio.create_task(self.worker.run(), name="inbox-worker"))
        self.tasks.append(asyncio.create_task(self.dispatcher.run(), name="outbox-dispatcher"))

    async def stop_background(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.tasks.clear()


@contextlib.asynccontextmanager
async def open_services(
    settings: Settings, *, clock: Clock = system_clock
) -> AsyncIterator[Services]:
    """Engine, catalog, router (with the city's learned examples), inbox and outbox, wired."""
    engine = make_engine(settings.database_url, schema=settings.database_schema)
    try:
        sessions = make_sessions(engine)
        catalog = load_catalog(settings.catalog_path)
        async with sessions() as session:
            examples = await load_examples(session)
        ctx = Context(
            catalog=catalog,
            router=Router(catalog, examples=examples),
            ticket_prefix=settings.ticket_prefix,
            timezone=settings.timezone,
            dialog_idle=timedelta(minutes=settings.dialog_idle_minutes),
            max_text_chars=settings.max_text_chars,
        )
        channels: dict[str, Channel] = {}
        gate = IngestGate()
        dispatcher = OutboxDispatcher(
            sessions, channels, clock=clock, gate=gate, max_attempts=settings.outbox_max_attempts
        )
        worker = InboxWorker(
            sessions, channels, ctx, dispatch, clock=clock, gate=gate, on_outbox=dispatcher.wake
        )
        writer = InboxWriter(sessions, clock=clock, gate=gate, on_stored=worker.wake)
        services = Services(settings, engine, sessions, ctx, writer, worker, dispatcher, channels)
        try:
            yield services
        finally:
            await services.stop_background()
    finally:
        await engine.dispose()
