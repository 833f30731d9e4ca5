"""`Outbound` in, Bot API calls out; every failure leaves as a `SendError`, judged by PTB's type.

The outbox owns retries, so the rate limiter runs with `max_retries=0` and a 429 reaches the
outbox with its `retry_after`.
"""

from __future__ import annotations

import datetime as dtm
import logging
import warnings
from collections.abc import Sequence
from typing import Final

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import ExtBot
from telegram.warnings import PTBDeprecationWarning

from bot.channels.base import Outbound, OutboundKind, SendError
from bot.channels.text import split_text

log = logging.getLogger(__name__)

MAX_TEXT: Final = 4096  # Telegram's limit, in UTF-16 code units
MAX_TOAST: Final = 200  # answerCallbackQuery text limit
# Telegram allows one reply_markup per message; when a handler wants both a reply keyboard
# (location request / removal) and inline buttons, the buttons ride on this short follow-up.
LOCATION_BUTTON_LABEL: Final = "📍 Kirim lokasi"
FOLLOW_UP_AFTER_LOCATION: Final = "Atau pilih:"
FOLLOW_UP: Final = "Pilih:"
# Error descriptions that mean "already done / nothing left to do". PTB gives these cases no
# type of their own, so the text is the only signal; every other error is branched on by type.
_BENIGN_CALLBACK = ("query is too old", "query id is invalid")
_BENIGN_EDIT = ("message is not modified", "message to edit not found", "message can't be edited")


class Sender:
    """Sends through one bot; knows its token only to keep it out of error texts."""

    def __init__(self, bot: ExtBot[int], token: str) -> None:
        self._bot = bot
        self._token = token

    async def send(self, out: Outbound) -> str | None:
        """Send one `Outbound`; every PTB failure leaves as a `SendError` the outbox can judge."""
        try:
            if out.kind is OutboundKind.CALLBACK_ANSWER:
                await self._answer_callback(out)
                return None
            if out.kind is OutboundKind.CLEAR_BUTTONS:
                await self._clear_buttons(out)
                return None
            return await self._send_message(out)
        except TelegramError as exc:
            raise self.error(exc) from exc
        except ValueError as exc:  # a chat or message id that is not a number
            raise SendError(f"telegram: unusable outbound: {exc}", retryable=False) from exc

    async def _send_message(self, out: Outbound) -> str | None:
        parts = split_text(out.text, MAX_TEXT)
        if not parts:
            raise SendError("telegram: refusing to send an empty text", retryable=False)
        inline = (
            InlineKeyboardMarkup(
                [
                    [InlineKeyboardButton(b.label, callback_data=b.data) for b in row]
                    for row in out.buttons
                    if row
                ]
            )
            if any(out.buttons)
            else None
        )
        keyboard: ReplyKeyboardMarkup | ReplyKeyboardRemove | None = None
        if out.request_location:
            keyboard = ReplyKeyboardMarkup(
                [
                    [
                        KeyboardButton(
                            out.location_label or LOCATION_BUTTON_LABEL, request_location=True
                        )
                    ]
                ],
                resize_keyboard=True,
                one_time_keyboard=True,
            )
        elif out.remove_keyboard:
            keyboard = ReplyKeyboardRemove()
        follow_up = None
        if keyboard is not None and inline is not None:
            fallback = FOLLOW_UP_AFTER_LOCATION if out.request_location else FOLLOW_UP
            follow_up = out.follow_up or fallback  # the resident's language, from the handlers
        reply = (
            ReplyParameters(int(out.reply_to_message_id), allow_sending_without_reply=True)
            if out.reply_to_message_id
            else None
        )
        chat_id = int(out.chat_id)
        sent: Message | None = None
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            sent = await self._bot.send_message(
                chat_id,
                part,
                message_thread_id=out.thread_id,
                reply_parameters=reply if i == 0 else None,
                reply_markup=(keyboard or inline) if last else None,
            )
        if follow_up is not None:
            sent = await self._bot.send_message(
                chat_id, follow_up, message_thread_id=out.thread_id, reply_markup=inline
            )
        # The id of the message that carries the inline buttons: the one CLEAR_BUTTONS will name.
        return str(sent.message_id) if sent is not None else None

    async def _answer_callback(self, out: Outbound) -> None:
        if not out.callback_id:
            raise SendError("telegram: callback answer without callback_id", retryable=False)
        try:
            await self._bot.answer_callback_query(
                out.callback_id, text=out.text[:MAX_TOAST] or None
            )
        except BadRequest as exc:
            if not _says(exc, _BENIGN_CALLBACK):
                raise
            # The spinner already stopped on the resident's screen; nothing to retry.
            log.info("telegram: callback answered too late, skipped")

    async def _clear_buttons(self, out: Outbound) -> None:
        if not out.target_message_id:
            raise SendError("telegram: clear buttons without target_message_id", retryable=False)
        try:
            await self._bot.edit_message_reply_markup(
                chat_id=int(out.chat_id), message_id=int(out.target_message_id), reply_markup=None
            )
        except BadRequest as exc:
            if not _says(exc, _BENIGN_EDIT):
                raise
            log.info("telegram: buttons already gone from message %s", out.target_message_id)

    def error(self, exc: TelegramError) -> SendError:
        what = f"telegram {type(exc).__name__}: {exc.message}".replace(self._token, "<token>")
        if isinstance(exc, RetryAfter):
            return SendError(what, retryable=True, retry_after=_retry_after_seconds(exc))
        if isinstance(exc, TimedOut):
            return SendError(what, retryable=True)
        if isinstance(exc, BadRequest):  # a NetworkError subclass: must come before it
            return SendError(what, retryable=False)
        if isinstance(exc, NetworkError):  # 5xx, refused connections, resets
            return SendError(what, retryable=True)
        if isinstance(exc, ChatMigrated):
            # A staff group became a supergroup: the catalog needs the new id; retrying won't help.
            log.warning("telegram: chat migrated to %s, update the catalog", exc.new_chat_id)
            return SendError(f"{what} (new chat id {exc.new_chat_id})", retryable=False)
        if isinstance(exc, Conflict):  # another poller, or a webhook while polling
            return SendError(what, retryable=True)
        if isinstance(exc, Forbidden):  # blocked by the resident, bot removed from the group
            return SendError(what, retryable=False)
        # InvalidToken, anything else Telegram refuses.
        return SendError(what, retryable=False)


def _says(exc: TelegramError, phrases: Sequence[str]) -> bool:
    message = exc.message.lower()
    return any(p in message for p in phrases)


def _retry_after_seconds(exc: RetryAfter) -> float:
    """`retry_after` is an int, or a timedelta with PTB_TIMEDELTA=1 (the future default)."""
    with warnings.catch_warnings():  # reading the int form warns about that future
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    if isinstance(value, dtm.timedelta):
        return value.total_seconds()
    return float(value)
