"""`lapor chat`: a resident's conversation with Lapor in the terminal, through the real pipeline."""

from __future__ import annotations

import asyncio
import getpass
from typing import TextIO

from bot.channels.console import ConsoleChannel
from bot.cli import notices
from bot.config import Settings
from bot.services import Services, open_services
from db.engine import display_url
from db.migrate import upgrade


async def chat(settings: Settings, stdin: TextIO, stdout: TextIO, *, city_db: bool = False) -> int:
    """On its own database (CHAT_DATABASE_URL) unless `city_db`: a try-out must not take the
    city's ticket numbers or reach its officers. `lapor serve` on the city's database never
    takes the console's rows anyway (each process takes only the channels it runs)."""
    if not city_db:
        settings = settings.model_copy(
            update={
                "database_url": settings.chat_database_url,
                "database_schema": settings.chat_database_schema,
            }
        )
    await upgrade(settings.database_url, schema=settings.database_schema)
    database = display_url(settings.database_url)
    stdout.write(notices.CHAT_INTRO.format(database=database))
    console = ConsoleChannel(stdout, user_id=f"console-{_user()}")
    async with open_services(settings) as services:
        services.add_channel(console)
        await say(services, console, "/start")
        while True:
            stdout.write("\nAnda: ")
            stdout.flush()
            line = await asyncio.to_thread(stdin.readline)
            if not line or line.strip().lower() in notices.CHAT_EXIT_WORDS:
                stdout.write("\n")
                return 0
            if line.strip():
                await say(services, console, line)


async def say(services: Services, console: ConsoleChannel, line: str) -> None:
    """One typed line: stored in the inbox, processed, and every reply sent, before the next."""
    await services.writer.store(console.inbox_item(line))
    await services.worker.drain()
    await services.dispatcher.drain()


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "warga"
