"""Graph's error answers, judged by code (never by text): retry, wait, or give up."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Final

from bot.channels.base import SendError, StartError
from bot.channels.whatsapp.payload import obj

log = logging.getLogger(__name__)

# Graph error codes. Rate limits: throughput (130429), the same resident too often (131056),
RATE_LIMIT_WAIT: Final[Mapping[int, float]] = {130429: 5.0, 131056: 10.0, 80007: 60.0}
DEFAULT_RATE_LIMIT_WAIT: Final = 30.0
SERVER_CODES: Final = frozenset({1, 2, 131000, 131016})  # "something went wrong", unavailable
RE_ENGAGEMENT: Final = 131047  # more than 24 h since the resident last wrote
TOKEN_INVALID: Final = 190


class WhatsAppAuthError(StartError):
    """Graph refused the access token at start: nothing would ever be sent with it."""


def send_error(status: int, body: Any, retry_after: str | None = None) -> SendError:
    """Graph's answer to a failed call, as the outbox needs it: retry (when) or give up."""
    error = obj(obj(body).get("error"))
    code = graph_code(body)
    data = obj(error.get("error_data"))
    what = f"whatsapp HTTP {status}, code {code}: {error.get('message') or 'no error body'}"
    if data.get("details"):
        what += f" ({data['details']})"
    if status == 429 or code in RATE_LIMIT_WAIT:
        wait = _seconds(retry_after)
        if wait is None:
            wait = RATE_LIMIT_WAIT.get(code or 0, DEFAULT_RATE_LIMIT_WAIT)
        return SendError(what, retryable=True, retry_after=wait)
    if code == RE_ENGAGEMENT:
        what += (
            "; the resident last wrote more than 24 hours ago, and only an approved template "
            "reaches them now"
        )
        return SendError(what, retryable=False)
    if status >= 500 or code in SERVER_CODES:
        return SendError(what, retryable=True)
    if code == TOKEN_INVALID or status == 401:
        log.error("whatsapp: the access token was refused; set a valid WHATSAPP_ACCESS_TOKEN")
    return SendError(what, retryable=False)


def graph_code(body: Any) -> int | None:
    """The `error.code` of a Graph error body, if it has one."""
    error = body.get("error") if isinstance(body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return code if isinstance(code, int) and not isinstance(code, bool) else None


def _seconds(header: str | None) -> float | None:
    try:
        return max(0.0, float(header)) if header else None
    except ValueError:
        return None
