"""`lapor serve`: check the schema, say plainly which channels are on, then run the web app."""

from __future__ import annotations

import asyncio
import sys

from aiohttp import web
from sqlalchemy.engine import make_url

from bot import notices
from bot.app import make_app
from bot.config import Settings
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
    lines.append(notices.CHANNEL_OFF.format(name="WhatsApp", how=notices.WHATSAPP_HOW))
    return lines


def banner(settings: Settings) -> str:
    text = notices.BANNER.format(
        host=settings.http_host,
        port=settings.http_port,
        database=make_url(settings.database_url).render_as_string(hide_password=True),
        channels="\n".join(channel_lines(settings)),
    )
    if not settings.telegram_enabled and not settings.whatsapp_enabled:
        text += "\n\n" + notices.TRY_NOW
    return text


def serve(settings: Settings) -> int:
    found = asyncio.run(current_revision(settings.database_url, schema=settings.database_schema))
    head = head_revision()
    if found != head:
        database = make_url(settings.database_url).render_as_string(hide_password=True)
        print(
            notices.NOT_MIGRATED.format(database=database, found=found, head=head), file=sys.stderr
        )
        return 2
    print(banner(settings), flush=True)
    web.run_app(make_app(settings), host=settings.http_host, port=settings.http_port, print=None)
    return 0
