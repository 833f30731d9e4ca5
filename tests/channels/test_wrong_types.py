"""Wrong-typed fields are `Unreadable` at the adapter, never a crash in a handler; our own bugs
are never disguised as bad input.

python-telegram-bot copies JSON values into its objects without checking types, so before the
checked reading `latitude: "abc"` reached the handlers as a string and failed there on every
retry; and the adapter's catch-all turned any exception of ours into "ignored".
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from bot.channels.base import Unreadable
from bot.channels.telegram import TelegramChannel
from bot.channels.whatsapp import WhatsAppChannel, inbox_items
from tests.channels.test_telegram_parse import channel as telegram  # noqa: F401 (fixture)
from tests.channels.test_telegram_parse import load as telegram_fixture
from tests.channels.test_whatsapp_parse import api, channel  # noqa: F401 (fixtures)
from tests.channels.test_whatsapp_parse import load as whatsapp_fixture

Change = Callable[[dict[str, Any]], None]


def at(path: str, value: Any) -> Change:
    """Set the field at a dotted path ("message.location.latitude") to `value`."""

    def change(payload: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = payload
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return change


TELEGRAM_CASES = [
    ("location", at("message.location.latitude", "abc")),
    ("location", at("message.location.longitude", [112])),
    ("location", at("message.location.latitude", 912.0)),
    ("private_text", at("message.from.language_code", 42)),
    ("private_text", at("message.from.language_code", {"id": True})),
    ("private_text", at("message.text", ["lampu", "mati"])),
    ("private_text", at("message.from.id", "555\ud800")),
    ("private_text", at("message.from.id", "555001")),
    ("private_text", at("message.from.first_name", ["Siti"])),
    ("private_text", at("message.chat.id", 5.5)),
    ("private_text", at("message.message_id", None)),
    ("private_text", at("message.chat", None)),
    ("callback_query", at("callback_query.data", 123)),
    ("callback_query", at("callback_query.data", {"confirm": "yes"})),
    ("callback_query", at("callback_query.from", None)),
    ("photo_with_caption", at("message.photo.0.width", "big")),
    ("photo_with_caption", at("message.caption", 7)),
    ("start_command", at("message.entities.0.length", "6")),
    ("group_reply_to_bot", at("message.reply_to_message.from.id", "bot")),
    ("my_chat_member_blocked", at("my_chat_member.new_chat_member.status", 3)),
]


@pytest.mark.parametrize(
    ("name", "change"), TELEGRAM_CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(TELEGRAM_CASES)]
)
async def test_a_wrong_typed_telegram_field_is_unreadable(
    telegram: TelegramChannel,  # noqa: F811
    name: str,
    change: Change,
) -> None:
    payload = copy.deepcopy(telegram_fixture(name))
    change(payload)
    with pytest.raises(Unreadable):
        await telegram.parse(payload)


async def test_a_bug_of_ours_is_not_called_bad_input(
    telegram: TelegramChannel,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*_args: Any) -> Any:
        raise ZeroDivisionError("a bug in Lapor's own reduction")

    monkeypatch.setattr("bot.channels.telegram.channel.from_update", broken)
    with pytest.raises(ZeroDivisionError):  # the inbox logs its traceback and retries the row
        await telegram.parse(telegram_fixture("private_text"))


WHATSAPP_CASES = [
    ("text", at("entry.0.changes.0.value.messages.0.text.body", ["halo"])),
    ("text", at("entry.0.changes.0.value.messages.0.text", "halo")),
    ("text", at("entry.0.changes.0.value.contacts.0.profile.name", ["Siti"])),
    ("location", at("entry.0.changes.0.value.messages.0.location.latitude", "abc")),
    ("location", at("entry.0.changes.0.value.messages.0.location.name", 5)),
    ("interactive_button_reply", at("entry.0.changes.0.value.messages.0.interactive.type", 1)),
    (
        "interactive_button_reply",
        at("entry.0.changes.0.value.messages.0.interactive.button_reply.id", 7),
    ),
    ("image_with_caption", at("entry.0.changes.0.value.messages.0.image.caption", ["x"])),
    ("reply_to_business_message", at("entry.0.changes.0.value.messages.0.context", "wamid")),
]


@pytest.mark.parametrize(
    ("name", "change"),
    WHATSAPP_CASES,
    ids=[f"{n}-{i}" for i, (n, _) in enumerate(WHATSAPP_CASES)],
)
async def test_a_wrong_typed_whatsapp_field_is_unreadable(
    channel: WhatsAppChannel,  # noqa: F811
    name: str,
    change: Change,
) -> None:
    payload = copy.deepcopy(whatsapp_fixture(name))
    change(payload)
    [item] = inbox_items(payload).items
    with pytest.raises(Unreadable):
        await channel.parse(json.loads(json.dumps(item.payload)))
