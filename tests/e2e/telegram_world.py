"""A resident, an officer and Lapor, end to end: webhook in, PTB's real client out to a fake.

`make_app(settings)` runs on aiohttp's test server with the real inbox, handlers and outbox;
Telegram is `FakeBotApi` on loopback. The resident's updates are built from the shapes of the
shared fixtures; buttons are tapped by reading `callback_data` from what Lapor really sent.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import yaml
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.config import DEFAULT_CATALOG, Settings
from bot.services import Services
from bot.web.app import make_app
from bot.web.keys import SERVICES
from db.migrate import upgrade
from tests.conftest import FIXTURES as ALL_FIXTURES
from tests.conftest import Database
from tests.fakes.telegram_api import TOKEN, FakeBotApi

SECRET = "e2e-webhook-secret"
RESIDENT = 555001
PUPR_CHAT = -1001000000000
TRIAGE_CHAT = -1001000000099
FIXTURES = ALL_FIXTURES / "telegram"


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data


def catalog_with_staff_chats(tmp: Path) -> Path:
    """The shipped catalog, with the staff group of the fixtures set for PUPR and a triage chat."""
    data = yaml.safe_load(DEFAULT_CATALOG.read_text(encoding="utf-8"))
    for agency in data["agencies"]:
        if agency["code"] == "PUPR":
            agency["staff"] = {"telegram_chat_id": PUPR_CHAT, "telegram_thread_id": None}
    data["triage"] = {"telegram_chat_id": TRIAGE_CHAT}
    path = tmp / "catalog.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


async def settings_for(database: Database, api: FakeBotApi, tmp: Path, **extra: Any) -> Settings:
    await upgrade(database.url, schema=database.schema)
    values: dict[str, Any] = {
        "database_url": database.url,
        "database_schema": database.schema,
        "catalog_path": catalog_with_staff_chats(tmp),
        "telegram_bot_token": TOKEN,
        "telegram_api_base_url": api.base_url,
        "telegram_webhook_secret": SECRET,
        "public_base_url": "https://lapor.example.test",
        **extra,
    }
    return Settings(_env_file=None, **values)


class World:
    def __init__(self, client: TestClient[Any, Any], api: FakeBotApi, app: web.Application) -> None:
        self.client = client
        self.api = api
        self.app = app
        self._update_ids = itertools.count(820000000)
        self._message_ids = itertools.count(100)

    @property
    def services(self) -> Services:
        return self.app[SERVICES]

    async def post(
        self, update: dict[str, Any], *, secret: str | None = SECRET, settle: bool = True
    ) -> int:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        resp = await self.client.post("/telegram/webhook", json=update, headers=headers)
        await resp.read()
        if settle:
            await self.settle()
        return resp.status

    async def settle(self) -> None:
        """Wait until every stored update is processed and every due message sent."""
        await self.services.worker.drain()
        await self.services.dispatcher.drain()

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def message(self, **fields: Any) -> dict[str, Any]:
        base = fixture("private_text")["message"]
        base.pop("text")
        return {
            "update_id": self.next_update_id(),
            "message": {**base, "message_id": next(self._message_ids), **fields},
        }

    def text(self, text: str) -> dict[str, Any]:
        update = self.message(text=text)
        if text.startswith("/"):
            command = text.split()[0]
            update["message"]["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(command)}
            ]
        return update

    def location(self, latitude: float, longitude: float) -> dict[str, Any]:
        return self.message(location={"latitude": latitude, "longitude": longitude})

    def tap(self, label: str, *, sent: dict[str, Any] | None = None) -> dict[str, Any]:
        """Tap the button called `label` on the last message to the resident that has it."""
        message = sent or self.last_with_button(label)
        data = button_data(message, label)
        update = fixture("callback_query")
        query = update["callback_query"]
        query["message"]["message_id"] = self.message_id_of(message)
        query["message"]["reply_markup"] = message["reply_markup"]
        query["data"] = data
        query["id"] = f"cb{self.next_update_id()}"
        update["update_id"] = self.next_update_id()
        return update

    def to_resident(self) -> list[dict[str, Any]]:
        return [m for m in self.api.sent if m["chat_id"] == RESIDENT]

    def to_chat(self, chat_id: int) -> list[dict[str, Any]]:
        return [m for m in self.api.sent if m["chat_id"] == chat_id]

    def last_with_button(self, label: str) -> dict[str, Any]:
        for message in reversed(self.to_resident()):
            if label in labels(message):
                found: dict[str, Any] = message
                return found
        raise AssertionError(f"no message to the resident has a {label!r} button")

    def message_id_of(self, sent: dict[str, Any]) -> int:
        for (chat_id, message_id), message in reversed(self.api.messages.items()):
            if chat_id == sent["chat_id"] and message.get("text") == sent.get("text"):
                return message_id  # its buttons may have been cleared since
        raise AssertionError("the fake did not record that message")


def labels(message: dict[str, Any]) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


def button_data(message: dict[str, Any], label: str) -> str:
    for row in message["reply_markup"]["inline_keyboard"]:
        for button in row:
            if button["text"] == label:
                data: str = button["callback_data"]
                return data
    raise AssertionError(f"no {label!r} button in {labels(message)}")


async def open_world(settings: Settings, api: FakeBotApi) -> tuple[World, TestClient[Any, Any]]:
    app = make_app(settings)
    client: TestClient[Any, Any] = TestClient(TestServer(app))
    await client.start_server()
    return World(client, api, app), client
