"""`Outbound` in, Bot API calls out; every failure leaves as a `SendError`, judged by PTB's type.

The outbox owns retries, so the rate limiter runs with `max_retries=0` and a 429 reaches the
outbox with its `retry_after`. Link previews are off for every send (the bot's `Defaults`):
a link a resident typed must not unfurl in an officers' group.
"""

from __future__ import annotations

import datetime as dtm
import logging
import warnings
from collections.abc import Awaitable, Callable, Sequence
from typing import Final

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
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

from bot.channels.base import Outbound, OutboundKind, SendError, part_log
from bot.channels.media import MediaStore, NotAnImage, clean_image, stored_id
from bot.channels.text import split_text

log = logging.getLogger(__name__)

MAX_TEXT: Final = 4096  # Telegram's limit, in UTF-16 code units
MAX_CAPTION: Final = 1024
MAX_TOAST: Final = 200  # answerCallbackQuery text limit
MAX_TOPIC_NAME: Final = 128
# Error descriptions that mean "already done / nothing left to do", or "that message is gone".
# PTB gives these cases no type of their own, so the text is the only signal; every other
# error is branched on by type.
_BENIGN_CALLBACK = ("query is too old", "query id is invalid")
_NOT_MODIFIED = ("message is not modified",)
_GONE = ("message to edit not found", "message can't be edited")
_NO_TEXT = ("there is no text in the message to edit",)  # a photo card: edit its caption
_TOPIC_UNCHANGED = ("topic_not_modified",)  # closing a closed topic, reopening an open one

Inline = InlineKeyboardMarkup | None


class Sender:
    """Sends through one bot; knows its token only to keep it out of error texts."""

    def __init__(self, bot: ExtBot[int], token: str, media: MediaStore | None = None) -> None:
        self._bot = bot
        self._token = token
        self._media = media
        self._kinds: dict[OutboundKind, Callable[[Outbound], Awaitable[str | None]]] = {
            OutboundKind.MESSAGE: self._send_message,
            OutboundKind.CALLBACK_ANSWER: self._answer_callback,
            OutboundKind.CLEAR_BUTTONS: self._clear_buttons,
            OutboundKind.EDIT: self._edit,
            OutboundKind.PHOTO: self._send_photo,
            OutboundKind.LOCATION: self._send_location,
            OutboundKind.OPEN_TOPIC: self._open_topic,
            OutboundKind.CLOSE_TOPIC: self._close_topic,
            OutboundKind.REOPEN_TOPIC: self._reopen_topic,
        }

    async def send(self, out: Outbound) -> str | None:
        """Send one `Outbound`; the id the outbox records under its key (message or topic)."""
        try:
            return await self._kinds[out.kind](out)
        except TelegramError as exc:
            raise self.error(exc) from exc
        except ValueError as exc:  # a chat or message id that is not a number
            raise SendError(f"telegram: unusable outbound: {exc}", retryable=False) from exc

    # --- messages ------------------------------------------------------------------------

    async def _send_message(self, out: Outbound) -> str | None:
        parts = split_text(out.text, MAX_TEXT)
        if not parts:
            raise SendError("telegram: refusing to send an empty text", retryable=False)
        inline = _inline(out)
        keyboard = _keyboard(out)
        follow_up = None
        if keyboard is not None and inline is not None:
            # One reply_markup per message: the inline buttons ride on a short follow-up,
            # worded by the handlers in the reader's language.
            follow_up = _label(out.follow_up, "follow_up")
        chat_id = int(out.chat_id)
        log = part_log()  # parts a failed earlier try delivered are not sent again
        count = len(parts) + (follow_up is not None)
        for i, part in enumerate(parts):
            if log.delivered(i):
                continue
            last = i == len(parts) - 1
            sent = await self._bot.send_message(
                chat_id,
                part,
                message_thread_id=out.thread_id,
                reply_parameters=_reply(out) if i == 0 else None,
                reply_markup=(keyboard or inline) if last else None,
            )
            if i < count - 1:
                await log.sent(i, str(sent.message_id))
            else:
                log.last_id = str(sent.message_id)
        if follow_up is not None and not log.delivered(len(parts)):
            sent = await self._bot.send_message(
                chat_id, follow_up, message_thread_id=out.thread_id, reply_markup=inline
            )
            log.last_id = str(sent.message_id)
        # The id of the message that carries the inline buttons: the one CLEAR_BUTTONS will name.
        return log.last_id

    async def _edit(self, out: Outbound) -> str | None:
        """A card replaced in place: its text (or a photo card's caption) and its buttons."""
        if not out.target_message_id:
            raise SendError("telegram: edit without target_message_id", retryable=False)
        chat_id, message_id = int(out.chat_id), int(out.target_message_id)
        inline = _inline(out)
        try:
            try:
                await self._bot.edit_message_text(
                    _one_part(out.text, MAX_TEXT),
                    chat_id=chat_id,
                    message_id=message_id,
                    reply_markup=inline,
                )
            except BadRequest as exc:
                if not _says(exc, _NO_TEXT):
                    raise
                await self._bot.edit_message_caption(
                    chat_id=chat_id,
                    message_id=message_id,
                    caption=_one_part(out.text, MAX_CAPTION),
                    reply_markup=inline,
                )
        except BadRequest as exc:
            if _says(exc, _NOT_MODIFIED):
                return out.target_message_id  # already reads so: done
            if not _says(exc, _GONE):
                raise
            # Deleted by an admin, or too old to edit: the officers still need the card.
            log.info("telegram: message %s cannot be edited, sent anew", message_id)
            return await self._send_message(out)
        return out.target_message_id

    async def _send_photo(self, out: Outbound) -> str | None:
        if not out.media:
            raise SendError("telegram: photo without media", retryable=False)
        caption = _one_part(out.text, MAX_CAPTION) if out.text.strip() else None
        sent = await self._bot.send_photo(
            int(out.chat_id),
            await self._photo(out.media),
            caption=caption,
            message_thread_id=out.thread_id,
            reply_parameters=_reply(out),
            reply_markup=_inline(out),
        )
        return str(sent.message_id)

    async def _photo(self, media: str) -> str | InputFile:
        """A stored photo is uploaded without its EXIF; a Telegram file id is sent as it is."""
        row_id = stored_id(media)
        if row_id is None:
            if ":" in media:  # another channel's id (whatsapp-media:...): Telegram cannot use it
                raise SendError(f"telegram: cannot send {media.partition(':')[0]}", retryable=False)
            return media
        if self._media is None:
            raise SendError("telegram: no media store to read stored photos", retryable=False)
        row = await self._media.load(row_id)
        if row is None:
            raise SendError(f"telegram: stored photo {row_id} does not exist", retryable=False)
        try:
            data = await clean_image(row.data)
        except NotAnImage as exc:
            raise SendError(f"telegram: stored photo {row_id}: {exc}", retryable=False) from exc
        return InputFile(data, filename=f"lapor-{row_id}.jpg")

    async def _send_location(self, out: Outbound) -> str | None:
        """A map pin; a named place goes as a venue, so the name shows with the pin."""
        if out.latitude is None or out.longitude is None:
            raise SendError("telegram: location without coordinates", retryable=False)
        chat_id, name = int(out.chat_id), out.text.strip()
        if name:
            sent = await self._bot.send_venue(
                chat_id,
                latitude=out.latitude,
                longitude=out.longitude,
                title=_one_part(name, 256),
                address=f"{out.latitude:.6f}, {out.longitude:.6f}",
                message_thread_id=out.thread_id,
                reply_parameters=_reply(out),
                reply_markup=_inline(out),
            )
        else:
            sent = await self._bot.send_location(
                chat_id,
                latitude=out.latitude,
                longitude=out.longitude,
                message_thread_id=out.thread_id,
                reply_parameters=_reply(out),
                reply_markup=_inline(out),
            )
        return str(sent.message_id)

    # --- forum topics --------------------------------------------------------------------

    async def _open_topic(self, out: Outbound) -> str | None:
        """The thread id is what the outbox records under the row's key (for `thread_key`)."""
        name = _one_part(out.text, MAX_TOPIC_NAME)
        if not name:
            raise SendError("telegram: a topic needs a name", retryable=False)
        topic = await self._bot.create_forum_topic(int(out.chat_id), name)
        return str(topic.message_thread_id)

    async def _close_topic(self, out: Outbound) -> str | None:
        return await self._topic(out, self._bot.close_forum_topic)

    async def _reopen_topic(self, out: Outbound) -> str | None:
        return await self._topic(out, self._bot.reopen_forum_topic)

    async def _topic(
        self, out: Outbound, call: Callable[[int, int], Awaitable[bool]]
    ) -> str | None:
        if out.thread_id is None:
            # The topic was never opened (that send was given up): nothing to close or reopen.
            log.info("telegram: no topic for %s in chat %s, skipped", out.thread_key, out.chat_id)
            return None
        try:
            await call(int(out.chat_id), out.thread_id)
        except BadRequest as exc:
            if not _says(exc, _TOPIC_UNCHANGED):
                raise
        return str(out.thread_id)

    # --- taps ----------------------------------------------------------------------------

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
            if not _says(exc, (*_NOT_MODIFIED, *_GONE)):
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


def _inline(out: Outbound) -> Inline:
    if not any(out.buttons):
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, callback_data=b.data) for b in row]
            for row in out.buttons
            if row
        ]
    )


def _keyboard(out: Outbound) -> ReplyKeyboardMarkup | ReplyKeyboardRemove | None:
    if out.request_location:
        button = KeyboardButton(_label(out.location_label, "location_label"), request_location=True)
        return ReplyKeyboardMarkup([[button]], resize_keyboard=True, one_time_keyboard=True)
    if out.remove_keyboard:
        return ReplyKeyboardRemove()
    return None


def _label(value: str, name: str) -> str:
    """Words on the channel's own controls come from the handlers' catalogue, never from here."""
    if not value.strip():
        raise SendError(
            f"telegram: the outbound needs its {name} (set by the handler)", retryable=False
        )
    return value


def _reply(out: Outbound) -> ReplyParameters | None:
    if not out.reply_to_message_id:
        return None
    return ReplyParameters(int(out.reply_to_message_id), allow_sending_without_reply=True)


def _one_part(text: str, limit: int) -> str:
    """One message's worth of `text` (an edit or a caption cannot be several messages)."""
    parts = split_text(text, limit, max_parts=1)
    return parts[0] if parts else ""


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
