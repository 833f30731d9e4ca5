"""`Outbound` through python-telegram-bot's real client to the fake Bot API, and back.

What a resident or officer would notice: the buttons and keyboards that appear, the thread a
message lands in, and whether a failed send is retried (429, 5xx) or given up (blocked, bad).
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic import SecretStr

from bot.channels.base import Button, Outbound, OutboundKind, SendError, StartError
from bot.channels.telegram import ALLOWED_UPDATES, MAX_TEXT, TelegramChannel
from bot.channels.text import split_text
from bot.config import Settings
from tests.conftest import FIXTURES
from tests.fakes.telegram_api import FakeBotApi

RESIDENT = "555001"
STAFF_GROUP = "-1001000000000"
CONFIRM = (
    (Button("Kirim", "confirm:yes"), Button("Ubah", "confirm:edit")),
    (Button("Batal", "confirm:cancel"),),
)
LOCATION_WORDS: dict[str, Any] = {"location_label": "📍 Kirim lokasi", "follow_up": "Atau pilih:"}


def settings_for(api: FakeBotApi, token: str | None = None) -> Settings:
    return Settings(
        _env_file=None,
        telegram_bot_token=SecretStr(token or api.token),
        telegram_api_base_url=api.base_url,
    )


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as fake:
        yield fake


@pytest.fixture
async def channel(api: FakeBotApi) -> AsyncIterator[TelegramChannel]:
    telegram = TelegramChannel(settings_for(api))
    await telegram.start()
    yield telegram
    await telegram.stop()


def message(text: str = "Kirim laporan ini?", chat_id: str = RESIDENT, **fields: Any) -> Outbound:
    return Outbound(channel="telegram", chat_id=chat_id, text=text, **fields)


async def send_error(channel: TelegramChannel, out: Outbound) -> SendError:
    with pytest.raises(SendError) as caught:
        await channel.send(out)
    return caught.value


async def test_start_learns_who_the_bot_is(channel: TelegramChannel, api: FakeBotApi) -> None:
    assert (channel.username, channel.bot_id) == ("LaporKediriBot", 7000000001)
    assert api.attempts == ["getMe"]


async def test_wrong_token_fails_at_start(api: FakeBotApi) -> None:
    telegram = TelegramChannel(settings_for(api, token="7000000001:wrong"))
    with pytest.raises(StartError, match="rejected TELEGRAM_BOT_TOKEN"):
        await telegram.start()
    await telegram.stop()


async def test_text_with_buttons_arrives_with_an_inline_keyboard(
    channel: TelegramChannel, api: FakeBotApi
) -> None:
    message_id = await channel.send(message(buttons=CONFIRM))
    [sent] = api.sent
    assert sent["chat_id"] == 555001
    assert sent["text"] == "Kirim laporan ini?"
    assert sent["reply_markup"] == {
        "inline_keyboard": [
            [
                {"text": "Kirim", "callback_data": "confirm:yes"},
                {"text": "Ubah", "callback_data": "confirm:edit"},
            ],
            [{"text": "Batal", "callback_data": "confirm:cancel"}],
        ]
    }
    assert message_id is not None
    assert api.messages[(555001, int(message_id))]["reply_markup"] == sent["reply_markup"]


async def test_plain_text_has_no_keyboard(channel: TelegramChannel, api: FakeBotApi) -> None:
    await channel.send(message("Terima kasih."))
    assert "reply_markup" not in api.sent[0]


async def test_location_request_shows_a_one_time_location_button(
    channel: TelegramChannel, api: FakeBotApi
) -> None:
    await channel.send(message("Di mana lokasinya?", request_location=True, **LOCATION_WORDS))
    [sent] = api.sent
    markup = sent["reply_markup"]
    [[button]] = markup["keyboard"]
    assert button["request_location"] is True
    assert button["text"] == "📍 Kirim lokasi"
    assert markup["one_time_keyboard"] is True
    assert sent["text"] == "Di mana lokasinya?"


async def test_location_request_with_buttons_puts_the_buttons_on_a_follow_up(
    channel: TelegramChannel, api: FakeBotApi
) -> None:
    skip = ((Button("Lewati", "loc:skip"),),)
    message_id = await channel.send(
        message("Di mana?", request_location=True, buttons=skip, **LOCATION_WORDS)
    )
    first, second = api.sent
    assert "keyboard" in first["reply_markup"] and first["text"] == "Di mana?"
    assert second["text"] == "Atau pilih:"
    assert second["reply_markup"] == {
        "inline_keyboard": [[{"text": "Lewati", "callback_data": "loc:skip"}]]
    }
    # The returned id is the message whose buttons a later CLEAR_BUTTONS removes.
    assert message_id is not None
    assert api.messages[(555001, int(message_id))]["text"] == second["text"]


async def test_controls_speak_the_residents_language(
    channel: TelegramChannel, api: FakeBotApi
) -> None:
    skip = ((Button("Skip", "loc:skip"),),)
    await channel.send(
        message(
            "Where is it?",
            request_location=True,
            buttons=skip,
            location_label="📍 Send location",
            follow_up="Or choose:",
        )
    )
    first, second = api.sent
    assert first["reply_markup"]["keyboard"][0][0]["text"] == "📍 Send location"
    assert second["text"] == "Or choose:"


async def test_a_control_without_its_words_is_refused_not_worded_here(
    channel: TelegramChannel, api: FakeBotApi
) -> None:
    skip = ((Button("Lewati", "loc:skip"),),)
    no_label = message("Di mana?", request_location=True)
    no_follow_up = message("Di mana?", request_location=True, buttons=skip, location_label="📍")
    for out in (no_label, no_follow_up):
        error = await send_error(channel, out)
        assert not error.retryable and "set by the handler" in str(error)
    assert api.sent == []


async def test_remove_keyboard_takes_the_location_button_away(
    channel: TelegramChannel, api: FakeBotApi
) -> None:
    await channel.send(message("Lokasi tercatat.", remove_keyboard=True))
    assert api.sent[0]["reply_markup"] == {"remove_keyboard": True}


async def test_staff_message_lands_in_its_topic_as_a_reply(
    channel: TelegramChannel, api: FakeBotApi
) -> None:
    out = message("Diterima.", chat_id=STAFF_GROUP, thread_id=77, reply_to_message_id="501")
    await channel.send(out)
    [sent] = api.sent
    assert (sent["chat_id"], sent["message_thread_id"]) == (-1001000000000, 77)
    assert sent["reply_parameters"]["message_id"] == 501
    # If the officer deleted their message meanwhile, the answer still goes out.
    assert sent["reply_parameters"]["allow_sending_without_reply"] is True


async def test_callback_answer_stops_the_spinner_with_a_toast(
    channel: TelegramChannel, api: FakeBotApi
) -> None:
    out = message("Terkirim", kind=OutboundKind.CALLBACK_ANSWER, callback_id="4382bfdwdsb323b2d9")
    assert await channel.send(out) is None
    assert api.answered == [{"callback_query_id": "4382bfdwdsb323b2d9", "text": "Terkirim"}]
    assert api.sent == []


async def test_expired_callback_is_not_an_error(channel: TelegramChannel, api: FakeBotApi) -> None:
    api.fail_next(
        "answerCallbackQuery",
        400,
        description="Bad Request: query is too old and response timeout expired or query id is "
        "invalid",
    )
    out = message("Terkirim", kind=OutboundKind.CALLBACK_ANSWER, callback_id="old")
    assert await channel.send(out) is None


async def test_clear_buttons_removes_the_keyboard_once(
    channel: TelegramChannel, api: FakeBotApi
) -> None:
    message_id = await channel.send(message(buttons=CONFIRM))
    clear = message("", kind=OutboundKind.CLEAR_BUTTONS, target_message_id=message_id)
    assert await channel.send(clear) is None
    assert message_id is not None
    assert "reply_markup" not in api.messages[(555001, int(message_id))]
    # Cleared already ("message is not modified") or gone ("not found"): done, not failed.
    assert await channel.send(clear) is None
    gone = message("", kind=OutboundKind.CLEAR_BUTTONS, target_message_id="424242")
    assert await channel.send(gone) is None
    assert len(api.calls_to("editMessageReplyMarkup")) == 3


async def test_flood_control_is_retryable_after_telegrams_delay(
    channel: TelegramChannel, api: FakeBotApi
) -> None:
    api.fail_next("sendMessage", status=429, retry_after=3)
    error = await send_error(channel, message())
    assert (error.retryable, error.retry_after) == (True, 3.0)
    assert api.attempts.count("sendMessage") == 1, "the outbox retries, not PTB"
    assert await channel.send(message()) is not None


async def test_flood_control_with_timedelta_retry_after(
    api: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # PTB's future default
    telegram = TelegramChannel(settings_for(api))
    await telegram.start()
    try:
        api.fail_next("sendMessage", status=429, retry_after=7)
        error = await send_error(telegram, message())
        assert (error.retryable, error.retry_after) == (True, 7.0)
    finally:
        await telegram.stop()


async def test_server_error_is_retryable(channel: TelegramChannel, api: FakeBotApi) -> None:
    api.fail_next("sendMessage", status=500)
    error = await send_error(channel, message())
    assert error.retryable and error.retry_after is None


async def test_unreachable_api_is_retryable(channel: TelegramChannel, api: FakeBotApi) -> None:
    await api.stop()
    assert (await send_error(channel, message())).retryable


async def test_blocked_bot_is_given_up(channel: TelegramChannel, api: FakeBotApi) -> None:
    api.fail_next("sendMessage", status=403, description="Forbidden: bot was blocked by the user")
    error = await send_error(channel, message())
    assert not error.retryable
    assert "blocked" in str(error)


async def test_bad_request_is_given_up(channel: TelegramChannel, api: FakeBotApi) -> None:
    api.fail_next("sendMessage", status=400, description="Bad Request: chat not found")
    assert not (await send_error(channel, message())).retryable


async def test_other_edit_failure_is_still_an_error(
    channel: TelegramChannel, api: FakeBotApi
) -> None:
    api.fail_next("editMessageReplyMarkup", status=400, description="Bad Request: chat not found")
    clear = message("", kind=OutboundKind.CLEAR_BUTTONS, target_message_id="1")
    assert not (await send_error(channel, clear)).retryable


async def test_long_text_arrives_whole_in_parts(channel: TelegramChannel, api: FakeBotApi) -> None:
    text = "\n".join(f"{i:04d} laporan jalan berlubang di Kediri" for i in range(135))
    assert len(text) > 5000
    message_id = await channel.send(message(text, buttons=CONFIRM))
    assert len(api.sent) == 2
    assert "\n".join(s["text"] for s in api.sent) == text
    assert "reply_markup" not in api.sent[0] and "reply_markup" in api.sent[1]
    assert message_id == str(api.messages[(555001, int(message_id or 0))]["message_id"])


async def test_long_emoji_text_fits_telegrams_utf16_limit(
    channel: TelegramChannel, api: FakeBotApi
) -> None:
    await channel.send(message("🚧" * 3000))  # 6000 UTF-16 code units
    assert [len(s["text"]) for s in api.sent] == [2048, 952]


def test_endless_text_is_cut_not_split_forever() -> None:
    parts = split_text("kata " * 10_000, MAX_TEXT)
    assert len(parts) == 5
    assert parts[-1].endswith("…")
    assert all(len(p) <= 4096 for p in parts)


async def test_empty_text_is_refused_without_calling_telegram(
    channel: TelegramChannel, api: FakeBotApi
) -> None:
    assert not (await send_error(channel, message("   "))).retryable
    assert api.sent == []


async def test_token_never_reaches_the_logs(
    channel: TelegramChannel, api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await channel.send(message())
    # httpx logs each request URL at INFO, and the token is part of that URL.
    assert any(r.name == "httpx" and "sendMessage" in r.getMessage() for r in caplog.records)
    assert api.token not in caplog.text


async def test_webhook_is_registered_with_secret_and_update_types(
    channel: TelegramChannel, api: FakeBotApi
) -> None:
    await channel.set_webhook("https://lapor.kedirikota.go.id/telegram/webhook", "s3cret")
    assert api.webhook["url"] == "https://lapor.kedirikota.go.id/telegram/webhook"
    assert api.webhook["secret_token"] == "s3cret"
    assert api.webhook["allowed_updates"] == list(ALLOWED_UPDATES)
    await channel.delete_webhook()
    assert api.webhook["url"] == ""


async def test_polling_returns_updates_exactly_as_a_webhook_gets_them(
    channel: TelegramChannel, api: FakeBotApi
) -> None:
    raw = json.loads((FIXTURES / "telegram" / "callback_query.json").read_text())
    api.add_update(raw)
    assert await channel.poll_once(None, timeout=0) == [raw]
    # Confirming with offset = last update_id + 1 drops it; a long poll then waits, empty.
    assert await channel.poll_once(raw["update_id"] + 1, timeout=1) == []
    assert api.calls_to("getUpdates")[0]["allowed_updates"] == list(ALLOWED_UPDATES)


async def test_polling_while_a_webhook_is_set_fails(
    channel: TelegramChannel, api: FakeBotApi
) -> None:
    await channel.set_webhook("https://lapor.example/telegram/webhook", None)
    with pytest.raises(SendError):
        await channel.poll_once(None, timeout=0)


async def test_wait_for_sent_sees_messages_sent_meanwhile(
    channel: TelegramChannel, api: FakeBotApi
) -> None:
    await channel.send(message("satu"))
    await channel.send(message("dua"))
    sent = await api.wait_for_sent(2, timeout=1)
    assert [s["text"] for s in sent] == ["satu", "dua"]
    with pytest.raises(AssertionError, match="satu"):
        await api.wait_for_sent(3, timeout=0.1)


async def test_a_send_waits_as_long_as_telegram_send_timeout_says(api: FakeBotApi) -> None:
    impatient = TelegramChannel(
        Settings(
            _env_file=None,
            telegram_bot_token=SecretStr(api.token),
            telegram_api_base_url=api.base_url,
            telegram_send_timeout=0.2,
        )
    )
    patient = TelegramChannel(
        Settings(
            _env_file=None,
            telegram_bot_token=SecretStr(api.token),
            telegram_api_base_url=api.base_url,
            telegram_send_timeout=3,
        )
    )
    for telegram in (impatient, patient):
        await telegram.start()
    api.delay = 0.6  # Telegram still working on it
    try:
        # Given up while Telegram delivers it: the outbox would send it again (a duplicate).
        assert (await send_error(impatient, message("satu"))).retryable
        assert await patient.send(message("dua")) is not None
    finally:
        for telegram in (impatient, patient):
            await telegram.stop()
    assert [m["text"] for m in api.sent] == ["satu", "dua"]
