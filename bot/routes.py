"""HTTP routes: webhooks store and acknowledge; nothing here decides anything."""

from __future__ import annotations

import json
import logging
from typing import Any

import sqlalchemy as sa
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, Counter, generate_latest

from bot.channels.telegram import BadUpdate, check_secret
from bot.keys import SERVICES, TELEGRAM

log = logging.getLogger(__name__)

WEBHOOK_UPDATES = Counter(
    "lapor_webhook_updates_total", "Webhook requests by channel and outcome", ["channel", "outcome"]
)


def setup_routes(app: web.Application) -> None:
    app.router.add_post("/telegram/webhook", telegram_webhook)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/", index)


async def read_json(request: web.Request, channel: str) -> dict[str, Any]:
    try:
        payload = json.loads(await request.read())
    except (ValueError, UnicodeDecodeError):
        WEBHOOK_UPDATES.labels(channel, "bad_json").inc()
        raise web.HTTPBadRequest(text="body is not JSON") from None
    if not isinstance(payload, dict):
        WEBHOOK_UPDATES.labels(channel, "bad_json").inc()
        raise web.HTTPBadRequest(text="body is not a JSON object")
    return payload


async def telegram_webhook(request: web.Request) -> web.Response:
    """Answer 200 only after the commit: Telegram retries anything else; the inbox dedupes."""
    channel = request.app.get(TELEGRAM)
    if channel is None:
        raise web.HTTPNotFound(text="the Telegram channel is off")
    settings = request.app[SERVICES].settings
    secret = settings.telegram_webhook_secret
    header = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
    if not check_secret(header, secret.get_secret_value() if secret else None):
        WEBHOOK_UPDATES.labels("telegram", "forbidden").inc()
        raise web.HTTPForbidden(text="wrong secret token")
    payload = await read_json(request, "telegram")
    try:
        item = channel.inbox_item(payload)
    except BadUpdate as exc:
        WEBHOOK_UPDATES.labels("telegram", "bad_update").inc()
        raise web.HTTPBadRequest(text=str(exc)) from None
    is_new = await request.app[SERVICES].writer.store(item)
    WEBHOOK_UPDATES.labels("telegram", "stored" if is_new else "duplicate").inc()
    return web.Response(text="ok")


async def healthz(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    try:
        async with services.sessions() as session:
            await session.execute(sa.text("SELECT 1"))
    except Exception:
        log.exception("health check: database does not answer")
        return web.json_response({"status": "error", "database": "down"}, status=503)
    return web.json_response(
        {"status": "ok", "database": "up", "channels": sorted(services.channels)}
    )


async def metrics(_request: web.Request) -> web.Response:
    return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})


async def index(request: web.Request) -> web.Response:
    channels = ", ".join(sorted(request.app[SERVICES].channels)) or "none"
    return web.Response(text=f"Lapor is running. Channels on: {channels}. Health: /healthz\n")
