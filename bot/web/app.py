"""make_app(settings): the aiohttp application that `lapor serve` runs and the tests start."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from bot.channels.base import StartError
from bot.channels.media import MediaStore
from bot.channels.storable import Unstorable, check_item
from bot.channels.telegram import BadUpdate, TelegramChannel
from bot.channels.whatsapp import WhatsAppChannel
from bot.cli.notices import WEBHOOK_UNGUARDED
from bot.clock import Clock, system_clock
from bot.config import Settings
from bot.scheduler import running_scheduler
from bot.services import Services, open_services
from bot.web import routes
from bot.web.keys import SERVICES, TELEGRAM, WHATSAPP

log = logging.getLogger(__name__)

MAX_BODY = 1024**2  # Telegram and WhatsApp updates are a few KB; a 10 MB body is refused (413)


def make_app(settings: Settings, *, clock: Clock = system_clock) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY)
    app.cleanup_ctx.append(_services(settings, clock))
    app.cleanup_ctx.append(_telegram(settings))
    app.cleanup_ctx.append(_whatsapp(settings, clock))
    app.cleanup_ctx.append(_background)
    app.cleanup_ctx.append(_scheduler(settings, clock))
    routes.setup_routes(app)
    return app


def _services(settings: Settings, clock: Clock):  # type: ignore[no-untyped-def]
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        async with open_services(settings, clock=clock) as services:
            app[SERVICES] = services
            yield

    return ctx


def _telegram(settings: Settings):  # type: ignore[no-untyped-def]
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        if not settings.telegram_enabled:
            yield
            return
        if settings.telegram_mode == "webhook" and not _secret(settings):
            raise StartError(WEBHOOK_UNGUARDED)
        channel = TelegramChannel(settings, media=MediaStore(app[SERVICES].sessions))
        await channel.start()
        app[TELEGRAM] = channel
        app[SERVICES].add_channel(channel)
        if settings.telegram_mode == "polling":
            services = app[SERVICES]
            services.start_loop("telegram-poller", poll_telegram(channel, services))
        try:
            yield
        finally:
            await app[SERVICES].stop_background()  # the poller, before its channel stops
            await channel.stop()

    return ctx


def _secret(settings: Settings) -> str:
    secret = settings.telegram_webhook_secret
    return secret.get_secret_value() if secret else ""


def _whatsapp(settings: Settings, clock: Clock):  # type: ignore[no-untyped-def]
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        if not settings.whatsapp_enabled:
            yield
            return
        services = app[SERVICES]
        channel = WhatsAppChannel(settings, media=MediaStore(services.sessions, clock=clock))
        await channel.start()
        app[WHATSAPP] = channel
        services.add_channel(channel)
        try:
            yield
        finally:
            await channel.stop()

    return ctx


async def _background(app: web.Application) -> AsyncIterator[None]:
    """Workers start last, once every channel is registered; they stop first."""
    services = app[SERVICES]
    services.start_background()
    yield
    await services.stop_background()


def _scheduler(settings: Settings, clock: Clock):  # type: ignore[no-untyped-def]
    """The SLA sweep and the digest start after the workers, and stop before them."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        services = app[SERVICES]
        async with running_scheduler(
            services.sessions,
            services.ctx,
            clock=clock,
            sweep_seconds=settings.sla_sweep_seconds,
            learn_seconds=settings.routing_learn_seconds,
            on_outbox=services.dispatcher.wake,
        ):
            yield

    return ctx


async def poll_telegram(channel: TelegramChannel, services: Services) -> None:
    """Polling mode, for a laptop with no public URL: updates take the webhook's path."""
    offset: int | None = None
    deleted = False
    while True:
        try:
            if not deleted:
                await channel.delete_webhook()
                deleted = True
            updates = await channel.poll_once(offset, timeout=25)
            for payload in updates:
                update_id = payload.get("update_id")
                try:
                    item = channel.inbox_item(payload)
                    check_item(item)
                except (BadUpdate, Unstorable) as exc:
                    # The webhook would answer 400; here the update is skipped, or polling
                    # would fetch it again forever.
                    log.warning("telegram: update %s refused: %s", update_id, exc)
                else:
                    await services.writer.store(item)  # a database outage: polled again
                if isinstance(update_id, int):
                    offset = update_id + 1
        except Exception as exc:
            services.health.failing("telegram-poller", exc)
            log.exception("telegram polling failed; retrying in 5 s")
            await asyncio.sleep(5)
            continue
        services.health.ok("telegram-poller")
