"""A logging filter that masks residents' personal data and secrets in every log line.

Why a filter on the root handlers and not care at each call site: log lines are written by our
code, by python-telegram-bot, httpx and aiohttp alike, and any of them may print a phone
number, a Telegram user id or the bot token inside a URL. Masking where lines leave the process
catches them all. Ticket references (KDR-26-000123), group ids (negative) and error codes (six
digits, e.g. WhatsApp's 131026) are kept; phone numbers and user ids have seven or more digits.
Phone numbers written in groups, e-mail addresses and identity numbers (NIK, KK: 16 digits,
maybe in groups) are masked by the rule officers' texts use, `handlers.privacy.mask_personal`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from handlers.privacy import mask_personal

_TOKEN = re.compile(r"(?<!\d)\d{6,12}:[A-Za-z0-9_-]{30,}")
_BEARER = re.compile(r"(?i)(bearer\s+|access_token=)[A-Za-z0-9._-]{8,}")
_LONG_NUMBER = re.compile(r"(?<![\w\-/])\+?\d{7,15}(?!\w)(?!\.\d)")


def mask_id(value: object) -> str:
    """Keep the last three characters: enough to match log lines, too little to identify anyone."""
    text = str(value)
    return "***" + text[-3:] if len(text) > 3 else "***"


def mask_text(text: str, secrets: Iterable[str] = ()) -> str:
    for secret in secrets:
        text = text.replace(secret, "<secret>")
    text = _TOKEN.sub("<token>", text)
    text = _BEARER.sub(r"\1<secret>", text)
    text = mask_personal(text, hidden="*")
    return _LONG_NUMBER.sub(lambda m: "*" * (len(m.group()) - 3) + m.group()[-3:], text)


class MaskingFilter(logging.Filter):
    """Masks the message and any traceback with it: an exception's text may quote a URL with
    the token in it (PTB's InvalidToken quotes the token itself)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = tuple(sorted(set(secrets), key=len, reverse=True))

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message, self._secrets)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text, self._secrets)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info, self._secrets)
        return True


_FORMATTER = logging.Formatter()


def setup_logging(level: str = "INFO", secrets: Iterable[str] = ()) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(MaskingFilter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("httpx").setLevel(logging.WARNING)  # it logs every request URL
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # the schema check at start-up
    # every job run is two INFO lines (the routing-learn job runs every 30 s); its own log says
    # what a run did, and a missed or failed run is still a warning
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
