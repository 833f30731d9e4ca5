"""Two `lapor serve` processes on one PostgreSQL, both sweeping every second: every SLA alert of
a month-old unanswered report reaches Telegram once, and nothing more comes of a later sweep."""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot.jobs import run_sweep
from db.engine import make_engine, make_sessions
from db.migrate import upgrade
from db.tables import OutboxRow, SlaAlert
from tests.conftest import Database
from tests.e2e.test_crash_recovery import free_port, serve
from tests.fakes.telegram_api import TOKEN, FakeBotApi
from tests.sla.conftest import (
    CATALOG_YAML,
    PUPR_CHAT,
    PUPR_HEAD_CHAT,
    SEKDA_CHAT,
    SUPERVISORS_CHAT,
    make_ctx,
    report,
)

TICKETS = 10  # Telegram allows a group 20 messages a minute; each chat gets one per ticket


def distinct(messages: list[dict[str, Any]]) -> set[tuple[int, str]]:
    return {(m["chat_id"], m["text"]) for m in messages}


async def wait_for_distinct(api: FakeBotApi, n: int) -> set[tuple[int, str]]:
    """Until `n` different messages arrived (90 s at most: two services start up first)."""
    async with asyncio.timeout(90):
        while len(distinct(api.sent)) < n:
            await api.wait_for_sent(len(api.sent) + 1, timeout=90)
    return distinct(api.sent)


async def test_two_instances_send_every_sla_alert_once(database: Database, tmp_path: Path) -> None:
    if database.backend != "postgres":
        pytest.skip("instances share a PostgreSQL; SQLite is the one-process default")
    await upgrade(database.url, schema=database.schema)
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(CATALOG_YAML, encoding="utf-8")
    ctx = make_ctx()
    engine = make_engine(database.url, schema=database.schema)
    sessions = make_sessions(engine)
    procs = []
    async with FakeBotApi() as api:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WHATSAPP_"))}
        env.update(
            DATABASE_URL=database.url,
            DATABASE_SCHEMA=database.schema or "",
            CATALOG_PATH=str(catalog),
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=api.base_url,
            TELEGRAM_WEBHOOK_SECRET="sla-instances-webhook-secret",  # webhook mode needs one
            SLA_SWEEP_SECONDS="1",
            LOG_LEVEL="WARNING",
        )
        try:
            for _ in range(2):
                procs.append(await serve({**env, "HTTP_PORT": str(free_port())}))
            month_ago = datetime.now(ZoneInfo("Asia/Jakarta")) - timedelta(days=30)
            for _ in range(TICKETS):  # both instances are sweeping as these arrive
                await report(sessions, ctx, "PUPR", month_ago)
            sent = await wait_for_distinct(api, 4 * TICKETS)
            again = await run_sweep(sessions, ctx, datetime.now(ZoneInfo("Asia/Jakarta")))
        finally:
            for proc in procs:
                proc.terminate()
                await proc.wait()
        # Each alert was decided once: one claim, one outbox row, whichever instance won it.
        async with sessions() as session:
            count = sa.select(sa.func.count())
            rows = (await session.execute(count.select_from(OutboxRow))).scalar()
            claims = (await session.execute(count.select_from(SlaAlert))).scalar()
        assert rows == claims == 4 * TICKETS
        assert again.alerts == []  # and a later sweep finds nothing left to say
        # Every one reached its chat. (That the two dispatchers never send one outbox row
        # twice is the outbox's claim across instances, bot/queue/outbox.py, not the sweep's.)
        delivered = Counter(chat for chat, _ in sent)
        chats = (PUPR_CHAT, SUPERVISORS_CHAT, PUPR_HEAD_CHAT, SEKDA_CHAT)
        assert delivered == dict.fromkeys(chats, TICKETS)
    await engine.dispose()
