"""What the inbox can store, checked at the channel's edge before the insert.

An item that can never be stored — an id longer than the column, a lone surrogate that no
UTF-8 database accepts, NaN or Infinity that no JSON column takes, a NUL that PostgreSQL's text
refuses, nesting deep enough to overflow a parser's stack — must not reach the group commit,
where it would fail the innocent updates sharing its batch. The webhook answers 400 for it
alone and stores the rest (a WhatsApp POST may carry several residents' messages).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Final

from bot.channels.base import InboxItem

MAX_ID: Final = 128  # inbox.external_id
MAX_CHAT_KEY: Final = 160  # inbox.chat_key
# Real updates nest about a dozen levels (a reply inside a message inside an update); a parser
# or serialiser that recurses must never meet a thousand.
MAX_DEPTH: Final = 64
_UNSTORABLE_CHAR = re.compile(r"[\x00\ud800-\udfff]")


class Unstorable(ValueError):
    """This payload can never be stored as it is: answered 400, with the reason, never retried."""


def load(body: bytes) -> Any:
    """The JSON of a webhook body; `Unstorable` when it is none, or nests too deep to store."""
    try:
        value = json.loads(body)
    except RecursionError:
        raise Unstorable(f"JSON nested deeper than {MAX_DEPTH} levels") from None
    except ValueError:  # UnicodeDecodeError too
        raise Unstorable("body is not JSON") from None
    _check_depth(value)
    return value


def check_item(item: InboxItem) -> None:
    """Raise `Unstorable` unless the inbox can store this item exactly as it is."""
    _check_key(item.external_id, "id", MAX_ID)
    _check_key(item.chat_key, "chat", MAX_CHAT_KEY)
    _check_value(item.payload)


def _check_key(value: str, what: str, limit: int) -> None:
    if not value:
        raise Unstorable(f"the {what} is empty")
    if len(value) > limit:
        raise Unstorable(f"the {what} is longer than {limit} characters")
    if _UNSTORABLE_CHAR.search(value):
        raise Unstorable(f"the {what} holds a NUL or a lone surrogate")


def _check_depth(value: Any) -> None:
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise Unstorable(f"JSON nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)


def _check_value(value: Any) -> None:
    """Every string (keys too) encodable and NUL-free, every number finite, depth bounded.

    A loop, not recursion: the point is to survive payloads built to exhaust the stack.
    """
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise Unstorable(f"JSON nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, str):
            if _UNSTORABLE_CHAR.search(node):
                raise Unstorable("a text holds a NUL or a lone surrogate")
        elif isinstance(node, float):
            if not math.isfinite(node):
                raise Unstorable("a number is NaN or infinite")
        elif isinstance(node, dict):
            for key, item in node.items():
                if not isinstance(key, str) or _UNSTORABLE_CHAR.search(key):
                    raise Unstorable("a key holds a NUL or a lone surrogate")
                stack.append((item, depth + 1))
        elif isinstance(node, list):
            stack.extend((item, depth + 1) for item in node)
