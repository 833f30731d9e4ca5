"""Lenient reading of Meta's envelope and Graph's answers: a wrong type is treated as absent.

For splitting a POST into items and reading Graph's replies, where an odd field should cost
nothing: a list that is not a list is empty, a string that is not a string is "". What becomes
an `Inbound` is read strictly instead, through `bot/channels/checked.py`.
"""

from __future__ import annotations

from typing import Any


def dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def string(value: Any) -> str:
    return value if isinstance(value, str) else ""


def obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def base_type(mime: Any) -> str:
    return string(mime).partition(";")[0].strip().lower()
