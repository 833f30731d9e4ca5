"""The Telegram channel: python-telegram-bot's own client, pointed at `base_url`.

PTB does the Telegram part (types, `Update.de_json`, the HTTP client, the rate limiter); this
package only translates (`parse`, `send`). An update that cannot be read raises `Unreadable`
(the inbox marks the row and answers nothing); our own bugs are not disguised as bad input.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any, Final
from urllib.parse import urlsplit

from telegram import LinkPreviewOptions, Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import AIORateLimiter, Defaults, ExtBot
from telegram.request import HTTPXRequest
from telegram.warnings import PTBUserWarning

from bot.channels.base import Inbound, InboxItem, Outbound, StartError, Unreadable
from bot.channels.media import MediaStore
from bot.channels.telegram.files import OfficerPhotos, file_url
from bot.channels.telegram.parse import Me, from_update
from bot.channels.telegram.send import Sender
from bot.channels.telegram.webhook import ALLOWED_UPDATES, CHANNEL, inbox_item
from bot.config import Settings
from bot.logmask import mask_text

log = logging.getLogger(__name__)

_POLL_READ_MARGIN: Final = 10.0  # seconds on top of the long-poll timeout before giving up


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

    def __init__(self, settings: Settings, *, media: MediaStore | None = None) -> None:
        if settings.telegram_bot_token is None or not settings.telegram_enabled:
            raise ValueError("TELEGRAM_BOT_TOKEN is not set: the Telegram channel is off")
        self._token = settings.telegram_bot_token.get_secret_value()
        self._base_url = settings.telegram_api_base_url
        head = self._token.partition(":")[0]
        # A token is "<bot id>:<secret>", so replies to the bot are recognised before getMe.
        self._bot_id: int | None = int(head) if head.isdigit() else None
        self._username: str | None = None
        self._bot = ExtBot(
            self._token,
            base_url=settings.telegram_api_base_url,
            base_file_url=file_url(settings.telegram_api_base_url),
            request=HTTPXRequest(
                connection_pool_size=32,  # the outbox sends concurrently, one chat at a time
                connect_timeout=5.0,
                # Longer than Telegram's processing: a send given up too early is sent twice.
                read_timeout=settings.telegram_send_timeout,
                write_timeout=10.0,
                media_write_timeout=max(20.0, settings.telegram_send_timeout),  # uploads
                pool_timeout=5.0,
            ),
            get_updates_request=HTTPXRequest(connection_pool_size=1, read_timeout=10.0),
            rate_limiter=AIORateLimiter(max_retries=0),
            # No link unfurls anywhere: a resident's link must not preview in a staff group.
            defaults=Defaults(link_preview_options=LinkPreviewOptions(is_disabled=True)),
        )
        self._sender = Sender(self._bot, self._token, media)
        self._photos = OfficerPhotos(self._bot, media)
        self._log_filter = _TokenFilter(self._token)

    @property
    def bot_id(self) -> int | None:
        return self._bot_id

    @property
    def username(self) -> str | None:
        """The bot's @username, known after `start()`."""
        return self._username

    async def start(self) -> None:
        """Open the HTTP client and call getMe: a wrong token fails here, not on the first send.

        Raises `StartError` with one plain line; the token is never in it.
        """
        logging.getLogger("httpx").addFilter(self._log_filter)
        try:
            await self._bot.initialize()
        except TelegramError as exc:
            await self.stop()
            raise StartError(self._start_failure(exc)) from exc
        self._bot_id = self._bot.id
        self._username = self._bot.username
        log.info("telegram: bot @%s ready", self._username)

    def _start_failure(self, exc: TelegramError) -> str:
        where = urlsplit(self._base_url).netloc or self._base_url
        if isinstance(exc, InvalidToken):
            return (
                f"Telegram ({where}) rejected TELEGRAM_BOT_TOKEN: check the token @BotFather "
                "gave (revoked, or mistyped?)"
            )
        if isinstance(exc, NetworkError):  # TimedOut too
            return (
                f"Telegram's Bot API at {where} cannot be reached ({type(exc).__name__}): check "
                "the network, a proxy or firewall, and TELEGRAM_API_BASE_URL"
            )
        detail = mask_text(str(exc), (self._token,))
        return f"Telegram ({where}) refused to start the bot: {detail}"

    async def stop(self) -> None:
        await self._bot.shutdown()
        logging.getLogger("httpx").removeFilter(self._log_filter)

    # --- inbound -------------------------------------------------------------------------

    def inbox_item(self, payload: Any) -> InboxItem:
        return inbox_item(payload)

    async def parse(self, payload: dict[str, Any]) -> list[Inbound]:
        """One update, one `Inbound`; `Unreadable` when it cannot be read.

        Only the library's parsing is guarded: whatever `Update.de_json` cannot read is bad
        input. An exception from our own reduction of it is a bug of ours and leaves as it is
        (the inbox logs its traceback and keeps the row for a retry).
        """
        try:
            update = Update.de_json(payload, self._bot)
        except Exception as exc:  # PTB raises KeyError, TypeError, ValueError... on odd JSON
            raise Unreadable(f"not a Telegram update PTB can read ({type(exc).__name__})") from exc
        inbound = from_update(update, payload, Me(self._bot_id, self._username))
        return [await self._photos.keep(inbound)]

    # --- webhook and polling -----------------------------------------------------------

    async def send(self, out: Outbound) -> str | None:
        """Send one `Outbound`; every PTB failure leaves as a `SendError` the outbox can judge."""
        return await self._sender.send(out)

    # --- webhook and polling -----------------------------------------------------------

    async def set_webhook(self, url: str, secret: str | None) -> None:
        """Register `url`; Telegram then sends `secret` in X-Telegram-Bot-Api-Secret-Token."""
        try:
            await self._bot.set_webhook(
                url, secret_token=secret or None, allowed_updates=ALLOWED_UPDATES
            )
        except TelegramError as exc:
            raise self._sender.error(exc) from exc

    async def delete_webhook(self) -> None:
        """Stop webhook delivery (polling needs that); pending updates stay queued at Telegram."""
        try:
            await self._bot.delete_webhook(drop_pending_updates=False)
        except TelegramError as exc:
            raise self._sender.error(exc) from exc

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
            raise self._sender.error(exc) from exc
        if not isinstance(result, list):
            return []
        return [u for u in result if isinstance(u, dict)]
