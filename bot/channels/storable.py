"""What the inbox can store, checked at the channel's edge before the insert.

An item that can never be stored — an id longer than the column, a lone surrogate that no
UTF-8 database accepts, NaN or Infinity that no JSON column takes, a NUL that PostgreSQL's text
refuses, nesting deep enough to overflow a parser's stack — must not reach the group commit,
where it would fail the innocent updates sharing its batch. The webhook answers 400 for it
alone and stores the rest (a WhatsApp POST may carry several residents' messages).
"""

from __future__ import annotations

import codecs
import json
import math
import re
import threading
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Body:
    """A webhook body's JSON. `plain`: its text alone shows that nothing in it is unstorable
    (no NUL or lone surrogate escaped in it, UTF-8 as sent, too few brackets to nest deep), so
    the payload walk can be skipped: the cheap path of nearly every real update. `text` is the
    body as received, when plain: what the inbox may store as it is, without re-serialising."""

    value: Any
    plain: bool
    text: str | None = None


_parsing = threading.local()  # set while a body is parsed: did it hold a non-finite number?


def _float(literal: str) -> float:
    number = float(literal)
    if not math.isfinite(number):  # 1e999
        _parsing.nonfinite = True
    return number


def _constant(literal: str) -> float:
    _parsing.nonfinite = True  # NaN, Infinity, -Infinity
    return float(literal)


# Non-finite numbers are noticed while parsing, so a plain body needs no walk to rule them out;
# they are refused per item (one bad message of a WhatsApp POST does not sink the others).
_DECODER: Final = json.JSONDecoder(parse_float=_float, parse_constant=_constant)
# What would make the parsed value unstorable and shows in the text: an escaped NUL or surrogate
# (a valid pair decodes to one character, but telling it from a lone one needs the value).
_ESCAPE_TO_CHECK: Final = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")


def load(body: bytes) -> Body:
    """The JSON of a webhook body; `Unstorable` when it is none, or nests too deep to store."""
    text = _utf8(body)
    _parsing.nonfinite = False
    try:
        value = _DECODER.decode(text) if text is not None else json.loads(body)
    except RecursionError:
        raise Unstorable(f"JSON nested deeper than {MAX_DEPTH} levels") from None
    except ValueError:  # UnicodeDecodeError too
        raise Unstorable("body is not JSON") from None
    if text is not None and text.count("[") + text.count("{") < MAX_DEPTH:
        # too few brackets to nest deep: only an escape or a number can still be unstorable
        plain = not _parsing.nonfinite and _ESCAPE_TO_CHECK.search(text) is None
        return Body(value, plain, text if plain else None)
    _check_depth(value)
    return Body(value, plain=False)


def _utf8(body: bytes) -> str | None:
    """The body as UTF-8 text, as Telegram and Meta send it; None for what JSON also allows
    (a BOM, UTF-16) or for raw surrogates: `json.loads` reads those, and the walk checks them."""
    if body.startswith(codecs.BOM_UTF8):
        return None
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def check_item(item: InboxItem, *, plain_body: bool = False) -> None:
    """Raise `Unstorable` unless the inbox can store this item exactly as it is. Taken from a
    `plain_body`, its payload needs no walk (its keys are still checked: a channel builds them)."""
    _check_key(item.external_id, "id", MAX_ID)
    _check_key(item.chat_key, "chat", MAX_CHAT_KEY)
    if not plain_body:
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
