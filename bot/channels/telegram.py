"""The Telegram adapter: raw Bot API updates in, `Inbound` out; `Outbound` in, Bot API calls out.

python-telegram-bot does the Telegram part (types, `Update.de_json`, the HTTP client, the rate
limiter); this module only translates. Two rules shape it:

- Parsing never raises. An update Lapor cannot read becomes one IGNORED `Inbound`, so a strange
  payload is stored and skipped instead of crashing an inbox worker again on every retry.
- Sending raises only `SendError`, decided by PTB's exception *type*. The outbox owns retries, so
  the rate limiter runs with `max_retries=0` and a 429 reaches the outbox with its `retry_after`.
"""

from __future__ import annotations

import datetime as dtm
import hmac
import logging
import warnings
from collections.abc import Sequence
from typing import Any, Final

from telegram import (
    CallbackQuery,
    ChatMemberUpdated,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    MessageEntity,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
    Update,
    User,
)
from telegram.constants import ChatMemberStatus, ChatType
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
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning, PTBUserWarning

from bot.channels.base import (
    Inbound,
    InboundKind,
    InboxItem,
    Location,
    Media,
    Outbound,
    OutboundKind,
    SendError,
)
from bot.channels.text import split_text
from bot.config import Settings

__all__ = ["ALLOWED_UPDATES", "BadUpdate", "TelegramChannel", "check_secret", "inbox_item"]

log = logging.getLogger(__name__)

CHANNEL: Final = "telegram"
# The update types Lapor acts on; everything else Telegram keeps to itself (webhook and polling).
ALLOWED_UPDATES: Final = ("message", "edited_message", "callback_query", "my_chat_member")
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
_GROUPS = (ChatType.GROUP, ChatType.SUPERGROUP)
_POLL_READ_MARGIN: Final = 10.0  # seconds on top of the long-poll timeout before giving up


class BadUpdate(ValueError):
    """The payload is not a Telegram update at all: the webhook answers 400, nothing is stored."""


def check_secret(header_value: str | None, secret: str | None) -> bool:
    """Compare the X-Telegram-Bot-Api-Secret-Token header in constant time; no secret: accept."""
    if not secret:
        return True
    if header_value is None:
        return False
    return hmac.compare_digest(header_value.encode(), secret.encode())


def inbox_item(payload: Any) -> InboxItem:
    """What the inbox stores: `update_id` is Telegram's dedupe key, the chat orders processing."""
    if not isinstance(payload, dict):
        raise BadUpdate("a Telegram update is a JSON object")
    update_id = payload.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        raise BadUpdate("a Telegram update needs an integer update_id")
    chat_id, user_id = _raw_ids(payload)
    if chat_id:
        key = f"{CHANNEL}:{chat_id}"
    elif user_id:
        key = f"{CHANNEL}:user:{user_id}"
    else:
        key = f"{CHANNEL}:misc"
    return InboxItem(CHANNEL, str(update_id), key, payload)


def _raw_ids(payload: dict[str, Any]) -> tuple[str, str]:
    """(chat id, sender id) read from the raw JSON, '' when absent; works for unknown types too."""
    body = next((v for k, v in payload.items() if k != "update_id" and isinstance(v, dict)), {})
    chat = body.get("chat")
    if not isinstance(chat, dict) and isinstance(body.get("message"), dict):
        chat = body["message"].get("chat")  # callback_query
    sender = body.get("from") or body.get("user")  # poll_answer, chat_boost sources use "user"
    chat_id = chat.get("id") if isinstance(chat, dict) else None
    user_id = sender.get("id") if isinstance(sender, dict) else None
    return (
        str(chat_id) if isinstance(chat_id, int) else "",
        str(user_id) if isinstance(user_id, int) else "",
    )


def _mask(value: object) -> str:
    """Keep the last three characters: enough to match log lines, too little to identify anyone."""
    text = str(value)
    return "***" + text[-3:] if len(text) > 3 else "***"


class _TokenFilter(logging.Filter):
    """httpx logs every request URL at INFO, and Telegram puts the bot token in the URL path."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self._token in message:
            record.msg, record.args = message.replace(self._token, "<token>"), ()
        return True


class TelegramChannel:
    """The Telegram Bot API through python-telegram-bot's own client, pointed at `base_url`."""

    name = CHANNEL

    def __init__(self, settings: Settings) -> None:
        if settings.telegram_bot_token is None or not settings.telegram_enabled:
            raise ValueError("TELEGRAM_BOT_TOKEN is not set: the Telegram channel is off")
        self._token = settings.telegram_bot_token.get_secret_value()
        head = self._token.partition(":")[0]
        # A token is "<bot id>:<secret>", so replies to the bot are recognised before getMe.
        self._bot_id: int | None = int(head) if head.isdigit() else None
        self._username: str | None = None
        self._bot = ExtBot(
            self._token,
            base_url=settings.telegram_api_base_url,
            request=HTTPXRequest(
                connection_pool_size=32,  # the outbox sends concurrently, one chat at a time
                connect_timeout=5.0,
                read_timeout=10.0,
                write_timeout=10.0,
                pool_timeout=5.0,
            ),
            get_updates_request=HTTPXRequest(connection_pool_size=1, read_timeout=10.0),
            rate_limiter=AIORateLimiter(max_retries=0),
        )
        self._log_filter = _TokenFilter(self._token)

    @property
    def bot(self) -> ExtBot[int]:
        return self._bot

    @property
    def bot_id(self) -> int | None:
        return self._bot_id

    @property
    def username(self) -> str | None:
        """The bot's @username, known after `start()`."""
        return self._username

    async def start(self) -> None:
        """Open the HTTP client and call getMe: a wrong token fails here, not on the first send."""
        logging.getLogger("httpx").addFilter(self._log_filter)
        await self._bot.initialize()
        self._bot_id = self._bot.id
        self._username = self._bot.username
        log.info("telegram: bot @%s ready", self._username)

    async def stop(self) -> None:
        await self._bot.shutdown()
        logging.getLogger("httpx").removeFilter(self._log_filter)

    # --- inbound -------------------------------------------------------------------------

    def inbox_item(self, payload: Any) -> InboxItem:
        return inbox_item(payload)

    async def parse(self, payload: dict[str, Any]) -> list[Inbound]:
        """One update, one `Inbound`; whatever cannot be read is IGNORED, never raised."""
        try:
            update = Update.de_json(payload, self._bot)
            return [self._from_update(update, payload)]
        except Exception as exc:  # any odd payload: PTB raises KeyError, TypeError, ...
            raw = payload if isinstance(payload, dict) else {}
            chat_id, user_id = _raw_ids(raw)
            log.warning(
                "telegram: unreadable update %s (chat %s, user %s, keys %s): %s",
                raw.get("update_id"),
                _mask(chat_id),
                _mask(user_id),
                sorted(raw)[:5],
                type(exc).__name__,
            )
            update_id = raw.get("update_id")
            return [
                Inbound(
                    channel=CHANNEL,
                    chat_id=chat_id,
                    user_id=user_id,
                    kind=InboundKind.IGNORED,
                    external_id=None if update_id is None else str(update_id),
                )
            ]

    def _from_update(self, update: Update, payload: dict[str, Any]) -> Inbound:
        external_id = str(update.update_id)
        if update.message is not None:
            return self._from_message(update.message, external_id)
        if update.callback_query is not None:
            return self._from_callback(update.callback_query, external_id)
        if update.my_chat_member is not None:
            return _from_membership(update.my_chat_member, external_id)
        # Edits (the report was already taken as first sent), channel posts, reactions, polls,
        # inline queries, types newer than PTB...: Lapor does not act on them, on purpose.
        chat_id, user_id = _raw_ids(payload)
        return Inbound(
            channel=CHANNEL,
            chat_id=chat_id,
            user_id=user_id,
            kind=InboundKind.IGNORED,
            external_id=external_id,
        )

    def _from_message(self, message: Message, external_id: str) -> Inbound:
        user = message.from_user
        is_group = message.chat.type in _GROUPS
        replied = message.reply_to_message
        to_bot = (
            replied is not None
            # A message in a forum topic "replies" to the topic's creation; that is no answer.
            and replied.forum_topic_created is None
            and replied.from_user is not None
            and replied.from_user.id == self._bot_id
        )
        common: dict[str, Any] = {
            **_who(user),
            "channel": CHANNEL,
            "chat_id": str(message.chat.id),
            "message_id": str(message.message_id),
            "reply_to_message_id": str(replied.message_id) if to_bot and replied else None,
            "is_group": is_group,
            "thread_id": message.message_thread_id if message.is_topic_message else None,
            "external_id": external_id,
        }
        command = _command(message)
        for_another_bot = bool(
            command and command[2] and self._username and command[2] != self._username.lower()
        )
        if (
            user is None
            or user.is_bot  # other bots, and anonymous admins (GroupAnonymousBot)
            or message.sender_chat is not None
            or message.chat.type == ChatType.CHANNEL
            or for_another_bot
            # In staff groups only commands and answers to the bot are for Lapor.
            or (is_group and command is None and not to_bot)
        ):
            return Inbound(**common, kind=InboundKind.IGNORED)
        if command is not None:
            name, args, _ = command
            return Inbound(
                **common, kind=InboundKind.COMMAND, text=message.text, command=name, args=args
            )
        return _by_content(message, common)

    def _from_callback(self, query: CallbackQuery, external_id: str) -> Inbound:
        message = query.message  # may be an InaccessibleMessage (older than 48 h): has chat & id
        if message is None or query.data is None:
            # Inline-mode or game buttons: Lapor never sends those.
            return Inbound(
                channel=CHANNEL,
                chat_id="",
                user_id=str(query.from_user.id),
                kind=InboundKind.IGNORED,
                external_id=external_id,
            )
        topic = isinstance(message, Message) and message.is_topic_message
        thread_id = message.message_thread_id if topic and isinstance(message, Message) else None
        return Inbound(
            **_who(query.from_user),
            channel=CHANNEL,
            chat_id=str(message.chat.id),
            kind=InboundKind.BUTTON,
            button=query.data,
            callback_id=query.id,
            reply_to_message_id=str(message.message_id),
            is_group=message.chat.type in _GROUPS,
            thread_id=thread_id,
            external_id=external_id,
        )

    # --- outbound ------------------------------------------------------------------------

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
            raise self._send_error(exc) from exc
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
                [[KeyboardButton(LOCATION_BUTTON_LABEL, request_location=True)]],
                resize_keyboard=True,
                one_time_keyboard=True,
            )
        elif out.remove_keyboard:
            keyboard = ReplyKeyboardRemove()
        follow_up = None
        if keyboard is not None and inline is not None:
            follow_up = FOLLOW_UP_AFTER_LOCATION if out.request_location else FOLLOW_UP
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

    def _send_error(self, exc: TelegramError) -> SendError:
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

    # --- webhook and polling -----------------------------------------------------------

    async def set_webhook(self, url: str, secret: str | None) -> None:
        """Register `url`; Telegram then sends `secret` in X-Telegram-Bot-Api-Secret-Token."""
        try:
            await self._bot.set_webhook(
                url, secret_token=secret or None, allowed_updates=ALLOWED_UPDATES
            )
        except TelegramError as exc:
            raise self._send_error(exc) from exc

    async def delete_webhook(self) -> None:
        """Stop webhook delivery (polling needs that); pending updates stay queued at Telegram."""
        try:
            await self._bot.delete_webhook(drop_pending_updates=False)
        except TelegramError as exc:
            raise self._send_error(exc) from exc

    async def poll_once(
        self,
        offset: int | None,
        timeout: int,  # noqa: ASYNC109 - Telegram's long-poll seconds, not a local deadline
    ) -> list[dict[str, Any]]:
        """One getUpdates long poll, returning the raw JSON: the same bytes a webhook would store.

        PTB's `get_updates` returns parsed objects whose `to_dict()` adds default fields, so the
        call goes through `do_api_request`, which hands back the raw result (and warns that a
        typed method exists: that warning is expected here).
        """
        params: dict[str, Any] = {"timeout": timeout, "allowed_updates": list(ALLOWED_UPDATES)}
        if offset is not None:
            params["offset"] = offset
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", "Please use 'Bot.getUpdates'", PTBUserWarning)
                result = await self._bot.do_api_request(
                    "getUpdates", api_kwargs=params, read_timeout=timeout + _POLL_READ_MARGIN
                )
        except TelegramError as exc:
            raise self._send_error(exc) from exc
        if not isinstance(result, list):
            return []
        return [u for u in result if isinstance(u, dict)]


def _from_membership(change: ChatMemberUpdated, external_id: str) -> Inbound:
    """A resident blocking the bot is the one membership change Lapor acts on."""
    blocked = (
        change.chat.type == ChatType.PRIVATE
        and change.new_chat_member.status == ChatMemberStatus.BANNED  # "kicked"
    )
    return Inbound(
        **_who(change.from_user),
        channel=CHANNEL,
        chat_id=str(change.chat.id),
        kind=InboundKind.BLOCKED if blocked else InboundKind.IGNORED,
        external_id=external_id,
    )


def _command(message: Message) -> tuple[str, str, str] | None:
    """(name, args, addressed bot) when the message starts with a command, all lower case."""
    text, entities = message.text, message.entities
    if not text or not entities:
        return None
    first = entities[0]
    if first.type != MessageEntity.BOT_COMMAND or first.offset != 0:
        return None
    # Commands are ASCII, so the entity's UTF-16 length is also its length in characters.
    name, _, target = text[1 : first.length].partition("@")
    return name.lower(), text[first.length :].strip(), target.lower()


def _by_content(message: Message, common: dict[str, Any]) -> Inbound:
    """A message for Lapor that is not a command, by what it carries."""
    if message.text is not None:
        return Inbound(**common, kind=InboundKind.TEXT, text=message.text)
    if message.location is not None:
        venue = message.venue
        address = ", ".join(x for x in (venue.title, venue.address) if x) if venue else None
        where = Location(message.location.latitude, message.location.longitude, address)
        return Inbound(**common, kind=InboundKind.LOCATION, location=where)
    if message.photo:
        # PhotoSizes come smallest first; the largest is what an officer wants to see.
        big = max(message.photo, key=lambda p: p.width * p.height)
        media = (Media(big.file_id, "image/jpeg", big.file_size),)
        return Inbound(**common, kind=InboundKind.PHOTO, text=message.caption, media=media)
    doc = message.document
    if doc is not None and (doc.mime_type or "").startswith("image/"):
        # A photo sent "as file" (uncompressed) is still a photo of the problem.
        media = (Media(doc.file_id, doc.mime_type, doc.file_size),)
        return Inbound(**common, kind=InboundKind.PHOTO, text=message.caption, media=media)
    if message.effective_attachment is not None:  # sticker, voice, video, contact, poll...
        return Inbound(**common, kind=InboundKind.UNSUPPORTED, text=message.caption)
    return Inbound(**common, kind=InboundKind.IGNORED)  # service messages: joins, pins...


def _who(user: User | None) -> dict[str, Any]:
    if user is None:
        return {"user_id": ""}
    return {
        "user_id": str(user.id),
        "user_name": user.full_name or None,
        "language": user.language_code,
    }


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
