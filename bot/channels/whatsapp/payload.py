"""Reading untrusted webhook JSON: a wrong type is treated as absent, never trusted or raised.

Meta's payloads are read field by field through these, in the spirit of Zulip's `WildValue`:
a list that is not a list is empty, a string that is not a string is "".
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
