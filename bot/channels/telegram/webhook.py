"""What the Telegram webhook needs before anything is parsed: the secret, and the inbox keys.

`update_id` is Telegram's dedupe key; the chat (read from the raw JSON, so unknown update
types work too) orders processing.
"""

from __future__ import annotations

import hmac
from typing import Any, Final

from bot.channels.base import InboxItem

CHANNEL: Final = "telegram"
# The update types Lapor acts on; everything else Telegram keeps to itself (webhook and polling).
ALLOWED_UPDATES: Final = ("message", "edited_message", "callback_query", "my_chat_member")


class BadUpdate(ValueError):
    """The payload is not a Telegram update at all: the webhook answers 400, nothing is stored."""


def check_secret(header_value: str | None, secret: str | None) -> bool:
    """Compare the X-Telegram-Bot-Api-Secret-Token header in constant time.

    No secret configured refuses everything: webhook mode does not start without one, and in
    polling mode nothing should arrive here at all.
    """
    if not secret or header_value is None:
        return False
    return hmac.compare_digest(header_value.encode(), secret.encode())


def inbox_item(payload: Any) -> InboxItem:
    """What the inbox stores: `update_id` is Telegram's dedupe key, the chat orders processing."""
    if not isinstance(payload, dict):
        raise BadUpdate("a Telegram update is a JSON object")
    update_id = payload.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        raise BadUpdate("a Telegram update needs an integer update_id")
    chat_id, user_id = raw_ids(payload)
    if chat_id:
        key = f"{CHANNEL}:{chat_id}"
    elif user_id:
        key = f"{CHANNEL}:user:{user_id}"
    else:
        key = f"{CHANNEL}:misc"
    return InboxItem(CHANNEL, str(update_id), key, payload)


def raw_ids(payload: dict[str, Any]) -> tuple[str, str]:
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
