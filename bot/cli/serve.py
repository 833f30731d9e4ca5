"""`lapor serve`: check the schema, say plainly which channels are on, then run the web app."""

from __future__ import annotations

import asyncio
import gc
import sys

from aiohttp import web

from bot.cli import notices
from bot.config import Settings
from bot.web.app import make_app
from db.engine import display_url
from db.migrate import current_revision, head_revision


def channel_lines(settings: Settings) -> list[str]:
    lines = []
    if settings.telegram_enabled:
        if settings.telegram_mode == "polling":
            detail = notices.TELEGRAM_POLLING
        elif settings.public_base_url:
            detail = notices.TELEGRAM_WEBHOOK.format(url=settings.public_base_url.rstrip("/"))
        else:
            detail = notices.TELEGRAM_WEBHOOK_NO_URL
        lines.append(notices.CHANNEL_ON.format(name="Telegram", detail=detail))
    else:
        lines.append(notices.CHANNEL_OFF.format(name="Telegram", how=notices.TELEGRAM_HOW))
    if settings.whatsapp_enabled:
        if settings.public_base_url:
            url = settings.public_base_url.rstrip("/")
            detail = notices.WHATSAPP_WEBHOOK.format(url=url)
        else:
            detail = notices.WHATSAPP_WEBHOOK_NO_URL
        lines.append(notices.CHANNEL_ON.format(name="WhatsApp", detail=detail))
    else:
        lines.append(notices.CHANNEL_OFF.format(name="WhatsApp", how=notices.WHATSAPP_HOW))
    return lines


def banner(settings: Settings) -> str:
    text = notices.BANNER.format(
        host=settings.http_host,
        port=settings.http_port,
        database=display_url(settings.database_url),
        channels="\n".join(channel_lines(settings)),
    )
    if not settings.telegram_enabled and not settings.whatsapp_enabled:
        text += "\n\n" + notices.TRY_NOW
    return text


async def _freeze_startup_objects(_app: web.Application) -> None:
    """Keep the garbage collector off what start-up built (modules, catalog, router tables).

    A full collection that walks them pauses the event loop for tens of milliseconds: every
    webhook waiting for its 200 feels it. Freezing what exists after start-up, and collecting
    young objects less often, keeps pauses short; nothing that start-up built is garbage.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)


def serve(settings: Settings) -> int:
    found = asyncio.run(current_revision(settings.database_url, schema=settings.database_schema))
    head = head_revision()
    if found != head:
        database = display_url(settings.database_url)
        print(
            notices.NOT_MIGRATED.format(database=database, found=found, head=head), file=sys.stderr
        )
        return 2
    print(banner(settings), flush=True)
    app = make_app(settings)
    app.on_startup.append(_freeze_startup_objects)
    web.run_app(app, host=settings.http_host, port=settings.http_port, print=None)
    return 0
