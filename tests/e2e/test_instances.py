"""Two `lapor serve` processes on one PostgreSQL behind one webhook URL, one killed by SIGKILL in
the middle of a burst: no update lost or processed twice, no message sent twice, order kept per
chat. Telegram retries an update whose POST failed, as here (to the instance still up)."""

from __future__ import annotations

import asyncio
import os
import re
import signal
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import sqlalchemy as sa

from db.engine import make_engine
from tests.conftest import Database
from tests.e2e.telegram_world import SECRET, catalog_with_staff_chats, settings_for
from tests.e2e.test_crash_recovery import free_port, serve
from tests.fakes.telegram_api import TOKEN, FakeBotApi

CHATS, PER_CHAT = 30, 8
REF = re.compile(r"KDR-26-(\d{6})")


def update(chat: int, n: int) -> dict[str, Any]:
    """The n-th update of a chat: `status KDR-26-…` whose number says which it was, so each
    reply names the update it answers."""
    user = {"id": 700000 + chat, "is_bot": False, "first_name": "Warga"}
    number = chat * 100 + n
    return {
        "update_id": 840000000 + number,
        "message": {
            "message_id": n + 1,
            "from": user,
            "chat": {"id": user["id"], "type": "private"},
            "date": 1767236400 + number,
            "text": f"status KDR-26-{number:06d}",
        },
    }


async def post_until_acked(
    http: aiohttp.ClientSession, urls: list[str], body: dict[str, Any], first: int
) -> None:
    """Telegram's way: an update not answered 200 is sent again until it is."""
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    for attempt in range(200):
        url = urls[(first + attempt) % len(urls)]
        try:
            async with http.post(url, json=body, headers=headers) as resp:
                if resp.status == 200:
                    return
        except (TimeoutError, aiohttp.ClientError):
            pass
        await asyncio.sleep(0.05)
    raise AssertionError(f"update {body['update_id']} was never acknowledged")


async def test_two_instances_one_killed_mid_burst(database: Database, tmp_path: Path) -> None:
    if database.backend != "postgres":
        pytest.skip("several instances share one PostgreSQL")
    async with FakeBotApi() as api:
        await settings_for(database, api, tmp_path)  # migrates
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WHATSAPP_"))}
        env.update(
            DATABASE_URL=database.url,
            DATABASE_SCHEMA=database.schema or "",
            CATALOG_PATH=str(catalog_with_staff_chats(tmp_path)),
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=api.base_url,
            TELEGRAM_WEBHOOK_SECRET=SECRET,
            PUBLIC_BASE_URL="https://lapor.example.test",
            LOG_LEVEL="WARNING",
            QUEUE_LEASE_SECONDS="3",  # a killed instance's claims come back after this
            SLA_SWEEP_SECONDS="0",
        )
        ports = [free_port(), free_port()]
        survivor = await serve({**env, "HTTP_PORT": str(ports[0])})  # first up: it sends
        victim = await serve({**env, "HTTP_PORT": str(ports[1])})
        urls = [f"http://127.0.0.1:{p}/telegram/webhook" for p in ports]
        acked = 0
        third = asyncio.Event()

        async def chat(c: int) -> None:
            nonlocal acked
            async with aiohttp.ClientSession() as http:
                for n in range(PER_CHAT):  # one chat's updates in order, to either instance
                    await post_until_acked(http, urls, update(c, n), first=c + n)
                    acked += 1
                    if acked >= CHATS * PER_CHAT // 3:
                        third.set()

        try:
            burst = asyncio.gather(*(chat(c) for c in range(CHATS)))
            await third.wait()
            victim.send_signal(signal.SIGKILL)
            await victim.wait()
            await burst
            replies = await until_all_replied(api, database)
        finally:
            for proc in (survivor, victim):
                if proc.returncode is None:
                    proc.terminate()
                    await proc.wait()
        assert len(replies) == CHATS * PER_CHAT  # none lost
        counts = Counter(replies)
        assert max(counts.values()) == 1, [k for k, v in counts.items() if v > 1]  # none twice
        for c in range(CHATS):
            mine = [number for chat_id, number in replies if chat_id == 700000 + c]
            assert mine == sorted(mine), f"chat {c} got its answers out of order: {mine}"


async def until_all_replied(api: FakeBotApi, database: Database) -> list[tuple[int, int]]:
    engine = make_engine(database.url, schema=database.schema)
    try:
        for _ in range(600):
            async with engine.connect() as conn:
                left = await conn.scalar(
                    sa.text(
                        "SELECT (SELECT count(*) FROM inbox WHERE done_at IS NULL)"
                        " + (SELECT count(*) FROM outbox WHERE sent_at IS NULL"
                        " AND failed_at IS NULL)"
                    )
                )
                stored = await conn.scalar(sa.text("SELECT count(*) FROM inbox"))
            if not left and stored == CHATS * PER_CHAT:
                break
            await asyncio.sleep(0.1)
        async with engine.connect() as conn:
            outbox = await conn.scalar(sa.text("SELECT count(*) FROM outbox"))
    finally:
        await engine.dispose()
    assert outbox == CHATS * PER_CHAT  # each update decided once: one answer each
    replies = []
    for message in api.sent:
        found = REF.search(message.get("text") or "")
        assert found, message
        replies.append((int(message["chat_id"]), int(found.group(1))))
    return replies
