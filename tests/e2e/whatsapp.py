"""Lapor as Meta sees it: `make_app()` on a migrated database, WhatsApp pointed at FakeGraphApi.

`Lapor` posts signed webhooks the way Meta does and acts as a resident on the other side:
`say`, `share_location` and `tap` (a button or list row, found by its title among the messages
FakeGraphApi recorded, answered with that message's wamid as `context.id`). `settle()` waits
for the inbox worker and the outbox dispatcher instead of sleeping.
"""

from __future__ import annotations

import contextlib
import itertools
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from bot.config import Settings
from bot.services import Services
from bot.web.app import make_app
from bot.web.keys import SERVICES
from db import migrate
from db.tables import InboxRow, OutboxRow
from tests.conftest import Database
from tests.fakes.graph_api import (
    APP_SECRET,
    PHONE_NUMBER_ID,
    VERIFY_TOKEN,
    FakeGraphApi,
    contact,
    message,
    sign,
    webhook,
)

SITI = "6281200000001"
SITI_BSUID = "ID.1000000000000001"
_WAMIDS = itertools.count(1)  # every message of a test run gets its own id, as on WhatsApp


def settings_for(database: Database, api: FakeGraphApi) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database.url,
        database_schema=database.schema,
        telegram_bot_token=None,
        whatsapp_access_token=SecretStr(api.token),
        whatsapp_phone_number_id=PHONE_NUMBER_ID,
        whatsapp_app_secret=SecretStr(APP_SECRET),
        whatsapp_verify_token=SecretStr(VERIFY_TOKEN),
        whatsapp_api_base_url=api.base_url,
    )


@dataclass
class Lapor:
    client: TestClient[web.Request, web.Application]
    api: FakeGraphApi
    wa_id: str = SITI
    bsuid: str | None = SITI_BSUID
    name: str = "Siti Warga"

    @property
    def services(self) -> Services:
        app = self.client.app
        assert app is not None
        return app[SERVICES]

    async def post(self, payload: Any, *, signature: str | None = "auto") -> int:
        """POST a webhook as Meta does; the HTTP status Lapor answered."""
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"}
        if signature == "auto":
            headers["X-Hub-Signature-256"] = sign(body)
        elif signature is not None:
            headers["X-Hub-Signature-256"] = signature
        async with self.client.post("/whatsapp/webhook", data=body, headers=headers) as resp:
            return resp.status

    async def settle(self) -> None:
        """Everything stored is processed, and everything decided is sent."""
        await self.services.worker.drain()
        await self.services.dispatcher.drain()

    def payload(self, kind: str, content: Any, **extra: Any) -> dict[str, Any]:
        wamid = f"wamid.E2E_{next(_WAMIDS):06d}"
        sent = message(self.wa_id, wamid, kind, content, **extra)
        if self.bsuid:
            sent["from_user_id"] = self.bsuid
        return webhook(contacts=[contact(self.wa_id, self.name, self.bsuid)], messages=[sent])

    async def send(self, payload: dict[str, Any]) -> list[str]:
        """Deliver one webhook and return the texts Lapor answered with."""
        before = len(self.api.sent)
        assert await self.post(payload) == 200
        await self.settle()
        return self.api.texts()[before:]

    async def say(self, text: str) -> list[str]:
        return await self.send(self.payload("text", {"body": text}))

    async def share_location(self, latitude: float, longitude: float) -> list[str]:
        location = {"latitude": latitude, "longitude": longitude}
        return await self.send(self.payload("location", location))

    def choice(self, title: str) -> tuple[str, str, str]:
        """(wamid of the message, reply kind, id) of the newest button or row titled `title`."""
        for body, wamid in reversed(list(zip(self.api.sent, self.api.wamids, strict=True))):
            interactive = body.get("interactive", {})
            action = interactive.get("action", {})
            for button in action.get("buttons", []):
                if button["reply"]["title"] == title:
                    return wamid, "button_reply", button["reply"]["id"]
            for section in action.get("sections", []):
                for row in section["rows"]:
                    if row["title"] == title:
                        return wamid, "list_reply", row["id"]
        raise AssertionError(f"no button {title!r} was offered; sent: {self.api.texts()}")

    def offered(self) -> list[str]:
        """The titles of the buttons or rows of the last interactive message."""
        action = self.api.interactive()["action"]
        if "buttons" in action:
            return [b["reply"]["title"] for b in action["buttons"]]
        return [r["title"] for s in action["sections"] for r in s["rows"]]

    def tap_payload(self, title: str) -> dict[str, Any]:
        wamid, kind, reply_id = self.choice(title)
        interactive = {"type": kind, kind: {"id": reply_id, "title": title}}
        context = {"from": "6281200000000", "id": wamid}
        return self.payload("interactive", interactive, context=context)

    async def tap(self, title: str) -> list[str]:
        return await self.send(self.tap_payload(title))

    async def count(self, table: type[InboxRow] | type[OutboxRow]) -> int:
        async with self.services.sessions() as session:
            result = await session.execute(sa.select(sa.func.count()).select_from(table))
            return int(result.scalar_one())

    async def outbox(self) -> list[OutboxRow]:
        async with self.services.sessions() as session:
            result = await session.execute(sa.select(OutboxRow).order_by(OutboxRow.id))  # type: ignore[arg-type]
            return list(result.scalars().all())

    def resident(self, wa_id: str, *, bsuid: str | None = None, name: str = "Warga") -> Lapor:
        """Another person writing to the same Lapor."""
        return Lapor(self.client, self.api, wa_id, bsuid, name)


@contextlib.asynccontextmanager
async def open_lapor(database: Database) -> AsyncIterator[Lapor]:
    """A migrated database, FakeGraphApi, and `make_app()` serving on loopback."""
    await migrate.upgrade(database.url, schema=database.schema)
    async with FakeGraphApi() as api:
        app = make_app(settings_for(database, api))
        async with TestClient(TestServer(app)) as client:
            # Only `settle()` runs the worker and the dispatcher, so every step is deterministic
            # (and a dispatcher loop racing `drain()` cannot send a row twice).
            await app[SERVICES].stop_background()
            yield Lapor(client, api)
