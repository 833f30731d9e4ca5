"""`lapor failures`: what could not be sent or processed, for an operator at 7 a.m.;
`--retry` puts it back in the queue once the cause is fixed."""

from __future__ import annotations

import asyncio
import re
import sys
from typing import Any

from bot.clock import system_clock
from bot.config import Settings
from bot.logmask import mask_text
from bot.queue.inbox import MAX_ATTEMPTS as INBOX_MAX_ATTEMPTS
from db import queue
from db.engine import make_engine, make_sessions
from handlers.texts import shorten


def run(settings: Settings) -> int:
    lines, any_failure = asyncio.run(_lines(settings))
    print("\n".join(lines))
    return 1 if any_failure else 0


def retry(settings: Settings, what: str) -> int:
    """`all`, `inbox:ID` or `outbox:ID`: parked updates are processed again, dead letters are
    sent again as new rows at the end of their chat's queue."""
    table, _, number = what.partition(":")
    if what != "all" and (table not in ("inbox", "outbox") or not number.isdigit()):
        print(f"--retry takes inbox:ID, outbox:ID or nothing (all), not {what!r}", file=sys.stderr)
        return 2
    ids = None if what == "all" else [int(number)]
    inbox, outbox = asyncio.run(_retry(settings, table if ids else "all", ids))
    print(f"Back in the queue: {inbox} updates, {outbox} messages")
    return 0 if inbox + outbox or ids is None else 1


async def _retry(settings: Settings, table: str, ids: list[int] | None) -> tuple[int, int]:
    engine = make_engine(settings.database_url, schema=settings.database_schema)
    try:
        async with make_sessions(engine).begin() as session:
            inbox = outbox = 0
            if table in ("all", "inbox"):
                inbox = await queue.retry_inbox(session, max_attempts=INBOX_MAX_ATTEMPTS, ids=ids)
            if table in ("all", "outbox"):
                outbox = await queue.requeue_outbox(session, now=system_clock(), ids=ids)
            return inbox, outbox
    finally:
        await engine.dispose()


async def _lines(settings: Settings) -> tuple[list[str], bool]:
    engine = make_engine(settings.database_url, schema=settings.database_schema)
    try:
        async with make_sessions(engine)() as session:
            dead = await queue.failed_outbox(session)
            stuck = await queue.stuck_inbox(session, max_attempts=INBOX_MAX_ATTEMPTS)
            blocked = await queue.blocked_residents(session)
    finally:
        await engine.dispose()
    lines = [f"Messages given up (outbox dead letters): {len(dead)}"]
    for row in dead:
        when = row.failed_at.isoformat(timespec="minutes") if row.failed_at else "?"
        lines.append(
            f"  outbox:{row.id} {when} {row.channel} to {_id(row.chat_id)} {_what(row.payload)}"
            f" {row.ticket_ref or ''} after {row.attempts} tries: {_short(row.last_error)}"
        )
    lines.append(f"Updates not processed (inbox, {INBOX_MAX_ATTEMPTS} tries): {len(stuck)}")
    for item in stuck:
        lines.append(
            f"  inbox:{item.id} {item.received_at.isoformat(timespec='minutes')} {item.channel}"
            f" {_id(item.external_id)} in {_id(item.chat_key)} ({_keys(item.payload)}):"
            f" {_short(item.error)}"
        )
    lines.append(f"Residents who blocked Lapor (not written to until they write again): {blocked}")
    if dead or stuck:
        lines.append("Fix the cause, then: lapor failures --retry [inbox:ID|outbox:ID]")
    return lines, bool(dead or stuck)


def _short(text: str | None, limit: int = 160) -> str:
    """One readable line: masked, whitespace collapsed, control characters (a terminal's
    escape sequences) and lone surrogates replaced, cut to `limit`."""
    flat = _CONTROL.sub("?", " ".join(mask_text(text or "").split()))
    return shorten(flat.encode("utf-8", "replace").decode("utf-8"), limit)


def _id(value: str, limit: int = 40) -> str:
    """An id or chat key as one short line (a BSUID or a 128-character id would fill a screen)."""
    return _short(value, limit) or "-"


def _what(payload: dict[str, Any]) -> str:
    """What kind of message it was, never its words (they may hold a resident's details)."""
    kind, purpose = payload.get("kind", "message"), payload.get("purpose")
    return _short(f"{kind}/{purpose}" if purpose else str(kind), 40)


def _keys(payload: dict[str, Any]) -> str:
    """Which kind of update it was (Telegram's field, WhatsApp's message or status)."""
    return _short(",".join(str(k) for k in list(payload)[:3]), 40) or "empty"


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
