"""Kill Lapor with SIGKILL in the middle of a burst: every acknowledged update is processed after
the restart. A 200 is a promise; this is the test that it is kept."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path
from typing import Any

import aiohttp
import sqlalchemy as sa
from sqlmodel import col

from db.engine import make_engine, make_sessions
from db.tables import InboxRow
from tests.conftest import Database
from tests.e2e.telegram_world import SECRET, catalog_with_staff_chats, settings_for
from tests.fakes.telegram_api import TOKEN, FakeBotApi

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def update(n: int) -> dict[str, Any]:
    user = {"id": 600000 + n % 40, "is_bot": False, "first_name": "Warga"}
    return {
        "update_id": 830000000 + n,
        "message": {
            "message_id": n,
            "from": user,
            "chat": {"id": user["id"], "type": "private"},
            "date": 1767236400 + n,
            "text": "jalan berlubang di depan rumah" if n % 2 else "sampah belum diangkut",
        },
    }


async def serve(env: dict[str, str]) -> asyncio.subprocess.Process:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "serve",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{env['HTTP_PORT']}/healthz"
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            try:
                async with http.get(url) as resp:
                    if resp.status == 200:
                        return proc
            except aiohttp.ClientError:
                await asyncio.sleep(0.1)
    raise AssertionError("lapor serve did not come up")


async def burst(
    port: int, updates: list[dict[str, Any]], acked: set[int], enough: asyncio.Event, kill_at: int
) -> None:
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    queue = list(reversed(updates))
    async with aiohttp.ClientSession() as http:

        async def client() -> None:
            while queue:
                body = queue.pop()
                try:
                    async with http.post(url, json=body, headers=headers) as resp:
                        if resp.status == 200:
                            acked.add(body["update_id"])
                            if len(acked) >= kill_at:
                                enough.set()
                except (TimeoutError, aiohttp.ClientError):
                    return  # the server died under us

        await asyncio.gather(*(client() for _ in range(16)))


async def test_every_acknowledged_update_survives_a_kill(
    database: Database, tmp_path: Path
) -> None:
    async with FakeBotApi() as api:
        await settings_for(database, api, tmp_path)  # migrates
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WHATSAPP_"))}
        env.update(
            DATABASE_URL=database.url,
            CATALOG_PATH=str(catalog_with_staff_chats(tmp_path)),
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=api.base_url,
            TELEGRAM_WEBHOOK_SECRET=SECRET,
            PUBLIC_BASE_URL="https://lapor.example.test",
            HTTP_PORT=str(port),
            LOG_LEVEL="WARNING",
        )
        if database.schema:
            env["DATABASE_SCHEMA"] = database.schema
        acked: set[int] = set()
        proc = await serve(env)
        enough = asyncio.Event()
        updates = [update(n) for n in range(600)]
        sender = asyncio.create_task(burst(port, updates, acked, enough, kill_at=150))
        await enough.wait()
        proc.send_signal(signal.SIGKILL)
        await proc.wait()
        await sender
        assert 150 <= len(acked) < 600  # killed mid-burst

        proc = await serve(env)  # the restart
        engine = make_engine(database.url, schema=database.schema)
        sessions = make_sessions(engine)
        try:
            for _ in range(600):
                async with sessions() as session:
                    done = set(
                        (
                            await session.execute(
                                sa.select(col(InboxRow.external_id)).where(
                                    col(InboxRow.done_at).is_not(None)
                                )
                            )
                        ).scalars()
                    )
                if {str(u) for u in acked} <= done:
                    break
                await asyncio.sleep(0.1)
            assert {str(u) for u in acked} <= done, f"{len(acked - {int(d) for d in done})} lost"
        finally:
            proc.terminate()
            await proc.wait()
            await engine.dispose()
