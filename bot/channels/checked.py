"""Untrusted values read through checkers: a wrong type is `Unreadable` here, not a crash later.

python-telegram-bot copies JSON values into its objects without checking their types, and a
WhatsApp item is plain JSON: `latitude: "abc"`, `text: [...]` or a surrogate in `from.id` would
reach the handlers and fail there, on every retry. Adapters build an `Inbound` only from values
passed through these checkers, the habit of Zulip's `WildValue.tame(check_string)`; `what` names
the field (never its value, which may be personal data) in the reason.
"""

from __future__ import annotations

import math
import re
from typing import Any

from bot.channels.base import Unreadable

_UNSTORABLE_CHAR = re.compile(r"[\x00\ud800-\udfff]")


def text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise Unreadable(f"{what} is not a text")
    if _UNSTORABLE_CHAR.search(value):
        raise Unreadable(f"{what} holds a NUL or a lone surrogate")
    return value


def optional_text(value: Any, what: str) -> str | None:
    return None if value is None else text(value, what)


def integer(value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise Unreadable(f"{what} is not an integer")
    return value


def optional_integer(value: Any, what: str) -> int | None:
    return None if value is None else integer(value, what)


def number(value: Any, what: str) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        raise Unreadable(f"{what} is not a number")
    return float(value)


def optional_number(value: Any, what: str) -> float | None:
    return None if value is None else number(value, what)


def flag(value: Any, what: str) -> bool:
    if not isinstance(value, bool):
        raise Unreadable(f"{what} is not true or false")
    return value


def ident(value: Any, what: str) -> str:
    """A Telegram id (chat, user, message) is an integer; as text, the way `Inbound` keeps it."""
    return str(integer(value, what))


def mapping(value: Any, what: str) -> dict[str, Any]:
    """An object; absent is empty."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Unreadable(f"{what} is not an object")
    return value


def listing(value: Any, what: str) -> list[Any]:
    """A list; absent is empty."""
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise Unreadable(f"{what} is not a list")
    return list(value)
