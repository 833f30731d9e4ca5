"""HTTP routes: webhooks store and acknowledge; nothing here decides anything."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging

import sqlalchemy as sa
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, Counter, generate_latest

from bot.channels import whatsapp
from bot.channels.base import InboxItem
from bot.channels.storable import Body, Unstorable, check_item, load
from bot.channels.telegram import BadUpdate, check_secret
from bot.web.keys import SERVICES, TELEGRAM, WHATSAPP
from db import queue

log = logging.getLogger(__name__)

WEBHOOK_UPDATES = Counter(
    "lapor_webhook_updates_total", "Webhook requests by channel and outcome", ["channel", "outcome"]
)


def setup_routes(app: web.Application) -> None:
    app.router.add_post("/telegram/webhook", telegram_webhook)
    app.router.add_get("/whatsapp/webhook", whatsapp_verify)
    app.router.add_post("/whatsapp/webhook", whatsapp_webhook)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/", index)


@functools.cache
def counted(channel: str, outcome: str) -> Counter:
    """The counter of one channel's outcome (looked up once: every webhook counts)."""
    return WEBHOOK_UPDATES.labels(channel, outcome)


def json_object(body: bytes, channel: str) -> Body:
    """The body as a JSON object, or 400: not JSON, not an object, nested too deep to store."""
    try:
        loaded = load(body)
    except Unstorable as exc:
        counted(channel, "bad_json").inc()
        raise web.HTTPBadRequest(text=str(exc)) from None
    if not isinstance(loaded.value, dict):
        counted(channel, "bad_json").inc()
        raise web.HTTPBadRequest(text="body is not a JSON object")
    return loaded


def storable(
    items: list[InboxItem], channel: str, *, plain_body: bool = False
) -> tuple[list[InboxItem], list[str]]:
    """The items the inbox can store, and why each other one can never be stored."""
    good, refused = [], []
    for item in items:
        try:
            check_item(item, plain_body=plain_body)
        except Unstorable as exc:
            refused.append(str(exc))
            continue
        good.append(item)
    if refused:
        counted(channel, "unstorable").inc(len(refused))
        log.warning("%s: %d update(s) refused: %s", channel, len(refused), "; ".join(refused))
    return good, refused


async def telegram_webhook(request: web.Request) -> web.Response:
    """Answer 200 only after the commit: Telegram retries anything else; the inbox dedupes."""
    channel = request.app.get(TELEGRAM)
    if channel is None:
        raise web.HTTPNotFound(text="the Telegram channel is off")
    settings = request.app[SERVICES].settings
    secret = settings.telegram_webhook_secret
    header = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
    if not check_secret(header, secret.get_secret_value() if secret else None):
        counted("telegram", "forbidden").inc()
        raise web.HTTPForbidden(text="wrong secret token")
    body = json_object(await request.read(), "telegram")
    try:
        item = channel.inbox_item(body.value)
    except BadUpdate as exc:
        counted("telegram", "bad_update").inc()
        raise web.HTTPBadRequest(text=str(exc)) from None
    _, refused = storable([item], "telegram", plain_body=body.plain)
    if refused:
        raise web.HTTPBadRequest(text=f"update cannot be stored: {refused[0]}")
    if body.text is not None:  # the update is the whole body: stored as received
        item = dataclasses.replace(item, raw=body.text)
    is_new = await request.app[SERVICES].writer.store(item)
    counted("telegram", "stored" if is_new else "duplicate").inc()
    return web.Response(text="ok")


async def whatsapp_verify(request: web.Request) -> web.Response:
    """Meta's subscription check: echo `hub.challenge` only when it carries our verify token."""
    if request.app.get(WHATSAPP) is None:
        raise web.HTTPNotFound(text="the WhatsApp channel is off")
    token = request.app[SERVICES].settings.whatsapp_verify_token
    challenge = whatsapp.verify_challenge(
        request.query, token.get_secret_value() if token else None
    )
    if challenge is None:
        counted("whatsapp", "forbidden").inc()
        raise web.HTTPForbidden(text="wrong verify token")
    return web.Response(text=challenge, content_type="text/plain")


async def whatsapp_webhook(request: web.Request) -> web.Response:
    """Signature before JSON; 200 only once every message and status in the POST is committed.

    No signature header is 401, a wrong one 403 (as pywa does): Meta retries anything but 200
    for about a day, and the inbox stores each wamid once, so a retried POST is answered once.
    """
    if request.app.get(WHATSAPP) is None:
        raise web.HTTPNotFound(text="the WhatsApp channel is off")
    services = request.app[SERVICES]
    secret = services.settings.whatsapp_app_secret
    body = await request.read()
    header = request.headers.get(whatsapp.SIGNATURE_HEADER)
    if not header:
        counted("whatsapp", "unsigned").inc()
        raise web.HTTPUnauthorized(text=f"{whatsapp.SIGNATURE_HEADER} is missing")
    if not whatsapp.check_signature(body, header, secret.get_secret_value() if secret else ""):
        counted("whatsapp", "forbidden").inc()
        raise web.HTTPForbidden(text="wrong signature")
    loaded = json_object(body, "whatsapp")
    split = whatsapp.inbox_items(loaded.value)
    items, refused = storable(split.items, "whatsapp", plain_body=loaded.plain)
    if refused and not items:
        raise web.HTTPBadRequest(text=f"nothing in this POST can be stored: {refused[0]}")
    # What can be stored is: the good messages of a POST are not lost for a bad neighbour,
    # and Meta sending the POST again would not make the bad one storable.
    results = await asyncio.gather(*(services.writer.store(item) for item in items))
    new = sum(results)
    counted("whatsapp", "stored").inc(new)
    counted("whatsapp", "duplicate").inc(len(results) - new)
    counted("whatsapp", "system_error").inc(split.errors)
    counted("whatsapp", "ignored").inc(split.ignored)
    if refused:
        return web.Response(text=f"ok; {len(refused)} refused: {'; '.join(refused)}")
    return web.Response(text="ok")


async def healthz(request: web.Request) -> web.Response:
    """503, saying which, when the database does not answer, a background loop is down or
    failing, or the oldest update or message still waiting is older than HEALTH_MAX_AGE_SECONDS
    (a loop that runs but gets nowhere). It names the instance and the channels it sends for
    (one instance per channel sends; see `bot/queue/election.py`)."""
    services = request.app[SERVICES]
    try:
        async with services.sessions() as session:
            await session.execute(sa.text("SELECT 1"))
    except Exception:
        log.exception("health check: database does not answer")
        return web.json_response({"status": "error", "database": "down"}, status=503)
    problems: dict[str, str] = dict(services.health.problems())
    try:
        async with services.sessions() as session:
            oldest = await queue.oldest_pending(
                session,
                channels=sorted(services.channels),
                max_attempts=services.worker.max_attempts,
            )
    except Exception as exc:
        oldest = {}
        problems["queues"] = f"cannot be read: {type(exc).__name__}"
    now = services.worker.clock()
    limit = services.settings.health_max_age_seconds
    for name, since in oldest.items():
        if since is not None and (now - since).total_seconds() > limit:
            age = int((now - since).total_seconds())
            problems[name] = f"oldest pending row waits {age} s (limit {limit} s)"
    dispatcher = services.dispatcher
    channels = sorted(services.channels)
    body: dict[str, object] = {
        "status": "error" if problems else "ok",
        "database": "up",
        "channels": channels,
        # which instance answered (its claims carry this id), and whether it is the one sending
        "instance": dispatcher.owner,
        "sends_for": dispatcher.election.holding(channels) if dispatcher.election else channels,
    }
    if problems:
        body["problems"] = problems
    return web.json_response(body, status=503 if problems else 200)


async def metrics(_request: web.Request) -> web.Response:
    return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})


async def index(request: web.Request) -> web.Response:
    channels = ", ".join(sorted(request.app[SERVICES].channels)) or "none"
    return web.Response(text=f"Lapor is running. Channels on: {channels}. Health: /healthz\n")
