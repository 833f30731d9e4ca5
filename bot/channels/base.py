"""What every channel adapter provides, and how a failed send is described."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from handlers.messages import Button, Inbound, InboundKind, Location, Media, Outbound, OutboundKind

__all__ = [
    "Button",
    "Channel",
    "Inbound",
    "InboundKind",
    "InboxItem",
    "Location",
    "Media",
    "Outbound",
    "OutboundKind",
    "SendError",
    "StartError",
    "Unreadable",
]


class StartError(Exception):
    """A channel cannot start. The message is one plain line for the admin: what failed and what
    to check, never a secret; `lapor serve` prints it instead of a traceback."""


class SendError(Exception):
    """A send that did not go through; the outbox decides what to do from these fields only.

    `retryable` False means the channel will never accept it (bad request, blocked bot): the
    row is dead-lettered at once. `retry_after` (seconds) is the channel's own wish (HTTP 429).
    """

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        retry_after: float | None = None,
        blocked: bool = False,
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after
        self.blocked = blocked  # the person blocked the bot: write to them again only once they do


class Unreadable(Exception):
    """A stored update the adapter cannot read (wrong types, missing fields): no retry can help.

    Raised by `Channel.parse` for bad input only, never for Lapor's own bugs; the inbox keeps
    the row, marked with the reason, and answers nothing.
    """


@dataclass(frozen=True, slots=True)
class InboxItem:
    """One update to store: the channel's id (dedupe key), its chat (ordering), the payload."""

    channel: str
    external_id: str
    chat_key: str
    payload: dict[str, Any]


class Channel(Protocol):
    """An adapter. `parse` may do I/O (WhatsApp media download) and runs outside any transaction."""

    name: str

    async def parse(self, payload: dict[str, Any]) -> list[Inbound]: ...

    async def send(self, out: Outbound) -> str | None:
        """Send one message; return the channel's id of what was sent, or raise `SendError`."""
        ...
