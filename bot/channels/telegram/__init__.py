"""The Telegram adapter: raw Bot API updates in, `Inbound` out; `Outbound` in, Bot API calls out.

Split as the work is: `webhook` (the secret and the inbox keys, before any parsing), `parse`
(updates into `Inbound`s), `send` (`Outbound`s into Bot API calls, failures judged by type),
`channel` (the bot client that ties them together, polling and webhook registration).
"""

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.send import MAX_TEXT
from bot.channels.telegram.webhook import (
    ALLOWED_UPDATES,
    CHANNEL,
    BadUpdate,
    check_secret,
    inbox_item,
)

__all__ = [
    "ALLOWED_UPDATES",
    "CHANNEL",
    "MAX_TEXT",
    "BadUpdate",
    "TelegramChannel",
    "check_secret",
    "inbox_item",
]
