"""`lapor failures`: what could not be sent or processed, for an operator at 7 a.m."""

from __future__ import annotations

import asyncio

from bot.config import Settings
from bot.logmask import mask_text
from bot.queue.inbox import InboxWorker
from db import queue
from db.engine import make_engine, make_sessions
from handlers.texts import shorten

INBOX_MAX_ATTEMPTS = InboxWorker.max_attempts


def run(settings: Settings) -> int:
    lines = asyncio.run(_lines(settings))
    print("\n".join(lines))
    return 1 if len(lines) > 2 else 0


async def _lines(settings: Settings) -> list[str]:
    engine = make_engine(settings.database_url, schema=settings.database_schema)
    try:
        async with make_sessions(engine)() as session:
            dead = await queue.failed_outbox(session)
            stuck = await queue.stuck_inbox(session, max_attempts=INBOX_MAX_ATTEMPTS)
    finally:
        await engine.dispose()
    lines = [f"Messages given up (outbox dead letters): {len(dead)}"]
    for row in dead:
        when = row.failed_at.isoformat(timespec="minutes") if row.failed_at else "?"
        lines.append(
            f"  #{row.id} {when} {row.channel} to {mask_text(row.chat_id)}"
            f" {row.ticket_ref or ''} after {row.attempts} tries: {_short(row.last_error)}"
        )
    lines.append(f"Updates not processed (inbox, {INBOX_MAX_ATTEMPTS} tries): {len(stuck)}")
    for item in stuck:
        lines.append(
            f"  #{item.id} {item.received_at.isoformat(timespec='minutes')} {item.channel}"
            f" {mask_text(item.chat_key)}: {_short(item.error)}"
        )
    return lines


def _short(text: str | None, limit: int = 160) -> str:
    return shorten(mask_text((text or "").replace("\n", " ")), limit)
