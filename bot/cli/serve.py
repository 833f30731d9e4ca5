"""`lapor serve`: check the schema, say plainly which channels are on, then run the web app."""

from __future__ import annotations

import asyncio
import gc
import logging
import sys

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from bot.channels.base import StartError
from bot.cli import notices
from bot.config import Settings
from bot.logmask import mask_text
from bot.web.app import make_app
from bot.web.keys import SERVICES
from db.engine import display_url
from db.migrate import current_revision, head_revision

log = logging.getLogger(__name__)


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
    """Run until stopped. A failure at start is one plain line on stderr and exit 1: the
    traceback only with LOG_LEVEL=DEBUG, through the log filter that masks secrets."""
    database = display_url(settings.database_url)
    try:
        found = asyncio.run(
            current_revision(settings.database_url, schema=settings.database_schema)
        )
    except (OSError, SQLAlchemyError) as exc:
        return start_failed(notices.DATABASE_UNREACHABLE.format(database=database, error=kind(exc)))
    head = head_revision()
    if found != head:
        print(
            notices.NOT_MIGRATED.format(database=database, found=found, head=head), file=sys.stderr
        )
        return 2
    app = make_app(settings)
    app.on_startup.append(_freeze_startup_objects)
    try:
        return asyncio.run(run_service(app, settings))
    except (web.GracefulExit, KeyboardInterrupt):
        return 0
    except StartError as exc:
        return start_failed(str(exc))
    except OSError as exc:  # the port is taken, or the host is not this machine's
        where = f"{settings.http_host}:{settings.http_port}"
        return start_failed(notices.CANNOT_LISTEN.format(where=where, error=kind(exc)))


async def run_service(app: web.Application, settings: Settings) -> int:
    """`web.run_app`, except that a failed start-up still closes what had started (run_app
    leaves the contexts entered before the failure open, and the loop's shutdown then fails
    loudly on them), and the banner comes only once every channel and the port are up.

    Runs until SIGINT or SIGTERM (GracefulExit: exit 0) or until a background loop ends on
    its own (exit 1, so that systemd's `Restart=on-failure` starts a fresh process)."""
    runner = web.AppRunner(app, handle_signals=True)
    try:
        await runner.setup()
        await web.TCPSite(runner, settings.http_host, settings.http_port).start()
        print(banner(settings), flush=True)
        await app[SERVICES].fatal.wait()
        print(notices.LOOP_DIED, file=sys.stderr, flush=True)
        return 1
    finally:
        await runner.cleanup()


def kind(exc: BaseException) -> str:
    """What went wrong in a few words: the OS's reason, else the exception's type."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return type(exc).__name__


def start_failed(reason: str) -> int:
    log.debug("start-up failed", exc_info=True)
    print(notices.START_FAILED.format(reason=mask_text(reason)), file=sys.stderr, flush=True)
    return 1
