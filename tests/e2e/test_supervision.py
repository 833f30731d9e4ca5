"""Background loops outlive their errors, `/healthz` says which loop is down and why, and a loop
that ends anyway ends the process with status 1 (systemd restarts it); SIGTERM is exit 0."""

from __future__ import annotations

import asyncio
import os
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from aiohttp import web

from bot.cli.serve import run_service
from bot.web.app import make_app
from bot.web.keys import SERVICES
from db.tables import InboxRow
from tests.conftest import Database
from tests.e2e.telegram_world import open_world, settings_for
from tests.e2e.test_crash_recovery import free_port, serve
from tests.fakes.telegram_api import TOKEN, FakeBotApi


async def health(world: Any) -> tuple[int, dict[str, Any]]:
    async with world.client.get("/healthz") as resp:
        return resp.status, await resp.json()


async def until(world: Any, status: int, problem: str | None = None) -> dict[str, Any]:
    for _ in range(200):
        found, body = await health(world)
        if found == status and (problem is None or problem in body.get("problems", {})):
            return body
        await asyncio.sleep(0.05)
    raise AssertionError(f"/healthz never answered {status}: {body}")


async def rename(world: Any, old: str, new: str) -> None:
    async with world.services.sessions.begin() as session:
        await session.execute(sa.text(f"ALTER TABLE {old} RENAME TO {new}"))


async def test_a_loop_survives_a_database_error_and_healthz_names_it(
    database: Database, tmp_path: Path
) -> None:
    async with FakeBotApi() as api:
        settings = await settings_for(database, api, tmp_path)
        world, client = await open_world(settings, api)
        try:
            assert (await health(world))[0] == 200
            await rename(world, "inbox", "inbox_away")  # every round of the worker fails now
            world.services.worker.wake()
            body = await until(world, 503, "inbox-worker")
            assert "inbox" in body["problems"]["inbox-worker"]  # the error says what failed
            await rename(world, "inbox_away", "inbox")
            await until(world, 200)
            assert await world.post(world.text("/start"), settle=False) == 200
            for _ in range(100):  # the running loops, not a drain, pick it up
                if world.to_resident():
                    break
                await asyncio.sleep(0.05)
            assert world.to_resident(), "the worker did not come back"
        finally:
            await client.close()


async def test_healthz_turns_503_when_an_update_waits_too_long(
    database: Database, tmp_path: Path
) -> None:
    async with FakeBotApi() as api:
        settings = await settings_for(database, api, tmp_path, health_max_age_seconds=60)
        world, client = await open_world(settings, api)
        try:
            now = datetime.now(UTC)
            async with world.services.sessions.begin() as session:  # failing, in its backoff
                session.add(
                    InboxRow(
                        channel="telegram",
                        external_id="1",
                        chat_key="telegram:1",
                        received_at=now - timedelta(minutes=5),
                        attempts=2,
                        next_attempt_at=now + timedelta(minutes=1),
                    )
                )
            status, body = await health(world)
            assert status == 503 and "inbox" in body["problems"]
        finally:
            await client.close()


async def test_a_loop_that_ends_ends_the_process_with_status_1(
    database: Database, tmp_path: Path
) -> None:
    async with FakeBotApi() as api:
        settings = await settings_for(database, api, tmp_path, http_port=free_port())
        app = make_app(settings)

        async def a_loop_dies(app: web.Application) -> None:
            async def broken() -> None:
                raise RuntimeError("a bug outside the loop's own guard")

            app[SERVICES].start_loop("broken", broken())

        app.on_startup.append(a_loop_dies)
        assert await asyncio.wait_for(run_service(app, settings), 30) == 1


async def test_sigterm_stops_serve_with_status_0(database: Database, tmp_path: Path) -> None:
    async with FakeBotApi() as api:
        await settings_for(database, api, tmp_path)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WHATSAPP_"))}
        env.update(
            DATABASE_URL=database.url,
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=api.base_url,
            TELEGRAM_WEBHOOK_SECRET="s" * 16,
            HTTP_PORT=str(free_port()),
            LOG_LEVEL="WARNING",
        )
        if database.schema:
            env["DATABASE_SCHEMA"] = database.schema
        proc = await serve(env)
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 30) == 0
