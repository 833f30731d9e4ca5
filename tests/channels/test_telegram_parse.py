"""Telegram updates in, `Inbound` out: each shared fixture, and the odd payloads a webhook gets.

Parsing needs no network: these channels are never started, and their base URL points at a
closed port, so a test that touched the network would fail loudly.
"""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bot.channels.base import Inbound, InboundKind, Location, Media, Unreadable
from bot.channels.telegram import BadUpdate, TelegramChannel, check_secret, inbox_item
from bot.config import Settings
from tests.conftest import FIXTURES as ALL_FIXTURES
from tests.fakes.telegram_api import TOKEN, FakeBotApi

FIXTURES = ALL_FIXTURES / "telegram"
RESIDENT = {"user_id": "555001", "user_name": "Siti Warga", "language": "id"}
OFFICER = {"user_id": "9001", "user_name": "Agus Petugas", "language": "id"}
STAFF_GROUP = "-1001000000000"


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data


def inbound(kind: InboundKind, update_id: int, **fields: Any) -> Inbound:
    base: dict[str, Any] = {"channel": "telegram", "chat_id": "555001", **RESIDENT}
    return Inbound(kind=kind, external_id=str(update_id), **{**base, **fields})


EXPECTED: dict[str, Inbound] = {
    "private_text": inbound(
        InboundKind.TEXT,
        810000001,
        text="lampu jalan di Jl. Dhoho mati sejak kemarin",
        message_id="11",
    ),
    "start_command": inbound(
        InboundKind.COMMAND, 810000002, text="/start", command="start", message_id="10"
    ),
    "start_command_with_payload": inbound(
        InboundKind.COMMAND,
        810000003,
        text="/start qr-pasar-setonobetek",
        command="start",
        args="qr-pasar-setonobetek",
        message_id="9",
    ),
    "location": inbound(
        InboundKind.LOCATION,
        810000004,
        location=Location(-7.816601, 112.011902),
        message_id="12",
        reply_to_message_id="13",
    ),
    "photo_with_caption": inbound(
        InboundKind.PHOTO,
        810000005,
        text="lubang di Jl. Hayam Wuruk, sudah 2 motor jatuh",
        media=(Media("AgACAgUAAxkBAAIBTESTxlarge", "image/jpeg", 201533),),
        message_id="14",
    ),
    "callback_query": inbound(
        InboundKind.BUTTON,
        810000006,
        button="confirm:yes",
        callback_id="4382bfdwdsb323b2d9",
        reply_to_message_id="15",
    ),
    "group_reply_to_bot": inbound(
        InboundKind.TEXT,
        810000007,
        chat_id=STAFF_GROUP,
        **OFFICER,
        text="Tim kami menambal lubang itu besok pagi jam 08.00",
        message_id="501",
        reply_to_message_id="500",
        is_group=True,
    ),
    "edited_message": inbound(InboundKind.IGNORED, 810000008, user_name=None, language=None),
    "my_chat_member_blocked": inbound(InboundKind.BLOCKED, 810000009),
}
CHAT_KEYS = {name: f"telegram:{e.chat_id}" for name, e in EXPECTED.items()}


def fixture_names() -> list[str]:
    return sorted(p.stem for p in Path(FIXTURES).glob("*.json"))


@pytest.fixture
def channel() -> TelegramChannel:
    settings = Settings(
        _env_file=None,
        telegram_bot_token=SecretStr(TOKEN),
        telegram_api_base_url="http://127.0.0.1:9/bot",  # discard port: nothing listens
    )
    return TelegramChannel(settings)


async def parse_one(channel: TelegramChannel, payload: Any) -> Inbound:
    result = await channel.parse(payload)
    assert len(result) == 1
    return result[0]


@pytest.mark.parametrize("name", fixture_names())
async def test_fixture_parses_to_expected_inbound(channel: TelegramChannel, name: str) -> None:
    assert name in EXPECTED, f"new fixture {name}.json: add what it should parse to"
    assert await parse_one(channel, load(name)) == EXPECTED[name]


@pytest.mark.parametrize("name", fixture_names())
def test_fixture_is_stored_under_its_update_id_and_chat(name: str) -> None:
    payload = load(name)
    item = inbox_item(payload)
    assert (item.channel, item.external_id, item.chat_key) == (
        "telegram",
        str(payload["update_id"]),
        CHAT_KEYS[name],
    )
    assert item.payload is payload


def test_button_tap_is_ordered_with_the_chat_it_was_tapped_in() -> None:
    assert inbox_item(load("callback_query")).chat_key == inbox_item(load("private_text")).chat_key


def test_update_without_chat_is_keyed_by_user_or_misc() -> None:
    inline = {"update_id": 1, "inline_query": {"id": "q", "from": {"id": 42}, "query": "x"}}
    poll = {"update_id": 2, "poll": {"id": "p", "question": "?"}}
    assert inbox_item(inline).chat_key == "telegram:user:42"
    assert inbox_item(poll).chat_key == "telegram:misc"


@pytest.mark.parametrize(
    "payload",
    [[], "garbage", None, {}, {"message": {}}, {"update_id": "810000001"}, {"update_id": True}],
    ids=["list", "string", "null", "empty", "no-update-id", "string-id", "bool-id"],
)
def test_payload_without_integer_update_id_is_refused(payload: Any) -> None:
    with pytest.raises(BadUpdate):
        inbox_item(payload)
    assert issubclass(BadUpdate, ValueError)


@pytest.mark.parametrize(
    "payload",
    [
        "garbage",
        {},
        {"update_id": 5, "message": "not an object"},
        {"update_id": 5, "message": {"message_id": 1}},
        {"update_id": 5, "callback_query": {"id": "1"}},
    ],
    ids=["string", "empty", "message-string", "message-without-chat", "callback-incomplete"],
)
async def test_unreadable_payload_raises_unreadable(channel: TelegramChannel, payload: Any) -> None:
    with pytest.raises(Unreadable) as caught:
        await channel.parse(payload)
    assert "555001" not in str(caught.value)  # the reason names no one


async def test_unknown_update_type_is_ignored_with_its_chat(channel: TelegramChannel) -> None:
    payload = {
        "update_id": 810000010,
        "some_future_update": {"chat": {"id": 555001, "type": "private"}, "from": {"id": 555001}},
    }
    result = await parse_one(channel, payload)
    assert (result.kind, result.chat_id, result.external_id) == (
        InboundKind.IGNORED,
        "555001",
        "810000010",
    )
    assert inbox_item(payload).chat_key == "telegram:555001"


def message(**changes: Any) -> dict[str, Any]:
    """The private_text fixture with its message changed."""
    payload = load("private_text")
    payload["message"].update(changes)
    for key in [k for k, v in changes.items() if v is None]:
        del payload["message"][key]
    return payload


@pytest.mark.parametrize(
    "content",
    [
        {"sticker": {"file_id": "s", "file_unique_id": "s", "width": 512, "height": 512,
                     "is_animated": False, "is_video": False, "type": "regular"}},
        {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 3}},
        {"contact": {"phone_number": "+6281234", "first_name": "Siti"}},
        {"document": {"file_id": "d", "file_unique_id": "d", "mime_type": "application/pdf"}},
    ],
    ids=["sticker", "voice", "contact", "pdf"],
)  # fmt: skip
async def test_media_lapor_cannot_use_is_unsupported(
    channel: TelegramChannel, content: dict[str, Any]
) -> None:
    result = await parse_one(channel, message(text=None, **content))
    assert result.kind is InboundKind.UNSUPPORTED
    assert result.chat_id == "555001"


async def test_photo_sent_as_file_is_a_photo(channel: TelegramChannel) -> None:
    doc = {"file_id": "BQAC-doc", "file_unique_id": "d", "mime_type": "image/png", "file_size": 9}
    result = await parse_one(channel, message(text=None, document=doc, caption="got"))
    assert (result.kind, result.media, result.text) == (
        InboundKind.PHOTO,
        (Media("BQAC-doc", "image/png", 9),),
        "got",
    )


async def test_picked_place_keeps_its_name_as_address(channel: TelegramChannel) -> None:
    where = {"latitude": -7.8, "longitude": 112.0}
    venue = {"location": where, "title": "Pasar Setonobetek", "address": "Jl. Pemuda"}
    result = await parse_one(channel, message(text=None, location=where, venue=venue))
    assert result.location == Location(-7.8, 112.0, "Pasar Setonobetek, Jl. Pemuda")


async def test_service_message_is_ignored(channel: TelegramChannel) -> None:
    pinned = {"message_id": 3, "date": 1767236000, "chat": {"id": 555001, "type": "private"}}
    result = await parse_one(channel, message(text=None, pinned_message=pinned))
    assert result.kind is InboundKind.IGNORED


async def test_command_keeps_args_and_drops_bot_suffix(channel: TelegramChannel) -> None:
    entity = {"type": "bot_command", "offset": 0, "length": 22}
    payload = message(text="/Status@LaporKediriBot  KDR-26-000123 ", entities=[entity])
    result = await parse_one(channel, payload)
    assert (result.kind, result.command, result.args) == (
        InboundKind.COMMAND,
        "status",
        "KDR-26-000123",
    )


async def test_text_with_a_command_later_is_plain_text(channel: TelegramChannel) -> None:
    entity = {"type": "bot_command", "offset": 6, "length": 6}
    result = await parse_one(channel, message(text="ketik /start", entities=[entity]))
    assert result.kind is InboundKind.TEXT


def group_message(**changes: Any) -> dict[str, Any]:
    """The group_reply_to_bot fixture with its message changed."""
    payload = load("group_reply_to_bot")
    payload["message"].update(changes)
    for key in [k for k, v in changes.items() if v is None]:
        del payload["message"][key]
    return payload


async def test_group_chatter_not_addressed_to_the_bot_is_ignored(
    channel: TelegramChannel,
) -> None:
    result = await parse_one(channel, group_message(reply_to_message=None))
    assert result.kind is InboundKind.IGNORED


async def test_group_reply_to_another_person_is_ignored(channel: TelegramChannel) -> None:
    payload = group_message()
    payload["message"]["reply_to_message"]["from"] = {
        "id": 9002,
        "is_bot": False,
        "first_name": "B",
    }
    assert (await parse_one(channel, payload)).kind is InboundKind.IGNORED


async def test_group_command_is_a_command_from_the_group(channel: TelegramChannel) -> None:
    entity = {"type": "bot_command", "offset": 0, "length": 7}
    payload = group_message(reply_to_message=None, text="/status KDR-26-000123", entities=[entity])
    result = await parse_one(channel, payload)
    assert (result.kind, result.command, result.is_group, result.chat_id) == (
        InboundKind.COMMAND,
        "status",
        True,
        STAFF_GROUP,
    )


async def test_officer_photo_reply_is_a_photo_from_the_group(channel: TelegramChannel) -> None:
    photo = [{"file_id": "AgAC-done", "file_unique_id": "u", "width": 1280, "height": 960}]
    result = await parse_one(channel, group_message(text=None, photo=photo, caption="selesai"))
    assert (result.kind, result.is_group, result.reply_to_message_id, result.text) == (
        InboundKind.PHOTO,
        True,
        "500",
        "selesai",
    )


async def test_reply_in_a_forum_topic_carries_the_thread(channel: TelegramChannel) -> None:
    payload = group_message(message_thread_id=77, is_topic_message=True)
    result = await parse_one(channel, payload)
    assert (result.kind, result.thread_id, result.reply_to_message_id) == (
        InboundKind.TEXT,
        77,
        "500",
    )


async def test_a_message_in_a_topic_is_not_a_reply_to_its_opener(channel: TelegramChannel) -> None:
    """Telegram shows every topic message as a reply to the topic's creation: that is no
    answer to the bot, but the message is in the topic, so it reaches the handlers."""
    payload = group_message(message_thread_id=77, is_topic_message=True)
    opener = payload["message"]["reply_to_message"]
    opener["message_id"] = 77
    opener["forum_topic_created"] = {"name": "PUPR", "icon_color": 7322096}
    del opener["text"], opener["reply_markup"]
    result = await parse_one(channel, payload)
    assert (result.kind, result.thread_id, result.reply_to_message_id) == (
        InboundKind.TEXT,
        77,
        None,
    )


async def test_anonymous_admin_and_other_bots_are_ignored(channel: TelegramChannel) -> None:
    anon = {
        "id": 1087968824,
        "is_bot": True,
        "first_name": "Group",
        "username": "GroupAnonymousBot",
    }
    assert (await parse_one(channel, group_message(**{"from": anon}))).kind is InboundKind.IGNORED


async def test_button_tapped_in_staff_group_is_a_group_button(channel: TelegramChannel) -> None:
    payload = load("callback_query")
    card = load("group_reply_to_bot")["message"]["reply_to_message"]
    payload["callback_query"]["message"] = card
    payload["callback_query"]["data"] = "t:KDR-26-000123:accept"
    result = await parse_one(channel, payload)
    assert (result.kind, result.chat_id, result.is_group, result.button) == (
        InboundKind.BUTTON,
        STAFF_GROUP,
        True,
        "t:KDR-26-000123:accept",
    )


async def test_button_on_a_message_older_than_48h_still_counts(channel: TelegramChannel) -> None:
    payload = load("callback_query")
    payload["callback_query"]["message"] = {
        "message_id": 15,
        "chat": {"id": 555001, "type": "private"},
        "date": 0,  # InaccessibleMessage
    }
    result = await parse_one(channel, payload)
    assert (result.kind, result.reply_to_message_id) == (InboundKind.BUTTON, "15")


async def test_unblocking_the_bot_is_ignored(channel: TelegramChannel) -> None:
    payload = load("my_chat_member_blocked")
    change = payload["my_chat_member"]
    change["old_chat_member"], change["new_chat_member"] = (
        {**change["new_chat_member"]},
        {**change["old_chat_member"]},
    )
    assert (await parse_one(channel, payload)).kind is InboundKind.IGNORED


async def test_bot_removed_from_a_group_is_not_a_block(channel: TelegramChannel) -> None:
    payload = copy.deepcopy(load("my_chat_member_blocked"))
    payload["my_chat_member"]["chat"] = {
        "id": -1001000000000,
        "title": "PUPR",
        "type": "supergroup",
    }
    assert (await parse_one(channel, payload)).kind is InboundKind.IGNORED


@pytest.fixture
async def started(channel: TelegramChannel) -> AsyncIterator[TelegramChannel]:
    """A channel that knows its @username (from getMe on the fake Bot API)."""
    async with FakeBotApi() as api:
        settings = Settings(
            _env_file=None,
            telegram_bot_token=SecretStr(api.token),
            telegram_api_base_url=api.base_url,
        )
        live = TelegramChannel(settings)
        await live.start()
        yield live
        await live.stop()


async def test_command_for_another_bot_is_ignored(started: TelegramChannel) -> None:
    entity = {"type": "bot_command", "offset": 0, "length": 15}
    payload = group_message(reply_to_message=None, text="/start@OtherBot", entities=[entity])
    assert (await parse_one(started, payload)).kind is InboundKind.IGNORED


@pytest.mark.parametrize(
    ("header", "secret", "accepted"),
    [
        ("s3cret", "s3cret", True),
        ("wrong", "s3cret", False),
        (None, "s3cret", False),
        ("", "s3cret", False),
        # No secret configured accepts nothing (webhook mode refuses to start without one).
        (None, None, False),
        ("anything", None, False),
        ("anything", "", False),
    ],
)
def test_webhook_secret_check(header: str | None, secret: str | None, accepted: bool) -> None:
    assert check_secret(header, secret) is accepted
