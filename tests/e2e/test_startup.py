"""`lapor serve` that cannot start says so in one plain line, and no log line holds a secret.

The real command in a subprocess, against the fake Bot API and Graph API on loopback.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

from db.migrate import upgrade
from tests.conftest import Database
from tests.fakes.graph_api import FakeGraphApi
from tests.fakes.telegram_api import FakeBotApi

ROOT = Path(__file__).resolve().parents[2]
# Shaped like a real token (digits:35 characters), so only Lapor's own masking can hide it.
WRONG_TOKEN = "7000000002:AAHk3vQ9xTfLrB2mZc8WnYp4sDe6gJu1oKi"
WHATSAPP_TOKEN = "EAAGwrongTokenThatMetaWillRefuse0123456789"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def serve(database: Database, **env: str) -> tuple[int, str]:
    """Run `lapor serve` until it exits (it must: start-up fails); its exit code and output."""
    await upgrade(database.url, schema=database.schema)
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WHATSAPP_"))}
    environ |= {"DATABASE_URL": database.url, "HTTP_PORT": str(free_port()), **env}
    if database.schema:
        environ["DATABASE_SCHEMA"] = database.schema
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "serve",
        cwd=ROOT,
        env=environ,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode is not None
    return proc.returncode, out.decode()


async def test_a_rejected_telegram_token_is_one_line_without_the_token(
    database: Database,
) -> None:
    async with FakeBotApi() as api:  # it knows another token
        code, out = await serve(
            database,
            TELEGRAM_BOT_TOKEN=WRONG_TOKEN,
            TELEGRAM_API_BASE_URL=api.base_url,
            TELEGRAM_MODE="polling",
        )
    assert code == 1
    assert "rejected TELEGRAM_BOT_TOKEN" in out and "@BotFather" in out
    assert "Traceback" not in out and "[on]" not in out  # nothing claims the channel is on
    assert len(out.strip().splitlines()) == 1, out
    assert WRONG_TOKEN not in out and WRONG_TOKEN.split(":")[1] not in out


async def test_webhook_mode_without_a_secret_refuses_to_start(database: Database) -> None:
    async with FakeBotApi() as api:
        code, out = await serve(
            database,
            TELEGRAM_BOT_TOKEN=api.token,
            TELEGRAM_API_BASE_URL=api.base_url,
            TELEGRAM_MODE="webhook",
            PUBLIC_BASE_URL="https://lapor.example.test",
        )
    assert code == 1
    assert "TELEGRAM_WEBHOOK_SECRET is not set" in out and "polling" in out
    assert "Traceback" not in out and len(out.strip().splitlines()) == 1, out
    assert api.attempts == [], "refused before talking to Telegram"


async def test_an_unreachable_telegram_api_is_one_line(database: Database) -> None:
    code, out = await serve(
        database,
        TELEGRAM_BOT_TOKEN=WRONG_TOKEN,
        TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{free_port()}/bot",
        TELEGRAM_MODE="polling",
    )
    assert code == 1
    assert "cannot be reached" in out and "TELEGRAM_API_BASE_URL" in out
    assert "Traceback" not in out and len(out.strip().splitlines()) == 1, out
    assert WRONG_TOKEN.split(":")[1] not in out


async def test_with_debug_logging_the_traceback_comes_masked(database: Database) -> None:
    async with FakeBotApi() as api:
        code, out = await serve(
            database,
            TELEGRAM_BOT_TOKEN=WRONG_TOKEN,
            TELEGRAM_API_BASE_URL=api.base_url,
            TELEGRAM_MODE="polling",
            LOG_LEVEL="DEBUG",
        )
    assert code == 1 and "Traceback" in out and "rejected TELEGRAM_BOT_TOKEN" in out
    assert WRONG_TOKEN.split(":")[1] not in out  # in no log line, not even PTB's own


async def test_a_refused_whatsapp_token_is_one_line_without_the_token(
    database: Database,
) -> None:
    async with FakeGraphApi() as api:
        code, out = await serve(
            database,
            WHATSAPP_ACCESS_TOKEN=WHATSAPP_TOKEN,
            WHATSAPP_PHONE_NUMBER_ID=api.phone_number_id,
            WHATSAPP_APP_SECRET="app-secret-for-the-startup-test",
            WHATSAPP_VERIFY_TOKEN="verify-token-for-the-startup-test",
            WHATSAPP_API_BASE_URL=api.base_url,
        )
    assert code == 1 and "WhatsApp refused WHATSAPP_ACCESS_TOKEN" in out
    assert "Traceback" not in out and len(out.strip().splitlines()) == 1, out
    assert WHATSAPP_TOKEN not in out


async def test_an_unreachable_database_is_one_line(tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://lapor:s3cret-pw@127.0.0.1:{free_port()}/lapor"
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "serve",
        cwd=ROOT,
        env={**environ, "DATABASE_URL": url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out = (await asyncio.wait_for(proc.communicate(), timeout=60))[0].decode()
    assert proc.returncode == 1
    assert "cannot be reached" in out and "DATABASE_URL" in out and "Traceback" not in out
    assert "s3cret-pw" not in out
